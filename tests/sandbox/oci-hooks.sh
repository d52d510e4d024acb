#!/bin/bash
# oci-hooks.sh: OCI hooks (issue 5) in real containers, on a busybox-static
# rootfs: all six kinds run once each, in the lifecycle's order, with the
# container's state JSON on stdin (status, pid, bundle, annotations), their
# args and exactly their env, no fd of husk's; createRuntime sees the
# host's mount namespace and createContainer the container's (a tmpfs of
# mounts[] shows at root.path for it alone); startContainer runs inside the
# container's root; a timeout kills a hook; failures: one line naming the
# hook's JSON path, exit 1, the program never ran, nothing left behind
# (poststop hooks still ran); a failing poststop hook is a warning and the
# program's status is kept; unknown hook kinds warn.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

need_busybox

B=$TEST_TMP/bundle
S=$TEST_TMP/shared   # bound at /shared: the container's side effects
oci_bundle "$B" sh cat echo ls sleep readlink id env true
mkdir -p "$B/rootfs/ctmp" "$B/rootfs/shared" "$S"

# The host's hook: log its kind, save its state, args, env and namespaces.
HOOK=$TEST_TMP/hook
cat > "$HOOK" <<'EOF'
#!/bin/sh
k=$1; shift
d=$(dirname "$0")/shared
state=$(cat)
printf '%s\n' "$state" > "$d/state.$k"
echo "$k" >> "$d/log"
echo "$*" > "$d/args.$k"
env | grep -v '^PWD=\|^SHLVL=\|^_=' | sort > "$d/env.$k"
readlink /proc/self/ns/mnt > "$d/mnt.$k"
pid=$(printf '%s' "$state" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
# The pid as the runtime namespace sees it (not in createContainer's).
if [ -n "$pid" ] && [ "$k" != createContainer ]; then
  readlink "/proc/$pid/ns/mnt" > "$d/pidmnt.$k"
  sed -n 's/^NSpid:[[:space:]]*//p' "/proc/$pid/status" > "$d/nspid.$k"
  tr '\0' ' ' < "/proc/$pid/cmdline" > "$d/cmdline.$k"
fi
bundle=$(printf '%s' "$state" | sed -n 's/.*"bundle":"\([^"]*\)".*/\1/p')
case $k in
  createRuntime|createContainer)
    echo "$k" > "$bundle/rootfs/ctmp/from-$k" ;;
  poststart)
    : > "$d/poststart-done" ;;
esac
exit "${HOOK_EXIT:-0}"
EOF
chmod 755 "$HOOK"
# The container's startContainer hook (a path only in the rootfs).
cat > "$B/rootfs/bin/start-hook" <<'EOF'
#!/bin/sh
cat > /shared/state.startContainer
echo startContainer >> /shared/log
ls /ctmp > /shared/ctmp.startContainer
id -u > /shared/uid.startContainer
EOF
chmod 755 "$B/rootfs/bin/start-hook"

# The program: log, list /ctmp, wait (at most 5 s) for the poststart hook.
PROG='"/bin/sh", "-c", "echo program >> /shared/log; ls /ctmp > /shared/ctmp.program; i=0; while [ ! -e /shared/poststart-done ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; exit 7"'

