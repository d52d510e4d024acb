#!/bin/bash
# reaper.sh: the pid-1 reaper shares the program's uid and stays dumpable
# (so tools can enter the sandbox through it), so the program could ptrace
# it and make it run syscalls.  It must therefore be no stronger than the
# program: no capabilities, the same seccomp filters (the TIOCSTI/TIOCLINUX
# one included), no terminal fds to inject into (CVE-2017-5226 through
# pid 1).  Observed from inside through /proc/1.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
if is_bwrap; then
  skip "reaper checks" "husk-specific"
  done_testing
  exit
fi

R=(--ro-bind / / --unshare-pid --proc /proc --dev /dev)
status1 () { hrun "${R[@]}" "$@" sh -c 'grep -E "^(Cap(Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters):" /proc/1/status; echo fds=$(ls /proc/1/fd | tr "\n" " ")'; }

status1
is "reaper: the sandbox ran" 0 "$RC"
has_line "reaper: CapPrm 0" "CapPrm:	0000000000000000" "$OUT"
has_line "reaper: CapEff 0" "CapEff:	0000000000000000" "$OUT"
has_line "reaper: CapBnd 0" "CapBnd:	0000000000000000" "$OUT"
has_line "reaper: no_new_privs" "NoNewPrivs:	1" "$OUT"
has_line "reaper: in seccomp filter mode (the TIOCSTI filter)" "Seccomp:	2" "$OUT"
has_line "reaper: holds no terminal fds (0, 1, 2 closed)" "fds=" "$OUT"

# A user filter applies to the reaper too: same filter count as the program.
if [ -n "${HUSK_PROBE:-}" ]; then
  # A cBPF program that allows everything: ld [0]; ret ALLOW.
  printf '\x20\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00\x00\xff\x7f' >"$TEST_TMP/allow.bpf"
  hrun "${R[@]}" --add-seccomp-fd 3 sh -c 'a=$(grep Seccomp_filters: /proc/1/status); b=$(grep Seccomp_filters: /proc/self/status); echo "$a|$b"' 3<"$TEST_TMP/allow.bpf"
  p1=${OUT%%|*}; self=${OUT##*|}
  is "reaper: carries the caller's seccomp programs too (same count as the program)" "$self" "$p1"
fi
done_testing
