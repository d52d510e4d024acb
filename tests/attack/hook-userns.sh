#!/bin/bash
# husk-test: root-only
# hook-userns.sh: an OCI config may join a user namespace someone else owns
# (linux.namespaces [{"type": "user", "path": ...}]); husk's parent joins
# it before clone and keeps its own uid on the host (root).  That
# namespace's root (here host uid 100000) has CAP_SYS_PTRACE over every
# process whose credentials belong to the namespace: husk's parent and
# the hooks it would exec.  Attaching to one is running code as host root
# in the host's mount namespace.  So:
#   - PTRACE_ATTACH on husk's parent from the namespace's root fails
#     (the parent is not dumpable once it joins);
#   - a prestart hook is refused: one line naming it, exit 1, never run.
# Control: the same ptrace code attaches to a process of that root.
# Root-only: unprivileged, the namespace's root is the caller's own uid.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

if is_bwrap; then
  skip "${0##*/}" "OCI configs are husk-only"
  done_testing
  exit
fi
if ! command -v python3 >/dev/null || ! command -v nsenter >/dev/null; then
  skip "${0##*/}" "python3 or nsenter missing"
  done_testing
  exit
fi
need_busybox

B=$TEST_TMP/bundle
oci_bundle "$B"
chown -R 100000:100000 "$B/rootfs"
chmod -R a+rX "$TEST_TMP"

# The other user namespace: uid/gid 0 inside is 100000 outside.
unshare -U sleep 60 &
holder=$!
wait_exec "$holder" sleep
echo "0 100000 65536" > "/proc/$holder/uid_map"
echo deny > "/proc/$holder/setgroups"
echo "0 100000 65536" > "/proc/$holder/gid_map"

# attach PID: PTRACE_ATTACH as the namespace's root; prints the errno (0: attached).
attach ()
{
  nsenter --target "$holder" --user --setuid 0 --setgid 0 python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
pid = int(sys.argv[1])
r = libc.ptrace(16, pid, 0, 0)          # PTRACE_ATTACH
e = ctypes.get_errno() if r != 0 else 0
if r == 0:
    os.waitpid(pid, 0)
    libc.ptrace(17, pid, 0, 0)          # PTRACE_DETACH
print(e)' "$1"
}

# Control: a process of the namespace's root can be attached to.
nsenter --target "$holder" --user --setuid 0 --setgid 0 sleep 30 &
victim=$!
wait_exec "$victim" sleep
is "control: the namespace's root attaches to its own process" 0 "$(attach "$victim")"
kill "$victim"
wait "$victim" 2>/dev/null

config ()
{
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": [ "/bin/busybox", "sleep", "3" ],
               "env": [ "PATH=/bin" ], "cwd": "/" },
  "root": { "path": "rootfs" },
  "mounts": [ { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" } ],
  "linux": { "namespaces": [ { "type": "user", "path": "/proc/$holder/ns/user" },
                             { "type": "mount" } ] }
  $1
}
JSON
}

config ""
"$HUSK" --oci "$B" 2>"$TEST_TMP/err" &
hp=$!
for _ in $(seq 50); do
  [ "$(readlink "/proc/$hp/ns/user")" = "$(readlink "/proc/$holder/ns/user")" ] && break
  sleep 0.05
done
is "husk's parent is in the joined user namespace (control)" \
  "$(readlink "/proc/$holder/ns/user")" "$(readlink "/proc/$hp/ns/user")"
is "the namespace's root cannot PTRACE_ATTACH to husk's parent (EPERM)" 1 "$(attach "$hp")"
wait "$hp"
is "the container ran (status 0)" 0 "$?"

printf '#!/bin/sh\ntouch %s/hook-ran\n' "$TEST_TMP" > "$TEST_TMP/hook"
chmod 755 "$TEST_TMP/hook"
config ", \"hooks\": { \"prestart\": [ { \"path\": \"$TEST_TMP/hook\" } ] }"
hrun --oci "$B"
is "prestart hook with a joined user namespace: exit 1" 1 "$RC"
like "prestart hook with a joined user namespace: one line naming it" \
  '^husk: hooks.prestart\[0\]: cannot run in the runtime namespace' "$ERR"
ok "prestart hook with a joined user namespace: never ran" test ! -e "$TEST_TMP/hook-ran"

kill "$holder"
wait "$holder" 2>/dev/null
done_testing
