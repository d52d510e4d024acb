#!/bin/bash
# husk-test: root-only
# setuid-husk.sh: husk refuses to run from a privileged binary.  Copies of
# husk made setuid root, setgid and with a file capability must each print
# one error line and exit 1 without running anything, whether started by
# root or by an unprivileged uid (for whom the kernel would actually grant
# the privilege: the attack).  A plain copy runs (control).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

if is_bwrap; then
  skip "setuid copies of husk refuse to run" "husk-only defence"
  done_testing
  exit
fi
user=${HUSK_TEST_USER:-65534}
as_user () { setpriv --reuid="$user" --regid="$user" --clear-groups "$@"; }

# One line "husk: refusing to run: ...", exit 1, the command not run.
refuses ()
{
  local desc=$1; shift
  local out rc
  out=$("$@" --ro-bind / / /bin/echo RAN 2>&1)
  rc=$?
  if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] \
     && [[ $out == "husk: refusing to run: "* ]]; then
    _t_result 0 "$desc"
  else
    _t_result 1 "$desc"
    diag "expected exit 1 and one 'husk: refusing to run' line" "got ($rc): $out"
  fi
}

cp "$HUSK" "$TEST_TMP/husk-plain"
chmod 755 "$TEST_TMP/husk-plain"
out=$(as_user "$TEST_TMP/husk-plain" --ro-bind / / /bin/echo RAN 2>&1)
is "a plain copy runs (control)" RAN "$out"

cp "$HUSK" "$TEST_TMP/husk-suid"
chmod 4755 "$TEST_TMP/husk-suid"
refuses "setuid-root copy, run by root" "$TEST_TMP/husk-suid"
refuses "setuid-root copy, run by uid $user" as_user "$TEST_TMP/husk-suid"

cp "$HUSK" "$TEST_TMP/husk-sgid"
chgrp 0 "$TEST_TMP/husk-sgid"
chmod 2755 "$TEST_TMP/husk-sgid"
refuses "setgid copy, run by root" "$TEST_TMP/husk-sgid"
refuses "setgid copy, run by uid $user" as_user "$TEST_TMP/husk-sgid"

cp "$HUSK" "$TEST_TMP/husk-fcap"
if command -v setcap >/dev/null && setcap cap_sys_admin+ep "$TEST_TMP/husk-fcap" 2>/dev/null; then
  refuses "file-capability copy, run by root" "$TEST_TMP/husk-fcap"
  refuses "file-capability copy, run by uid $user" as_user "$TEST_TMP/husk-fcap"
else
  skip "file-capability copy, run by root" "setcap unavailable or the filesystem lacks xattrs"
  skip "file-capability copy, run by uid $user" "setcap unavailable or the filesystem lacks xattrs"
fi

# As "bwrap" (compat name) the refusal is worded with that name.
ln -s husk-suid "$TEST_TMP/bwrap"
out=$(as_user "$TEST_TMP/bwrap" --ro-bind / / /bin/echo RAN 2>&1)
like "as bwrap: the refusal names bwrap" '^bwrap: refusing to run' "$out"

done_testing
