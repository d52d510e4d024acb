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
  "1:husk: spec: unknown argument \"--bogus\" (usage: husk spec [--rootless] [--bundle DIR])" "$RC:$ERR"
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
if ! dpkg -s busybox-static >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
  if [ "$HUSK_MUST_WORK" = 1 ]; then
    _t_result 1 "busybox-static is installed"
  else
    skip "running a generated config" "busybox-static not installed"
  fi
  done_testing
  exit
fi

# The rootfs: busybox and its applets as links, and the mount points the
# config names (a read-only root cannot get new ones).
R=$TEST_TMP/rootfs
mkdir -p "$R/bin" "$R/proc" "$R/dev" "$R/sys" "$R/etc" "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
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

done_testing
