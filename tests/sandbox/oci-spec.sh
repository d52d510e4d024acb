#!/bin/bash
# oci-spec.sh: `husk spec [--rootless] [--bundle DIR]` writes a config.json
# that `husk --oci` runs as it is, here on a busybox-static rootfs built at
# test time (package busybox-static); it never overwrites a config.json and
# rejects unknown arguments.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

B=$TEST_TMP/bundle
mkdir -p "$B"

hrun spec --bundle "$B"
is "spec writes config.json" "0:" "$RC:$ERR"
ok "the file is JSON" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$B/config.json"
hrun spec --bundle "$B"
is "an existing config.json is not overwritten" \
  "1:husk: spec: $B/config.json already exists (not overwritten)" "$RC:$ERR"
hrun spec --bogus
is "unknown arguments are refused" \
  "1:husk: spec: unknown argument \"--bogus\" (usage: husk spec [--rootless] [--bundle DIR] [--user USER[:GROUP]])" "$RC:$ERR"
hrun spec --bundle "$TEST_TMP/no/such/dir"
like "a missing bundle directory is an error" "^husk: spec: .*: No such file or directory$" "$ERR"

# patch FILE ARGS-JSON: set process.args.
patch_args ()
{
  python3 - "$1" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = json.loads(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
}

if ! command -v python3 >/dev/null; then
  skip "running a generated config" "python3 not installed"
  done_testing
  exit
fi
need_busybox

# The rootfs: busybox and its applets as links, and the mount points the
# config names (a read-only root cannot get new ones).
oci_bundle "$TEST_TMP/base"
R=$TEST_TMP/base/rootfs
mkdir -p "$R/sys" "$R/etc" "$R/tmp"
for a in $("$R/bin/busybox" --list); do
  [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done

for variant in rootless rootful; do
  V=$TEST_TMP/$variant
  mkdir -p "$V"
  cp -a "$R" "$V/rootfs"
  if [ $variant = rootless ]; then
    hrun spec --rootless --bundle "$V"
  else
    (cd "$V" && "$HUSK" spec)
    RC=$?
  fi
  is "$variant: spec" 0 "$RC"
  patch_args "$V/config.json" '["sh", "-c", "id -u; hostname"]'
  mounts_snapshot
  hrun --oci "$V"
  if [ $variant = rootless ] || is_root; then
    is "$variant: runs as is (uid 0 inside, hostname husk)" "$(printf '0\nhusk')" "$OUT"
  else
    # Without a user namespace in the config, husk maps the caller's own uid.
    is "$variant: runs as is (the caller's uid, hostname husk)" "$(printf '%s\nhusk' "$(id -u)")" "$OUT"
  fi
  is "$variant: exit 0, no messages" "0:" "$RC:$ERR"
  patch_args "$V/config.json" '["sh", "-c", "cat /proc/self/uid_map; ls /dev; touch /x 2>&1; exit 3"]'
  hrun --oci "$V"
  is "$variant: exit status passes" 3 "$RC"
  like "$variant: default devices" "null" "$OUT"
  like "$variant: read-only root" "Read-only file system" "$OUT"
  if [ $variant = rootless ]; then
    like "$variant: the caller's uid is 0 inside" "^ *0 +$(id -u) +1$" "$OUT"
  fi
  assert_nothing_left "$variant: nothing left behind"
done

# --user: resolved in the rootfs (users and groups the host does not have).
U=$TEST_TMP/user
mkdir -p "$U"
cp -a "$R" "$U/rootfs"
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' '# a comment' \
  'huskalice:x:4711:4712:Alice:/home/alice:/bin/sh' 'huskbob:x:4713:100::/:/bin/sh' \
  >"$U/rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'users:x:100:' 'huskalice:x:4712:' \
  'huskwheel:x:4720:huskbob,huskalice' 'huskaudio:x:4721:huskalice' >"$U/rootfs/etc/group"
ID='["sh", "-c", "echo $(id -u) $(id -g) $HOME; id -G"]'
hrun spec --bundle "$U" --user huskalice
is "--user NAME: spec" "0:" "$RC:$ERR"
is "--user NAME: process.user from the rootfs's passwd and group files" \
  '{"uid": 4711, "gid": 4712, "additionalGids": [4712, 4720, 4721]}' \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["process"]["user"]))' "$U/config.json")"
