#!/bin/bash
# husk-test: root-only (joining a mount namespace another user owns needs root)
# proc-mntns.sh: a config may join a mount namespace that someone else owns
# (linux.namespaces [{"type": "mount", "path": ...}]).  Its owner can cover
# /proc and /sys there with files of its own: a fake
# /sys/module/apparmor/parameters/enabled saying Y, and at
# /proc/thread-self/attr/..., /proc/self/oom_score_adj and /proc/sys/...
# binds of a file root owns.  husk must still see the host's answers and
# write the kernel's files: the AppArmor check fails as on the host (no
# AppArmor here), and the oom score and the sysctl reach the container
# while the root-owned bait file keeps its text.  Before, the check and
# the writes went through the joined namespace's paths: the profile
# "applied" to a file, and root wrote into the bait.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

if is_bwrap; then
  skip "${0##*/}" "OCI mode is husk-only"
  done_testing
  exit
fi
need_busybox

B=$TEST_TMP/bundle
oci_bundle "$B" sh cat
mkdir -p "$B/rootfs/proc"
BAIT=$TEST_TMP/bait
echo "ROOT-OWNED-BAIT" > "$BAIT"
chmod 644 "$BAIT"
chmod -R a+rX "$TEST_TMP"
u=${HUSK_TEST_USER:-65534}
H=$TEST_TMP/holder     # the other user's: where it says it is ready
mkdir -p "$H"
chown "$u" "$H"

# The host's cgroup v2 mount (the first in mountinfo), which the other
# namespace covers with a tmpfs of its own.
CG2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)

# The other user's namespaces: /proc a tmpfs of links to the real entries,
# except thread-self, self and sys, which lead to its own tree.
setpriv --reuid="$u" --regid="$u" --clear-groups -- \
  unshare -Urm --propagation private sh -c '
  set -e
  T=$1 BAIT=$2
  mount -t tmpfs none /mnt
  mkdir -p /mnt/rp /mnt/fake/attr/apparmor /mnt/self /mnt/sys/kernel
  mount --rbind /proc /mnt/rp
  for f in /mnt/fake/attr/apparmor/exec /mnt/fake/attr/exec /mnt/self/oom_score_adj \
           /mnt/sys/kernel/shm_rmid_forced; do
    : > "$f"; mount --bind "$BAIT" "$f"
  done
  mount -t tmpfs none /proc
  for e in /mnt/rp/*; do
    n=${e##*/}
    case $n in thread-self|self|sys) ;; *) ln -s "$e" "/proc/$n" ;; esac
  done
  ln -s /mnt/fake /proc/thread-self
  ln -s /mnt/self /proc/self
  ln -s /mnt/sys /proc/sys
  mount -t tmpfs none /sys/module
  mkdir -p /sys/module/apparmor/parameters
  echo Y > /sys/module/apparmor/parameters/enabled
  [ -z "$3" ] || mount -t tmpfs none "$3"
  : > "$T/ready"
  exec sleep 60' sh "$H" "$BAIT" "$CG2" 2>"$TEST_TMP/holder.err" &
holder=$!
for _ in $(seq 100); do [ -e "$H/ready" ] && break; sleep 0.05; done
ok "the other user's mount namespace is ready (control)" test -e "$H/ready"
[ -e "$H/ready" ] || diag "$(cat "$TEST_TMP/holder.err")"
wait_exec "$holder" sleep
MNT=/proc/$holder/ns/mnt
is "in it, AppArmor looks enabled and /proc/sys/kernel/shm_rmid_forced is the bait (control)" \
  "Y ROOT-OWNED-BAIT" \
  "$(nsenter -m -t "$holder" sh -c 'cat /sys/module/apparmor/parameters/enabled /proc/sys/kernel/shm_rmid_forced' | tr '\n' ' ' | sed 's/ $//')"

# config EXTRA-PROCESS EXTRA-LINUX ARGS
config ()
{
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": [ $3 ],
               "env": [ "PATH=/bin" ], "cwd": "/" $1 },
  "root": { "path": "rootfs" },
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" } ],
  "linux": { "namespaces": [ { "type": "mount", "path": "$MNT" }, { "type": "ipc" },
                             { "type": "pid" } ] $2 }
}
JSON
}

config ', "apparmorProfile": "husk-test-evil"' '' '"/bin/sh", "-c", "exit 3"'
hrun --oci "$B"
is "apparmorProfile, joined mount namespace: exit 1 (AppArmor is off on the host)" 1 "$RC"
like "... the error is the host's answer" \
  'husk: process.apparmorProfile: (AppArmor is not enabled on this system|this husk was built without AppArmor support)' "$ERR"
is "... the bait keeps its text" "ROOT-OWNED-BAIT" "$(cat "$BAIT")"

config ', "oomScoreAdj": 123' ', "sysctl": { "kernel.shm_rmid_forced": "1" }' \
  '"/bin/cat", "/proc/self/oom_score_adj", "/proc/sys/kernel/shm_rmid_forced"'
hrun --oci "$B"
is "oomScoreAdj and a sysctl, joined mount namespace: both reach the container" \
  "0 123 1" "$RC $(echo $OUT)"
is "... the bait keeps its text" "ROOT-OWNED-BAIT" "$(cat "$BAIT")"

# linux.cgroupsPath: the cgroup is made (and removed) in the host's
# hierarchy, not in the tmpfs the other namespace put over it.
if [ -n "$CG2" ] && [ -w "$CG2" ]; then
  cgp=husk-test-pm-$$
  config '' ", \"cgroupsPath\": \"/$cgp\"" '"/bin/cat", "/proc/self/cgroup"'
  hrun --oci "$B"
  is "cgroupsPath, joined mount namespace: the container is in the host's new cgroup" \
    "0 0::/$cgp" "$RC $(grep '^0::' <<<"$OUT")"
  ok "... which is removed afterwards" test ! -e "$CG2/$cgp"
  is "... and nothing was made in the other namespace's tmpfs" "" \
    "$(nsenter -m -t "$holder" ls -A "$CG2" 2>&1)"
  rmdir "$CG2/$cgp" 2>/dev/null
else
  skip "cgroupsPath, joined mount namespace" "no writable cgroup v2 mount here"
  skip "... which is removed afterwards" "as above"
  skip "... and nothing was made in the other namespace's tmpfs" "as above"
fi

kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
done_testing
