#!/bin/bash
# environment.sh: --chdir, --clearenv, --setenv, --unsetenv and their order.
# husk starts from a known environment (env -i) so the probe's sorted `env`
# output can be compared exactly.  Validated against bwrap 0.8.0 as root and
# as uid 65534.  bwrap facts these tests pin: --clearenv keeps nothing but
# PWD, PWD is always set to the sandbox's working directory, and without
# --chdir the working directory is the caller's if it exists inside, else
# $HOME, else /.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

# erun [ENV=VAL...] -- HUSK-ARGS...: run husk from / with a fixed environment.
erun ()
{
  local envs=(PATH=/usr/bin:/bin FOO=foo BAR=bar)
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  OUT=$(cd / && env -i "${envs[@]}" "$HUSK" "$@" 2>"$TEST_TMP/stderr" </dev/null)
  RC=$?
  # shellcheck disable=SC2034  # read by husk_error_line
  ERR=$(cat "$TEST_TMP/stderr")
}

erun -- --ro-bind / / "$P" env
is "environment passes through unchanged (PWD added)" "BAR=bar
FOO=foo
PATH=/usr/bin:/bin
PWD=/" "$OUT"

erun -- --ro-bind / / --clearenv "$P" env
is "--clearenv leaves only PWD" "PWD=/" "$OUT"

erun -- --ro-bind / / --setenv A 1 --clearenv --setenv B 2 "$P" env
is "--setenv A --clearenv --setenv B: only B (and PWD)" "B=2
PWD=/" "$OUT"

erun -- --ro-bind / / --unsetenv FOO "$P" env
lacks_line "--unsetenv FOO removes FOO" "FOO=foo" "$OUT"
has_line "--unsetenv FOO keeps BAR" "BAR=bar" "$OUT"

erun -- --ro-bind / / --unsetenv NOT_SET_ANYWHERE "$P" env
is "--unsetenv of an unset variable is fine" 0 "$RC"

erun -- --ro-bind / / --setenv FOO 2 --unsetenv FOO --setenv FOO 3 "$P" env
has_line "--setenv / --unsetenv / --setenv: the last one wins" "FOO=3" "$OUT"

erun -- --ro-bind / / --setenv FOO 3 --unsetenv FOO "$P" env
lacks_line "--setenv then --unsetenv: unset" "FOO=3" "$OUT"

erun -- --ro-bind / / --setenv FOO new "$P" env
has_line "--setenv overrides an inherited variable" "FOO=new" "$OUT"

erun -- --ro-bind / / --setenv WEIRD 'a=b c=d  e' --setenv EMPTY '' "$P" env
has_line "--setenv keeps '=' and spaces in the value" "WEIRD=a=b c=d  e" "$OUT"
has_line "--setenv with an empty value" "EMPTY=" "$OUT"

erun -- --ro-bind / / --clearenv --setenv PATH /usr/bin "$P" env
is "--clearenv --setenv PATH: exactly PATH and PWD" "PATH=/usr/bin
PWD=/" "$OUT"

# --chdir
erun -- --ro-bind / / --chdir /etc "$P" cwd
is "--chdir /etc: working directory" "/etc" "$OUT"
erun -- --ro-bind / / --chdir /etc "$P" env
has_line "--chdir /etc: PWD follows" "PWD=/etc" "$OUT"
erun -- --ro-bind / / --chdir /etc --clearenv "$P" env
is "--chdir then --clearenv: PWD still set" "PWD=/etc" "$OUT"
erun -- --ro-bind / / --chdir /etc --chdir /usr "$P" cwd
is "--chdir twice: the last one wins" "/usr" "$OUT"
erun -- --ro-bind / / --chdir "$TEST_TMP/nonexistent" "$P" cwd
is "--chdir to a missing directory: exit 1" 1 "$RC"
husk_error_line "--chdir to a missing directory: one husk line naming --chdir" --chdir
erun -- --ro-bind "$P" /probe --dir /made --chdir /made /probe cwd
is "--chdir into a directory made by --dir" "/made" "$OUT"

# Without --chdir: the caller's directory when it exists inside.
mkdir -p "$TEST_TMP/wd"
OUT=$(cd "$TEST_TMP/wd" && env -i PATH=/usr/bin:/bin "$HUSK" --ro-bind / / "$P" cwd 2>&1)
is "no --chdir: the caller's directory is kept" "$TEST_TMP/wd" "$OUT"
OUT=$(cd "$TEST_TMP/wd" && env -i PATH=/usr/bin:/bin "$HUSK" --ro-bind "$P" /probe /probe cwd 2>&1)
is "no --chdir, caller's directory missing inside, no HOME: /" "/" "$OUT"
OUT=$(cd "$TEST_TMP/wd" && env -i PATH=/usr/bin:/bin HOME=/home-in "$HUSK" --ro-bind "$P" /probe --dir /home-in /probe cwd 2>&1)
is "no --chdir, caller's directory missing inside: \$HOME" "/home-in" "$OUT"

done_testing
