#!/bin/bash
# filesystem.sh: every filesystem flag.  Most cases build the sandbox on
# husk's own (empty, writable) tmpfs root with only the probe bound in
# (R=(--ro-bind probe /probe)), so nothing depends on the host's layout.
# Validated against bwrap 0.8.0 as root and as uid 65534 except the overlay
# flags (bwrap 0.10+, checked against the bwrap 0.11 documentation and source
# only) and the two places marked "husk differs".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

R=(--ro-bind "$P" /probe)
S=$TEST_TMP/src
mkdir -p "$S/d/sub"
echo hello >"$S/d/f"
echo single >"$S/file"
chmod -R a+rwX "$S"

# --bind: writable, and writes land on the host.
hrun "${R[@]}" --bind "$S/d" /b /probe write /b/new
is "--bind: write inside succeeds" "ok" "$OUT"
is "--bind: the write is visible on the host" "husk-probe" "$(cat "$S/d/new" 2>/dev/null)"
rm -f "$S/d/new"
hrun "${R[@]}" --bind "$S/file" /one /probe read /one
is "--bind of a single file" "single" "$OUT"
hrun "${R[@]}" --bind "$S/d" /b /probe statfs /b
like "--bind: nosuid and nodev" '^flags=rw,nosuid,nodev$' "$(printf '%s\n' "$OUT" | grep '^flags=')"

# --ro-bind: EROFS, nothing reaches the host.
hrun "${R[@]}" --ro-bind "$S/d" /b /probe write /b/new
is "--ro-bind: write fails with EROFS" "EROFS" "$OUT"
ok "--ro-bind: nothing created on the host" test ! -e "$S/d/new"
hrun "${R[@]}" --ro-bind "$S/d" /b /probe read /b/f
is "--ro-bind: reads work" "hello" "$OUT"
hrun "${R[@]}" --ro-bind "$S/d" /b /probe write /b/sub/x
is "--ro-bind is recursive over the tree (subdirectory EROFS)" "EROFS" "$OUT"

# -try variants: a missing source is skipped, the destination not created.
hrun "${R[@]}" --bind-try "$TEST_TMP/missing" /x --ro-bind-try "$TEST_TMP/missing" /y \
  --dev-bind-try "$TEST_TMP/missing" /z /probe ls /
is "--bind-try/--ro-bind-try/--dev-bind-try with missing sources: exit 0" 0 "$RC"
is "-try with missing sources: no destinations created" "probe file" "$OUT"
hrun "${R[@]}" --ro-bind-try "$S/d" /y /probe read /y/f
is "--ro-bind-try with an existing source binds it" "hello" "$OUT"
hrun "${R[@]}" --bind-try "$S/d" /y /probe write /y/try
is "--bind-try with an existing source is writable" "ok" "$OUT"
rm -f "$S/d/try"

# --dev-bind vs --bind of /dev.
hrun "${R[@]}" --dev-bind /dev /dev /probe write /dev/null
is "--dev-bind /dev: /dev/null works" "ok" "$OUT"
hrun "${R[@]}" --bind /dev /dev /probe read /dev/null
is "--bind /dev: device nodes give EACCES (nodev)" "EACCES" "$OUT"
hrun "${R[@]}" --ro-bind /dev /dev /probe read /dev/zero
is "--ro-bind /dev: device nodes give EACCES (nodev)" "EACCES" "$OUT"

# --bind-fd / --ro-bind-fd from an fd the caller opened.
exec 5<"$S/d"
hrun "${R[@]}" --bind-fd 5 /bf /probe read /bf/f
is "--bind-fd: the directory is bound" "hello" "$OUT"
hrun "${R[@]}" --bind-fd 5 /bf /probe write /bf/viafd
is "--bind-fd: writable" "ok" "$OUT"
ok "--bind-fd: the write is visible on the host" test -s "$S/d/viafd"
rm -f "$S/d/viafd"
hrun "${R[@]}" --ro-bind-fd 5 /bf /probe write /bf/viafd
is "--ro-bind-fd: EROFS" "EROFS" "$OUT"
hrun "${R[@]}" --proc /proc --bind-fd 5 /bf /probe fds
unlike "--bind-fd: the fd itself does not reach the program" '(^| )5( |$)' "$OUT"
exec 5<&-
hrun "${R[@]}" --bind-fd 5 /bf /probe read /bf/f
is "--bind-fd with a closed fd: exit 1" 1 "$RC"

