#!/bin/bash
# join.sh: joining existing namespaces (issue 6): --netns, --utsns,
# --ipcns, --cgroupns, --mntns by path and by fd, and --join-pid of a
# process made by unshare(1) and of another husk sandbox.  The sandbox sees
# the same namespace inodes as the target, the joined mount namespace is the
# starting point and is left unchanged, and errors name the flag.  As an
# unprivileged user the single flags need the owning user namespace, which
# --join-pid joins.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

T=$TEST_TMP
S=(--ro-bind / / --dev /dev --proc /proc)

wait_for ()
{
  local i
  for ((i = 0; i < 50; i++)); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
ns () { readlink "/proc/$1/ns/$2"; }

# A target: new net, uts, ipc and mount namespaces (and a user namespace
# when unprivileged), with a tmpfs on /mnt holding a marker file.
if is_root; then
  ushare=(unshare --net --uts --ipc --mount --propagation private)
else
  ushare=(unshare --user --map-root-user --net --uts --ipc --mount --propagation private)
fi
"${ushare[@]}" sh -c "mount -t tmpfs none /mnt && echo marker >/mnt/marker && hostname target && echo up >$T/up && exec sleep 60" \
  >/dev/null 2>&1 </dev/null &
upid=$!
if ! wait_for "$T/up" up; then
  skip "join.sh" "unshare(1) cannot make the target namespaces here"
  kill "$upid" 2>/dev/null
  done_testing
  exit
fi
wait_exec "$upid" sleep
mounts_before=$(wc -l <"/proc/$upid/mountinfo")

# --join-pid: every namespace that differs, as root and as the user.
hrun --join-pid "$upid" "${S[@]}" sh -c 'readlink /proc/self/ns/net /proc/self/ns/uts /proc/self/ns/ipc; hostname; cat /mnt/marker'
is "--join-pid: net, uts, ipc of the target, its hostname and mounts" \
  "0 $(ns "$upid" net) $(ns "$upid" uts) $(ns "$upid" ipc) target marker" "$RC $(echo $OUT)"
is "the joined mount namespace is left as it was" "$mounts_before" "$(wc -l <"/proc/$upid/mountinfo")"

hrun --join-pid "$upid" "${S[@]}" --unshare-pid --unshare-uts --hostname inner \
  sh -c 'hostname; readlink /proc/self/ns/net'
is "--join-pid then new namespaces inside the joined ones" "0 inner $(ns "$upid" net)" "$RC $(echo $OUT)"
hrun --join-pid "$upid" "${S[@]}" hostname
is "... which leave the target's hostname alone" "0 target" "$RC $OUT"

if is_root; then
  hrun --netns "/proc/$upid/ns/net" "${S[@]}" readlink /proc/self/ns/net
  is "--netns PATH" "0 $(ns "$upid" net)" "$RC $OUT"
  exec 7<"/proc/$upid/ns/net"
  hrun --netns 7 "${S[@]}" sh -c 'readlink /proc/self/ns/net; ls /proc/self/fd | grep -cx 7'
  exec 7<&-
  is "--netns FD, and the fd does not reach the program" "1 $(ns "$upid" net) 0" "$RC $(echo $OUT)"
  hrun --utsns "/proc/$upid/ns/uts" --ipcns "/proc/$upid/ns/ipc" --cgroupns /proc/self/ns/cgroup \
    "${S[@]}" sh -c 'hostname; readlink /proc/self/ns/ipc'
  is "--utsns, --ipcns, --cgroupns" "0 target $(ns "$upid" ipc)" "$RC $(echo $OUT)"
  hrun --mntns "/proc/$upid/ns/mnt" "${S[@]}" cat /mnt/marker
  is "--mntns: the sandbox is built from the joined mount namespace" "0 marker" "$RC $OUT"
  is "... which is left as it was" "$mounts_before" "$(wc -l <"/proc/$upid/mountinfo")"
else
  hrun --netns "/proc/$upid/ns/net" "${S[@]}" true
  like "--netns without rights over it: EPERM naming the flag" \
    "^husk: --netns /proc/$upid/ns/net: setns: Operation not permitted" "$ERR"
  exec 5<"/proc/$upid/ns/user"
  hrun --userns 5 --netns "/proc/$upid/ns/net" --mntns "/proc/$upid/ns/mnt" "${S[@]}" \
    sh -c 'readlink /proc/self/ns/net; cat /mnt/marker'
  exec 5<&-
  is "--userns then --netns and --mntns of that user namespace" "0 $(ns "$upid" net) marker" \
    "$RC $(echo $OUT)"
fi

# Errors name the flag.
hrun --netns "$T/nope" "${S[@]}" true
is "a missing path" "husk: --netns $T/nope: No such file or directory" "$ERR"
hrun --ipcns 77 "${S[@]}" true
is "a closed fd" "husk: --ipcns 77: Bad file descriptor" "$ERR"
hrun --netns /proc/self/ns/uts "${S[@]}" true
like "a namespace of the wrong kind" '^husk: --netns /proc/self/ns/uts: setns: Invalid argument' "$ERR"
like "... with a hint" 'not a net namespace' "$ERR"
hrun --join-pid 2147483646 "${S[@]}" true
is "no such process" "husk: --join-pid 2147483646: No such process" "$ERR"
kill "$upid"
wait "$upid" 2>/dev/null

# --join-pid of another husk sandbox's program (its command-pid).
rm -f "$T/out" "$T/js"
"$HUSK" "${S[@]}" --unshare-all --hostname joinme --info-fd 3 --json-status-fd 4 \
  sh -c 'echo ready; exec sleep 60' 3>"$T/info" 4>"$T/js" >"$T/out" 2>&1 </dev/null &
hpid=$!
wait_for "$T/out" ready
cpid=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' "$T/info")
ppid=$(sed -n 's/.*"command-pid": *\([0-9]*\).*/\1/p' "$T/js")
hrun --join-pid "$ppid" "${S[@]}" sh -c 'hostname; readlink /proc/self/ns/net /proc/self/ns/pid; cat /proc/1/comm'
is "--join-pid of a husk sandbox's program: its hostname, network, pid namespace" \
  "0 joinme $(ns "$ppid" net) $(ns "$ppid" pid) $(basename "$HUSK" | cut -c1-15)" "$RC $(echo $OUT)"
# Its pid-1 reaper (child-pid, as flatpak enter uses it) can be joined too:
# it stays dumpable so that tools can enter the sandbox through it.
hrun --join-pid "$cpid" "${S[@]}" hostname
is "--join-pid of the reaper (child-pid)" "0 joinme" "$RC $OUT"
kill "$hpid"
wait "$hpid"
is "... the sandbox it joined ends as usual (SIGTERM forwarded)" 143 "$?"

# --pidns (bwrap): the pid namespace of a running sandbox, alone (the
# sandbox's processes live in it) and with --unshare-pid (a new pid
# namespace nested below it).  The target has a user namespace of its own
# (--unshare-all), so even root joins it first (--userns): a new pid
# namespace must belong to a user namespace at or below the joined one's.
rm -f "$T/info2"
"$HUSK" "${S[@]}" --unshare-all --info-fd 3 sh -c 'echo ready; exec sleep 60' \
  3>"$T/info2" >"$T/out2" 2>&1 </dev/null &
hpid=$!
wait_for "$T/out2" ready
cpid=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' "$T/info2")
U=(--userns 4)
# $$ of sh: pid 1 is the target's reaper, so a process that joined gets a
# higher pid there; /proc (bound from the host here) still resolves self.
hrun "${U[@]}" --pidns 5 --ro-bind / / sh -c 'readlink /proc/self/ns/pid; echo $$' \
  4<"/proc/$cpid/ns/user" 5<"/proc/$cpid/ns/pid"
is "--pidns FD: the sandbox is in that pid namespace" "0 $(ns "$cpid" pid)" "$RC $(echo "$OUT" | head -n1)"
like "--pidns FD: with a pid above the target's own" '^[0-9]+$' "$(echo "$OUT" | sed -n 2p)"
hrun "${U[@]}" --pidns 5 --unshare-pid --ro-bind / / --proc /proc \
  sh -c 'readlink /proc/self/ns/pid; echo $$; exit 3' 4<"/proc/$cpid/ns/user" 5<"/proc/$cpid/ns/pid"
is "--pidns FD --unshare-pid: exit status passes through the nesting" 3 "$RC"
is "--pidns FD --unshare-pid: pid 1 is the sandbox's own reaper, sh is 2" 2 "$(echo "$OUT" | sed -n 2p)"
new_pidns=$(echo "$OUT" | head -n1)
unlike "--pidns FD --unshare-pid: a new pid namespace, not the joined one" "^$(ns "$cpid" pid)\$" "$new_pidns"
unlike "... nor the caller's" "^$(readlink /proc/self/ns/pid)\$" "$new_pidns"
# Nested below the joined one: through the host's /proc (bound with /),
# the sandbox's NSpid line lists its pid in every pid namespace from the
# host's down: the host's, the joined one's, and the new one's.
hrun --userns 4 --pidns 5 --unshare-pid --ro-bind / / sh -c 'grep NSpid: /proc/self/status' \
  4<"/proc/$cpid/ns/user" 5<"/proc/$cpid/ns/pid"
like "--pidns FD --unshare-pid: three pid namespace levels (host, joined, new)" \
  '^NSpid:[[:space:]]+[0-9]+[[:space:]]+[0-9]+[[:space:]]+[0-9]+$' "$OUT"
hrun --pidns 9 --ro-bind / / true
is "--pidns with a closed fd: exit 1" 1 "$RC"
like "... one line naming it" '^husk: --pidns 9' "$ERR"
kill "$hpid"
wait "$hpid"

done_testing