patch_args "$U/config.json" "$ID"
hrun --oci "$U"
if is_root; then
  is "--user NAME: runs with those ids, groups and HOME (id inside)" \
    "$(printf '0\n4711 4712 /home/alice\n4712 4720 4721')" "$RC"$'\n'"$OUT"
else
  # No user namespace in the config: husk's own maps the caller to 4711,
  # and an unprivileged user namespace cannot set supplementary groups.
  like "--user NAME without --rootless, unprivileged: additionalGids refused" \
    '^husk: process.user.additionalGids: setgroups: Operation not permitted' "$ERR"
fi
is "--user NAME without --rootless: no user namespace in the config (as runc spec)" "" \
  "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(" ".join(n["type"] for n in c["linux"]["namespaces"] if n["type"] == "user"), c["linux"].get("uidMappings", ""))' "$U/config.json" | tr -d ' ')"
rm "$U/config.json"
hrun spec --rootless --bundle "$U" --user huskalice:huskaudio
is "--rootless --user NAME:GROUP: spec" "0:" "$RC:$ERR"
patch_args "$U/config.json" "$ID"
hrun --oci "$U"
is "--rootless --user NAME:GROUP: the user and group inside, mapped to the caller" \
  "0 4711 4721 /home/alice" "$RC $(printf '%s\n' "$OUT" | head -n1)"
rm "$U/config.json"
hrun spec --rootless --bundle "$U" --user 4713
patch_args "$U/config.json" "$ID"
hrun --oci "$U"
is "--rootless --user UID: the passwd entry's gid and home" \
  "0 4713 100 /" "$RC $(printf '%s\n' "$OUT" | head -n1)"
rm "$U/config.json"

# Errors: one line naming --user and the file; no config.json written.
hrun spec --bundle "$U" --user nobody-here
is "unknown user" "1:husk: spec: --user \"nobody-here\": no such user in $U/rootfs/etc/passwd" "$RC:$ERR"
hrun spec --bundle "$U" --user huskalice:nogroup-here
is "unknown group" "1:husk: spec: --user \"huskalice:nogroup-here\": no such group \"nogroup-here\" in $U/rootfs/etc/group" "$RC:$ERR"
mkdir "$TEST_TMP/norootfs"
hrun spec --bundle "$TEST_TMP/norootfs" --user huskalice
is "no rootfs" "1:husk: spec: --user \"huskalice\": $TEST_TMP/norootfs/rootfs: No such file or directory" "$RC:$ERR"
echo 'broken line' >>"$U/rootfs/etc/passwd"
hrun spec --bundle "$U" --user huskalice
is "a malformed passwd line, even after the user's" \
  "1:husk: spec: --user \"huskalice\": $U/rootfs/etc/passwd:5: malformed line (expected 7 fields)" "$RC:$ERR"
# A symlink to /etc/passwd resolves inside the rootfs, never on the host.
mv "$U/rootfs/etc/passwd" "$U/rootfs/etc/passwd.real"
sed -i '$d' "$U/rootfs/etc/passwd.real"
ln -s /etc/passwd.real "$U/rootfs/etc/passwd"
hrun spec --bundle "$U" --user huskalice
is "an absolute symlink is followed inside the rootfs" "0:" "$RC:$ERR"
rm -f "$U/config.json" "$U/rootfs/etc/passwd"
# A host file with the user, named by a symlink that climbs out: the
# climb stops at the rootfs, where that path does not exist.
cp "$U/rootfs/etc/passwd.real" "$TEST_TMP/host-passwd"
ln -s "../../../../../../../../../../..$TEST_TMP/host-passwd" "$U/rootfs/etc/passwd"
hrun spec --bundle "$U" --user huskalice
is "a symlink climbing out does not reach a host file" \
  "1:husk: spec: --user \"huskalice\": $U/rootfs/etc/passwd: No such file or directory" "$RC:$ERR"
ok "no config.json after the errors" test ! -e "$U/config.json"

done_testing
