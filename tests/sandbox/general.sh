#!/bin/bash
# general.sh: --help, --version, --args, --argv0, --level-prefix, --, and
# exit status propagation (the program's code, 128+signal, 1 for husk's own
# errors).  Validated against bwrap 0.8.0 as root and as uid 65534, except
# where a check says it was not (flags bwrap 0.8 lacks).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

# --help / --version
hrun --help
is "--help exits 0" 0 "$RC"
like "--help prints the options on stdout" '--ro-bind' "$OUT"
like "--help lists --unshare-pid" '--unshare-pid' "$OUT"
is "--help prints nothing on stderr" "" "$ERR"
hrun --version
is "--version exits 0" 0 "$RC"
like "--version prints a version on stdout" '[0-9]+\.[0-9]+' "$OUT"

# --args FD: NUL-separated, spaces inside an argument preserved, the fd is
# consumed (closed) before the program runs.
printf -- '--setenv\0HUSK_T_ARG\0x y\0--unshare-uts\0--hostname\0from-args\0' >"$TEST_TMP/args1"
hrun --args 3 --ro-bind / / "$P" env 3<"$TEST_TMP/args1"
is "--args: exit 0" 0 "$RC"
has_line "--args: --setenv from the fd applies, spaces kept" "HUSK_T_ARG=x y" "$OUT"
hrun --args 3 --ro-bind / / "$P" hostname 3<"$TEST_TMP/args1"
is "--args: --hostname from the fd applies" "from-args" "$OUT"
hrun --args 3 --ro-bind / / --proc /proc "$P" fds 3<"$TEST_TMP/args1"
unlike "--args: the args fd does not reach the program" '(^| )3( |$)' "$OUT"
# Several --args fds are all parsed, in order.
printf -- '--setenv\0HUSK_T_ARG\0second\0' >"$TEST_TMP/args2"
hrun --args 3 --args 4 --ro-bind / / "$P" env 3<"$TEST_TMP/args1" 4<"$TEST_TMP/args2"
has_line "--args twice: both parsed, the later one wins" "HUSK_T_ARG=second" "$OUT"
# Nested --args (an --args inside an args stream): bwrap rejects it
# ("--args not supported in arguments file"); husk accepts it, up to 8 levels.
printf -- '--args\0004\0' >"$TEST_TMP/args3"
hrun --args 3 --ro-bind / / "$P" env 3<"$TEST_TMP/args3" 4<"$TEST_TMP/args2"
if is_bwrap; then
  is "--args nested inside an --args file: bwrap refuses (exit 1)" 1 "$RC"
else
  is "--args nested inside an --args file: exit 0" 0 "$RC"
  has_line "--args nested: the inner stream's --setenv applies" "HUSK_T_ARG=second" "$OUT"
fi
hrun --args 9 --ro-bind / / "$P" ids
is "--args with a closed fd: exit 1" 1 "$RC"

# --argv0 (bwrap 0.9+; not validated against bwrap 0.8, which lacks it).
if is_bwrap && ! has_flag --argv0 x; then
  skip "--argv0 sets argv[0]" "this bwrap lacks --argv0"
  skip "--argv0 shows in /proc/self/cmdline" "this bwrap lacks --argv0"
  skip "--argv0 twice is an error" "this bwrap lacks --argv0"
else
  hrun --ro-bind / / --argv0 husk-custom-name "$P" argv
  has_line "--argv0 sets argv[0]" "argv0=husk-custom-name" "$OUT"
  like "--argv0 shows in /proc/self/cmdline" 'cmdline=husk-custom-name argv' "$OUT"
  hrun --ro-bind / / --argv0 a --argv0 b "$P" argv
  is "--argv0 twice is an error (bwrap 0.11: used multiple times)" 1 "$RC"
fi
hrun --ro-bind / / "$P" argv
like "without --argv0, argv[0] is the program path" "argv0=$P" "$OUT"

# --level-prefix (bwrap 0.10+; not validated against bwrap 0.8).
if is_bwrap && ! has_flag --level-prefix; then
  skip "--level-prefix prefixes errors with <3>" "this bwrap lacks --level-prefix"
else
  hrun --level-prefix --ro-bind / / --bind "$TEST_TMP/nonexistent" /x "$P" ids
  like "--level-prefix prefixes errors with <3>" '^<3>' "$ERR"
fi
hrun --ro-bind / / --bind "$TEST_TMP/nonexistent" /x "$P" ids
unlike "no level prefix by default" '^<[0-9]>' "$ERR"

# -- ends the options.
hrun --ro-bind / / -- "$P" exit 3
is "-- then the command: runs it" 3 "$RC"
hrun --ro-bind / / -- --ro-bind
is "-- makes the next word the command even if it looks like a flag (exec fails: 1)" 1 "$RC"

# Exit status propagation.
for pid in "" --unshare-pid; do
  tag=${pid:-no pidns}
  hrun --ro-bind / / $pid "$P" exit 0
  is "exit 0 -> 0 ($tag)" 0 "$RC"
  hrun --ro-bind / / $pid "$P" exit 7
  is "exit 7 -> 7 ($tag)" 7 "$RC"
  hrun --ro-bind / / $pid "$P" exit 255
  is "exit 255 -> 255 ($tag)" 255 "$RC"
  hrun --ro-bind / / $pid "$P" kill-self KILL
  is "killed by SIGKILL -> 137 ($tag)" 137 "$RC"
  hrun --ro-bind / / $pid "$P" kill-self TERM
  is "killed by SIGTERM -> 143 ($tag)" 143 "$RC"
done
hrun --ro-bind / / --unshare-pid --as-pid-1 "$P" exit 9
is "exit 9 as pid 1 -> 9" 9 "$RC"

# husk's own errors: exit 1 and one line naming the flag.
hrun --ro-bind / / --bind "$TEST_TMP/nonexistent" /x "$P" exit 0
is "own error (missing --bind source): exit 1" 1 "$RC"
husk_error_line "own error: one 'husk: ' line naming --bind" --bind
hrun --ro-bind / / "$TEST_TMP/no-such-program"
is "program not found: exit 1" 1 "$RC"
like "program not found: says so on stderr" 'No such file or directory' "$ERR"
hrun --ro-bind / /
is "no command: exit 1" 1 "$RC"

done_testing
