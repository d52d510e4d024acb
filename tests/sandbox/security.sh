#!/bin/bash
# security.sh: --cap-add, --cap-drop, --seccomp, --add-seccomp-fd,
# --seccomp-fd, the built-in TIOCSTI/TIOCLINUX filter, --exec-label and
# --file-label, observed from inside real sandboxes (/proc/self/status and
# the blocked action itself).  Validated against bwrap 0.8.0 as root and as
# uid 65534 (HUSK=/usr/bin/bwrap) except where marked: husk keeps no
# capability by default even for root, keeps inheritable/ambient empty for
# uid 0, always installs its TIOCSTI filter, and has --seccomp-fd.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

caps () { echo "$(kv CapPrm "$1") $(kv CapEff "$1") $(kv CapBnd "$1")"; }
infl () { echo "$(kv CapInh "$1") $(kv CapAmb "$1")"; }
Z=0000000000000000
RAW=0000000000002000   # CAP_NET_RAW (13)

# bpf_insn CODE JT JF K: one struct sock_filter (little-endian) on stdout.
bpf_insn ()
{
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x' \
    $(($1 & 255)) $(($1 >> 8 & 255)) "$2" "$3" \
    $(($4 & 255)) $(($4 >> 8 & 255)) $(($4 >> 16 & 255)) $(($4 >> 24 & 255)))"
}
# On x86-64, mkdir (83) and mkdirat (258) fail with EPERM; all else allowed.
{
  bpf_insn 0x20 0 0 4            # ld arch
  bpf_insn 0x15 0 4 0xc000003e   # jeq AUDIT_ARCH_X86_64, else allow
  bpf_insn 0x20 0 0 0            # ld nr
  bpf_insn 0x15 1 0 83           # mkdir -> EPERM
  bpf_insn 0x15 0 1 258          # mkdirat -> EPERM, else allow
  bpf_insn 0x06 0 0 0x00050001   # ret ERRNO | EPERM
  bpf_insn 0x06 0 0 0x7fff0000   # ret ALLOW
} >"$TEST_TMP/deny-mkdir"
bpf_insn 0x06 0 0 0x7fff0000 >"$TEST_TMP/allow"
# A jump past the end: the kernel refuses it (EINVAL).
{ bpf_insn 0x15 9 9 0; bpf_insn 0x06 0 0 0x7fff0000; } >"$TEST_TMP/bad-jump"
printf 'abc' >"$TEST_TMP/not-8"
: >"$TEST_TMP/empty"
x86=no; [ "$(uname -m)" = x86_64 ] && x86=yes

# --- capabilities -------------------------------------------------------
hrun --ro-bind / / "$P" status
if is_bwrap && is_root; then
  skip "no capabilities by default" "bwrap keeps root's capabilities (husk differs)"
else
  is "no capabilities by default (prm eff bnd)" "$Z $Z $Z" "$(caps "$OUT")"
fi
is "no_new_privs is set" 1 "$(kv NoNewPrivs "$OUT")"

# bwrap run by root starts from root's full set; husk starts empty.  So
# that bwrap validates the same edits, its root runs start with --cap-drop ALL.
base=()
is_bwrap && is_root && base=(--cap-drop ALL)

# --cap-add as uid 0 in a new user namespace (both root and user runs).
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --cap-add CAP_NET_RAW "$P" status
is "--cap-add CAP_NET_RAW --uid 0: kept in prm eff bnd" "$RAW $RAW $RAW" "$(caps "$OUT")"
if is_bwrap; then
  skip "--uid 0: inheritable and ambient stay empty" "bwrap fills them too (husk differs)"
else
  is "--uid 0: inheritable and ambient stay empty" "$Z $Z" "$(infl "$OUT")"
fi
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --unshare-net --cap-add CAP_NET_RAW "$P" rawsock
is "--cap-add CAP_NET_RAW --uid 0: a raw socket opens" ok "$OUT"
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --unshare-net "$P" rawsock
is "without --cap-add: a raw socket is refused (control)" EPERM "$OUT"

# Names: libcap spelling in any case; husk also takes them without CAP_.
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --cap-add cap_net_raw "$P" status
is "--cap-add cap_net_raw (lower case)" "$RAW $RAW $RAW" "$(caps "$OUT")"
if is_bwrap; then
  skip "--cap-add NET_RAW (no prefix)" "bwrap needs the CAP_ prefix (husk extension)"
else
  hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --cap-add net_raw "$P" status
  is "--cap-add NET_RAW (no prefix)" "$RAW $RAW $RAW" "$(caps "$OUT")"
fi
hrun --ro-bind / / "${base[@]}" --cap-add CAP_NO_SUCH "$P" status
is "--cap-add unknown name: exit 1" 1 "$RC"
husk_error_line "--cap-add unknown name: one line naming the flag" "--cap-add CAP_NO_SUCH"

