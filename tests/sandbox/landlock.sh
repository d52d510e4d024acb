#!/bin/bash
# landlock.sh: --landlock-ro, --landlock-rw, --landlock-exec,
# --landlock-bind-tcp, --landlock-connect-tcp, --landlock-scope and
# --landlock-strict observed from inside real sandboxes (what the program
# can open, execute, bind, connect to and signal), and `husk features`.
# husk-only: bwrap has no Landlock options.
#
# Every file operation runs on a writable bind of the test's own directory,
# so that a denial can only come from Landlock (never EROFS); each denial
# has a control run without the option that makes the same call succeed.
# Network tests use 127.0.0.1 only, in a new network namespace.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

if is_bwrap; then
  skip "landlock" "bwrap has no Landlock options"
  done_testing
  exit
fi

abi=$("$HUSK" features 2>/dev/null | sed -n 's/^landlock: yes (ABI \([0-9]*\).*/\1/p')
if [ -z "$abi" ]; then
  if [ "$HUSK_MUST_WORK" = 1 ]; then
    _t_result 1 "the kernel has Landlock (husk features)"
  else
    skip "landlock" "this kernel has no Landlock"
  fi
  done_testing
  exit
fi
diag "Landlock ABI $abi"

T=$TEST_TMP
mkdir -p "$T/ro" "$T/rw" "$T/other"
echo readable >"$T/ro/f"
echo secret >"$T/other/secret"
cp "$P" "$T/ro/probe-copy"
chmod -R a+rwX "$T"
# The host's tree read-only, the test directory writable: Landlock decides.
B=(--ro-bind / / --bind "$T" "$T" --dev /dev)
X=(--landlock-exec "$P")   # the probe is static: only itself to execute

# --- paths --------------------------------------------------------------
hrun "${B[@]}" "$P" read "$T/other/secret"
is "control: without Landlock the outside file is readable" secret "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro" "$P" read "$T/other/secret"
is "a file outside the listed paths cannot be read" EACCES "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro" "$P" ls "$T/other"
is "a directory outside the listed paths cannot be listed" EACCES "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro" "$P" read "$T/ro/f"
is "--landlock-ro: a file beneath can be read" readable "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro/f" "$P" read "$T/ro/f"
is "--landlock-ro on a file: that file can be read" readable "$OUT"
hrun "${B[@]}" "$P" write "$T/ro/g"
is "control: without Landlock the directory is writable" ok "$OUT"
rm -f "$T/ro/g"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro" "$P" write "$T/ro/f"
is "--landlock-ro: an existing file cannot be written" EACCES "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro" "$P" write "$T/ro/new"
is "--landlock-ro: no new file" EACCES "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/ro" "$P" mkdir "$T/ro/d"
is "--landlock-ro: no new directory" EACCES "$OUT"
is "--landlock-ro: nothing was created" "f probe-copy" "$(cd "$T/ro" && ls | sort | tr '\n' ' ' | sed 's/ $//')"

hrun "${B[@]}" "${X[@]}" --landlock-rw "$T/rw" "$P" write "$T/rw/new"
is "--landlock-rw: a new file can be written" ok "$OUT"
is "--landlock-rw: the file is there afterwards" "husk-probe" "$(cat "$T/rw/new" 2>/dev/null)"
hrun "${B[@]}" "${X[@]}" --landlock-rw "$T/rw" "$P" mkdir "$T/rw/d"
is "--landlock-rw: a directory can be made" ok "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-rw "$T/rw" "$P" read "$T/rw/new"
is "--landlock-rw: and read" husk-probe "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-rw "$T/rw" "$P" write "$T/other/x"
is "--landlock-rw: a write outside it is denied" EACCES "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro "$T/rw" --landlock-rw "$T/rw" "$P" write "$T/rw/both"
is "rights on the same path add up (ro + rw)" ok "$OUT"

# Execute: only where --landlock-exec allows (husk's own execve is the test).
hrun "${B[@]}" --landlock-ro "$T/ro" "$T/ro/probe-copy" ids
is "--landlock-ro only: the program cannot be executed (exit 1)" 1 "$RC"
husk_error_line "--landlock-ro only: one error line naming the program" "probe-copy"
like "--landlock-ro only: the error is EACCES" "Permission denied" "$ERR"
hrun "${B[@]}" --landlock-exec "$T/ro" "$T/ro/probe-copy" read "$T/ro/f"
is "--landlock-exec: the program runs and can read beside it" readable "$OUT"
hrun "${B[@]}" --landlock-exec "$T/ro" "$T/ro/probe-copy" write "$T/ro/w"
is "--landlock-exec: but not write" EACCES "$OUT"
hrun "${B[@]}" --landlock-rw "$T/ro" "$T/ro/probe-copy" ids
is "--landlock-rw does not allow executing" 1 "$RC"

