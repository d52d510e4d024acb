#!/bin/bash
# legacy-mount.sh: the mount(2) fallback (HUSK_TEST_LEGACY_MOUNT=1: what a
# kernel before 5.12, without the mount API, gets) must protect a --ro-bind
# as the mount API does:
#  - every submount of a recursive --ro-bind is read-only, nosuid and nodev
#    too (mount(2) has no recursive remount: under --ro-bind / / the host's
#    /dev/shm used to stay writable);
#  - a destination that reaches its mount point through ".." or a symlink
#    crossing it ("/m/x/.." with the source's "x -> /elsewhere") is bound
#    read-only, or refused (finding the new mount by its path again used to
#    remount another mount, the root, and leave this one writable on the
#    host).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

if is_bwrap; then
  skip "${0##*/}" "HUSK_TEST_LEGACY_MOUNT is husk's"
  done_testing
  exit
fi

EROFS='Read-only file system'
mark=husk-legacy-$$-$RANDOM

# $TRY DIR: run inside the sandbox: try to create DIR/$mark, then print the
# per-mount options of the topmost mount on DIR.
TRY=$TEST_TMP/try.sh
cat >"$TRY" <<'EOF2'
touch "$1/$2" && echo WROTE
awk -v p="$1" '$5 == p { o = $6 } END { print o }' /proc/self/mountinfo
EOF2
chmod 755 "$TRY"

# 1. Submounts of --ro-bind / /: /dev/shm, when the host has it mounted.
shm_case ()
{
  local mode=$1
  hrun --ro-bind / / -- sh "$TRY" /dev/shm "$mark"
  unlike "$mode: --ro-bind / /: /dev/shm is not writable" WROTE "$OUT"
  like "$mode: ... EROFS" "$EROFS" "$ERR"
  like "$mode: ... /dev/shm is ro,nosuid,nodev" '(^|,)ro,nosuid,nodev(,|$)' "$OUT"
  ok "$mode: ... nothing written on the host" test ! -e "/dev/shm/$mark"
  rm -f "/dev/shm/$mark"
}
if findmnt -n /dev/shm >/dev/null 2>&1 && [ -w /dev/shm ]; then
  HUSK_TEST_LEGACY_MOUNT=1 shm_case "mount(2)"
  shm_case "mount API"
else
  skip "--ro-bind / /: /dev/shm is not writable" "/dev/shm is not a writable mount here"
fi

# 1b. As root: a submount of our own, made in a private mount namespace, so
# the case does not depend on the host's mounts.
if is_root && command -v unshare >/dev/null; then
  mkdir -p "$TEST_TMP/sub"
  out=$(HUSK_TEST_LEGACY_MOUNT=1 unshare -m --propagation private sh -c '
      mount -t tmpfs tmpfs "$2" || exit 99
      "$HUSK" --ro-bind / / -- sh "$1" "$2" "$3"' \
      sh "$TRY" "$TEST_TMP/sub" "$mark" 2>&1)
  if [ "$?" = 99 ]; then
    skip "mount(2): own tmpfs submount under --ro-bind / /" "cannot mount a tmpfs"
  else
    unlike "mount(2): own tmpfs submount is not writable" WROTE "$out"
    like "mount(2): ... EROFS" "$EROFS" "$out"
    like "mount(2): ... ro,nosuid,nodev" '(^|,)ro,nosuid,nodev(,|$)' "$out"
  fi
  ok "mount(2): ... nothing written on the host" test ! -e "$TEST_TMP/sub/$mark"
fi

# 2. A destination through ".." or a symlink crossing the mount point.
SRC=$TEST_TMP/src
mkdir -p "$SRC"
ln -s /elsewhere "$SRC/x"
chmod -R a+rwX "$SRC"
BASE=(--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib
      --symlink usr/lib64 /lib64 --dir /elsewhere)

# dotdot DESC TOP OPS...: bind SRC read-only with OPS, then try to write
# in the new mount TOP and in the root.
dotdot ()
{
  local desc=$1 top=$2; shift 2
  rm -f "$SRC/written"
  HUSK_TEST_LEGACY_MOUNT=1 hrun "${BASE[@]}" "$@" -- \
    sh -c "touch $top/written && echo WROTE; touch /newfile && echo ROOT-RW"
  ok "$desc: nothing written in the host's source" test ! -e "$SRC/written"
  if [ "$RC" = 0 ] || [ -n "$OUT" ]; then
    unlike "$desc: $top is read-only" WROTE "$OUT"
    like "$desc: ... EROFS" "$EROFS" "$ERR"
    like "$desc: ... and the root is still writable" ROOT-RW "$OUT"
  else
    # Refusing the op is also safe: the sandbox never ran.
    like "$desc: refused" '^husk: ' "$ERR"
  fi
}
dotdot "mount(2): --ro-bind src /m/x/.." /m --ro-bind "$SRC" /m/x/..
dotdot "mount(2): --ro-bind src /via (via -> m2/x/..)" /m2 \
  --dir /m2/x --symlink m2/x/.. /via --ro-bind "$SRC" /via

done_testing
