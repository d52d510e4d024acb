#!/bin/bash
# symlink-escape.sh: a destination whose parent (or itself) is a symlink
# pointing out of the new root must not make husk create, mount or chmod
# anything on the host.  Each case plants a link with --symlink, then uses
# it as (part of) a later destination, and afterwards looks at the host path
# the link points to.
#
# bwrap 0.8 resolves these paths against its setup root, where /oldroot is
# the host's root, so it DOES write to the host (verified: files, dirs,
# tmpfs mount points and chmod all land in the host directory).  husk is
# specified to resolve every destination inside the new root, so the host
# checks are skipped for bwrap; the in-root control cases are validated
# against bwrap 0.8.0 as root and as uid 65534.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

R=(--ro-bind "$P" /probe)
T=$TEST_TMP/target
mkdir -p "$T" "$TEST_TMP/src"
echo payload >"$TEST_TMP/src/f"
echo victim >"$TEST_TMP/victim"
chmod 0600 "$TEST_TMP/victim"
chmod -R a+rwX "$TEST_TMP/src"
host_empty () { [ -z "$(ls -A "$T")" ]; }

# Link texts that point at $T on the host from various vantage points.
UP=../../../../../../../../../..
LINKS=("/oldroot$T" "$T" "$UP$T" "$UP/oldroot$T")

# escape DESC OPS...: run the ops (after R), then check the host.
escape ()
{
  local desc=$1; shift
  rm -rf "${T:?}"/* "$T"/.[!.]* 2>/dev/null
  hrun "${R[@]}" "$@" /probe exit 0 5<"$TEST_TMP/src/f"
  if is_bwrap; then
    skip "$desc: nothing appears on the host" "bwrap follows links through /oldroot"
  else
    ok "$desc: nothing appears on the host" host_empty
  fi
}

for L in "${LINKS[@]}"; do
  escape "parent link $L, --bind"        --symlink "$L" /x --bind "$TEST_TMP/src" /x/y
  escape "parent link $L, --ro-bind file" --symlink "$L" /x --ro-bind "$TEST_TMP/src/f" /x/y
  escape "parent link $L, --dir"         --symlink "$L" /x --dir /x/b
  escape "parent link $L, --file"        --symlink "$L" /x --file 5 /x/f
  escape "parent link $L, --bind-data"   --symlink "$L" /x --bind-data 5 /x/f
  escape "parent link $L, --tmpfs"       --symlink "$L" /x --tmpfs /x/t
  escape "parent link $L, --symlink"     --symlink "$L" /x --symlink anything /x/l
  escape "final link $L/new, --file"     --symlink "$L/new" /x --file 5 /x
  escape "final link $L/new, --dir"      --symlink "$L/new" /x --dir /x
done
escape "nested: link to a link out"      --symlink "$UP$T" /a --symlink /a /b --dir /b/c
escape "relative ../../../../tmp/esc"    --dir /d/e --symlink "$UP$TEST_TMP/target" /d/e/l --dir /d/e/l/z

# --chmod through a link must not touch a host file.
for L in "/oldroot$TEST_TMP/victim" "$TEST_TMP/victim" "$UP$TEST_TMP/victim"; do
  hrun "${R[@]}" --symlink "$L" /v --chmod 0777 /v /probe exit 0
  if is_bwrap; then
    skip "--chmod via link $L: host file mode unchanged" "bwrap follows links through /oldroot"
  else
    is "--chmod via link $L: host file mode unchanged" 600 "$(stat -c %a "$TEST_TMP/victim")"
  fi
  chmod 0600 "$TEST_TMP/victim"
done
is "the victim's content is intact" victim "$(cat "$TEST_TMP/victim")"

# Controls: links that stay inside the new root keep working.
hrun "${R[@]}" --dir /run --symlink ../run /var/run --bind "$TEST_TMP/src" /var/run/x /probe read /run/x/f
is "in-root relative link parent: bind lands inside" payload "$OUT"
hrun "${R[@]}" --dir /real --symlink real /alias --dir /alias/sub /probe stat /real/sub
is "in-root relative link parent: --dir lands inside" dir "$(kv type "$OUT")"
if is_bwrap; then
  skip "in-root absolute link parent (/var/run -> /run): bind lands in /run/x" "bwrap resolves it against its setup root"
  skip "in-root absolute link parent: --file lands in /run" "bwrap resolves it against its setup root"
else
  hrun "${R[@]}" --dir /run --symlink /run /var/run --bind "$TEST_TMP/src" /var/run/x /probe read /run/x/f
  is "in-root absolute link parent (/var/run -> /run): bind lands in /run/x" payload "$OUT"
  hrun "${R[@]}" --dir /run --symlink /run /var/run --file 5 /var/run/f /probe read /run/f 5<"$TEST_TMP/src/f"
  is "in-root absolute link parent: --file lands in /run" payload "$OUT"
fi
ok "controls created nothing on the host" host_empty

done_testing
