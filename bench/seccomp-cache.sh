#!/bin/bash
# seccomp-cache.sh: what --seccomp-profile costs, cold (compiled with
# libseccomp on every run: no cache directory) and warm (a cache hit: one
# hash and one read, no libseccomp), against the same command without a
# profile.  Only the front end runs (--print-plan), so the numbers are the
# profile's cost alone.
#
# Usage: bench/seccomp-cache.sh [HUSK] [PROFILE]
#   HUSK     the husk binary (default: ./husk)
#   PROFILE  a profile file or "default" (default: data/seccomp/default.json)
# Uses hyperfine when installed, else a shell loop (less precise).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
husk=${1:-./husk}
profile=${2:-$here/data/seccomp/default.json}
export HUSK_DATADIR=${HUSK_DATADIR:-$here/data}
cache=$(mktemp -d /tmp/husk-bench-cache.XXXXXX)
trap 'rm -rf "$cache"' EXIT

args=(--print-plan --ro-bind / / true)
# Prime the cache: --print-plan never writes it, a real run does.
XDG_CACHE_HOME=$cache "$husk" --ro-bind / / --seccomp-profile "$profile" true

cold="env -u HOME XDG_CACHE_HOME=none $husk --seccomp-profile $profile ${args[*]}"
warm="env XDG_CACHE_HOME=$cache $husk --seccomp-profile $profile ${args[*]}"
none="env XDG_CACHE_HOME=$cache $husk ${args[*]}"

if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 10 --runs "${RUNS:-300}" -n cold "$cold" -n warm "$warm" \
    -n "no profile" "$none"
  exit
fi
for what in cold warm none; do
  cmd=${!what}
  start=$(date +%s%N)
  for _ in $(seq "${RUNS:-200}"); do $cmd >/dev/null; done
  end=$(date +%s%N)
  echo "$what: $(( (end - start) / ${RUNS:-200} / 1000 )) us per run"
done