# --remount-ro
hrun "${R[@]}" --bind "$S/d" /b --remount-ro /b /probe write /b/new
is "--remount-ro: a writable bind becomes EROFS" "EROFS" "$OUT"
hrun "${R[@]}" --bind "$S/d" /b --remount-ro /b /probe statfs /b
like "--remount-ro: statfs says ro" 'flags=ro' "$OUT"
hrun "${R[@]}" --tmpfs /t --remount-ro / /probe write /t/x
is "--remount-ro / is not recursive: a tmpfs below stays writable" "ok" "$OUT"
hrun "${R[@]}" --tmpfs /t --remount-ro / /probe write /x
is "--remount-ro /: the root is read-only" "EROFS" "$OUT"

# --proc
hrun "${R[@]}" --unshare-pid --proc /proc /probe statfs /proc
is "--proc with --unshare-pid: a procfs" "proc" "$(kv fstype "$OUT")"
hrun "${R[@]}" --unshare-pid --proc /proc /probe read /proc/1/comm
like "--proc with --unshare-pid: pid 1 is inside the sandbox" '.' "$OUT"
hrun "${R[@]}" --proc /proc /probe statfs /proc
is "--proc without --unshare-pid (bwrap: host procfs) works" "0 proc" "$RC $(kv fstype "$OUT")"
hrun "${R[@]}" --unshare-pid --proc /proc /probe ns
like "--proc: /proc/self/ns is usable" '^cgroup=[0-9]+' "$OUT"

# --dev: exactly this set of nodes (no console: stdout is not a tty).
hrun "${R[@]}" --dev /dev /probe ls /dev
is "--dev: the node list" "core symlink
fd symlink
full chr
null chr
ptmx symlink
pts dir
random chr
shm dir
stderr symlink
stdin symlink
stdout symlink
tty chr
urandom chr
zero chr" "$OUT"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  hrun "${R[@]}" --dev /dev /probe stat "/dev/${n%%:*}"
  is "--dev: /dev/${n%%:*} is the real device ${n#*:}" "chr ${n#*:}" "$(kv type "$OUT") $(kv rdev "$OUT")"
done
for l in stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2 \
         fd:/proc/self/fd core:/proc/kcore ptmx:pts/ptmx; do
  hrun "${R[@]}" --dev /dev /probe stat "/dev/${l%%:*}"
  is "--dev: /dev/${l%%:*} -> ${l#*:}" "${l#*:}" "$(kv target "$OUT")"
done
hrun "${R[@]}" --dev /dev /probe write /dev/null
is "--dev: /dev/null is usable" "ok" "$OUT"
hrun "${R[@]}" --dev /dev /probe write /dev/full
is "--dev: /dev/full gives ENOSPC" "ENOSPC" "$OUT"
hrun "${R[@]}" --dev /dev /probe statfs /dev/pts
is "--dev: /dev/pts is a devpts" "devpts" "$(kv fstype "$OUT")"
hrun "${R[@]}" --dev /dev /probe stat /dev/pts/ptmx
is "--dev: /dev/pts/ptmx is the pty multiplexer" "chr 5:2" "$(kv type "$OUT") $(kv rdev "$OUT")"
hrun "${R[@]}" --dev /dev /probe statfs /dev
is "--dev: /dev is a tmpfs, nosuid,nodev" "tmpfs flags=rw,nosuid,nodev" "$(kv fstype "$OUT") flags=$(kv flags "$OUT")"
hrun "${R[@]}" --dev /dev /probe write /dev/shm/x
is "--dev: /dev/shm is writable" "ok" "$OUT"

# --tmpfs, --perms, --size
hrun "${R[@]}" --tmpfs /t /probe stat /t
is "--tmpfs: mode 0755 by default" "dir 0755" "$(kv type "$OUT") $(kv mode "$OUT")"
hrun "${R[@]}" --tmpfs /t /probe statfs /t
is "--tmpfs: a tmpfs, nosuid,nodev" "tmpfs rw,nosuid,nodev" "$(kv fstype "$OUT") $(kv flags "$OUT")"
hrun "${R[@]}" --perms 01777 --tmpfs /t /probe stat /t
is "--perms 01777 --tmpfs" "1777" "$(kv mode "$OUT")"
hrun "${R[@]}" --perms 0700 --tmpfs /a --tmpfs /b /probe stat /b
is "--perms applies to the next op only" "0755" "$(kv mode "$OUT")"
hrun "${R[@]}" --size 1048576 --tmpfs /t /probe statfs /t
is "--size 1048576 --tmpfs: statfs size" "1048576" "$(kv size "$OUT")"
hrun "${R[@]}" --size 1048576 --perms 0700 --tmpfs /t /probe stat /t
is "--size and --perms together, either order" "0700" "$(kv mode "$OUT")"
hrun "${R[@]}" --tmpfs /t /probe write /t/x
is "--tmpfs: writable" "ok" "$OUT"
hrun "${R[@]}" --tmpfs /t --dir /t/a --tmpfs /t /probe ls /t
is "a later --tmpfs on the same place hides earlier content (order)" "" "$OUT"

