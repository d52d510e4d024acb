#!/bin/bash
# oci.sh: husk --oci BUNDLE, real containers from a tiny bundle (a rootfs
# holding only the static probe and a few directories): args, env, cwd,
# exit status, hostname, uid/gid, capabilities, read-only root, masked and
# read-only paths, default devices; and bad configs failing with one line
# that names the JSON path, exit status 1 and nothing left behind.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

B=$TEST_TMP/bundle
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/tmp" \
  "$B/rootfs/etc" "$B/rootfs/secretdir" "$B/rootfs/secretdir2" "$B/rootfs/ro" "$B/rootfs/rw" \
  "$B/data"
cp "$P" "$B/rootfs/bin/probe"
echo secret > "$B/rootfs/etc/secret"
echo secret > "$B/rootfs/secretdir/file"
echo secret > "$B/rootfs/secretdir2/file2"
echo shared > "$B/data/file"

# config ARGS-JSON [EXTRA-TOP-LEVEL] [EXTRA-LINUX] [READONLY] [USER]
# writes $B/config.json: ARGS-JSON is the process.args array's inside.
config ()
{
  local args=$1 top=${2:-} lx=${3:-} ro=${4:-false} user=${5:-'"uid": 0, "gid": 0'}
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "user": { $user },
    "args": [ $args ],
    "env": [ "PATH=/bin", "FOO=bar baz" ],
    "cwd": "/tmp",
    "noNewPrivileges": true,
    "capabilities": { "bounding": [ "CAP_KILL" ], "effective": [ "CAP_KILL" ],
                      "permitted": [ "CAP_KILL" ] }
  },
  "root": { "path": "rootfs", "readonly": $ro },
  "hostname": "ocibox",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "mode=1777" ] },
    { "destination": "/data", "type": "bind", "source": "data", "options": [ "rbind", "ro" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "ipc" }, { "type": "uts" },
                    { "type": "mount" }, { "type": "network" }, { "type": "user" } ],
    "maskedPaths": [ "/etc/secret", "/secretdir", "/no/such/path", "/secretdir2" ],
    "readonlyPaths": [ "/ro" ]$lx
  }$top
}
JSON
}

mounts_snapshot

config '"/bin/probe", "argv", "a", "b c"'
hrun --oci "$B"
is "args reach the program" "$(printf 'argv0=/bin/probe\ncmdline=/bin/probe argv a b c')" "$OUT"
is "exit 0" 0 "$RC"
is "no warnings" "" "$ERR"

config '"/bin/probe", "env"'
hrun --oci "$B"
is "env replaces the environment (husk adds PWD)" "$(printf 'FOO=bar baz\nPATH=/bin\nPWD=/tmp')" "$OUT"

config '"probe", "cwd"'
hrun --oci "$B"
is "cwd, and args[0] found through process.env's PATH" "/tmp" "$OUT"

config '"/bin/probe", "exit", "7"'
hrun --oci "$B/config.json"
is "exit status propagates (PATH given as the config.json itself)" 7 "$RC"

# Without a pid namespace (as its init the process would ignore the signal).
config '"/bin/probe", "kill-self", "15"'
sed -i 's/{ "type": "pid" }, //' "$B/config.json"
hrun --oci "$B"
is "killed by SIGTERM: 128+15" 143 "$RC"

config '"/bin/probe", "hostname"'
hrun --oci "$B"
is "hostname" "ocibox" "$OUT"

config '"/bin/probe", "pid"'
hrun --oci "$B"
is "the process is its pid namespace's init" 1 "$(kv pid "$OUT")"

config '"/bin/probe", "ids"'
hrun --oci "$B"
is "uid 0 inside" 0 "$(kv uid "$OUT")"
config '"/bin/probe", "ids"' "" "" false '"uid": 1000, "gid": 1001'
hrun --oci "$B"
is "process.user.uid inside" 1000 "$(kv uid "$OUT")"
is "process.user.gid inside" 1001 "$(kv gid "$OUT")"

