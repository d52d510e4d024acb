#!/bin/bash
# net.sh: --net none|host|pasta[:OPTIONS] in real sandboxes, with loopback
# addresses only: none is loopback alone, host is the caller's network
# namespace, pasta serves a new one (a tap interface, up) and forwards a
# port of the sandbox's 127.0.0.1 to the host's 127.0.0.1 (pasta -T), so a
# server on the host answers a client in the sandbox; pasta is gone
# afterwards.  Unprivileged pasta needs /dev/net/tun usable by the caller
# (mode 0666 on distributions; some containers make it root-only).
# husk only (bwrap has no --net).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"
need_probe

hrun "${SB[@]}" --net none "$P" net
is "--net none: loopback only, up" "$(printf 'if=lo\nlo=up')" "$OUT"
hrun "${SB[@]}" --net host sh -c 'readlink /proc/self/ns/net'
is "--net host: the caller's network namespace" "$(readlink /proc/self/ns/net)" "$OUT"
hrun "${SB[@]}" --net bogus true
husk_error_line "--net bogus: one error line" "unknown network mode"
hrun "${SB[@]}" --net pasta --share-net true
husk_error_line "--net pasta, then --share-net: one error line" "cancelled by a later --share-net"

port=$((20000 + ($$ % 20000)))
if ! command -v pasta >/dev/null 2>&1; then
  hrun "${SB[@]}" --net pasta true
  husk_error_line "pasta missing: one error line naming the package" "passt"
  if [ "$HUSK_MUST_WORK" = 1 ]; then
    _t_result 1 "pasta is installed (Debian package passt)"
  else
    skip "--net pasta" "pasta is not installed (Debian package passt)"
  fi
  done_testing
  exit
fi
if ! is_root && ! { [ -r /dev/net/tun ] && [ -w /dev/net/tun ]; }; then
  hrun "${SB[@]}" --net pasta true
  is "no usable /dev/net/tun: exit status 1" "1" "$RC"
  like "no usable /dev/net/tun: husk says pasta failed" "husk: --net pasta: pasta failed" "$ERR"
  skip "--net pasta connectivity" "/dev/net/tun is not usable by uid $(id -u) here ($(stat -c %A /dev/net/tun 2>/dev/null))"
  done_testing
  exit
fi

hrun "${SB[@]}" --net pasta "$P" net
like "--net pasta: a tap interface besides lo" "if=[a-z0-9]+" "$(printf '%s\n' "$OUT" | grep -v '^if=lo$')"
has_line "--net pasta: loopback up" "lo=up" "$OUT"
hrun "${SB[@]}" --net pasta sh -c 'readlink /proc/self/ns/net'
unlike "--net pasta: not the caller's network namespace" "^$(readlink /proc/self/ns/net)\$" "$OUT"

# A server on the host's 127.0.0.1; the sandbox reaches it on its own
# 127.0.0.1 through pasta's port forwarding.
"$P" tcp-serve "$port" >"$TEST_TMP/serve.out" &
server=$!
for _ in $(seq 50); do grep -q listening "$TEST_TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
hrun "${SB[@]}" --net "pasta:-T,$port" "$P" tcp-read "$port"
is "--net pasta: a TCP connection to a loopback server on the host" "hello-from-host" "$OUT"
[ -n "$ERR" ] && diag "$ERR"
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
# As root with a joined mount namespace (--mntns): pasta still runs in
# husk's own, where the /proc/self/fd paths husk hands it are husk's (the
# joined one has an empty tmpfs on /proc).
if is_root; then
  unshare -m --propagation private sh -c 'mount -t tmpfs none /proc; exec sleep 30' &
  mholder=$!
  wait_exec "$mholder" sleep
  "$P" tcp-serve "$port" >"$TEST_TMP/serve2.out" &
  server=$!
  for _ in $(seq 50); do grep -q listening "$TEST_TMP/serve2.out" 2>/dev/null && break; sleep 0.1; done
  hrun "${SB[@]}" --mntns 5 --net "pasta:-T,$port" "$P" tcp-read "$port" 5<"/proc/$mholder/ns/mnt"
  is "--net pasta with --mntns (root): the connection works" "hello-from-host" "$OUT"
  kill "$server" "$mholder" 2>/dev/null
  wait "$server" "$mholder" 2>/dev/null
else
  skip "--net pasta with --mntns (root)" "joining another mount namespace needs root"
fi
hrun "${SB[@]}" --net none "$P" tcp-read "$port"
is "--net none: the host's server is out of reach" "ECONNREFUSED" "$OUT"
for _ in $(seq 100); do pgrep -u "$(id -u)" -x pasta >/dev/null || break; sleep 0.05; done
is "pasta is gone when the sandbox ends" "" "$(pgrep -u "$(id -u)" -x pasta || true)"

done_testing
