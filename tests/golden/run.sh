#!/bin/sh
# run.sh: golden tests of the flag front end: argv -> `husk --print-plan`
# output, or -> the error line.
#
# Usage: tests/golden/run.sh [--update] HUSK [CASE...]
#   HUSK    path to the husk binary
#   CASE    case names to run (default: every cases/*.args)
#   --update  rewrite the expectation of every case run from what HUSK does
#             now (NAME.out on exit 0, NAME.err otherwise), then report.
#
# A case is cases/NAME.args: one argv element per line (without the program
# name; an empty line is an empty argument; no trailing-newline games), plus
# exactly one of
#   NAME.out  expected stdout of `husk --print-plan ARGS...`, exit status 0,
#             empty stderr;
#   NAME.err  expected stderr, exit status 1.
# Optional NAME.fd3: a file opened as fd 3 (for --args 3, --file 3 ...).
# Optional NAME.json: copied to BUNDLE/config.json in a fresh bundle
# directory; "@BUNDLE@" in NAME.args stands for that directory, and its path
# reads "@BUNDLE@" again in the output (for --oci cases).
# Output is TAP; exit status 1 when a case fails.
#
# Environment: HUSK_GOLDEN_WRAPPER, a command (split at blanks) husk is run
# under, e.g. "valgrind --quiet --error-exitcode=99" (run-tests.sh sets it
# for HUSK_VALGRIND=1): a report from it changes the exit status or stderr,
# so the case fails.
#
# HUSK_GOLDEN_JOBS (default 1): split the cases into that many consecutive
# shards run at the same time (run-tests.sh sets it to HUSK_TEST_JOBS; under
# valgrind each case takes a CPU for a while); the results are printed in
# the same order and numbering as from one run.
#
# Must not: need privileges; husk --print-plan never creates a sandbox.

set -u

update=0
if [ "${1-}" = "--update" ]; then
  update=1
  shift