# Without a user namespace: root switches the real ids after setup (as
# runc); a user gets husk's own user namespace mapping it to them.
config '"/bin/probe", "ids"' "" "" false '"uid": 1000, "gid": 1001, "additionalGids": [1002]'
sed -i 's/, { "type": "user" }//' "$B/config.json"
rm -rf "$B/rootfs/madeasroot"
sed -i 's|"destination": "/data"|"destination": "/madeasroot/data"|' "$B/config.json"
hrun --oci "$B"
if is_root; then
  is "no user namespace, as root: exit status" 0 "$RC"
  is "no user namespace, as root: real uid and euid" "1000 1000" "$(kv uid "$OUT") $(kv euid "$OUT")"
  is "no user namespace, as root: real gid and egid" "1001 1001" "$(kv gid "$OUT") $(kv egid "$OUT")"
  is "no user namespace, as root: supplementary groups are additionalGids only" 1002 "$(kv groups "$OUT")"
  is "no user namespace, as root: mount points were made as root" "0" \
    "$(stat -c %u "$B/rootfs/madeasroot" 2>&1)"
  config '"/bin/probe", "status"' "" "" false '"uid": 1000, "gid": 1001'
  sed -i 's/, { "type": "user" }//' "$B/config.json"
  hrun --oci "$B"
  is "no user namespace, as root: no effective capabilities for uid 1000" \
    0000000000000000 "$(kv CapEff "$OUT")"
  is "no user namespace, as root: no_new_privs" 1 "$(kv NoNewPrivs "$OUT")"
else
  like "no user namespace, unprivileged: additionalGids cannot be set" \
    '^husk: process.user.additionalGids: setgroups: Operation not permitted' "$ERR"
  config '"/bin/probe", "ids"' "" "" false '"uid": 1000, "gid": 1001'
  sed -i 's/, { "type": "user" }//' "$B/config.json"
  hrun --oci "$B"
  is "no user namespace, unprivileged: mapped to uid and gid" "0 1000 1001" \
    "$RC $(kv uid "$OUT") $(kv gid "$OUT")"
  skip "no user namespace: mount points made as root" "root only"
  skip "no user namespace: no effective capabilities" "root only"
  skip "no user namespace: no_new_privs" "root only"
fi
rm -rf "$B/rootfs/madeasroot"

config '"/bin/probe", "status"'
hrun --oci "$B"
is "capabilities: only CAP_KILL effective" 0000000000000020 "$(kv CapEff "$OUT")"
is "capabilities: only CAP_KILL bounding" 0000000000000020 "$(kv CapBnd "$OUT")"
is "no_new_privs" 1 "$(kv NoNewPrivs "$OUT")"

config '"/bin/probe", "write", "/newfile"'
hrun --oci "$B"
is "root writable when root.readonly is false" ok "$OUT"
rm -f "$B/rootfs/newfile"
config '"/bin/probe", "write", "/newfile"' "" "" true
hrun --oci "$B"
is "root.readonly: EROFS" EROFS "$OUT"
config '"/bin/probe", "write", "/tmp/x"' "" "" true
hrun --oci "$B"
is "root.readonly: a tmpfs mounted on it stays writable" ok "$OUT"

config '"/bin/probe", "write", "/ro/x"'
hrun --oci "$B"
is "readonlyPaths: EROFS" EROFS "$OUT"
config '"/bin/probe", "write", "/rw/x"'
hrun --oci "$B"
is "a sibling of a read-only path stays writable" ok "$OUT"
config '"/bin/probe", "write", "/data/x"'
hrun --oci "$B"
is "bind mount with ro: EROFS" EROFS "$OUT"
config '"/bin/probe", "read", "/data/file"'
hrun --oci "$B"
is "bind mount source relative to the bundle" shared "$OUT"

config '"/bin/probe", "read", "/etc/secret"'
hrun --oci "$B"
is "maskedPaths: a file reads empty" "" "$OUT"
config '"/bin/probe", "ls", "/secretdir"'
hrun --oci "$B"
is "maskedPaths: a directory is empty" "" "$OUT"
config '"/bin/probe", "write", "/secretdir/x"'
hrun --oci "$B"
is "maskedPaths: a directory is read-only" EROFS "$OUT"
# A second directory gets a clone of the first one's empty tmpfs.
config '"/bin/probe", "ls", "/secretdir2"'
hrun --oci "$B"
is "maskedPaths: a second directory is empty too" "0:" "$RC:$OUT"
config '"/bin/probe", "write", "/secretdir2/x"'
hrun --oci "$B"
is "maskedPaths: a second directory is read-only too" EROFS "$OUT"

