#!/bin/bash
# husk-test: serial (as root it adds a line to /etc/subuid)
# lifecycle.sh: --info-fd, --json-status-fd, --sync-fd, --block-fd,
# --userns-block-fd, --lock-file, the multi-range --uid-map/--gid-map, and
# --userns, --userns2, --disable-userns, --assert-userns-disabled.
# Observes the real thing from outside: pids that are alive while the sandbox
# runs, locks in /proc/locks, fds closed (EOF) exactly when they should be,
# maps in /proc/self/uid_map inside.  Where bwrap has the flag, its JSON is
# compared with husk's (checked against bwrap 0.8.0 as root and uid 65534).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

uid=$(id -u)
gid=$(id -g)
T=$TEST_TMP
BW=(--ro-bind / / --bind "$T" "$T")

# wait_for FILE ERE [TENTHS]: until a line of FILE matches (default 5 s).
wait_for ()
{
  local i
  for ((i = 0; i < ${3:-50}; i++)); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# json_num FILE KEY: the number of "KEY" on the first line that has it.
json_num () { sed -n "s/.*\"$2\": *\([0-9][0-9]*\).*/\1/p" "$1" | head -n1; }

# json_keys: the member names of each JSON object on stdin, one object a line.
json_keys () { grep -o '"[a-z-]*":' | tr -d '":' | tr '\n' ' '; echo; }

# --- --json-status-fd: child-pid and command-pid are live while it runs -----
mkfifo "$T/go"
"$HUSK" "${SB[@]}" --json-status-fd 4 sh -c 'read x <'"$T/go"'; exit 7' \
  4>"$T/js" &
hpid=$!
if wait_for "$T/js" '"command-pid"'; then
  cpid=$(json_num "$T/js" child-pid)
  mpid=$(json_num "$T/js" command-pid)
  ok "--json-status-fd: child-pid $cpid is a live process while the sandbox runs" \
    test -d "/proc/$cpid"
  ok "--json-status-fd: command-pid $mpid is the program (sh), alive" \
    grep -q '^sh' "/proc/$mpid/comm"
  is "--json-status-fd: with --unshare-pid, the program's parent is child-pid (the reaper)" \
    "$cpid" "$(awk '/^PPid:/ { print $2 }' "/proc/$mpid/status")"
  like "--json-status-fd: the first object names the new pid and mnt namespaces" \
    '^\{ "child-pid": [0-9]+, "mnt-namespace": [0-9]+, "pid-namespace": [0-9]+ \}$' \
    "$(head -n1 "$T/js")"
  is "--json-status-fd: pid-namespace is the inode of the child's pid namespace" \
    "$(stat -L -c %i "/proc/$cpid/ns/pid")" "$(json_num "$T/js" pid-namespace)"
else
  _t_result 1 "--json-status-fd: a command-pid line appears"
  diag "$(cat "$T/js")"
fi
timeout 30 sh -c 'echo go >"$1"' _ "$T/go"  # no hang if husk died early
wait "$hpid"
is "--json-status-fd: husk exits with the program's status" 7 "$?"
like "--json-status-fd: last line is the exit code" '^\{ "exit-code": 7[,} ]' "$(tail -n1 "$T/js")"
is "--json-status-fd: three objects" 3 "$(wc -l <"$T/js")"

# Killed by a signal: 128+N, as the exit status.
hrun "${SB[@]}" --json-status-fd 4 "$P" kill-self TERM 4>"$T/js2"
like "--json-status-fd: exit-code of a program killed by SIGTERM is 143" \
  '^\{ "exit-code": 143[,} ]' "$(tail -n1 "$T/js2")"

# Without a pid namespace the program is the first process.
hrun --ro-bind / / --json-status-fd 4 true 4>"$T/js3"
is "--json-status-fd without --unshare-pid: command-pid = child-pid" \
  "$(json_num "$T/js3" child-pid)" "$(json_num "$T/js3" command-pid)"

# Setup fails: no exit-code (the program never ran), husk's own status 1.
hrun "${SB[@]}" --json-status-fd 4 --lock-file /nonexistent/husk-t true 4>"$T/js4"
is "setup failure: exit 1" 1 "$RC"
husk_error_line "setup failure: one error line naming --lock-file" "--lock-file /nonexistent/husk-t"
unlike "setup failure: no exit-code object" '"exit-code"' "$(cat "$T/js4")"

# --- --info-fd: same first object, pretty-printed, closed early ------------------
start=$(date +%s%N)
info=$( ("$HUSK" "${SB[@]}" --unshare-net --info-fd 3 "$P" sleep 2 3>&1 >/dev/null 2>&1 &) )
took=$((($(date +%s%N) - start) / 1000000))
like "--info-fd: pretty-printed child-pid and namespace ids" \
  '^\{
    "child-pid": [0-9]+,
    "mnt-namespace": [0-9]+,
    "net-namespace": [0-9]+,
    "pid-namespace": [0-9]+
\}$' "$info"
ok "--info-fd: closed (EOF) long before the sandbox ends (${took} ms < 1500)" test "$took" -lt 1500
hrun "${SB[@]}" --info-fd 3 "$P" fds 3>"$T/info2"
unlike "--info-fd: the fd does not reach the program" '(^| )3( |$)' "$OUT"
hrun "${SB[@]}" --info-fd 9 true
is "--info-fd on a closed fd: exit 1" 1 "$RC"
husk_error_line "--info-fd on a closed fd: one line naming it" "--info-fd 9"

