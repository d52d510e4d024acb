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
