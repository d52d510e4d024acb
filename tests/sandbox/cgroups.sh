#!/bin/bash
# husk-test: serial (husk-* cgroups of husk's own are checked to be gone)
# cgroups.sh: cgroup v2 limits (--memory-max, --pids-max, --cpu-max,
# --io-weight) in real sandboxes.  What runs depends on the host:
#   - the sandbox gets a child cgroup of husk's own (limits set to "max"
#     need no controller, so this runs wherever husk's cgroup is writable):
#     it is in it, a daemon it leaves behind is killed with cgroup.kill, and
#     the cgroup is removed;
#   - each limit is tried for real when its controller is available in
#     husk's cgroup (pure cgroup v2 hosts, delegated subtrees), else the
#     clear error is checked (hybrid hosts bind the controllers to v1);
#   - without write access to husk's cgroup (an unprivileged user outside a
#     delegated subtree) the error names the cause.
# husk only (bwrap has no cgroup flags).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

v2=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' \
     /proc/self/mountinfo | head -n1)
self=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -z "$v2" ] || [ -z "$self" ]; then
  hrun "${SB[@]}" --pids-max max true
  is "no cgroup v2: exit status 1" "1" "$RC"
  husk_error_line "no cgroup v2: one error line" "no cgroup v2 hierarchy"
  done_testing
  exit
fi
parent=$v2${self%/}
[ "$self" = / ] && parent=$v2
diag "cgroup v2 at $v2, husk's cgroup $parent, controllers: $(cat "$parent/cgroup.controllers" 2>/dev/null)"

if [ -w "$parent" ]; then
  # The sandbox's own cgroup, and the cleanup when it ends.
  hrun "${SB[@]}" --pids-max max sh -c 'sed -n "s/^0:://p" /proc/self/cgroup'
  like "the sandbox runs in a child cgroup" "^${self%/}/husk-[0-9]+\$" "$OUT"
  hrun "${SB[@]}" --unshare-cgroup --pids-max max sh -c 'sed -n "s/^0:://p" /proc/self/cgroup'
  is "a new cgroup namespace is rooted at it (CLONE_INTO_CGROUP)" "/" "$OUT"
  marker="husk-cg-daemon-$$"
  # No pid namespace: the daemon outlives the program; only the cgroup
  # holds it.
  hrun --ro-bind / / --dev /dev --pids-max max \
    sh -c "setsid sh -c 'sleep 600; : $marker' </dev/null >/dev/null 2>&1 & sleep 0.2; echo started"
  is "a program that leaves a daemon behind" "started" "$OUT"
  for _ in $(seq 100); do pgrep -f -- "$marker" >/dev/null || break; sleep 0.05; done
  is "cgroup.kill killed the daemon" "" "$(pgrep -f -- "$marker" || true)"
  is "the cgroup is removed" "" "$(ls -d "$parent"/husk-* 2>/dev/null || true)"
else
  hrun "${SB[@]}" --pids-max max true
  is "husk's cgroup not writable: exit status 1" "1" "$RC"
  like "husk's cgroup not writable: the error says so" \
    "husk: cgroup limits: cannot create cgroup .*: Permission denied" "$ERR"
  like "and hints at delegation" "not delegated" "$ERR"
fi

# Each limit: for real when its controller is there, else the error.
try_limit ()
{
  local ctl=$1 file=$2 want=$3; shift 3
  if grep -qw "$ctl" "$parent/cgroup.controllers" 2>/dev/null && [ -w "$parent" ]; then
    hrun "${SB[@]}" "$@" sh -c "cat /sys/fs/cgroup/$file 2>/dev/null || \
      cat \"$v2\$(sed -n 's/^0:://p' /proc/self/cgroup)/$file\""
    is "$* sets $file" "$want" "$OUT"
  else
    hrun "${SB[@]}" "$@" true
    is "$*: exit status 1 without the $ctl controller" "1" "$RC"
    like "$*: the error names the controller" \
      "husk: $1 $2: (the $ctl controller is not available|cannot create cgroup)" "$ERR"
  fi
}
try_limit pids pids.max 16 --pids-max 16
try_limit memory memory.max 67108864 --memory-max 64M
try_limit cpu cpu.max "50000 100000" --cpu-max 50000
try_limit io io.weight "default 300" --io-weight 300

# The pids limit holds: with 8 processes allowed, a fork bomb stops.
if grep -qw pids "$parent/cgroup.controllers" 2>/dev/null && [ -w "$parent" ]; then
  hrun "${SB[@]}" --pids-max 8 sh -c 'for i in $(seq 20); do sleep 5 & done 2>/dev/null; jobs | wc -l'
  like "--pids-max 8 stops the ninth process" "^[1-8]\$" "$OUT"
else
  skip "--pids-max 8 stops the ninth process" "the pids controller is not available in $parent"
fi

done_testing