# Paths are the sandbox's, resolved after pivot_root.
hrun "${B[@]}" --tmpfs "$T/other" --dir "$T/other/inside" "${X[@]}" \
  --landlock-rw "$T/other/inside" "$P" write "$T/other/inside/x"
is "a path that exists only inside the sandbox (on a tmpfs) can be allowed" ok "$OUT"
hrun "${B[@]}" "${X[@]}" --landlock-ro /husk-ll-nope "$P" ids
is "a missing path: exit 1" 1 "$RC"
husk_error_line "a missing path: one error line naming the option" "--landlock-ro /husk-ll-nope"
like "a missing path: No such file or directory" "No such file or directory" "$ERR"
hrun "${B[@]}" "${X[@]}" --landlock-ro relative "$P" ids
husk_error_line "a relative path: one error line naming the option" "--landlock-ro relative"

# --- TCP ----------------------------------------------------------------
N=(--ro-bind / / --dev /dev --unshare-net)
hrun "${N[@]}" "${X[@]}" "$P" tcp-bind 4243
is "path options only: the network is not restricted (bind)" ok "$OUT"
hrun "${N[@]}" "${X[@]}" --landlock-bind-tcp 4242 "$P" tcp-bind 4242
is "--landlock-bind-tcp 4242: binding 127.0.0.1:4242 works" ok "$OUT"
hrun "${N[@]}" "${X[@]}" --landlock-bind-tcp 4242 "$P" tcp-bind 4243
is "--landlock-bind-tcp 4242: binding port 4243 is denied" EACCES "$OUT"
hrun "${N[@]}" "${X[@]}" --landlock-bind-tcp 4242 "$P" tcp-connect 4242
is "--landlock-bind-tcp 4242: connecting is denied (no connect port listed)" EACCES "$OUT"
hrun "${N[@]}" "${X[@]}" --landlock-connect-tcp 4242 "$P" tcp-connect 4242
is "--landlock-connect-tcp 4242: connecting gets as far as the (empty) port" ECONNREFUSED "$OUT"
hrun "${N[@]}" "${X[@]}" --landlock-connect-tcp 4242 "$P" tcp-connect 4244
is "--landlock-connect-tcp 4242: connecting to 4244 is denied" EACCES "$OUT"

# --- scopes -------------------------------------------------------------
sleep 60 &
victim=$!
hrun --ro-bind / / --dev /dev "${X[@]}" "$P" signal "$victim"
is "control: without a scope a process outside can be signalled" ok "$OUT"
hrun --ro-bind / / --dev /dev "${X[@]}" --landlock-scope signal "$P" signal "$victim"
is "--landlock-scope signal: a process outside cannot be signalled" EPERM "$OUT"
hrun --ro-bind / / --dev /dev "${X[@]}" --landlock-scope abstract-unix "$P" signal "$victim"
is "--landlock-scope abstract-unix alone leaves signals alone" ok "$OUT"
kill "$victim" 2>/dev/null
wait "$victim" 2>/dev/null

py=/usr/bin/python3
if [ -x "$py" ]; then
  name="husk-ll-test-$$"
  "$py" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(16); time.sleep(30)' "$name" &
listener=$!
  for _ in $(seq 50); do
    [ "$("$P" abstract-connect "$name")" = ok ] && break
    sleep 0.1
  done
  hrun --ro-bind / / --dev /dev "${X[@]}" "$P" abstract-connect "$name"
  is "control: an abstract socket made outside can be reached" ok "$OUT"
  hrun --ro-bind / / --dev /dev "${X[@]}" --landlock-scope abstract-unix "$P" abstract-connect "$name"
  is "--landlock-scope abstract-unix: it cannot be reached" EPERM "$OUT"
  hrun --ro-bind / / --dev /dev "${X[@]}" --landlock-scope signal "$P" abstract-connect "$name"
  is "--landlock-scope signal alone leaves abstract sockets alone" ok "$OUT"
  kill "$listener" 2>/dev/null
  wait "$listener" 2>/dev/null
else
  skip "--landlock-scope abstract-unix" "no /usr/bin/python3 for the listener outside"
fi

# --- strict -------------------------------------------------------------
hrun "${N[@]}" "${X[@]}" --landlock-strict --landlock-bind-tcp 4242 --landlock-scope signal \
  --landlock-scope abstract-unix "$P" tcp-bind 4242
is "--landlock-strict with everything this kernel has: runs" "0 ok" "$RC $OUT"
hrun "${B[@]}" --landlock-strict "$P" ids
is "--landlock-strict alone: exit 1" 1 "$RC"
husk_error_line "--landlock-strict alone: one error line naming it" "--landlock-strict"

