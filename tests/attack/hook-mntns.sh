#!/bin/bash
# hook-mntns.sh: a config may join a mount namespace that someone else owns
# (linux.namespaces [{"type": "mount", "path": ...}], --mntns); husk's
# parent joins it before clone.  What the runtime-spec runs "in the runtime
# namespace" must still resolve in husk's own tree: the OCI hooks husk's
# parent runs (prestart, createRuntime, poststart, poststop) and the
# seccomp agent's listenerPath.  Otherwise the joined namespace's owner
# puts its own file at the hook's path (or its own socket at listenerPath)
# and husk runs it with its privileges in the host's other namespaces (or
# hands it the sandbox's seccomp listener).
# As root: the host's hook and agent are used, never the namespace's.
# Unprivileged (a user namespace joined too: hook-userns.sh): the hook is
# refused, one error line, exit 1; the namespace's file never runs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

if is_bwrap; then
  skip "${0##*/}" "OCI hooks are husk-only"
  done_testing
  exit
fi
need_busybox

B=$TEST_TMP/bundle
D=$TEST_TMP/hk        # covered by a tmpfs in the other namespace
oci_bundle "$B" sh
mkdir -p "$D"
cat > "$D/hook" <<EOF
#!/bin/sh
echo "\$1" >> "$TEST_TMP/host-ran"
EOF
chmod 755 "$D/hook"
chmod -R a+rX "$TEST_TMP"

# The other mount namespace (with a user namespace when not root): the
# same tree but its own file at $D/hook, and its own agent at $D/agent.sock.
if is_root; then ns_flags=-m; else ns_flags=-Urm; fi
AGENT=${HUSK_SECCOMP_AGENT:-}
unshare $ns_flags --propagation private sh -c '
  mount -t tmpfs none "$1" || exit 1
  printf "#!/bin/sh\necho \"\$1\" >> %s/evil-ran\n" "$2" > "$1/hook"
  chmod 755 "$1/hook"
  if [ -x "$3" ]; then "$3" "$1/agent.sock" "$2/evil-agent" 0 & echo $! > "$2/evil-agent.pid"; fi
  : > "$2/ready"
  exec sleep 60' sh "$D" "$TEST_TMP" "$AGENT" &
holder=$!
for _ in $(seq 100); do [ -e "$TEST_TMP/ready" ] && break; sleep 0.05; done
ok "the other mount namespace is ready (control)" test -e "$TEST_TMP/ready"
wait_exec "$holder" sleep
NS=/proc/$holder/ns

if is_root; then joins="{ \"type\": \"mount\", \"path\": \"$NS/mnt\" }"
else joins="{ \"type\": \"user\", \"path\": \"$NS/user\" }, { \"type\": \"mount\", \"path\": \"$NS/mnt\" }"
fi
h () { printf '{ "path": "%s", "args": [ "hook", "%s" ] }' "$D/hook" "$1"; }
cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": [ "/bin/sh", "-c", "exit 3" ],
               "env": [ "PATH=/bin" ], "cwd": "/" },
  "root": { "path": "rootfs" },
  "mounts": [ { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" } ],
  "linux": { "namespaces": [ $joins ] },
  "hooks": { "prestart": [ $(h prestart) ], "createRuntime": [ $(h createRuntime) ],
             "poststart": [ $(h poststart) ], "poststop": [ $(h poststop) ] }
}
JSON
chmod a+r "$B/config.json"

hrun --oci "$B"
ok "the joined namespace's hook file never ran" test ! -e "$TEST_TMP/evil-ran"
if is_root; then
  is "joined mount namespace: the program ran" 3 "$RC"
  is "joined mount namespace: the host's hook file ran, for each kind" \
    "prestart createRuntime poststart poststop" "$(tr '\n' ' ' < "$TEST_TMP/host-ran" 2>/dev/null | sed 's/ $//')"
else
  is "joined user and mount namespaces: the hook cannot go back: exit 1" 1 "$RC"
  like "joined user and mount namespaces: the error names the hook and why" \
    "husk: hooks.prestart\\[0\\]: cannot run in the runtime namespace" "$(grep -v warning <<<"$ERR")"
fi

# The seccomp agent: listenerPath is connected from husk's own namespace.
if [ -z "$AGENT" ] || [ ! -x "$AGENT" ] || ! is_root; then
  skip "joined mount namespace: the seccomp listener goes to the host's agent" \
    "$([ -x "$AGENT" ] && echo 'joining a mount namespace needs root (or its user namespace)' || echo 'HUSK_SECCOMP_AGENT not built')"
  skip "joined mount namespace: the namespace's agent got nothing" "as above"
else
  cat > "$TEST_TMP/notify.json" <<JSON
{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$D/agent.sock",
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY" } ] }
JSON
  "$AGENT" "$D/agent.sock" "$TEST_TMP/host-agent" 15 &
  apid=$!
  for _ in $(seq 100); do [ -S "$D/agent.sock" ] && break; sleep 0.05; done
  hrun --ro-bind / / --tmpfs /mnt --seccomp-profile "$TEST_TMP/notify.json" \
    --mntns 5 "$P" mkdir /mnt/d 5<"$NS/mnt"
  wait "$apid"
  is "joined mount namespace: the seccomp listener goes to the host's agent" "0 ENOTBLK state ok" \
    "$RC $OUT $(sed -n 1p "$TEST_TMP/host-agent" 2>/dev/null)"
  ok "joined mount namespace: the namespace's agent got nothing" test ! -s "$TEST_TMP/evil-agent"
fi

[ -s "$TEST_TMP/evil-agent.pid" ] && kill "$(cat "$TEST_TMP/evil-agent.pid")" 2>/dev/null
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
done_testing