# --mqueue (needs an ipc namespace when unprivileged)
hrun "${R[@]}" --unshare-ipc --mqueue /mq /probe statfs /mq
is "--mqueue: an mqueue filesystem" "0 mqueue" "$RC $(kv fstype "$OUT")"

# --dir and --perms
hrun "${R[@]}" --dir /a/b /probe stat /a/b
is "--dir: 0755 by default, parents created" "dir 0755" "$(kv type "$OUT") $(kv mode "$OUT")"
hrun "${R[@]}" --perms 0700 --dir /a/b /probe stat /a/b
is "--perms 0700 --dir" "0700" "$(kv mode "$OUT")"
hrun "${R[@]}" --perms 0700 --dir /a/b /probe stat /a
is "--perms 0700 --dir: new parents lose group/other bits too" "0700" "$(kv mode "$OUT")"
hrun "${R[@]}" --perms 0750 --dir /a/b /probe stat /a
is "--perms 0750 --dir: new parents 0750" "0750" "$(kv mode "$OUT")"
hrun "${R[@]}" --dir /a --perms 0700 --dir /a /probe stat /a
is "--dir on an existing directory leaves its mode" "0755" "$(kv mode "$OUT")"

# --file, --bind-data, --ro-bind-data
hrun "${R[@]}" --file 5 /f/x /probe read /f/x 5<"$S/file"
is "--file: content copied" "single" "$OUT"
hrun "${R[@]}" --file 5 /f/x /probe stat /f/x 5<"$S/file"
is "--file: mode 0666 by default" "file 0666" "$(kv type "$OUT") $(kv mode "$OUT")"
hrun "${R[@]}" --perms 0640 --file 5 /f/x /probe stat /f/x 5<"$S/file"
is "--perms 0640 --file" "0640" "$(kv mode "$OUT")"
hrun "${R[@]}" --file 5 /f/x /probe write /f/x 5<"$S/file"
is "--file: the file is writable (not a mount)" "ok" "$OUT"
OUT=$(printf 'from a pipe\n' | "$HUSK" "${R[@]}" --file 0 /p /probe read /p 2>&1)
is "--file from a pipe" "from a pipe" "$OUT"
hrun "${R[@]}" --bind-data 5 /f/x /probe read /f/x 5<"$S/file"
is "--bind-data: content" "single" "$OUT"
hrun "${R[@]}" --bind-data 5 /f/x /probe stat /f/x 5<"$S/file"
is "--bind-data: mode 0600 by default" "0600" "$(kv mode "$OUT")"
hrun "${R[@]}" --bind-data 5 /f/x /probe write /f/x 5<"$S/file"
is "--bind-data: writable" "ok" "$OUT"
hrun "${R[@]}" --ro-bind-data 5 /f/x /probe write /f/x 5<"$S/file"
is "--ro-bind-data: EROFS" "EROFS" "$OUT"
hrun "${R[@]}" --perms 0444 --ro-bind-data 5 /f/x /probe stat /f/x 5<"$S/file"
is "--perms 0444 --ro-bind-data" "0444" "$(kv mode "$OUT")"
hrun "${R[@]}" --proc /proc --file 5 /f/x /probe fds 5<"$S/file"
unlike "--file: the data fd does not reach the program" '(^| )5( |$)' "$OUT"

# --symlink
hrun "${R[@]}" --symlink /some/where /l /probe stat /l
is "--symlink: link with the given text" "symlink /some/where" "$(kv type "$OUT") $(kv target "$OUT")"
hrun "${R[@]}" --symlink rel/target /a/l /probe stat /a/l
is "--symlink: parents created, relative text kept" "rel/target" "$(kv target "$OUT")"
if bwrap_older_than 0.9; then
  skip "--symlink twice with the same target is idempotent" "bwrap < 0.9 fails with EEXIST"
else
  hrun "${R[@]}" --symlink a /l --symlink a /l /probe stat /l
  is "--symlink twice with the same target is idempotent" "0 a" "$RC $(kv target "$OUT")"
fi
hrun "${R[@]}" --symlink a /l --symlink b /l /probe stat /l
is "--symlink over a different existing link: exit 1" 1 "$RC"
hrun "${R[@]}" --dir /d --symlink a /d /probe stat /d
is "--symlink over an existing directory: exit 1" 1 "$RC"