# A kernel without Landlock, as a seccomp filter makes it look to an inner
# husk: landlock_create_ruleset (444 on x86-64) fails with ENOSYS.
bpf_insn ()
{
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x\\x%02x' \
    $(($1 & 255)) $(($1 >> 8 & 255)) "$2" "$3" \
    $(($4 & 255)) $(($4 >> 8 & 255)) $(($4 >> 16 & 255)) $(($4 >> 24 & 255)))"
}
if [ "$(uname -m)" = x86_64 ]; then
  {
    bpf_insn 0x20 0 0 4            # ld arch
    bpf_insn 0x15 0 3 0xc000003e   # jeq AUDIT_ARCH_X86_64, else allow
    bpf_insn 0x20 0 0 0            # ld nr
    bpf_insn 0x15 0 1 444          # landlock_create_ruleset -> ENOSYS
    bpf_insn 0x06 0 0 0x00050026   # ret ERRNO | ENOSYS
    bpf_insn 0x06 0 0 0x7fff0000   # ret ALLOW
  } >"$T/no-landlock"
  hrun --ro-bind / / --dev /dev --proc /proc --add-seccomp-fd 3 \
    "$HUSK" --landlock-strict --landlock-exec / "$P" ids 3<"$T/no-landlock"
  is "--landlock-strict, no Landlock in the kernel: exit 1" 1 "$RC"
  husk_error_line "--landlock-strict, no Landlock: one line naming the option" "--landlock-strict"
  like "--landlock-strict, no Landlock: says why" "has no Landlock" "$ERR"
  hrun --ro-bind / / --dev /dev --proc /proc --add-seccomp-fd 3 \
    "$HUSK" features 3<"$T/no-landlock"
  has_line "husk features, no Landlock: says no" "landlock: no (not in this kernel)" "$OUT"
  # Best effort: a warning, then the program runs without Landlock (the
  # inner husk keeps the outer sandbox's capabilities to make its own).
  hrun --ro-bind / / --dev /dev --proc /proc --cap-add ALL --add-seccomp-fd 3 \
    "$HUSK" --ro-bind / / --landlock-exec / "$P" read "$T/other/secret" 3<"$T/no-landlock"
  if [ "$RC" = 0 ]; then
    is "best effort, no Landlock: the program runs unrestricted" secret "$OUT"
    like "best effort, no Landlock: a warning naming the first option" \
      "^husk: warning: --landlock-exec /: .*without Landlock" "$ERR"
  else
    skip "best effort, no Landlock" "a nested sandbox is not possible here"
    diag "$ERR"
  fi
else
  skip "--landlock-strict without Landlock" "the seccomp program is for x86-64"
fi

# --- husk features ------------------------------------------------------
hrun features
is "husk features: exit 0" 0 "$RC"
like "husk features: Landlock ABI 6 or later on this kernel" "^landlock: yes \(ABI ([6-9]|[1-9][0-9])" "$OUT"
max=$(cat /proc/sys/user/max_user_namespaces)
if [ "$max" -gt 0 ]; then want=yes; else want=no; fi
like "husk features: user namespaces match max_user_namespaces ($max)" \
  "^user-namespaces: $want \(max_user_namespaces=$max\)" "$OUT"
bad=$(printf '%s\n' "$OUT" | grep -Ev '^[a-z0-9-]+: (yes|no) \(.*\)$' || true)
is "husk features: every line reads 'name: yes|no (detail)'" "" "$bad"
for n in namespace-user namespace-mnt namespace-pid namespace-net namespace-ipc namespace-uts \
         namespace-cgroup; do
  has_line "husk features: $n" "$n: yes (/proc/self/ns/${n#namespace-})" "$OUT"
done
if [ -e /proc/self/ns/time ]; then t=yes; else t=no; fi
like "husk features: time namespace" "^time-namespace: $t " "$OUT"
if command -v pasta >/dev/null; then t=yes; else t=no; fi
like "husk features: pasta" "^pasta: $t " "$OUT"
text_out=$OUT
hrun features --json
if [ -x "$py" ]; then
  got=$(printf '%s' "$OUT" | "$py" -c 'import json, sys
d = json.load(sys.stdin)
print(d["landlock"]["supported"], d["landlock"]["abi"], d["user-namespaces"]["supported"],
      len([k for k in d if k not in ("version", "flags", "cgroup")]))')
  n=$(printf '%s\n' "$text_out" | wc -l)
  is "husk features --json: the same answers as the text" \
    "True $abi $([ "$want" = yes ] && echo True || echo False) $n" "$got"
else
  like "husk features --json: an object" '^\{' "$OUT"
fi
hrun features --bogus
is "husk features --bogus: exit 1" 1 "$RC"
husk_error_line "husk features --bogus: one error line" "--bogus"

done_testing
