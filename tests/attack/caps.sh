#!/bin/bash
# caps.sh: the sandboxed program has no capabilities in any set and
# no_new_privs is set, whatever the namespace layout; a setuid-root binary
# inside does not give euid 0.
#
# bwrap run by root keeps root's capabilities (acquire_privs: "If our uid is
# 0, default to inheriting all caps"), which husk is specified not to do, so
# the capability checks are skipped for bwrap as root.  Everything else is
# validated against bwrap 0.8.0 as root and as uid 65534.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

ZERO=0000000000000000
for v in "" "--unshare-user" "--unshare-user --uid 0 --gid 0" "--unshare-pid --proc /proc" \
         "--unshare-pid --as-pid-1 --proc /proc" "--unshare-all --proc /proc" "--unshare-net"; do
  hrun --ro-bind / / $v "$P" status
  tag=${v:-default}
  is "NoNewPrivs=1 ($tag)" 1 "$(kv NoNewPrivs "$OUT")"
  if is_bwrap && is_root; then
    skip "CapInh/CapPrm/CapEff/CapBnd/CapAmb all zero ($tag)" "bwrap keeps root's caps"
  else
    is "CapInh/CapPrm/CapEff/CapBnd/CapAmb all zero ($tag)" "$ZERO $ZERO $ZERO $ZERO $ZERO" \
      "$(kv CapInh "$OUT") $(kv CapPrm "$OUT") $(kv CapEff "$OUT") $(kv CapBnd "$OUT") $(kv CapAmb "$OUT")"
  fi
done

# setuid root: only root can make a setuid-root file, so this runs in the
# root pass and drops to uid 65534 itself (setpriv) for both the control and
# the sandbox.  Meaningful only where the file's filesystem honours suid.
if ! is_root; then
  skip "setuid-root binary works outside (control)" "needs root to create a setuid-root file"
  skip "setuid-root binary inside the sandbox does not give euid 0" "needs root to create a setuid-root file"
  skip "setuid-root binary inside, --unshare-user" "needs root to create a setuid-root file"
elif ! command -v setpriv >/dev/null; then
  for d in control inside inside-userns; do skip "setuid $d" "no setpriv"; done
else
  cp "$P" "$TEST_TMP/suid-probe"
  chown 0:0 "$TEST_TMP/suid-probe"
  chmod 4755 "$TEST_TMP/suid-probe"
  DROP=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  if [[ "$(kv flags "$("$P" statfs "$TEST_TMP")")" == *nosuid* ]]; then
    for d in control inside inside-userns; do skip "setuid $d" "$TEST_TMP is on a nosuid mount"; done
  else
    is "setuid-root binary works outside (control)" 0 "$(kv euid "$("${DROP[@]}" "$TEST_TMP/suid-probe" ids)")"
    OUT=$("${DROP[@]}" "$HUSK" --ro-bind / / "$TEST_TMP/suid-probe" ids 2>&1)
    is "setuid-root binary inside the sandbox does not give euid 0" 65534 "$(kv euid "$OUT")"
    OUT=$("${DROP[@]}" "$HUSK" --ro-bind / / --unshare-user --uid 0 "$TEST_TMP/suid-probe" status 2>&1)
    is "setuid-root binary inside, --unshare-user: no capabilities" "$ZERO" "$(kv CapEff "$OUT")"
  fi
fi

done_testing
