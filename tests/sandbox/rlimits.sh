#!/bin/bash
# rlimits.sh: --rlimit NAME=SOFT[:HARD] (issue 6), read back inside with the
# shell's ulimit and /proc/self/limits, with and without a reaper; raising a
# hard limit works only with CAP_SYS_RESOURCE and otherwise fails naming the
# flag; husk's own setup is not bound by the program's limits.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../sandbox-helpers.sh"

S=(--ro-bind / / --dev /dev --proc /proc)
hard_n=$(ulimit -Hn)
# CAP_SYS_RESOURCE (24) in our effective set: raising hard limits works.
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
has_sys_resource () { (( (16#$capeff >> 24) & 1 )); }

for mode in "" --unshare-pid; do
  what=${mode:-no reaper}
  hrun "${S[@]}" $mode --rlimit nofile=100:200 sh -c 'ulimit -Sn; ulimit -Hn'
  is "$what: nofile=100:200" "0 100 200" "$RC $(echo $OUT)"
  hrun "${S[@]}" $mode --rlimit NOFILE=64 sh -c "grep '^Max open files' /proc/self/limits"
  like "$what: NOFILE=64 sets both (/proc/self/limits)" '^Max open files +64 +64 +files' "$OUT"
  hrun "${S[@]}" $mode --rlimit RLIMIT_CORE=0: sh -c 'ulimit -Sc; ulimit -Hc'
  is "$what: RLIMIT_CORE=0: sets only the soft limit" "0 $(ulimit -Hc)" "$(echo $OUT)"
  hrun "${S[@]}" $mode --rlimit nofile=:50 sh -c 'ulimit -Sn; ulimit -Hn'
  is "$what: nofile=:50 lowers the soft limit with the hard one" "50 50" "$(echo $OUT)"
  hrun "${S[@]}" $mode --rlimit stack=1048576:unlimited --rlimit stack=8388608 sh -c 'ulimit -Ss; ulimit -Hs'
  is "$what: the last --rlimit for a limit counts (KiB)" "8192 8192" "$(echo $OUT)"
  hrun "${S[@]}" $mode --rlimit cpu=unlimited:unlimited sh -c 'ulimit -St'
  if [ "$(ulimit -Ht)" = unlimited ]; then
    is "$what: unlimited" "unlimited" "$OUT"
  else
    skip "$what: unlimited" "our own cpu hard limit is finite"
  fi
done

# Outside: husk's own limits are untouched by the flag.
hrun "${S[@]}" --rlimit nofile=10 true
is "husk exits 0 with a low nofile limit for the program" 0 "$RC"
is "the caller's limit is unchanged" "$hard_n" "$(ulimit -Hn)"

# The program's limits do not bind husk's setup: many fds are needed to
# build this sandbox, the program gets 4.
hrun "${S[@]}" --unshare-pid --tmpfs /tmp --dir /tmp/a --dir /tmp/b --symlink x /tmp/c \
  --rlimit nofile=4 sh -c 'ulimit -n'
is "the setup does not run under the program's nofile limit" "0 4" "$RC $OUT"

# Soft above the current hard limit (the hard one kept): a run-time error.
hrun "${S[@]}" --rlimit "nofile=$((hard_n + 1)):" true
is "soft limit above the kept hard limit: exit 1" 1 "$RC"
like "... the error names the flag" "^husk: --rlimit nofile=$((hard_n + 1)):: soft limit above the hard limit \\($hard_n\\)" "$ERR"

# Raising the hard limit: root with CAP_SYS_RESOURCE only.
want=$((hard_n + 1000))
hrun "${S[@]}" --unshare-user --rlimit "nofile=$want" sh -c 'ulimit -Hn'
if has_sys_resource; then
  is "raising the hard limit with CAP_SYS_RESOURCE (and a user namespace)" "0 $want" "$RC $OUT"
else
  is "raising the hard limit without CAP_SYS_RESOURCE fails" 1 "$RC"
  like "... naming the flag" "^husk: --rlimit nofile=$want: cannot raise the hard limit to $want: Operation not permitted" "$ERR"
  like "... with a hint" "CAP_SYS_RESOURCE" "$ERR"
fi

# Beyond what the kernel allows anyone.
nr_open=$(cat /proc/sys/fs/nr_open)
hrun "${S[@]}" --rlimit "nofile=$((nr_open + 1))" true
is "nofile above fs.nr_open fails" 1 "$RC"
like "... naming the flag" "^husk: --rlimit nofile=$((nr_open + 1)): cannot raise the hard limit" "$ERR"

hrun "${S[@]}" --rlimit nofile=5:4 true
like "soft above hard in the flag: an error naming it" '^husk: --rlimit nofile=5:4: soft limit above the hard limit$' "$ERR"

done_testing
