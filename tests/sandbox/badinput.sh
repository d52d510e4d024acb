#!/bin/bash
# badinput.sh: every malformed invocation in tests/badinput/cases.tsv (unknown
# flags, missing arguments, bad numbers, closed and wrong-type fds, huge
# strings, empty destinations, conflicting flags, failing mounts, oversized
# --args streams...) must exit 1 with exactly one stderr line "husk: ..."
# naming the flag, never die of a signal, and leave nothing behind: the
# mount count of our namespace, husk processes, files in our temp dir and
# husk's names in /tmp are compared before and after every case.
# The same for the OCI configs of tests/badinput/oci.tsv (issue 8: malformed
# and truncated JSON, wrong types, invalid enumerations, numbers out of
# range, relative paths, huge strings), run with --oci, whose one line must
# name the JSON path or the line and column.
# One TAP line per case; runs as root and as an unprivileged uid.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

table=$(cd "$(dirname "$0")/../badinput" && pwd)/cases.tsv
if is_bwrap; then
  skip "bad input is rejected with one husk: line" "bwrap's error messages differ"
  done_testing
  exit
fi

# A private copy of husk: its path marks the processes of this test.
mkdir -p "$TEST_TMP/bin"
cp "$HUSK" "$TEST_TMP/bin/husk"
chmod 755 "$TEST_TMP/bin/husk"
H=$TEST_TMP/bin/husk

# Fixtures.
W=$TEST_TMP/fix
mkdir -p "$W/dir"
echo data >"$W/file"
: >"$W/wfile"
ln -s loop "$W/loop"
printf '\006\000\000\000\000\000\377\177' >"$W/sc"        # BPF "ret ALLOW"
: >"$W/sc-empty"
printf '\006\000\000\000\000\000\377' >"$W/sc-odd"        # 7 bytes
head -c $(( (4096 + 1) * 8 )) /dev/zero >"$W/sc-big"      # > BPF_MAXINSNS
head -c 1048600 /dev/zero >"$W/args-big"                  # > 1 MiB per stream
yes -- --clearenv | head -n 95324 | tr '\n' '\0' >"$W/args-max"  # just under 1 MiB
printf -- '--frob\0' >"$W/args-unknown"
printf -- '--bind\0' >"$W/args-missing"
printf -- '--unshare-pid\0' >"$W/args-options-only"
printf -- '-\0' >"$W/args-dash-empty"
for i in $(seq 3 40); do printf -- '--args\0%d\0' $((i + 1)) >"$W/chain-$i"; done
chmod -R a+rX "$TEST_TMP"

BIG=/$(head -c 65535 /dev/zero | tr '\0' a)
BIGWORD=$(head -c 65536 /dev/zero | tr '\0' a)
BIGDIGITS=$(head -c 65536 /dev/zero | tr '\0' 7)

# Open fd N as KIND (in the subshell that then runs husk).
open_fd ()
{
  local n=$1 kind=$2
  case $kind in
    file|sc|sc-empty|sc-odd|sc-big|args-big|args-max|args-unknown|args-missing|args-options-only|args-dash-empty)
      eval "exec $n<\"\$W/\$kind\"" ;;
    dir) eval "exec $n<\"\$W/dir\"" ;;
    wfile) eval "exec $n>>\"\$W/wfile\"" ;;
    pipe) eval "exec $n< <(:)" ;;
    wpipe) eval "exec $n> >(cat >/dev/null)" ;;
    args-big-pipe) eval "exec $n< <(head -c 1048600 /dev/zero 2>/dev/null)" ;;
    args-chain) eval "exec $n<\"\$W/chain-$n\"" ;;
    *) echo "badinput.sh: unknown fd kind $kind" >&2; exit 2 ;;
  esac
}

# run_case FDS WORDS...: husk with those fds, stdout discarded; sets RC, ERR.
run_case ()
{
  local fds=$1; shift
  local e=$TEST_TMP/err
  (
    for i in $(seq 3 40); do eval "exec $i>&-"; done
    if [ "$fds" != - ]; then
      IFS=, read -r -a specs <<<"$fds"
      for s in "${specs[@]}"; do open_fd "${s%%=*}" "${s#*=}"; done
    fi
    exec timeout -k 5 60 "$H" "$@" </dev/null >/dev/null 2>"$e"
  )
  RC=$?
  ERR=$(cat "$e")
  rm -f "$e"
}

state ()
{
  wc -l </proc/self/mountinfo
  find "$TEST_TMP" -path "$TEST_TMP/err" -prune -o -print | sort
}

