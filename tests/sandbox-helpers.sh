# shellcheck shell=bash
# sandbox-helpers.sh: shared helpers for tests/{sandbox,attack,compat}/*.sh,
# sourced after lib.sh.  They only add checks on top of lib.sh's TAP helpers.
#
#   P                      the probe (HUSK_PROBE); need_probe exits early without it
#   is_bwrap               true when $HUSK is bubblewrap (validation runs)
#   bwrap_older_than X.Y   true when $HUSK is a bubblewrap older than X.Y
#   has_flag FLAG...       true when $HUSK accepts FLAG (bwrap 0.8 lacks some)
#   kv KEY TEXT            the value of KEY= in probe output TEXT
#   has_line DESC LINE TEXT / lacks_line DESC LINE TEXT   exact line match
#   husk_error_line DESC WORD   $ERR is one line "husk: ..." mentioning WORD
#                          (skipped for bwrap, whose messages differ)
#   find_busybox           sets BB to a statically linked busybox, or "" (status 1)
#   need_busybox           find_busybox, or ends the script (a failure under
#                          HUSK_MUST_WORK=1, else one skip)
#   oci_bundle DIR [APPLET...]   an OCI bundle's rootfs at DIR/rootfs

P=${HUSK_PROBE:-}

need_probe ()
{
  if [ -z "$P" ] || [ ! -x "$P" ]; then
    if [ "$HUSK_MUST_WORK" = 1 ]; then
      _t_result 1 "husk-probe is built (HUSK_PROBE)"
    else
      skip "${0##*/}" "HUSK_PROBE not built"
    fi
    done_testing
    exit
  fi
}

is_bwrap () { "$HUSK" --version 2>/dev/null | grep -q bubblewrap; }

bwrap_older_than ()
{
  local v
  is_bwrap || return 1
  v=$("$HUSK" --version | sed -n 's/^bubblewrap \([0-9.]*\).*/\1/p')
  [ "$(printf '%s\n%s\n' "$v" "$1" | sort -V | head -n1)" = "$v" ] && [ "$v" != "$1" ]
}

# has_flag FLAG ARGS...: does $HUSK accept FLAG ARGS before --ro-bind / / true?
has_flag () { "$HUSK" "$@" --ro-bind / / true >/dev/null 2>&1; }

kv () { printf '%s\n' "$2" | sed -n "s/^$1=//p" | head -n1; }

has_line ()
{
  if printf '%s\n' "$3" | grep -Fxq -- "$2"; then
    _t_result 0 "$1"
  else
    _t_result 1 "$1"
    diag "expected a line: $2" "got: $3"
  fi
}

lacks_line ()
{
  if printf '%s\n' "$3" | grep -Fxq -- "$2"; then
    _t_result 1 "$1"
    diag "unexpected line: $2" "got: $3"
  else
    _t_result 0 "$1"
  fi
}

husk_error_line ()
{
  local desc=$1 word=$2
  if is_bwrap; then
    skip "$desc" "bwrap's error messages differ"
    return
  fi
  if [ -n "$ERR" ] && [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] \
     && [[ "$ERR" == "husk: "* ]] && [[ "$ERR" == *"$word"* ]]; then
    _t_result 0 "$desc"
  else
    _t_result 1 "$desc"
    diag "expected one line starting 'husk: ' naming $word" "got: $ERR"
  fi
}

# The OCI tests' containers run a static busybox (package busybox-static)
# and the probe; a dynamic one would not start in a rootfs without its
# libraries.
find_busybox ()
{
  local f
  BB=
  for f in /bin/busybox /usr/bin/busybox; do
    if [ -x "$f" ] && file -L "$f" 2>/dev/null | grep -q 'statically linked'; then
      BB=$f
      return 0
    fi
  done
  return 1
}

need_busybox ()
{
  find_busybox && return 0
  if [ "$HUSK_MUST_WORK" = 1 ]; then
    _t_result 1 "a statically linked busybox is installed (busybox-static)"
  else
    skip "${0##*/}" "no statically linked busybox (package busybox-static)"
  fi
  done_testing
  exit
}

# oci_bundle DIR [APPLET...]: DIR/rootfs with bin, proc and dev; the probe
# at /bin/probe when it is built; the static busybox (BB, found here unless
# set) at /bin/busybox with a link /bin/APPLET to it for each APPLET, when
# there is one (scripts that need it call need_busybox first; the others
# test [ -n "$BB" ]).  Other directories are the caller's.
oci_bundle ()
{
  local dir=$1 a
  shift
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/dev"
  if [ -n "$P" ] && [ -x "$P" ]; then
    cp "$P" "$dir/rootfs/bin/probe"
  fi
  if [ -z "${BB:-}" ] && ! find_busybox; then
    return 0
  fi
  cp "$BB" "$dir/rootfs/bin/busybox"
  for a in "$@"; do
    ln -s busybox "$dir/rootfs/bin/$a"
  done
}

# oci_config BUNDLE ARGS-JSON [LINUX-EXTRA] [MOUNTS-EXTRA] [NAMESPACES] [USER]:
# BUNDLE/config.json for a container running ARGS (a JSON list's insides) as
# USER (default uid 0, gid 0) on a read-only rootfs with /proc, a /dev tmpfs,
# /dev/pts and a /tmp tmpfs; MOUNTS-EXTRA (", {...}") is appended to mounts[],
# LINUX-EXTRA (", \"key\": ...") to linux{}; NAMESPACES defaults to pid, ipc,
# uts and mount.
oci_config ()
{
  local b=$1 args=$2 lx=${3:-} mnt=${4:-}
  local ns=${5:-'{ "type": "pid" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" }'}
  local user=${6:-'"uid": 0, "gid": 0'}
  cat > "$b/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    "user": { $user },
    "args": [ $args ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "mode=1777" ] }$mnt
  ],
  "linux": {
    "namespaces": [ $ns ]$lx
  }
}
JSON
}

# oci_bg_start BUNDLE DIR: husk --oci BUNDLE in the background (HPID) until
# the container has written its cgroup to DIR/cg (CG: its "0::" line) or
# ended; oci_bg_finish DIR: create DIR/go, which lets such a container end,
# and wait for it: RC, OUT and ERR as hrun's.
oci_bg_start ()
{
  rm -f "$2/cg" "$2/go"
  "$HUSK" --oci "$1" >"$TEST_TMP/o" 2>"$TEST_TMP/e" </dev/null &
  HPID=$!
  for _ in $(seq 100); do
    [ -e "$2/cg" ] && break
    kill -0 "$HPID" 2>/dev/null || break
    sleep 0.1
  done
  CG=$(cat "$2/cg" 2>/dev/null)
}
oci_bg_finish ()
{
  touch "$1/go"
  wait "$HPID"
  RC=$?
  OUT=$(cat "$TEST_TMP/o") ERR=$(cat "$TEST_TMP/e")
}
