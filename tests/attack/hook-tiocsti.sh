#!/bin/bash
# hook-tiocsti.sh: an OCI startContainer hook is a file of the container's
# rootfs (its path resolves there), run as the program is, with husk's
# stderr as its stdout and stderr: when husk runs on a terminal, that is
# the caller's terminal, and OCI configs keep husk's session (no setsid),
# so it is the hook's controlling terminal.  TIOCSTI on it would push
# keystrokes into the caller's shell, which the built-in seccomp filter
# stops for the program: it must stop it for the hook too, with and
# without a pid namespace (without one, no reaper loads the filter early).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

if is_bwrap; then
  skip "${0##*/}" "OCI hooks are husk-only"
  done_testing
  exit
fi
if ! command -v script >/dev/null; then
  skip "${0##*/}" "no script(1) for a pty"
  done_testing
  exit
fi
need_busybox

B=$TEST_TMP/bundle
oci_bundle "$B" sh
chmod -R a+rX "$TEST_TMP"

# config NAMESPACES-JSON: the hook runs the probe's TIOCSTI on its stderr.
config ()
{
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": [ "/bin/sh", "-c", "true" ],
               "env": [ "PATH=/bin" ], "cwd": "/" },
  "root": { "path": "rootfs" },
  "mounts": [ { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" } ],
  "linux": { "namespaces": [ $1 ] },
  "hooks": { "startContainer": [
    { "path": "/bin/sh", "args": [ "sh", "-c", "/bin/probe tiocsti <&2" ] } ] }
}
JSON
}
# script(1) passes on the end of its stdin only once the pty's input is
# empty (it polls for 2 s): cat reads what a successful TIOCSTI left there.
tio () { script -qec "$*; exec cat >/dev/null" /dev/null </dev/null 2>&1 | tr -d '\r' | grep -E '^(ok|E[A-Z]+)$'; }

if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ]; then
  is "TIOCSTI on the caller's terminal works outside a sandbox (control)" ok "$(tio "$P" tiocsti)"
else
  skip "TIOCSTI on the caller's terminal works outside a sandbox (control)" \
    "dev.tty.legacy_tiocsti=0"
fi

config '{ "type": "mount" }'
is "startContainer hook, no pid namespace: TIOCSTI on husk's terminal fails" EPERM \
  "$(tio "$HUSK" --oci "$B")"
config '{ "type": "mount" }, { "type": "pid" }'
is "startContainer hook, pid namespace: TIOCSTI on husk's terminal fails" EPERM \
  "$(tio "$HUSK" --oci "$B")"

done_testing
