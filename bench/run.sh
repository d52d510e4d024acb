#!/bin/bash
# Start-up benchmark: husk, bwrap, crun and runc (whichever are installed) and the kernel floor
# (bench/floor.c), side by side in one run, as an unprivileged user.  Prints a Markdown table of
# medians, ratios and peak RSS, and writes it to $RESULTS.  Never asserts timing thresholds.
#
# Environment: HUSK (husk binary), FLOOR (floor binary), NOP (bench/nop.c, the payload of the
# peak-RSS runs; /bin/true when unset or missing), BWRAP, CRUN, RUNC (found on PATH when
# unset; set to "" to skip), RESULTS (default: bench/results.md next to this script),
# HYPERFINE_ARGS (extra hyperfine options, default "--warmup 20"), RSS_RUNS (default 5).
#
# Run as root, it stages the binaries in a world-readable temporary directory and re-executes the
# measurements as uid/gid 65534 with setpriv.  On a v1/v2 hybrid cgroup host, which crun 1.8
# refuses rootless, the whole run happens in a private mount namespace with the cgroup2
# hierarchy on /sys/fs/cgroup, so that crun runs rootless, side by side with husk in the same
# hyperfine run.  Where crun still cannot run rootless, it is run as root in a private mount
# namespace and the table says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${HUSK:=$here/../husk}"
: "${FLOOR:=$here/floor}"
: "${NOP:=$here/nop}"
: "${RESULTS:=$here/results.md}"
: "${HYPERFINE_ARGS:=--warmup 20}"
: "${RSS_RUNS:=5}"
[ -v BWRAP ] || BWRAP=$(command -v bwrap || true)
[ -v CRUN ] || CRUN=$(command -v crun || true)
[ -v RUNC ] || RUNC=$(command -v runc || true)
NOBODY=65534

msg () { echo "bench: $*" >&2; }
die () { msg "$*"; exit 1; }

for t in hyperfine jq; do command -v "$t" >/dev/null || die "$t is needed"; done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is needed for peak RSS"

# ---------------------------------------------------------------------------------------------
# Inner part: runs unprivileged, writes $WORK/*.json (hyperfine), $WORK/*.rss and $WORK/rows.
# ---------------------------------------------------------------------------------------------

# Row list: key|workload|tool|note.  Order is the table's order.
add_row () { printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "${4:-}" >> "$WORK/rows"; }

# median peak RSS (KiB) of RSS_RUNS runs of "$@" (the largest process of the tree, per GNU time).
# The launcher's own processes, not the sandboxed program's: /bin/true (about 1 MiB here, libc
# mapped) is replaced by $NOP, a few-KiB static program, so the largest process GNU time sees is
# the launcher's parent, its pid-1 reaper or its child before execve (ru_maxrss survives execve).
# OCI rows run the bundle's static busybox, which is smaller than any runtime measured here.
measure_rss () {
  local key=$1; shift
  local i a vals=() cmd=()
  for a in "$@"; do
    if [ -x "$NOP" ]; then cmd+=("${a//\/bin\/true/$NOP}"); else cmd+=("$a"); fi
  done
  for ((i = 0; i < RSS_RUNS; i++)); do
    /usr/bin/time -f %M -o "$WORK/rss.tmp" "${cmd[@]}" >/dev/null 2>&1 || return 0
    vals+=("$(tail -n1 "$WORK/rss.tmp")")
  done
  printf '%s\n' "${vals[@]}" | sort -n | sed -n "$(((RSS_RUNS + 1) / 2))p" > "$WORK/$key.rss"
}

# works KEY CMD...: run once; on failure record why and return 1
works () {
  local key=$1; shift
  if "$@" >/dev/null 2>"$WORK/$key.err"; then return 0; fi
  msg "$key: $* failed: $(head -c 300 "$WORK/$key.err")"
  return 1
}

make_bundle () {
  local b=$WORK/bundle
  mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys"
  cp "$BUSYBOX" "$b/rootfs/bin/busybox"
  ln -sf busybox "$b/rootfs/bin/true"
  ln -sf busybox "$b/rootfs/bin/sh"
  # The rootless spec (user namespace mapping our uid/gid to 0), running /bin/true, no terminal,
  # no cgroup resources.
  (cd "$b" && "${CRUN:-$RUNC}" spec --rootless) || return 1
  jq --argjson u "$(id -u)" --argjson g "$(id -g)" '
      .process.args = ["/bin/true"] | .process.terminal = false | del(.linux.resources)
      | .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}]
      | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}]' \
      "$b/config.json" > "$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