# --- parity with bwrap: same members, same layout ------------------------------
if command -v bwrap >/dev/null && ! is_bwrap \
   && bwrap --ro-bind / / true >/dev/null 2>&1; then
  for ns in "--unshare-pid" "--unshare-all" "--unshare-ipc --unshare-uts --unshare-net"; do
    # shellcheck disable=SC2086
    bwrap --ro-bind / / $ns --info-fd 3 --json-status-fd 4 sh -c 'exit 3' 3>"$T/bi" 4>"$T/bj"
    # shellcheck disable=SC2086
    "$HUSK" --ro-bind / / $ns --info-fd 3 --json-status-fd 4 sh -c 'exit 3' 3>"$T/hi" 4>"$T/hj"
    is "parity $ns: --info-fd text equal but for the numbers" \
      "$(tr 0-9 N <"$T/bi" | tr -s N)" "$(tr 0-9 N <"$T/hi" | tr -s N)"
    is "parity $ns: --json-status-fd first object has bwrap's members" \
      "$(head -n1 "$T/bj" | json_keys)" "$(head -n1 "$T/hj" | json_keys)"
    # husk adds resource usage members to it (documented, issue 6).
    is "parity $ns: --json-status-fd last object is bwrap's (but for husk's usage members)" \
      "$(tail -n1 "$T/bj")" \
      "$(tail -n1 "$T/hj" | sed -E 's/, "(max-rss-kib|user-time-us|system-time-us|memory-peak|pids-peak)": [0-9]+//g')"
  done
elif is_bwrap; then
  skip "parity with bwrap" "this run tests bwrap itself"
elif [ "$HUSK_MUST_WORK" = 1 ]; then
  _t_result 1 "bwrap is installed and usable, for the parity checks"
else
  skip "parity with bwrap" "bwrap not installed or not usable here"
fi

# --- --sync-fd: held by the sandbox, EOF when it ends, not in the program -------
start=$(date +%s%N)
out=$( ("$HUSK" --ro-bind / / --sync-fd 3 "$P" sleep 1 3>&1 >/dev/null 2>&1 &) )
took=$((($(date +%s%N) - start) / 1000000))
ok "--sync-fd: EOF only once the sandbox ended (${took} ms >= 900)" test "$took" -ge 900
ok "--sync-fd: and not much later (${took} ms < 5000)" test "$took" -lt 5000
hrun "${SB[@]}" --sync-fd 3 "$P" fds 3>/dev/null
unlike "--sync-fd: the fd does not reach the program" '(^| )3( |$)' "$OUT"
hrun "${SB[@]}" --as-pid-1 --sync-fd 3 "$P" fds 3>/dev/null
like "--sync-fd with --as-pid-1: the program holds it (as bwrap)" '(^| )3( |$)' "$OUT"