# ALL, and --cap-drop applied in order.
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --cap-add ALL --cap-drop CAP_SYS_ADMIN "$P" status
eff=$(kv CapEff "$OUT")
ok "--cap-add ALL --cap-drop CAP_SYS_ADMIN: many caps kept" test "$((16#$eff & 1))" = 1
is "--cap-add ALL --cap-drop CAP_SYS_ADMIN: CAP_SYS_ADMIN (21) gone" 0 "$(((16#$eff >> 21) & 1))"
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --cap-add CAP_NET_RAW --cap-drop ALL "$P" status
is "--cap-add X --cap-drop ALL: nothing kept" "$Z $Z $Z" "$(caps "$OUT")"
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 0 --cap-drop ALL --cap-add CAP_NET_RAW "$P" status
is "--cap-drop ALL --cap-add X: X kept" "$RAW $RAW $RAW" "$(caps "$OUT")"

# A non-zero uid inside: the caps survive execve through ambient (bwrap's rule).
hrun --ro-bind / / "${base[@]}" --unshare-user --uid 5 --cap-add CAP_NET_RAW "$P" status
is "--uid 5 --cap-add: kept in prm eff bnd" "$RAW $RAW $RAW" "$(caps "$OUT")"
is "--uid 5 --cap-add: inheritable and ambient carry it" "$RAW $RAW" "$(infl "$OUT")"

# As real root without a user namespace: the named caps are real ones.
if is_root; then
  hrun --ro-bind / / "${base[@]}" --cap-add CAP_NET_RAW "$P" status
  is "root, no userns: --cap-add CAP_NET_RAW kept (prm eff)" "$RAW $RAW" "$(kv CapPrm "$OUT") $(kv CapEff "$OUT")"
  if is_bwrap; then
    skip "root, no userns: the bounding set holds only CAP_NET_RAW" "bwrap 0.8 leaves root's bounding set full (husk differs)"
  else
    is "root, no userns: the bounding set holds only CAP_NET_RAW" "$RAW" "$(kv CapBnd "$OUT")"
  fi
  hrun --ro-bind / / "${base[@]}" --cap-drop ALL "$P" status
  is "root, no userns: --cap-drop ALL: nothing" "$Z $Z" "$(kv CapPrm "$OUT") $(kv CapEff "$OUT")"
else
  skip "root, no userns: --cap-add CAP_NET_RAW kept (prm eff)" "needs root"
  skip "root, no userns: the bounding set holds only CAP_NET_RAW" "needs root"
  skip "root, no userns: --cap-drop ALL: nothing" "needs root"
fi

# --- seccomp ------------------------------------------------------------
if [ $x86 = no ]; then
  skip "seccomp programs" "the test programs are x86-64 cBPF"
else
  hrun --ro-bind / / --tmpfs /var/tmp "$P" mkdir /var/tmp/d
  is "without --seccomp mkdir works (control)" ok "$OUT"
  hrun --ro-bind / / --tmpfs /var/tmp --seccomp 3 "$P" mkdir /var/tmp/d 3<"$TEST_TMP/deny-mkdir"
  is "--seccomp: the program's EPERM reaches mkdir" EPERM "$OUT"
  hrun --ro-bind / / --seccomp 3 "$P" status 3<"$TEST_TMP/deny-mkdir"
  is "--seccomp: Seccomp mode 2 (filter)" 2 "$(kv Seccomp "$OUT")"
  is "--seccomp: no_new_privs is set" 1 "$(kv NoNewPrivs "$OUT")"
  hrun --ro-bind / / --tmpfs /var/tmp --add-seccomp-fd 3 --add-seccomp-fd 4 "$P" mkdir /var/tmp/d \
    3<"$TEST_TMP/allow" 4<"$TEST_TMP/deny-mkdir"
  is "--add-seccomp-fd twice: both programs apply" EPERM "$OUT"
  hrun --ro-bind / / --tmpfs /var/tmp --seccomp 3 --seccomp 4 "$P" mkdir /var/tmp/d \
    3<"$TEST_TMP/deny-mkdir" 4<"$TEST_TMP/allow"
  is "--seccomp twice: only the last applies" ok "$OUT"
  hrun --ro-bind / / --seccomp 3 --add-seccomp-fd 4 true 3<"$TEST_TMP/allow" 4<"$TEST_TMP/allow"
  is "--seccomp with --add-seccomp-fd: exit 1" 1 "$RC"
  if is_bwrap; then
    skip "--seccomp-fd stacks like --add-seccomp-fd" "husk's own name"
  else
    hrun --ro-bind / / --tmpfs /var/tmp --seccomp-fd 3 "$P" mkdir /var/tmp/d 3<"$TEST_TMP/deny-mkdir"
    is "--seccomp-fd stacks like --add-seccomp-fd" EPERM "$OUT"
  fi
  hrun --ro-bind / / --seccomp 3 "$P" ids 3<"$TEST_TMP/bad-jump"
  is "an invalid program: exit 1" 1 "$RC"
  husk_error_line "an invalid program: one line naming the flag" "--seccomp 3"
  hrun --ro-bind / / --seccomp 3 "$P" ids 3<"$TEST_TMP/not-8"
  is "a program not a multiple of 8 bytes: exit 1" 1 "$RC"
  husk_error_line "not a multiple of 8: one line naming the flag" "--seccomp 3"
  hrun --ro-bind / / --seccomp 3 "$P" ids 3<"$TEST_TMP/empty"
  is "an empty program: exit 1" 1 "$RC"
  hrun --ro-bind / / --seccomp 9 "$P" ids
  is "--seccomp with a closed fd: exit 1" 1 "$RC"
  if is_bwrap; then
    skip "the seccomp fd does not reach the program" "bwrap passes inherited fds"
  else
    hrun --ro-bind / / --proc /proc --seccomp 3 "$P" fds 3<"$TEST_TMP/allow"
    is "the seccomp fd does not reach the program" "0 1 2" "$OUT"
  fi
