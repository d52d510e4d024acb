#!/bin/bash
# seccomp-notify.sh: SCMP_ACT_NOTIFY with a seccomp agent (issue 5), for
# --seccomp-profile and OCI's linux.seccomp: the agent
# (tests/probe/seccomp-agent.c) gets the runtime-spec container process
# state with the listener and answers the sandbox's mkdir; an agent that
# cannot be reached is one error line, exit 1, nothing left behind.  And the
# filter flags: LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV load, and a flag the
# kernel rejects is named.  husk only (bwrap has neither).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

AGENT=${HUSK_SECCOMP_AGENT:-}
if [ -z "$AGENT" ] || [ ! -x "$AGENT" ]; then
  if [ "$HUSK_MUST_WORK" = 1 ]; then
    _t_result 1 "husk-seccomp-agent is built (HUSK_SECCOMP_AGENT)"
  else
    skip "${0##*/}" "HUSK_SECCOMP_AGENT not built"
  fi
  done_testing
  exit
fi
export XDG_CACHE_HOME=$TEST_TMP/cache
W=$TEST_TMP/w   # a scratch tmpfs inside
mkdir "$W"
SOCK=$TEST_TMP/agent.sock
REPORT=$TEST_TMP/report

# agent_start ERRNO [METADATA]: the agent listens on $SOCK (in the background).
agent_start ()
{
  rm -f "$SOCK" "$REPORT"
  "$AGENT" "$SOCK" "$REPORT" "$@" &
  apid=$!
  for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
}
# agent_wait: its exit status in ARC, its report in REP.
agent_wait ()
{
  wait "$apid"
  ARC=$?
  REP=$(cat "$REPORT" 2>/dev/null)
}

cat >"$TEST_TMP/notify.json" <<JSON
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "listenerPath": "$SOCK",
  "listenerMetadata": "meta-1",
  "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY" } ]
}
JSON
MKDIR_LS="$P mkdir $W/d; ls -A $W; echo end"

# 1. --seccomp-profile: the agent answers mkdir with ENOTBLK (15).
agent_start 15 meta-1
cd "$TEST_TMP" || exit 1
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/notify.json" sh -c "$MKDIR_LS"
cd - >/dev/null || exit 1
agent_wait
is "NOTIFY: mkdir inside returns the agent's errno" "0 ENOTBLK
end" "$RC $OUT"
is "NOTIFY: the agent found the state valid, answered one mkdir" "0 state ok mkdir 1" \
  "$ARC $(sed -n 1p <<<"$REP") $(sed -n 3p <<<"$REP")"
like "NOTIFY: state: id husk-PID, bundle husk's working directory (flag mode), no annotations" \
  "^pid=[1-9][0-9]* id=husk-[0-9]+ bundle=$TEST_TMP annotations=$" "$(sed -n 2p <<<"$REP")"
n=$(ls "$XDG_CACHE_HOME/husk/seccomp" 2>/dev/null | grep -c '\.bpf$')
is "NOTIFY: the compiled program was cached" "1" "$n"

# 2. A cache hit (no JSON parsed) keeps the flags and the listener; a fake
# success (0) creates nothing.
agent_start 0 meta-1
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/notify.json" sh -c "$MKDIR_LS"
agent_wait
is "NOTIFY (cache hit): mkdir 'succeeds' and creates nothing" "0 ok
end" "$RC $OUT"
is "NOTIFY (cache hit): the agent got the state and one mkdir" "0 state ok mkdir 1" \
  "$ARC $(sed -n 1p <<<"$REP") $(sed -n 3p <<<"$REP")"

# 3. Without a pid namespace (no reaper: the program is husk's child).
agent_start 15 meta-1
hrun --ro-bind / / --dev /dev --proc /proc --tmpfs "$W" \
  --seccomp-profile "$TEST_TMP/notify.json" "$P" mkdir "$W/d"
agent_wait
is "NOTIFY without a pid namespace" "0 ENOTBLK 0 state ok" "$RC $OUT $ARC $(sed -n 1p <<<"$REP")"

# 4. An agent that cannot be reached: one line, exit 1, nothing left.
cp "$TEST_TMP/notify.json" "$TEST_TMP/notify-unreachable.json"
rm -f "$SOCK"
mounts_snapshot
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/notify-unreachable.json" \
  sh -c 'echo the program ran'
is "unreachable agent: exit 1, the program never ran" "1 " "$RC $OUT"
is "unreachable agent: one error line" \
  "husk: --seccomp-profile $TEST_TMP/notify-unreachable.json: listenerPath: connect $SOCK: No such file or directory" \
  "$ERR"
assert_nothing_left "unreachable agent" "$TEST_TMP/notify-unreachable.json"