config '"/bin/probe", "ls", "/dev"'
hrun --oci "$B"
for n in "null chr" "zero chr" "urandom chr" "fd symlink" "ptmx symlink" "pts dir"; do
  has_line "default devices: /dev/${n% *}" "$n" "$OUT"
done
config '"/bin/probe", "read", "/dev/zero"'
hrun --oci "$B"
is "/dev/zero works (a bound device)" 0 "$RC"

# A device node shipped in the rootfs is not usable (the rootfs is bound
# nodev: husk has no device cgroup behind it), even for a root container
# without a user namespace; a bind that says "dev" keeps devices usable.
if is_root; then
  mknod "$B/rootfs/mydev" c 1 5   # /dev/zero's numbers
  config '"/bin/probe", "read", "/mydev"'
  sed -i 's/, { "type": "user" }//' "$B/config.json"
  hrun --oci "$B"
  like "rootfs device node: opening it fails" 'EACCES|EPERM|Permission denied' "$OUT$ERR"
  mkdir -p "$B/devdir"; mknod "$B/devdir/z" c 1 5
  config '"/bin/probe", "read", "/dd/z"' "" ""
  sed -i 's/, { "type": "user" }//' "$B/config.json"
  sed -i 's|{ "destination": "/data"|{ "destination": "/dd", "type": "bind", "source": "devdir", "options": [ "rbind", "dev" ] },\n    { "destination": "/data"|' "$B/config.json"
  hrun --oci "$B"
  is "a bind with \"dev\": the device works (control)" 0 "$RC"
  rm -f "$B/rootfs/mydev"; rm -rf "$B/devdir"
else
  skip "rootfs device node: opening it fails" "mknod needs root"
  skip "a bind with \"dev\": the device works (control)" "mknod needs root"
fi

# Errors: one line naming the JSON path, exit 1, nothing left behind.
config '"/bin/probe", "ids"' "" ', "sysctl": { "kernel.x": "1" }'
hrun --oci "$B"
is "linux.sysctl: exit 1" 1 "$RC"
is "linux.sysctl: one line naming the path" "husk: linux.sysctl.kernel.x: not a namespaced sysctl (only net.*, kernel.hostname, kernel.domainname, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* are allowed)" "$ERR"
config '"/bin/probe", "ids"'
sed -i 's/"type": "ipc"/"type": "foo"/' "$B/config.json"
hrun --oci "$B"
is "unknown namespace type" 'husk: linux.namespaces[1].type: unknown namespace type "foo"' "$ERR"
printf '{\n  "ociVersion": "1.2.0",\n  "process": }\n' > "$B/config.json"
hrun --oci "$B"
is "malformed JSON: line and column" "husk: $B/config.json: line 3, column 14: unexpected token near '}'" "$ERR"
config '"/bin/probe", "ids"' ', "x-vendor": 1'
hrun --oci "$B"
is "unknown property: runs" 0 "$RC"
is "unknown property: one warning" "husk: warning: x-vendor: unknown property, ignored" "$ERR"
config '"/bin/nope"'
hrun --oci "$B"
is "missing program: exit 1" 1 "$RC"
like "missing program: one line" '^husk: execvp /bin/nope: No such file or directory$' "$ERR"
config '"/bin/probe", "ids"'
sed -i 's|"path": "rootfs"|"path": "no-rootfs"|' "$B/config.json"
hrun --oci "$B"
is "missing rootfs: exit 1" 1 "$RC"
is "missing rootfs: names root.path" "husk: root.path: No such file or directory" "$ERR"
hrun --oci "$B" --unshare-net
is "--oci with another option: exit 1" 1 "$RC"
is "--oci with another option: message" "husk: --oci: cannot be used with other options (--unshare-net)" "$ERR"

assert_nothing_left "after every container" "$B/rootfs"
done_testing