# --- --block-fd: nothing runs until the caller writes ----------------------------
mkfifo "$T/block"
exec {bfd}<>"$T/block"
"$HUSK" "${BW[@]}" --json-status-fd 4 --block-fd "$bfd" "$P" write "$T/ran" \
  4>"$T/jb" >/dev/null 2>&1 &
hpid=$!
wait_for "$T/jb" '"command-pid"'
sleep 0.5
nok "--block-fd: the program has not run before the caller writes" test -e "$T/ran"
ok "--block-fd: husk is still waiting" kill -0 "$hpid"
echo x >&"$bfd"
wait "$hpid"
is "--block-fd: exit 0 after the write" 0 "$?"
ok "--block-fd: the program ran after the write" test -e "$T/ran"
exec {bfd}>&-

# --- --lock-file: a read lock visible from the host, held by the sandbox ---------
: >"$T/lk"
ino=$(stat -c %i "$T/lk")
mkfifo "$T/go2"
"$HUSK" "${BW[@]}" --unshare-pid --json-status-fd 4 --lock-file "$T/lk" \
  sh -c 'read x <'"$T/go2" 4>"$T/jl" &
hpid=$!
if wait_for "$T/jl" '"command-pid"'; then
  cpid=$(json_num "$T/jl" child-pid)
  lock=$(grep -E ":$ino [0-9]+ EOF\$" /proc/locks || true)
  like "--lock-file: a POSIX read lock on the file in /proc/locks" "POSIX +ADVISORY +READ +$cpid " "$lock"
else
  _t_result 1 "--lock-file: the sandbox started"
fi
timeout 30 sh -c 'echo go >"$1"' _ "$T/go2"
wait "$hpid"
is "--lock-file: exit 0" 0 "$?"
is "--lock-file: the lock is gone with the sandbox" "" "$(grep -E ":$ino [0-9]+ EOF\$" /proc/locks || true)"
hrun "${BW[@]}" --lock-file "$T/lk" "$P" fds
is "--lock-file: the lock fd does not reach the program" "0 1 2" "$OUT"

# --- --userns-block-fd: the caller writes the maps itself ------------------------
mkfifo "$T/ub" "$T/ui"
exec {ubfd}<>"$T/ub" {uifd}<>"$T/ui"
"$HUSK" --ro-bind / / --unshare-user --info-fd "$uifd" --userns-block-fd "$ubfd" \
  "$P" read /proc/self/uid_map >"$T/um" 2>&1 &
hpid=$!
info=""
while IFS= read -r -t 5 line <&"$uifd"; do
  info+="$line"$'\n'
  [ "$line" = "}" ] && break