fi
if [ $# -lt 1 ]; then
  echo "usage: $0 [--update] HUSK [CASE...]" >&2
  exit 2
fi
husk=$1
shift
wrapper=${HUSK_GOLDEN_WRAPPER-}
case $husk in
  /*) ;;
  *) husk=$(pwd)/$husk ;;
esac

dir=$(cd "$(dirname "$0")/cases" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

if [ $# -eq 0 ]; then
  set -- $(cd "$dir" && ls *.args | sed 's/\.args$//')
fi

jobs=${HUSK_GOLDEN_JOBS:-1}
case $jobs in ''|*[!0-9]*|0) jobs=1 ;; esac
if [ "$update" -eq 0 ] && [ "$jobs" -gt 1 ] && [ $# -ge "$jobs" ]; then
  # Shard k runs cases [k*per, (k+1)*per) as its own run.sh (one case at a
  # time, a tmp dir of its own); the TAP lines are then renumbered in order.
  total=$#
  per=$(( (total + jobs - 1) / jobs ))
  k=0
  while [ $# -gt 0 ]; do
    i=0
    : > "$tmp/list.$k"
    while [ $# -gt 0 ] && [ $i -lt $per ]; do
      printf '%s\n' "$1" >> "$tmp/list.$k"
      shift
      i=$((i + 1))
    done
    # shellcheck disable=SC2046  # case names have no blanks
    (HUSK_GOLDEN_JOBS=1 "$0" "$husk" $(cat "$tmp/list.$k") > "$tmp/tap.$k" 2>&1
     echo $? > "$tmp/rc.$k") &
    k=$((k + 1))
  done
  wait
  n=0
  failed=0
  j=0
  while [ $j -lt $k ]; do
    failed_before=$failed
    while IFS= read -r line || [ -n "$line" ]; do
      case $line in
        "ok "[0-9]*|"not ok "[0-9]*)
          n=$((n + 1))
          case $line in "not ok"*) failed=$((failed + 1)) ;; esac
          printf '%s\n' "$line" | sed -E "s/^(not )?ok [0-9]+/\1ok $n/" ;;
        1..*) ;;
        *) printf '%s\n' "$line" ;;
      esac
    done < "$tmp/tap.$j"
    rc=$(cat "$tmp/rc.$j" 2>/dev/null || echo 99)
    if [ "$rc" != 0 ] && [ $failed -eq "$failed_before" ]; then
      n=$((n + 1)); failed=$((failed + 1))
      echo "not ok $n - shard $((j + 1)) of $k exited $rc"
    fi
    j=$((j + 1))
  done
  if [ $n -lt $total ]; then
    n=$((n + 1)); failed=$((failed + 1))
    echo "not ok $n - only $((n - 1)) results for $total cases"
  fi
  echo "1..$n"
  [ $failed -eq 0 ]
  exit
fi

# Run one case: argv elements are read line by line into "$@".
run_case () {
  name=$1
  bundle=$tmp/bundle
  rm -rf "$bundle"
  if [ -f "$dir/$name.json" ]; then
    mkdir "$bundle" && cp "$dir/$name.json" "$bundle/config.json"
  fi
  set --
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in
      *@BUNDLE@*) line=$(printf '%s\n' "$line" | sed "s|@BUNDLE@|$bundle|g") ;;
    esac
    set -- "$@" "$line"
  done < "$dir/$name.args"
  if [ -f "$dir/$name.fd3" ]; then
    $wrapper "$husk" --print-plan "$@" > "$tmp/out" 2> "$tmp/err" 3< "$dir/$name.fd3"
  else
    $wrapper "$husk" --print-plan "$@" > "$tmp/out" 2> "$tmp/err" 3<&-
  fi
  echo $? > "$tmp/rc"
  # --version's features line ("+SECCOMP -LANDLOCK +SELINUX ...") depends on
  # what configure found: compare it as a placeholder, so the cases hold for
  # every build configuration.
  sed -E 's/^[+-][A-Z0-9_]+( [+-][A-Z0-9_]+)*$/<features>/' "$tmp/out" > "$tmp/out.n"
  mv "$tmp/out.n" "$tmp/out"
  for f in out err; do
    sed "s|$bundle|@BUNDLE@|g" "$tmp/$f" > "$tmp/$f.n" && mv "$tmp/$f.n" "$tmp/$f"
  done
}

n=0
failed=0
for name in "$@"; do
  n=$((n + 1))
  run_case "$name"
  rc=$(cat "$tmp/rc")
  if [ $update -eq 1 ]; then
    rm -f "$dir/$name.out" "$dir/$name.err"
    if [ "$rc" -eq 0 ]; then
      cp "$tmp/out" "$dir/$name.out"
    else
      cp "$tmp/err" "$dir/$name.err"
    fi
    echo "ok $n - $name # updated (exit $rc)"
    continue
  fi
  if [ -f "$dir/$name.out" ]; then
    if [ "$rc" -eq 0 ] && cmp -s "$tmp/out" "$dir/$name.out" \
       && [ ! -s "$tmp/err" ]; then
      echo "ok $n - $name"
      continue
    fi
    want=$dir/$name.out
    got=$tmp/out
  elif [ -f "$dir/$name.err" ]; then
    if [ "$rc" -eq 1 ] && cmp -s "$tmp/err" "$dir/$name.err"; then
      echo "ok $n - $name"
      continue
    fi
    want=$dir/$name.err
    got=$tmp/err
  else
    echo "not ok $n - $name # no $name.out or $name.err"
    failed=$((failed + 1))
    continue
  fi
  echo "not ok $n - $name (exit $rc)"
  diff -u "$want" "$got" | sed 's/^/# /'
  sed 's/^/# stderr: /' "$tmp/err"
  failed=$((failed + 1))
done
echo "1..$n"
[ $failed -eq 0 ]