# config HOOKS-JSON [ARGS-JSON]
config ()
{
  cat > "$B/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": { "user": { "uid": 0, "gid": 0 }, "args": [ ${2:-$PROG} ],
               "env": [ "PATH=/bin" ], "cwd": "/" },
  "root": { "path": "rootfs" },
  "annotations": { "org.example.hooks": "a \"quoted\" value" },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs" },
    { "destination": "/ctmp", "type": "tmpfs", "source": "tmpfs" },
    { "destination": "/shared", "type": "bind", "source": "$S", "options": [ "rbind", "rw" ] }
  ],
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" } ] },
  "hooks": { $1 }
}
JSON
}
h () # h KIND [EXTRA-JSON]: the host hook for KIND (exit status $HEXIT)
{
  local env='"HOOK_ENV=v 1"'
  [ -n "${HEXIT:-}" ] && env="$env, \"HOOK_EXIT=$HEXIT\""
  printf '{ "path": "%s", "args": [ "hook", "%s", "arg two" ], "env": [ %s ]%s }' \
    "$HOOK" "$1" "$env" "${2:-}"
}
reset () { rm -rf "$S"/* "$B"/rootfs/ctmp/*; }
field () { sed -n "s/.*\"$1\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p" "$S/state.$2"; }

mounts_snapshot
HOSTMNT=$(readlink /proc/self/ns/mnt)

# 1. Every kind, in order.
ALL="\"prestart\": [ $(h prestart) ], \"createRuntime\": [ $(h createRuntime) ],
  \"createContainer\": [ $(h createContainer ', "timeout": 10') ],
  \"startContainer\": [ { \"path\": \"/bin/start-hook\" } ],
  \"poststart\": [ $(h poststart) ], \"poststop\": [ $(h poststop) ]"
reset
config "$ALL"
export HUSK_TEST_MARKER=leak
hrun --oci "$B"
unset HUSK_TEST_MARKER
is "all hooks: the program's status" 7 "$RC"
is "all hooks: nothing on stderr" "" "$ERR"
is "all hooks ran once, in the lifecycle's order" \
  "prestart createRuntime createContainer startContainer program poststart poststop" \
  "$(tr '\n' ' ' < "$S/log" | sed 's/ $//')"
for k in prestart createRuntime createContainer startContainer poststart poststop; do
  case $k in
    prestart|createRuntime|createContainer) want=creating ;;
    startContainer) want=created ;;
    poststart) want=running ;;
    poststop) want=stopped ;;
  esac
  is "$k: state.status" "$want" "$(field status "$k")"
  is "$k: state.bundle is the bundle directory" "$B" "$(field bundle "$k")"
  is "$k: state.ociVersion" "1.2.0" "$(field ociVersion "$k")"
  like "$k: state.id" '^husk-[0-9]+$' "$(field id "$k")"
  like "$k: state.annotations, escaped" \
    '"annotations":\{"org.example.hooks":"a \\"quoted\\" value"\}' "$(cat "$S/state.$k")"
done
is "one id for every hook" 1 "$(cat "$S"/state.* | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | sort -u | wc -l)"
is "poststop: no pid (the container is gone)" "" "$(field pid poststop)"
CPID=$(field pid createRuntime)
like "createRuntime: a pid" '^[0-9]+$' "$CPID"
is "prestart and poststart: the same pid" "$CPID $CPID" \
  "$(field pid prestart) $(field pid poststart)"
like "the pid is the container's init (pid 1 inside)" '[0-9]+[[:space:]]+1$' \
  "$(cat "$S/nspid.createRuntime")"
like "poststart: the pid runs the program" '^/bin/sh -c echo program' \
  "$(cat "$S/cmdline.poststart")"
is "createContainer and startContainer: the pid as the container sees it" "1 1" \
  "$(field pid createContainer) $(field pid startContainer)"
is "createRuntime runs in the host's mount namespace" "$HOSTMNT" "$(cat "$S/mnt.createRuntime")"
is "poststop runs in the host's mount namespace" "$HOSTMNT" "$(cat "$S/mnt.poststop")"
is "createContainer runs in the container's mount namespace" \
  "$(cat "$S/pidmnt.createRuntime")" "$(cat "$S/mnt.createContainer")"
isnt_host=$([ "$(cat "$S/mnt.createContainer")" != "$HOSTMNT" ] && echo yes)
is "... which is not the host's" yes "$isnt_host"
is "createContainer wrote into the container's tmpfs (seen by startContainer)" \
  "from-createContainer" "$(cat "$S/ctmp.startContainer")"
is "... and by the program" "from-createContainer" "$(cat "$S/ctmp.program")"
is "createRuntime wrote into the host's rootfs directory only" "from-createRuntime" \
  "$(ls "$B/rootfs/ctmp")"
is "startContainer ran inside the container's root, with its state" "created" \
  "$(field status startContainer)"
# Without a user namespace in the config, an unprivileged caller keeps its uid.
is "startContainer: the program's uid" "$(id -u)" "$(cat "$S/uid.startContainer")"
is "args: args[0] is argv0, the rest passed" "arg two" "$(cat "$S/args.poststart")"
is "env: exactly the hook's env (not husk's)" "HOOK_ENV=v 1" "$(cat "$S/env.createRuntime")"
is "env: also in the container's namespaces" "HOOK_ENV=v 1" "$(cat "$S/env.createContainer")"
assert_nothing_left "all hooks"

# 2. No fd of husk's reaches a hook; a hook's stdout goes to husk's stderr.
reset
config "\"createRuntime\": [ { \"path\": \"$P\", \"args\": [ \"probe\", \"fds\" ] } ],
  \"createContainer\": [ { \"path\": \"$P\", \"args\": [ \"probe\", \"fds\" ] } ],
  \"poststop\": [ { \"path\": \"$P\", \"args\": [ \"probe\", \"fds\" ] } ]" '"/bin/true"'
"$HUSK" --oci "$B" >"$TEST_TMP/o" 2>"$TEST_TMP/e" </dev/null 7<"$B/config.json"
RC=$?
is "fds: exit 0" 0 "$RC"
is "fds: hooks have only 0 1 2 (husk had 7 and its own), output on stderr" "0 1 2
0 1 2
0 1 2" "$(cat "$TEST_TMP/e")"
is "fds: nothing on stdout" "" "$(cat "$TEST_TMP/o")"

# 3. A failing createRuntime hook: one line, exit 1, the program never ran,
#    poststop hooks still ran, nothing left.
reset
config "\"createRuntime\": [ $(HEXIT=3 h createRuntime) ],
  \"createContainer\": [ $(h createContainer) ], \"poststop\": [ $(h poststop) ]"
hrun --oci "$B"
is "failing createRuntime: exit 1" 1 "$RC"
is "failing createRuntime: one line naming the hook" \
  "husk: hooks.createRuntime[0]: exited with status 3" "$ERR"
is "failing createRuntime: the container stopped there; poststop ran" \
  "createRuntime poststop" "$(tr '\n' ' ' < "$S/log" | sed 's/ $//')"
assert_nothing_left "failing createRuntime" "$B"

# 4. A timeout kills the hook (and what it started), and fails the container.
# The sleeps' durations are their markers (pgrep): unique to this run, as
# root's run sees the processes of the unprivileged one next to it.
pidmark=$(printf %07d $$)
reset
config "\"createRuntime\": [ { \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"sleep 37.5$pidmark; echo no > $S/log\" ], \"timeout\": 1 } ]"
start=$(date +%s)
hrun --oci "$B"
end=$(date +%s)
is "timeout: exit 1" 1 "$RC"
is "timeout: one line naming the hook" \
  "husk: hooks.createRuntime[0]: still running after its timeout (1 s): killed" \
  "$ERR"
is "timeout: stopped after about 1 s" yes "$([ $((end - start)) -le 5 ] && echo yes)"
is "timeout: the hook never finished, the program never ran" no "$([ -e "$S/log" ] && echo yes || echo no)"
assert_nothing_left "timeout" "sleep 37.5$pidmark"

# 5. A failing createContainer (killed) and startContainer hook.
reset
config "\"createContainer\": [ { \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"kill -9 \$\$\" ] } ]"
hrun --oci "$B"
is "createContainer killed: one line, exit 1" \
  "1 husk: hooks.createContainer[0]: killed by signal 9 (Killed)" \
  "$RC $ERR"
is "createContainer killed: the program never ran" no "$([ -e "$S/log" ] && echo yes || echo no)"
reset
config "\"startContainer\": [ { \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"exit 4\" ] } ]"
hrun --oci "$B"
is "startContainer failing: one line, exit 1" \
  "1 husk: hooks.startContainer[0]: exited with status 4" "$RC $ERR"
is "startContainer failing: the program never ran" no "$([ -e "$S/log" ] && echo yes || echo no)"
reset
config "\"startContainer\": [ { \"path\": \"$HOOK\" } ]"
hrun --oci "$B"
is "startContainer: a host path does not resolve in the container" \
  "1 husk: hooks.startContainer[0]: $HOOK: No such file or directory" \
  "$RC $ERR"
reset
config "\"prestart\": [ { \"path\": \"$TEST_TMP/nope\" } ]"
hrun --oci "$B"
is "prestart: a missing program, one line naming it" \
  "1 husk: hooks.prestart[0]: $TEST_TMP/nope: No such file or directory" \
  "$RC $ERR"
assert_nothing_left "failing hooks"

# 6. poststart failing stops the container (runtime-spec 1.1+); poststop
#    failing is a warning, the other poststop hooks run, the status is kept.
reset
config "\"poststart\": [ $(HEXIT=5 h poststart) ], \"poststop\": [ $(h poststop) ]" \
  '"/bin/sh", "-c", "echo program >> /shared/log; exec sleep 31.25'"$pidmark"'"'
hrun --oci "$B"
is "failing poststart: exit 1, one line" "1 husk: hooks.poststart[0]: exited with status 5" \
  "$RC $ERR"
is "failing poststart: the program was stopped, poststop ran" "program poststart poststop" \
  "$(tr '\n' ' ' < "$S/log" | sed 's/ $//')"
reset
# (No poststart hook here: the program does not wait for one.)
config "\"poststop\": [ $(HEXIT=6 h poststop), { \"path\": \"/bin/sh\", \"args\": [ \"sh\", \"-c\", \"echo second >> $S/log\" ] } ]" \
  '"/bin/sh", "-c", "echo program >> /shared/log; exit 7"'
hrun --oci "$B"
is "failing poststop: the program's status is kept" 7 "$RC"
is "failing poststop: a warning naming the hook" \
  "husk: warning: hooks.poststop[0]: exited with status 6" "$ERR"
is "failing poststop: the next poststop hook ran" "program poststop second" \
  "$(tr '\n' ' ' < "$S/log" | sed 's/ $//')"
assert_nothing_left "poststart and poststop" "sleep 31.25$pidmark"

# 7. Unknown hook kinds and hook properties are ignored with a warning.
config "\"preStart\": [ { \"path\": \"/x\" } ], \"poststop\": [ { \"path\": \"/bin/true\", \"when\": 1 } ]"
hrun --print-plan --oci "$B"
is "unknown hook kind and property: exit 0" 0 "$RC"
is "unknown hook kind and property: warnings" \
  "husk: warning: hooks.preStart: unknown property, ignored
husk: warning: hooks.poststop[0].when: unknown property, ignored" "$ERR"
like "unknown hook kind: the others kept" '^hook poststop "/bin/true" argv "/bin/true"  # hooks.poststop\[0\]$' "$OUT"

done_testing