done
cpid=$(printf '%s' "$info" | sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p')
is "--userns-block-fd: no map written by husk while it waits" "" "$(cat "/proc/$cpid/uid_map" 2>&1)"
echo "1000 $uid 1" >"/proc/$cpid/uid_map"
is_root || echo deny >"/proc/$cpid/setgroups"
echo "1000 $gid 1" >"/proc/$cpid/gid_map"
echo x >&"$ubfd"
wait "$hpid"
is "--userns-block-fd: the program sees the caller's map" "1000 $uid 1" \
  "$(tr -s ' ' <"$T/um" | sed 's/^ //')"
exec {ubfd}>&- {uifd}>&-

# --- --uid-map / --gid-map --------------------------------------------------------
if is_root; then
  hrun --ro-bind / / --unshare-user --uid-map 0 0 1 --uid-map 1 100000 1000 \
    --gid-map 0 0 1 --gid-map 1 200000 1000 --uid 5 --gid 7 "$P" read /proc/self/uid_map
  is "--uid-map as root: both ranges in uid_map" "0 0 1 1 100000 1000" "$(echo $OUT)"
  hrun --ro-bind / / --unshare-user --uid-map 0 0 1 --uid-map 1 100000 1000 \
    --gid-map 0 0 1 --gid-map 1 200000 1000 --uid 5 --gid 7 "$P" ids
  is "--uid-map: --uid picks the uid inside" 5 "$(kv uid "$OUT")"
  is "--gid-map: --gid picks the gid inside" 7 "$(kv gid "$OUT")"
  hrun --ro-bind / / --unshare-user --uid-map 0 100000 10 --uid 3 --tmpfs /run --dir /run/husk-t "$P" stat /run/husk-t
  is "--uid-map without the caller's uid: setup runs as --uid (exit 0)" 0 "$RC"
  hrun --ro-bind / / --unshare-user --uid-map 0 100000 10 true
  is "--uid-map without the caller's uid or --uid: exit 1" 1 "$RC"
  husk_error_line "... names the flag" "--uid-map 0 100000 10"
  hrun --ro-bind / / --uid-map 0 0 1 true
  husk_error_line "--uid-map as root without --unshare-user: an error naming it" "requires --unshare-user"

  # An ordinary user with delegated ranges (newuidmap/newgidmap, /etc/subuid).
  if command -v newuidmap >/dev/null && command -v setpriv >/dev/null; then
    u=${HUSK_TEST_USER:-65534}
    line="$u:300000:65536"
    restore_subid () { sed -i "\\|^$line\$|d" /etc/subuid /etc/subgid; }
    trap 'restore_subid; rm -rf "$TEST_TMP" 2>/dev/null' EXIT
    echo "$line" >>/etc/subuid
    echo "$line" >>/etc/subgid
    asuser=(setpriv --reuid="$u" --regid="$u" --clear-groups)
    out=$("${asuser[@]}" "$HUSK" --ro-bind / / --unshare-user --uid-map 0 "$u" 1 \
      --uid-map 1 300000 1000 --gid-map 0 "$u" 1 --gid-map 1 300000 1000 --uid 0 --gid 0 \
      "$P" read /proc/self/uid_map 2>&1)
    is "--uid-map as uid $u via newuidmap: both ranges in uid_map" \
      "0 $u 1 1 300000 1000" "$(echo $out)"
    out=$("${asuser[@]}" "$HUSK" --ro-bind / / --unshare-user --uid-map 0 "$u" 1 \
      --uid-map 1 300000 1000 --gid-map 0 "$u" 1 --gid-map 1 300000 1000 --uid 42 --gid 43 \
      "$P" ids 2>&1)
    is "--uid-map via newuidmap: --uid 42 inside" 42 "$(kv uid "$out")"
    is "--gid-map via newgidmap: --gid 43 inside" 43 "$(kv gid "$out")"
    out=$("${asuser[@]}" "$HUSK" --ro-bind / / --unshare-user --gid-map 0 "$u" 1 \
      --gid-map 1 300000 10 "$P" read /proc/self/gid_map 2>&1)
    is "--gid-map alone via newgidmap" "0 $u 1 1 300000 10" "$(echo $out)"
    out=$("${asuser[@]}" "$HUSK" --ro-bind / / --unshare-user --uid-map 0 "$u" 1 \
      --uid-map 1 400000 10 true 2>&1)
    like "--uid-map beyond the delegated ranges: an error naming /etc/subuid" \
      '^husk: --uid-map 1 400000 10: .*/etc/subuid$' "$out"
    # A caller /etc/passwd does not list (an LDAP or sssd user): a static husk cannot learn
    # its name and leaves the verdict to newuidmap, a dynamic one checks without the name;
    # either way a range delegated to someone else is refused, with one error first.
    out=$(setpriv --reuid=4242420 --regid=4242420 --clear-groups "$HUSK" --ro-bind / / \
      --unshare-user --uid-map 0 4242420 1 --uid-map 1 300000 10 true 2>&1)
    rc=$?
    is "a caller without a passwd entry, another user's range: exit 1" 1 "$rc"
    like "... the error names newuidmap or /etc/subuid" \
      '^husk: --uid-map [0-9 ]+: .*(newuidmap|/etc/subuid)' "$(printf '%s\n' "$out" | head -n1)"
    restore_subid
    trap 'rm -rf "$TEST_TMP" 2>/dev/null' EXIT
    is "the test's /etc/subuid line is removed" "" "$(grep -x "$line" /etc/subuid)"
  elif [ "$HUSK_MUST_WORK" = 1 ]; then
    _t_result 1 "newuidmap (package uidmap) and setpriv are installed"
  else
    skip "--uid-map via newuidmap" "newuidmap (package uidmap) or setpriv missing"
  fi
else
  hrun --ro-bind / / --unshare-user --uid-map 0 "$uid" 1 --gid-map 0 "$gid" 1 "$P" ids
  is "--uid-map of the caller's own uid (newuidmap): uid 0 inside" 0 "$(kv uid "$OUT")"
  hrun --ro-bind / / --unshare-user --uid-map 0 "$uid" 1 --uid-map 1 4000000000 5 --uid 0 true
  is "--uid-map of a range not delegated: exit 1" 1 "$RC"
  ERR=$(printf '%s\n' "$ERR" | grep -v '^husk: hint: ')  # a hint when there is no range at all
  husk_error_line "... one error line naming /etc/subuid" "/etc/subuid"
fi

# --- joining user namespaces -----------------------------------------------------
if command -v unshare >/dev/null && unshare -U -r true 2>/dev/null; then
  unshare -U -r "$P" sleep 30 &
  upid=$!
  wait_exec "$upid" "$P"
  want=$(stat -L -c %i "/proc/$upid/ns/user")
  hrun --ro-bind / / --userns 5 "$P" ns 5<"/proc/$upid/ns/user"
  is "--userns: the sandbox is in the given user namespace" "$want" "$(kv user "$OUT")"
  hrun --ro-bind / / --userns 5 "$P" ids 5<"/proc/$upid/ns/user"
  is "--userns: its maps apply (the caller is uid 0 there)" 0 "$(kv uid "$OUT")"
  hrun --ro-bind / / --userns 5 --uid 0 --gid 0 "$P" ids 5<"/proc/$upid/ns/user"
  is "--userns with --uid 0: exit 0" 0 "$RC"
  hrun --ro-bind / / --userns 5 "$P" fds 5<"/proc/$upid/ns/user"
  is "--userns: the fd does not reach the program" "0 1 2" "$OUT"
  kill "$upid"; wait "$upid" 2>/dev/null

  # --userns2: a namespace nested in the --userns one.
  unshare -U -r sh -c 'unshare -U -r '"$P"' sleep 30 & echo $! >'"$T/inner"'; wait' &
  opid=$!
  wait_for "$T/inner" '[0-9]'
  ipid=$(cat "$T/inner")
  wait_exec "$ipid" "$P"
  want=$(stat -L -c %i "/proc/$ipid/ns/user")
  hrun --ro-bind / / --userns 5 --userns2 6 "$P" ns 5<"/proc/$opid/ns/user" 6<"/proc/$ipid/ns/user"
  is "--userns2: the program ends up in the second namespace" "$want" "$(kv user "$OUT")"
  kill "$ipid" "$opid" 2>/dev/null; wait "$opid" 2>/dev/null
else
  skip "--userns" "unshare -U -r does not work here"
fi
hrun --ro-bind / / --userns 9 true
husk_error_line "--userns on a closed fd: one error line" "--userns 9"

# --disable-userns: nothing inside can make a user namespace any more.
hrun --ro-bind / / --unshare-user --disable-userns unshare -U true
is "--disable-userns: 'unshare -U true' fails inside" 1 "$RC"
hrun --ro-bind / / --unshare-user unshare -U true
is "without it, 'unshare -U true' works inside (control)" 0 "$RC"
hrun --ro-bind / / --unshare-user --disable-userns "$P" ids
is "--disable-userns: the program keeps the caller's uid" "$uid" "$(kv uid "$OUT")"
is "--disable-userns: and gid" "$gid" "$(kv gid "$OUT")"
hrun --ro-bind / / --unshare-user --disable-userns --assert-userns-disabled true
is "--assert-userns-disabled after --disable-userns: exit 0" 0 "$RC"
hrun --ro-bind / / --unshare-user --assert-userns-disabled true
is "--assert-userns-disabled when they are not: exit 1" 1 "$RC"
husk_error_line "... one error line naming it" "--assert-userns-disabled"

done_testing
