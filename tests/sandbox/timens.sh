#!/bin/bash
# timens.sh: --unshare-time and --time-offset (issue 6): the program is in a
# new time namespace whose boottime and monotonic clocks are shifted
# (/proc/uptime, clock_gettime through python3, /proc/self/timens_offsets),
# with and without a reaper; bad offsets fail naming the flag; --timens joins
# a time namespace.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

T=$TEST_TMP
S=(--ro-bind / / --dev /dev --proc /proc)

if [ ! -e /proc/self/ns/time ]; then
  skip "time namespaces" "the kernel has none"
  done_testing
  exit
fi
up () { cut -d. -f1 /proc/uptime; }

for mode in "" --unshare-pid; do
  what=${mode:-no reaper}
  hrun "${S[@]}" $mode --unshare-time readlink /proc/self/ns/time
  ok "$what: --unshare-time: a time namespace of its own" \
    test "$RC" = 0 -a -n "$OUT" -a "$OUT" != "$(readlink /proc/self/ns/time)"

  before=$(up)
  hrun "${S[@]}" $mode --unshare-time --time-offset boottime 86400 cut -d. -f1 /proc/uptime
  after=$(up)
  ok "$what: boottime +86400 s shows in /proc/uptime ($before..$after + 86400: $OUT)" \
    test "$RC" = 0 -a "$OUT" -ge $((before + 86400)) -a "$OUT" -le $((after + 86401))

  hrun "${S[@]}" $mode --unshare-time --time-offset monotonic -1.5 --time-offset boottime 7 \
    cat /proc/self/timens_offsets
  is "$what: /proc/self/timens_offsets" "monotonic -2 500000000 boottime 7 0" "$(echo $OUT)"

  if [ -x /usr/bin/python3 ]; then
    py='import time; print(int(time.clock_gettime(time.CLOCK_MONOTONIC)))'
    before=$(/usr/bin/python3 -c "$py")
    hrun "${S[@]}" $mode --unshare-time --time-offset monotonic 1000000 /usr/bin/python3 -c "$py"
    after=$(/usr/bin/python3 -c "$py")
    ok "$what: clock_gettime(CLOCK_MONOTONIC) +1000000 s ($OUT)" \
      test "$RC" = 0 -a "$OUT" -ge $((before + 1000000)) -a "$OUT" -le $((after + 1000001))
  else
    skip "$what: clock_gettime(CLOCK_MONOTONIC) shifted" "no /usr/bin/python3"
  fi
done

hrun "${S[@]}" --unshare-time cat /proc/self/timens_offsets
is "--unshare-time alone: no offsets" "monotonic 0 0 boottime 0 0" "$(echo $OUT)"

hrun "${S[@]}" --unshare-time --time-offset boottime -999999999 true
is "an offset making the clock negative: exit 1" 1 "$RC"
like "... naming the flag" '^husk: --time-offset boottime -999999999: Numerical result out of range' "$ERR"

hrun "${S[@]}" --time-offset boottime 5 true
is "--time-offset needs --unshare-time" "husk: --time-offset boottime 5: requires --unshare-time" "$ERR"

# --timens / --join-pid: a second sandbox joins the first one's time namespace.
rm -f "$T/out"
"$HUSK" "${S[@]}" --unshare-time --time-offset boottime 500000 --info-fd 3 \
  sh -c 'echo ready; exec sleep 30' 3>"$T/info" >"$T/out" 2>&1 </dev/null &
hpid=$!
for _ in $(seq 50); do grep -q ready "$T/out" 2>/dev/null && break; sleep 0.1; done
cpid=$(sed -n 's/.*"child-pid": *\([0-9]*\).*/\1/p' "$T/info")
before=$(up)
hrun --join-pid "$cpid" "${S[@]}" cut -d. -f1 /proc/uptime
ok "--join-pid: the joined time namespace's boottime offset ($OUT)" \
  test "$RC" = 0 -a "$OUT" -ge $((before + 500000)) -a "$OUT" -le $((before + 500010))
if is_root; then
  hrun --timens "/proc/$cpid/ns/time" "${S[@]}" readlink /proc/self/ns/time
  is "--timens PATH: in that time namespace" "0 $(readlink "/proc/$cpid/ns/time")" "$RC $OUT"
else
  hrun --timens "/proc/$cpid/ns/time" "${S[@]}" true
  like "--timens without rights over it: an error naming the flag" \
    "^husk: --timens /proc/$cpid/ns/time: setns: Operation not permitted" "$ERR"
fi
kill "$hpid"
wait "$hpid"

done_testing