inner () {
  : > "$WORK/rows"
  mkdir -p "$WORK/run"
  export XDG_RUNTIME_DIR=$WORK/run
  local min=(--ro-bind / / --dev /dev --proc /proc --unshare-all --die-with-parent)
  local fast=() fast_names=() slow=() slow_names=()

  # queue KEY WORKLOAD TOOL NOTE -- CMD...   (an -N benchmark: argv split on spaces)
  queue () {
    local key=$1 wl=$2 tool=$3 note=$4; shift 5
    works "$key" "$@" || { add_row "$key" "$wl" "$tool" "not run: failed (see log)"; return 0; }
    add_row "$key" "$wl" "$tool" "$note"
    fast+=("$*"); fast_names+=("$key")
    measure_rss "$key" "$@"
  }

  queue floor "kernel floor" "floor.c" "" -- "$FLOOR" /bin/true
  queue husk_min "minimal" "husk" "" -- "$HUSK" "${min[@]}" /bin/true
  [ -n "$BWRAP" ] && queue bwrap_min "minimal" "bwrap" "" -- "$BWRAP" "${min[@]}" /bin/true

  # Flatpak-like: 50 read-only binds of distinct host directories onto a tmpfs.
  local dirs=() d n=0
  for d in /usr/share/*/; do
    [ -r "$d" ] && [ -x "$d" ] || continue
    d=${d%/}; case $d in *' '*) continue ;; esac
    dirs+=("$d"); n=$((n + 1)); [ $n -eq 50 ] && break
  done
  local fp=(--ro-bind / / --dev /dev --proc /proc --tmpfs /run)
  for d in "${dirs[@]}"; do fp+=(--ro-bind "$d" "/run/host${d}"); done
  fp+=(--unshare-all --die-with-parent)
  local fpnote="${#dirs[@]} binds of /usr/share/* dirs"
  queue husk_50 "flatpak-like, ${#dirs[@]} binds" "husk" "$fpnote" -- "$HUSK" "${fp[@]}" /bin/true
  [ -n "$BWRAP" ] && queue bwrap_50 "flatpak-like, ${#dirs[@]} binds" "bwrap" "$fpnote" -- \
    "$BWRAP" "${fp[@]}" /bin/true

  # OCI: a busybox bundle running /bin/true.
  local bundle=$WORK/bundle
  if [ -n "$BUSYBOX" ] && { [ -n "$CRUN" ] || [ -n "$RUNC" ]; } && make_bundle; then
    if [ -n "$CRUN" ]; then
      if works crun "$CRUN" --cgroup-manager=disabled --root "$WORK/run/crun" run --bundle "$bundle" bench-c; then
        queue crun "OCI busybox bundle" "crun run" "rootless, --cgroup-manager=disabled" -- \
          "$CRUN" --cgroup-manager=disabled --root "$WORK/run/crun" run --bundle "$bundle" bench-c
      else
        cp "$WORK/crun.err" "$WORK/crun.rootless-err"
        add_row crun "OCI busybox bundle" "crun run" "ROOTLESS_FAILED"
      fi
    fi
    if [ -n "$RUNC" ]; then
      queue runc "OCI busybox bundle" "runc run" "rootless" -- \
        "$RUNC" --root "$WORK/run/runc" run --bundle "$bundle" bench-r
    fi
    if "$HUSK" --help 2>&1 | grep -q -- '--oci'; then
      if "$HUSK" --help 2>&1 | grep -Eq -- '--oci +[A-Z]'; then
        queue husk_oci "OCI busybox bundle" "husk --oci" "rootless" -- "$HUSK" --oci "$bundle"
      else
        queue husk_oci "OCI busybox bundle" "husk --oci" "rootless, run in the bundle" -- \
          "$HUSK" --oci
      fi
    fi
  fi

  # 1,000 binds, passed with --args (NUL-separated) so argv length is no problem.
  local f=$WORK/binds1000.args i
  {
    printf '%s\0' --ro-bind / / --dev /dev --proc /proc --tmpfs /run
    for ((i = 0; i < 1000; i++)); do printf '%s\0' --ro-bind /usr "/run/b/$i"; done
    printf '%s\0' --unshare-all --die-with-parent
  } > "$f"
  local tool bin
  for tool in husk bwrap; do
    if [ $tool = husk ]; then bin=$HUSK; else bin=$BWRAP; fi
    [ -n "$bin" ] || continue
    if works ${tool}_1000 sh -c "exec \"\$0\" --args 3 /bin/true 3<\"\$1\"" "$bin" "$f"; then
      add_row ${tool}_1000 "1,000 binds" "$tool" "--ro-bind /usr /run/b/N, via --args"
      slow+=("$bin --args 3 /bin/true 3<$f"); slow_names+=("${tool}_1000")
      measure_rss ${tool}_1000 sh -c "exec \"\$0\" --args 3 /bin/true 3<\"\$1\"" "$bin" "$f"
    else
      add_row ${tool}_1000 "1,000 binds" "$tool" "not run: failed (see log)"
    fi
  done

  # The measurements: each group in one hyperfine invocation, side by side.
  cd "$bundle" 2>/dev/null || cd "$WORK"
  local args=()
  for i in "${!fast[@]}"; do args+=(-n "${fast_names[$i]}" "${fast[$i]}"); done
  # shellcheck disable=SC2086
  hyperfine -N $HYPERFINE_ARGS --style basic --export-json "$WORK/fast.json" "${args[@]}" >&2
  if [ ${#slow[@]} -gt 0 ]; then
    args=()
    for i in "${!slow[@]}"; do args+=(-n "${slow_names[$i]}" "${slow[$i]}"); done
    # a shell is needed for the fd redirection; hyperfine subtracts its start-up
    hyperfine --warmup 1 --runs "${SLOW_RUNS:-5}" --style basic \
      --export-json "$WORK/slow.json" "${args[@]}" >&2
  fi
}

# crun as root, in a private mount namespace where a hybrid cgroup2 mount is hidden (crun 1.8
# refuses hybrid hierarchies), with the same bundle: user namespace included, uid 0 mapped to 65534.
crun_as_root () {
  local bundle=$WORK/bundle
  cat > "$WORK/crun-root.sh" <<EOF
set -e
if [ "\$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  mount -t tmpfs none /sys/fs/cgroup/unified
fi
cd "$bundle"
$CRUN --cgroup-manager=disabled --root "$WORK/rootrun" run --bundle . bench-c >/dev/null
vals=""
for i in \$(seq $RSS_RUNS); do
  /usr/bin/time -f %M -o "$WORK/rss.tmp" $CRUN --cgroup-manager=disabled --root "$WORK/rootrun" run --bundle . bench-c >/dev/null 2>&1
  vals="\$vals \$(tail -n1 "$WORK/rss.tmp")"
done
printf '%s\n' \$vals | sort -n | sed -n "$(((RSS_RUNS + 1) / 2))p" > "$WORK/crun.rss"
hyperfine -N $HYPERFINE_ARGS --style basic --export-json "$WORK/crun.json" \
  -n crun "$CRUN --cgroup-manager=disabled --root $WORK/rootrun run --bundle $bundle bench-c" >&2
EOF
  if unshare -m sh "$WORK/crun-root.sh"; then
    sed -i 's/|ROOTLESS_FAILED$/|as ROOT (rootless failed: '"$(head -n1 "$WORK/crun.rootless-err" | tr -d '|/')"'), user ns, --cgroup-manager=disabled/' "$WORK/rows"
  else
    sed -i 's/|ROOTLESS_FAILED$/|not run: failed rootless and as root/' "$WORK/rows"
  fi
}

# ---------------------------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------------------------
median_ms () {  # KEY -> median in ms, or empty
  local f
  for f in "$WORK"/fast.json "$WORK"/slow.json "$WORK"/crun.json; do
    [ -f "$f" ] || continue
    jq -r --arg k "$1" '.results[] | select(.command == $k) | .median * 1000' "$f"
  done | head -n1
}

table () {
  local floor bk note key wl tool med rss ratio hb
  floor=$(median_ms floor)
  echo "### Start-up benchmark"
  echo
  local v; v="husk $("$HUSK" --version 2>/dev/null | head -n1 | sed 's/^husk //')"
  [ -n "$BWRAP" ] && v="$v; bwrap $("$BWRAP" --version | sed 's/^bubblewrap //')"
  [ -n "$CRUN" ] && v="$v; crun $("$CRUN" --version | head -n1 | sed 's/^crun version //')"
  [ -n "$RUNC" ] && v="$v; runc $("$RUNC" --version | head -n1 | sed 's/^runc version //')"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'));" \
       "Linux $(uname -r); $(hyperfine --version); $v."
  echo "Run as uid $NOBODY unless noted. Medians of hyperfine runs; peak RSS is GNU time's maximum"
  echo "resident set of the largest process in the tree, median of $RSS_RUNS runs, with /bin/true"
  echo "replaced by bench/nop.c (a few KiB, static): the figure is the launcher's own processes."
  if [ -e "$WORK/cgroup2-view" ]; then
    echo "This host's cgroups are a v1/v2 hybrid, which crun 1.8 refuses rootless: every row ran in a"
    echo "private mount namespace with the cgroup2 hierarchy mounted on /sys/fs/cgroup."
  fi
  echo
  echo "| Workload | Tool | Median (ms) | × floor | husk / bwrap | Peak RSS (MiB) | Notes |"
  echo "|---|---|---:|---:|---:|---:|---|"
  while IFS='|' read -r key wl tool note; do
    med=$(median_ms "$key")
    rss=""; [ -f "$WORK/$key.rss" ] && rss=$(awk '{printf "%.1f", $1 / 1024}' "$WORK/$key.rss")
    ratio=""; hb=""
    if [ -n "$med" ] && [ -n "$floor" ]; then ratio=$(awk -v a="$med" -v b="$floor" 'BEGIN{printf "%.2f", a / b}'); fi
    case $key in
      husk_*)
        bk=bwrap_${key#husk_}
        [ $key = husk_oci ] && bk=crun
        local bmed; bmed=$(median_ms "$bk")
        if [ -n "$med" ] && [ -n "$bmed" ]; then
          hb=$(awk -v a="$med" -v b="$bmed" 'BEGIN{printf "%.2f", a / b}')
          [ $key = husk_oci ] && hb="$hb (vs crun)"
        fi ;;
    esac
    [ -n "$med" ] && med=$(awk -v a="$med" 'BEGIN{printf (a < 100 ? "%.2f" : "%.0f"), a}')
    [ -z "$med" ] && [ -z "$note" ] && note="not run"
    echo "| $wl | $tool | ${med:--} | ${ratio:--} | ${hb:- } | ${rss:--} | $note |"
  done < "$WORK/rows"
}

# ---------------------------------------------------------------------------------------------
# a static busybox for the OCI bundle's rootfs (busybox-static installs /bin/busybox)
if [ ! -v BUSYBOX ]; then
  BUSYBOX=$(command -v busybox || true)
  if [ -n "$BUSYBOX" ] && ldd "$BUSYBOX" >/dev/null 2>&1; then BUSYBOX=""; fi
fi

if [ "${BENCH_INNER:-}" = 1 ]; then
  inner
  exit 0
fi

[ -x "$HUSK" ] || die "no husk at $HUSK (set HUSK)"
[ -x "$FLOOR" ] || die "no floor program at $FLOOR (make bench/floor, or set FLOOR)"

WORK=$(mktemp -d /tmp/husk-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"

if [ "$(id -u)" = 0 ]; then
  # Stage everything where uid 65534 can read it, and measure as that uid.
  mkdir -p "$WORK/bin"
  cp "$HUSK" "$WORK/bin/husk"; cp "$FLOOR" "$WORK/bin/floor"; cp "$0" "$WORK/bin/run.sh"
  [ -x "$NOP" ] && cp "$NOP" "$WORK/bin/nop"
  [ -n "$BUSYBOX" ] && cp "$BUSYBOX" "$WORK/bin/busybox"
  chmod -R a+rX "$WORK/bin"
  chown "$NOBODY:$NOBODY" "$WORK"
  inner_cmd=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --
    env -i PATH="$PATH" HOME="$WORK" LANG=C BENCH_INNER=1 WORK="$WORK"
    HUSK="$WORK/bin/husk" FLOOR="$WORK/bin/floor" NOP="$WORK/bin/nop" BWRAP="$BWRAP" CRUN="$CRUN" RUNC="$RUNC"
    BUSYBOX="${BUSYBOX:+$WORK/bin/busybox}" HYPERFINE_ARGS="$HYPERFINE_ARGS" RSS_RUNS="$RSS_RUNS"
    SLOW_RUNS="${SLOW_RUNS:-5}" bash "$WORK/bin/run.sh")
  if [ -n "$CRUN" ] && [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] \
     && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    # A hybrid cgroup host: crun 1.8 refuses it rootless.  Run every row (floor included) in a
    # private mount namespace whose /sys/fs/cgroup is the cgroup2 hierarchy, where crun runs
    # rootless and so side by side with husk in one hyperfine run; the table says so.
    : > "$WORK/cgroup2-view"
    rc=0
    unshare -m --propagation private sh -c 'mount -t cgroup2 none /sys/fs/cgroup || exit 99
      exec "$@"' sh "${inner_cmd[@]}" || rc=$?
    if [ $rc = 99 ]; then
      msg "cannot mount cgroup2 on /sys/fs/cgroup in a private mount namespace: the host's view"
      rm -f "$WORK/cgroup2-view"
      "${inner_cmd[@]}"
    elif [ $rc != 0 ]; then
      exit $rc
    fi
  else
    "${inner_cmd[@]}"
  fi
  if grep -q '|ROOTLESS_FAILED$' "$WORK/rows"; then crun_as_root; fi
else
  NOBODY=$(id -u)
  inner
  grep -q '|ROOTLESS_FAILED$' "$WORK/rows" &&
    sed -i 's/|ROOTLESS_FAILED$/|not run: rootless crun failed: '"$(head -n1 "$WORK/crun.rootless-err" | tr -d '|/')"'/' "$WORK/rows"
fi

table | tee "$RESULTS"
msg "table written to $RESULTS"
