#!/bin/bash
# errors.sh: husk's own errors.  Each case must exit 1 with exactly one
# stderr line "husk: ..." naming the flag (message checks skipped for bwrap,
# whose wording differs; exit codes validated against bwrap 0.8.0 as root and
# as uid 65534), and leave no mounts or processes behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

mounts_snapshot
MARK="husk-errors-$$-"  # the dash: pid 12 is no prefix of 123
NX=$TEST_TMP/nonexistent

# case_ DESC FLAG ARGS...: run husk with a marker and ARGS; check exit 1, one
# husk line naming FLAG, and that the program (which prints its cwd) never ran.
case_ ()
{
  local desc=$1 word=$2; shift 2
  hrun --setenv HUSK_T_MARK "$MARK" "$@"
  is "$desc: exit 1" 1 "$RC"
  husk_error_line "$desc: one 'husk:' line naming $word" "$word"
  is "$desc: the program did not run (no output)" "" "$OUT"
}
RUN=("$P" cwd)   # prints the working directory if it ever runs

# Parse errors.
case_ "--bind with one argument" --bind --ro-bind / / --bind /
case_ "--bind with no argument" --bind --ro-bind / / --bind
case_ "--setenv with one argument" --setenv --ro-bind / / --setenv ONLY
case_ "unknown flag" --no-such-flag --ro-bind / / --no-such-flag "${RUN[@]}"
case_ "--uid not a number" --uid --ro-bind / / --unshare-user --uid abc "${RUN[@]}"
case_ "--uid negative" --uid --ro-bind / / --unshare-user --uid -5 "${RUN[@]}"
case_ "--gid trailing junk" --gid --ro-bind / / --unshare-user --gid 12x "${RUN[@]}"
case_ "--perms not octal" --perms --ro-bind / / --perms 0789 --tmpfs /tmp "${RUN[@]}"
case_ "--perms above 07777" --perms --ro-bind / / --perms 10000 --tmpfs /tmp "${RUN[@]}"
case_ "--chmod not octal" --chmod --ro-bind / / --chmod 8 /tmp "${RUN[@]}"
case_ "--perms followed by a flag it does not apply to" --perms --ro-bind / / --perms 0700 --ro-bind / / "${RUN[@]}"
case_ "--perms twice" --perms --ro-bind / / --perms 0700 --perms 0700 --tmpfs /tmp "${RUN[@]}"
case_ "--size zero" --size --ro-bind / / --size 0 --tmpfs /tmp "${RUN[@]}"
case_ "--size not a number" --size --ro-bind / / --size 1k --tmpfs /tmp "${RUN[@]}"
case_ "--size followed by --dir" --size --ro-bind "$P" /probe --size 4096 --dir /x /probe cwd
case_ "--file fd not a number" --file --ro-bind "$P" /probe --file x /f /probe cwd
case_ "--bind-fd fd not a number" --bind-fd --ro-bind / / --bind-fd x /mnt "${RUN[@]}"
case_ "--args fd not a number" --args --args x --ro-bind / / "${RUN[@]}"
case_ "--setenv name with =" --setenv --ro-bind / / --setenv A=B 1 "${RUN[@]}"
case_ "--hostname without --unshare-uts" --hostname --ro-bind / / --hostname h "${RUN[@]}"
case_ "--as-pid-1 without --unshare-pid" --as-pid-1 --ro-bind / / --as-pid-1 "${RUN[@]}"
if is_root; then
  case_ "--uid without a user namespace (root)" --uid --ro-bind / / --uid 5 "${RUN[@]}"
else
  skip "--uid without a user namespace (root): exit 1" "as a user the namespace is implied"
fi

# Runtime errors (found while building the sandbox).
case_ "--bind missing source" --bind --ro-bind / / --bind "$NX" /mnt "${RUN[@]}"
case_ "--ro-bind missing source" --ro-bind --ro-bind "$NX" /x "${RUN[@]}"
case_ "--dev-bind missing source" --dev-bind --ro-bind / / --dev-bind "$NX" /mnt "${RUN[@]}"
case_ "--bind-fd closed fd" --bind-fd --ro-bind / / --bind-fd 9 /mnt "${RUN[@]}"
case_ "--args closed fd" --args --args 9 --ro-bind / / "${RUN[@]}"
case_ "--file closed fd" --file --ro-bind "$P" /probe --file 9 /f /probe cwd
case_ "--chdir missing directory" --chdir --ro-bind / / --chdir "$NX" "${RUN[@]}"
case_ "--remount-ro missing path" --remount-ro --ro-bind "$P" /probe --remount-ro /nonexistent /probe cwd
case_ "--chmod missing path" --chmod --ro-bind "$P" /probe --chmod 0700 /nonexistent /probe cwd
case_ "--symlink over a different link" --symlink --ro-bind "$P" /probe --symlink a /l --symlink b /l /probe cwd
case_ "--dir under a read-only bind" --dir --ro-bind / / --dir "$TEST_TMP/newdir" "${RUN[@]}"
case_ "--tmpfs under a read-only bind" --tmpfs --ro-bind / / --tmpfs "$TEST_TMP/newdir/t" "${RUN[@]}"
ok "a failed --dir left nothing on the host" test ! -e "$TEST_TMP/newdir"

# No command: an error, but no flag to name.
hrun --ro-bind / /
is "no command: exit 1" 1 "$RC"
ok "no command: something on stderr" test -n "$ERR"

# --perms / --size with nothing after them but the command.  bwrap (0.8 and
# 0.11) silently ignores them; husk rejects an unconsumed modifier.
if is_bwrap; then
  skip "--perms before the command: exit 1" "bwrap silently ignores a trailing --perms"
  skip "--size before the command: exit 1" "bwrap silently ignores a trailing --size"
else
  hrun --ro-bind / / --perms 0700 "${RUN[@]}"
  is "--perms before the command: exit 1" 1 "$RC"
  hrun --ro-bind / / --size 4096 "${RUN[@]}"
  is "--size before the command: exit 1" 1 "$RC"
fi

# Flags bwrap 0.8 lacks (rules from bwrap 0.11; not validated against bwrap).
if is_bwrap && ! has_flag --overlay-src / --tmp-overlay /o; then
  for d in "--overlay-src without an overlay" "--ro-overlay with one --overlay-src" \
           "--tmp-overlay without --overlay-src" "--overlay without --overlay-src"; do
    skip "$d: exit 1" "this bwrap lacks overlay flags"
  done
else
  case_ "--overlay-src without an overlay" --overlay-src --ro-bind / / --overlay-src /usr "${RUN[@]}"
  case_ "--ro-overlay with one --overlay-src" --ro-overlay --ro-bind / / --overlay-src /usr --ro-overlay /mnt "${RUN[@]}"
  case_ "--tmp-overlay without --overlay-src" --tmp-overlay --ro-bind / / --tmp-overlay /mnt "${RUN[@]}"
  case_ "--overlay without --overlay-src" --overlay --ro-bind / / --overlay "$TEST_TMP" "$TEST_TMP" /mnt "${RUN[@]}"
fi

assert_nothing_left "errors" "$MARK"
done_testing