# 5. OCI: linux.seccomp with the annotations and the bundle in the state.
B=$TEST_TMP/bundle
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/dev" "$B/rootfs/tmp"
cp "$P" "$B/rootfs/bin/probe"
oci_config ()
{
  cat >"$B/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": [ $1 ], "cwd": "/",
               "noNewPrivileges": true },
  "root": { "path": "rootfs" },
  "annotations": { "org.example.key": "v1" },
  "mounts": [ { "destination": "/proc", "type": "proc", "source": "proc" },
              { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" },
              { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs" } ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" } ],
    "seccomp": {
      "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "$SOCK", "listenerMetadata": "oci-meta",
      "syscalls": [ { "names": [ "mkdir", "mkdirat" ], "action": "SCMP_ACT_NOTIFY" } ] }
  }
}
JSON
}
oci_config '"/bin/probe", "mkdir", "/tmp/d"'
agent_start 15 oci-meta
hrun --oci "$B"
agent_wait
is "OCI NOTIFY: mkdir inside returns the agent's errno" "0 ENOTBLK" "$RC $OUT"
is "OCI NOTIFY: the agent found the state valid, answered one mkdir" "0 state ok mkdir 1" \
  "$ARC $(sed -n 1p <<<"$REP") $(sed -n 3p <<<"$REP")"
like "OCI NOTIFY: state: the bundle and the annotations" \
  "^pid=[1-9][0-9]* id=husk-[0-9]+ bundle=$B annotations=org.example.key=v1,$" \
  "$(sed -n 2p <<<"$REP")"
agent_start 0 oci-meta
hrun --oci "$B"
agent_wait
is "OCI NOTIFY: a fake success" "0 ok 0" "$RC $OUT $ARC"
rm -f "$SOCK"
oci_config '"/bin/probe", "ids"'
mounts_snapshot
hrun --oci "$B"
is "OCI unreachable agent: exit 1, one line naming listenerPath" \
  "1 husk: linux.seccomp.listenerPath: connect $SOCK: No such file or directory" "$RC $ERR"
assert_nothing_left "OCI unreachable agent" "$B"

# 6. Flags.  LOG: the filter still works (what it logs goes to the audit
# log, not checked here).
cat >"$TEST_TMP/log.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"],
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122 } ] }
JSON
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/log.json" "$P" mkdir "$W/d"
is "flag LOG: loaded, the rule still applies" "0 EDQUOT" "$RC $OUT"
# SPEC_ALLOW: without it, a seccomp filter makes the kernel force the
# speculative store bypass mitigation (where the kernel mitigates it by
# prctl/seccomp); with it, the thread is left as it was.
printf '{ "defaultAction": "SCMP_ACT_ALLOW" }' >"$TEST_TMP/plain.json"
printf '{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"] }' \
  >"$TEST_TMP/spec.json"
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/plain.json" grep Speculation_Store_Bypass /proc/self/status
plain=$OUT
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/spec.json" grep Speculation_Store_Bypass /proc/self/status
is "flag SPEC_ALLOW: loaded" "0" "$RC"
hrun "${SB[@]}" grep Speculation_Store_Bypass /proc/self/status
none=$OUT
if [ "$plain" != "$none" ]; then
  is "flag SPEC_ALLOW: the SSB state is the one without a filter" "$none" "$OUT"
else
  skip "flag SPEC_ALLOW: the SSB state is the one without a filter" \
    "seccomp does not change it on this machine ($plain)"
fi

# A flag the kernel rejects (EINVAL) is named: simulated by an earlier
# program that makes seccomp(2) with SECCOMP_FILTER_FLAG_LOG (2) in its
# flags fail with EINVAL, as a kernel without the flag does (x86-64).
if [ "$(uname -m)" = x86_64 ]; then
  # ld nr; jeq 317 (seccomp) else ALLOW; ld args[1]; jset 2 else ALLOW;
  # ret ERRNO(EINVAL); ret ALLOW
  printf '%b' '\x20\x00\x00\x00\x00\x00\x00\x00' '\x15\x00\x00\x03\x3d\x01\x00\x00' \
    '\x20\x00\x00\x00\x18\x00\x00\x00' '\x45\x00\x00\x01\x02\x00\x00\x00' \
    '\x06\x00\x00\x00\x16\x00\x05\x00' '\x06\x00\x00\x00\x00\x00\xff\x7f' >"$TEST_TMP/nolog.bpf"
  # husk checks before it starts anything (phase 0): husk run inside a
  # sandbox with that program.
  hrun --ro-bind / / --dev /dev --proc /proc --add-seccomp-fd 3 \
    "$HUSK" --ro-bind / / --seccomp-profile "$TEST_TMP/log.json" true 3<"$TEST_TMP/nolog.bpf"
  is "a flag the kernel lacks: exit 1, one line naming it" \
    "1 husk: --seccomp-profile $TEST_TMP/log.json: SECCOMP_FILTER_FLAG_LOG is not supported by this kernel" \
    "$RC $ERR"
  # and the child, should the check pass and loading fail (no reaper: it
  # could only kill the program).
  hrun --ro-bind / / --dev /dev --proc /proc --add-seccomp-fd 3 \
    --seccomp-profile "$TEST_TMP/log.json" true 3<"$TEST_TMP/nolog.bpf"
  is "a flag the kernel rejects when loading: exit 1, one line naming it" \
    "1 husk: --seccomp-profile $TEST_TMP/log.json: SECCOMP_FILTER_FLAG_LOG is not supported by this kernel" \
    "$RC $ERR"
else
  skip "a flag the kernel lacks" "the simulating program is for x86-64"
  skip "a flag the kernel rejects when loading" "the simulating program is for x86-64"
fi

done_testing