fi

# --- TIOCSTI / TIOCLINUX -------------------------------------------------
# The program shares a real pty with its caller (script(1)).  The control
# runs the probe without any sandbox and must succeed: the attack is real.
if ! command -v script >/dev/null; then
  skip "TIOCSTI filter" "no script(1) for a pty"
else
  # script(1) passes on the end of its stdin only once the pty's input is
  # empty (it polls for 2 s): cat reads what a successful TIOCSTI left there.
  tio () { script -qec "$*; exec cat >/dev/null" /dev/null </dev/null 2>&1 | tr -d '\r' | grep -E '^(ok|unsupported|mmap=.*|E[A-Z0-9]+)$'; }
  legacy=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)
  for sub in tiocsti tiocsti-hi tiocsti-i386; do
    ctl=$(tio "$P" $sub)
    if [ "$legacy" != 1 ] || [ "$ctl" = unsupported ]; then
      skip "$sub: the attack works outside a sandbox (control)" "legacy_tiocsti=$legacy / $ctl"
    else
      is "$sub: the attack works outside a sandbox (control)" ok "$ctl"
    fi
    if is_bwrap; then
      skip "$sub from the sandbox sharing the tty: EPERM" "bwrap has no built-in filter"
    else
      is "$sub from the sandbox sharing the tty: EPERM" EPERM "$(tio "$HUSK" --ro-bind / / "$P" $sub)"
    fi
  done
  is "TIOCLINUX on a pty outside a sandbox: ENOTTY (control)" ENOTTY "$(tio "$P" tioclinux)"
  if is_bwrap; then
    skip "TIOCLINUX from the sandbox: EPERM" "bwrap has no built-in filter"
    skip "--new-session: the filter is still there" "bwrap has no built-in filter"
  else
    is "TIOCLINUX from the sandbox: EPERM" EPERM "$(tio "$HUSK" --ro-bind / / "$P" tioclinux)"
    is "--new-session: the filter is still there (TIOCLINUX)" EPERM \
      "$(tio "$HUSK" --ro-bind / / --new-session "$P" tioclinux)"
  fi
  hrun --ro-bind / / "$P" status
  if is_bwrap; then
    skip "the built-in filter shows as Seccomp 2" "bwrap has no built-in filter"
  else
    is "the built-in filter shows as Seccomp 2" 2 "$(kv Seccomp "$OUT")"
  fi
fi

# --- SELinux labels -----------------------------------------------------
selinux=off
[ "$(cat /sys/fs/selinux/enforce 2>/dev/null)" != "" ] && selinux=on
if [ $selinux = on ]; then
  skip "--exec-label / --file-label without SELinux" "SELinux is enabled here"
else
  hrun --ro-bind / / --exec-label system_u:system_r:svirt_t:s0 "$P" ids
  is "--exec-label with SELinux off: exit 1" 1 "$RC"
  husk_error_line "--exec-label with SELinux off: one line naming the flag" "--exec-label"
  unlike "--exec-label with SELinux off: the program did not run" 'uid=' "$OUT"
  hrun --ro-bind / / --file-label system_u:object_r:svirt_file_t:s0 --tmpfs /var/tmp "$P" ids
  is "--file-label with SELinux off: exit 1" 1 "$RC"
  husk_error_line "--file-label with SELinux off: one line naming the flag" "--file-label"
fi

done_testing
