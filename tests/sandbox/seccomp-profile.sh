#!/bin/bash
# seccomp-profile.sh: --seccomp-profile FILE|default in real sandboxes: a
# profile's ERRNO rule returns its errno, the shipped default profile
# blocks keyctl and mount while ordinary programs work, and a cache hit
# behaves exactly like the compile it replaces.  husk only (bwrap has no
# --seccomp-profile).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

if ! has_flag --seccomp-profile default; then
  : "${HUSK_DATADIR:=$(cd "$(dirname "$0")/../../data" && pwd)}"
  export HUSK_DATADIR
fi
export XDG_CACHE_HOME=$TEST_TMP/cache
cache=$XDG_CACHE_HOME/husk/seccomp
W=$TEST_TMP/w   # a scratch tmpfs inside (not /tmp: the probe may live there)
mkdir "$W"

# mkdir and mkdirat fail with EDQUOT (122), everything else is allowed.
cat >"$TEST_TMP/nomkdir.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122 }
  ]
}
JSON

hrun "${SB[@]}" --tmpfs "$W" "$P" mkdir "$W/d"
is "without a profile mkdir works" "ok" "$OUT"
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/nomkdir.json" "$P" mkdir "$W/d"
is "the profile's errnoRet comes back from mkdir (cache miss)" "EDQUOT" "$OUT"
n=$(ls "$cache" 2>/dev/null | grep -c '\.bpf$')
is "the compiled program was cached" "1" "$n"
f=$(ls "$cache"/*.bpf 2>/dev/null | head -n1)
is "the cache entry is mode 0600" "600" "$(stat -c %a "$f" 2>/dev/null)"
is "the cache directory is mode 0700" "700" "$(stat -c %a "$cache" 2>/dev/null)"
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/nomkdir.json" "$P" mkdir "$W/d"
is "a cache hit behaves the same" "EDQUOT" "$OUT"
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/nomkdir.json" "$P" write "$W/f"
is "other syscalls are allowed" "ok" "$OUT"

# An argument value above 2^63-1 (jansson alone refuses it): lseek's
# offset -1 as 18446744073709551615; stdin is /dev/null, where any offset
# works, so only the rule makes it fail.
cat >"$TEST_TMP/lseek.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["lseek"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122,
      "args": [ { "index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_EQ" } ] }
  ]
}
JSON
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/lseek.json" "$P" lseek 18446744073709551615
is "an argument value of 2^64-1 matches lseek(0, -1, ...)" "0 EDQUOT" "$RC $OUT"
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/lseek.json" "$P" lseek 9223372036854775807
is "... and not lseek(0, 2^63-1, ...)" "0 ok" "$RC $OUT"
sed -i 's/18446744073709551615/18446744073709551616/' "$TEST_TMP/lseek.json"
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/lseek.json" true
is "a value above 2^64-1: exit 1" 1 "$RC"
is "... one line naming the file and the path" \
  "husk: --seccomp-profile $TEST_TMP/lseek.json: syscalls[0].args[0].value: out of range (0..18446744073709551615)" "$ERR"

# A damaged cache entry is ignored (and replaced), never loaded.
printf 'garbage!' >"$f"
hrun "${SB[@]}" --tmpfs "$W" --seccomp-profile "$TEST_TMP/nomkdir.json" "$P" mkdir "$W/d"
is "a damaged cache entry is recompiled" "EDQUOT" "$OUT"
is "and rewritten" "$((96 + $(HUSK_DATADIR= "$HUSK" --print-plan --seccomp-profile "$TEST_TMP/nomkdir.json" true | sed -n 's/^seccomp insns=\([0-9]*\).*/\1/p') * 8))" "$(stat -c %s "$f")"

# Without a usable cache directory it still works.
XDG_CACHE_HOME=relative HOME=$TEST_TMP/nohome hrun "${SB[@]}" --tmpfs "$W" \
  --seccomp-profile "$TEST_TMP/nomkdir.json" "$P" mkdir "$W/d"
is "with a missing home directory" "EDQUOT" "$OUT"
ok "which is not created" test ! -e "$TEST_TMP/nohome"

# The default profile.
for i in 1 2; do
  what=$([ $i = 1 ] && echo "cache miss" || echo "cache hit")
  hrun "${SB[@]}" --seccomp-profile default "$P" keyctl
  is "default profile ($what): keyctl fails with EPERM" "EPERM" "$OUT"
  hrun "${SB[@]}" --cap-add CAP_SYS_ADMIN --seccomp-profile default "$P" mount-tmpfs /tmp
  is "default profile ($what): mount fails with EPERM, even with CAP_SYS_ADMIN" "EPERM" "$OUT"
  hrun "${SB[@]}" --seccomp-profile default sh -c 'ls / >/dev/null && cat /proc/self/status >/dev/null && (sleep 0 &) && wait && echo fine'
  is "default profile ($what): sh, ls, cat, a background job work" "fine" "$OUT"
done
hrun "${SB[@]}" --cap-add CAP_SYS_ADMIN "$P" mount-tmpfs /tmp
is "without the profile the same mount works" "ok" "$OUT"
hrun "${SB[@]}" "$P" keyctl
is "without the profile keyctl works" "ok" "$OUT"

# Stacking: a profile with --add-seccomp-fd; not with --seccomp (bwrap's rule).
hrun "${SB[@]}" --seccomp-profile default --seccomp-profile "$TEST_TMP/nomkdir.json" \
  --tmpfs "$W" "$P" mkdir "$W/d"
is "two profiles stack" "EDQUOT" "$OUT"
printf '\x06\x00\x00\x00\x00\x00\xff\x7f' >"$TEST_TMP/allow.bpf"   # ret ALLOW
hrun "${SB[@]}" --seccomp 3 --seccomp-profile default true 3<"$TEST_TMP/allow.bpf"
is "--seccomp then --seccomp-profile: exit status 1" "1" "$RC"
husk_error_line "--seccomp then --seccomp-profile: one error line" "cannot be combined with --seccomp 3"

# Errors name the flag and the JSON path.
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_FOO"}]}' \
  >"$TEST_TMP/bad.json"
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/bad.json" true
is "a bad profile: exit status 1" "1" "$RC"
is "a bad profile: the error names the JSON path" \
  "husk: --seccomp-profile $TEST_TMP/bad.json: syscalls[0].action: unknown action \"SCMP_ACT_FOO\"" "$ERR"
hrun "${SB[@]}" --seccomp-profile "$TEST_TMP/missing.json" true
husk_error_line "a missing profile: one error line" "No such file or directory"

done_testing