# Entries of ours in /tmp with the names husk would leave there (husk-*;
# newroot and oldroot, its scratch directories, should the scratch tmpfs
# ever land on the host's /tmp), minus the temporary directories of the
# test programs (this one's and others': run-tests.sh runs several at once,
# and the unit tests' husk-test-NAME.*).  Only new ones count.
husk_tmp ()
{
  find /tmp -maxdepth 1 \( -name 'husk-*' -o -name newroot -o -name oldroot \) -user "$(id -u)" 2>/dev/null \
    | grep -Ev '^/tmp/husk-(t|suite|ci|test-[a-z0-9-]+)\.' | sort
}

leftover_procs () { pgrep -f -- "$H" || true; }

# check_case NAME EXPECT FDS ARGS WORDS...: run husk with WORDS and check
# the outcome (one TAP line).
check_case ()
{
  local name=$1 expect=$2 fds=$3 args=$4 before after tmp_before tmp_new procs why nlines
  shift 4
  before=$(state); tmp_before=$(husk_tmp)
  run_case "$fds" "$@"
  after=$(state); tmp_new=$(comm -13 <(echo "$tmp_before") <(husk_tmp))
  procs=$(leftover_procs)
  if [ -n "$procs" ]; then sleep 0.3; procs=$(leftover_procs); fi
  why=
  nlines=$(printf '%s\n' "$ERR" | wc -l)
  if [ "$RC" -ge 128 ] || [ "$RC" = 124 ]; then why="crashed or hung (exit $RC)"
  elif [ "$RC" != 1 ]; then why="exit $RC, expected 1"
  elif [ -z "$ERR" ]; then why="nothing on stderr"
  elif [ "$nlines" != 1 ]; then why="$nlines lines on stderr"
  elif [[ $ERR != "husk: "* ]]; then why="the line does not start with 'husk: '"
  elif [[ $ERR != *"$expect"* ]]; then why="the line does not name '$expect'"
  elif [ "$before" != "$after" ]; then why="mounts or files left behind: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -3 | tr '\n' ' ')"
  elif [ -n "$tmp_new" ]; then why="new files in /tmp: $tmp_new"
  elif [ -n "$procs" ]; then why="processes left behind: $procs"
  fi
  if [ -z "$why" ]; then
    _t_result 0 "$name"
  else
    _t_result 1 "$name: $why"
    diag "args: $(printf '%s\n' "$args" | cut -c1-300)  fds: $fds" "stderr: $(printf '%s\n' "$ERR" | head -3 | cut -c1-300)"
  fi
}

mapfile -t lines < <(grep -v '^#' "$table" | grep -v '^$')
diag "${#lines[@]} cases from ${table##*/tests/}"
for line in "${lines[@]}"; do
  IFS=$'\t' read -r name expect fds args <<<"$line"
  words=()
  if [ -n "$args" ]; then
    read -r -a raw <<<"$args"
    for w in "${raw[@]}"; do
      [ "$w" = "''" ] && w=
      w=${w//\{SP\}/ }
      w=${w//\{W\}/$W}
      w=${w//\{BIG\}/$BIG}
      w=${w//\{BIGWORD\}/$BIGWORD}
      w=${w//\{BIGDIGITS\}/$BIGDIGITS}
      words+=("$w")
    done
  fi
  check_case "$name" "$expect" "$fds" "$args" "${words[@]}"
done

# OCI configs (oci.tsv): each is the table's BASE config with one edit,
# written to a bundle before the state is taken, run with --oci BUNDLE.
otable=${table%/*}/oci.tsv
base=$(awk -F '\t' '$1 == "BASE" { print $2 }' "$otable")
O=$W/oci
mkdir -p "$O/rootfs"
printf '%s\n' "$base" >"$O/config.json"
hrun --print-plan --oci "$O"
is "oci.tsv: the BASE config loads (so each case fails by its edit alone)" "0" "$RC${ERR:+: $ERR}"
# {NL} a newline, {BIGWORD} 64 KiB of letters, {BIG} a 64 KiB path,
# {BIGDIGITS} 64 KiB of digits, {BASE} the base config.
expand () { local v=${1//\{NL\}/$'\n'}; v=${v//\{BIGWORD\}/$BIGWORD}; v=${v//\{BIGDIGITS\}/$BIGDIGITS}; v=${v//\{BIG\}/$BIG}; printf '%s' "${v//\{BASE\}/$base}"; }
mapfile -t olines < <(grep -v '^#' "$otable" | grep -v '^$' | grep -v '^BASE	')
diag "${#olines[@]} cases from oci.tsv"
for line in "${olines[@]}"; do
  IFS=$'\t' read -r name expect old new <<<"$line"
  new=$(expand "$new")
  if [ "$old" = "*" ]; then
    text=$new
  elif [[ $base != *"$old"* ]]; then
    _t_result 1 "oci-$name: '$old' is not in the BASE config"
    continue
  else
    text=${base/"$old"/"$new"}
  fi
  printf '%s' "$text" >"$O/config.json"
  check_case "oci-$name" "$expect" - "$old -> $new" --oci "$O"
done
rm -rf "$O"
done_testing