# --chmod
hrun "${R[@]}" --dir /d --chmod 0700 /d /probe stat /d
is "--chmod 0700 on a directory" "0700" "$(kv mode "$OUT")"
hrun "${R[@]}" --file 5 /f --chmod 04711 /f /probe stat /f 5<"$S/file"
is "--chmod keeps special bits" "4711" "$(kv mode "$OUT")"
hrun "${R[@]}" --dir /d --symlink d /l --chmod 0700 /l /probe stat /d
is "--chmod follows a symlink (bwrap: chmod(2))" "0700" "$(kv mode "$OUT")"
hrun "${R[@]}" --chmod 0700 /missing /probe stat /
is "--chmod on a missing path: exit 1" 1 "$RC"

# Relative destinations are relative to the sandbox root.
hrun "${R[@]}" --bind "$S/d" rel/dest /probe read /rel/dest/f
is "relative destination of --bind" "hello" "$OUT"
hrun "${R[@]}" --dir rel2 /probe stat /rel2
is "relative destination of --dir" "dir" "$(kv type "$OUT")"

# A destination whose parent is a symlink inside the new root.
hrun "${R[@]}" --dir /run --symlink ../run /var/run --bind "$S/d" /var/run/x /probe read /run/x/f
is "relative in-root symlink parent: bind lands in /run/x" "hello" "$OUT"
if is_bwrap; then
  # husk differs: bwrap resolves an absolute link against its setup root
  # (fails with ENOENT); husk resolves it inside the new root.
  skip "absolute in-root symlink parent: bind lands in /run/x" "bwrap resolves it outside the new root"
else
  hrun "${R[@]}" --dir /run --symlink /run /var/run --bind "$S/d" /var/run/x /probe read /run/x/f
  is "absolute in-root symlink parent: bind lands in /run/x" "hello" "$OUT"
fi

# Overlays (bwrap 0.10+).  Not validated against bwrap: 0.8 lacks them.
# Semantics from bwrap 0.11: --overlay-src layers are given bottom first;
# --overlay RWSRC WORKDIR DEST writes to RWSRC; --tmp-overlay writes to an
# invisible tmpfs; --ro-overlay needs two or more --overlay-src.
if is_bwrap && ! has_flag --overlay-src / --tmp-overlay /o; then
  for t in "--tmp-overlay: merged view" "--tmp-overlay: upper layer wins" \
           "--tmp-overlay: writable" "--tmp-overlay: lower untouched on the host" \
           "--overlay: write goes to RWSRC on the host" "--overlay: lower untouched" \
           "--ro-overlay: merged, read-only" "--ro-overlay: EROFS" "--overlay: statfs overlay"; do
    skip "$t" "this bwrap lacks overlay flags"
  done
else
  O=$TEST_TMP/ov
  mkdir -p "$O/l1" "$O/l2" "$O/up" "$O/work"
  echo low >"$O/l1/only1"; echo low >"$O/l1/both"; echo high >"$O/l2/both"
  chmod -R a+rwX "$O"
  hrun "${R[@]}" --overlay-src "$O/l1" --overlay-src "$O/l2" --tmp-overlay /o /probe ls /o
  is "--tmp-overlay: merged view" "both file
only1 file" "$OUT"
  hrun "${R[@]}" --overlay-src "$O/l1" --overlay-src "$O/l2" --tmp-overlay /o /probe read /o/both
  is "--tmp-overlay: upper layer wins" "high" "$OUT"
  hrun "${R[@]}" --overlay-src "$O/l1" --tmp-overlay /o /probe write /o/only1
  is "--tmp-overlay: writable" "ok" "$OUT"
  is "--tmp-overlay: lower untouched on the host" "low" "$(cat "$O/l1/only1")"
  hrun "${R[@]}" --overlay-src "$O/l1" --overlay "$O/up" "$O/work" /o /probe write /o/new
  is "--overlay: write goes to RWSRC on the host" "ok husk-probe" "$OUT $(cat "$O/up/new" 2>/dev/null)"
  ok "--overlay: lower untouched" test ! -e "$O/l1/new"
  hrun "${R[@]}" --overlay-src "$O/l1" --overlay-src "$O/l2" --ro-overlay /o /probe read /o/only1
  is "--ro-overlay: merged, read-only" "low" "$OUT"
  hrun "${R[@]}" --overlay-src "$O/l1" --overlay-src "$O/l2" --ro-overlay /o /probe write /o/x
  is "--ro-overlay: EROFS" "EROFS" "$OUT"
  hrun "${R[@]}" --overlay-src "$O/l1" --tmp-overlay /o /probe statfs /o
  is "--overlay: statfs overlay" "overlay" "$(kv fstype "$OUT")"
fi

done_testing
