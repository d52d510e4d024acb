#!/bin/bash
# compat-name.sh: husk invoked as "bwrap" (a symlink or a copy standing in
# for bubblewrap): messages start "bwrap: ", and --version's first line is
# "bubblewrap 0.11.1" (callers parse it), husk's own version on the next.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

if is_bwrap; then
  skip "compat name" "this is bwrap itself"
  done_testing
  exit
fi
mkdir "$TEST_TMP/bin"
ln -s "$HUSK" "$TEST_TMP/bin/bwrap"
cp "$HUSK" "$TEST_TMP/bin/husk-copy"
mkdir "$TEST_TMP/copy" && cp "$HUSK" "$TEST_TMP/copy/bwrap"

out=$("$TEST_TMP/bin/bwrap" --version)
is "as bwrap (symlink): --version line 1" "bubblewrap 0.11.1" "$(sed -n 1p <<<"$out")"
like "as bwrap (symlink): --version line 2 is husk's" '^husk [0-9]+\.[0-9]+' "$(sed -n 2p <<<"$out")"
out=$("$TEST_TMP/copy/bwrap" --version)
is "as bwrap (copy): --version line 1" "bubblewrap 0.11.1" "$(sed -n 1p <<<"$out")"
out=$("$TEST_TMP/bin/husk-copy" --version)
like "as husk: --version line 1 is husk's" '^husk [0-9.]+$' "$(sed -n 1p <<<"$out")"
like "as husk: --version line 2 lists features" '^\+SECCOMP( [+-][A-Z]+)+$' "$(sed -n 2p <<<"$out")"
is "as husk: --version prints two lines" 2 "$(wc -l <<<"$out")"
err=$("$TEST_TMP/bin/bwrap" --ro-bind / / --bind "$TEST_TMP/nope" /x true 2>&1)
like "as bwrap: errors start with 'bwrap: '" '^bwrap: --bind ' "$err"
err=$("$TEST_TMP/bin/bwrap" --no-such-flag 2>&1)
like "as bwrap: usage errors too" '^bwrap: unknown option' "$err"
err=$("$HUSK" --ro-bind / / --bind "$TEST_TMP/nope" /x true 2>&1)
like "as husk: errors start with 'husk: '" '^husk: --bind ' "$err"
out=$("$TEST_TMP/bin/bwrap" --help)
like "as bwrap: --help's usage names bwrap" '^usage: bwrap ' "$out"

done_testing
