#!/bin/bash
# docs-sync.sh: the man page and the shell completions agree with the option
# table, src/cli/options.def.
#
# The table is the single source of truth.  For each OPT (NAME, NARGS, HANDLER,
# METAVAR, COMPLETION, HELP) entry this checks that
#   man/husk.1                 has an OPTIONS entry: a ".TP" line followed by
#                              \fB\-\-NAME\fR and the METAVAR words in \fI...\fR;
#   completions/bash/husk      lists [--NAME]='KINDS' in _husk's table;
#   completions/zsh/_husk      has a spec line '...--NAME[description]:msg:action...';
#   completions/fish/husk.fish has "complete -c husk ... -l NAME", and
#                              __husk_arg_kinds echoes its KINDS;
# where KINDS are the COMPLETION words ("" for an option without arguments).
# In reverse, nothing may document an option the table lacks: the man page's
# OPTIONS entries and every option mentioned anywhere in it (except those in
# its "not yet supported" list and those between "docs-sync: subcommand"
# markers, which must not be in the table), and every
# option in the completion files.
#
# Prints TAP; exits 0 only when every test passes.  Runs from any directory.
# Needs only bash and awk.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
table=src/cli/options.def
man=man/husk.1
bash_c=completions/bash/husk
zsh_c=completions/zsh/_husk
fish_c=completions/fish/husk.fish

n=0 failed=0
# result OK DESC [DIAG...]: one TAP line, then the diagnostics as comments.
result ()
{
  local good=$1 desc=$2
  shift 2
  n=$((n + 1))
  if [ "$good" = 1 ]; then
    echo "ok $n - $desc"
  else
    failed=$((failed + 1))
    echo "not ok $n - $desc"
  fi
  local d
  for d in "$@"; do echo "# $d"; done
}

# --- The table ---------------------------------------------------------------

declare -A nargs=() metavar=() kinds=()
names=()
table_errs=()

# One OPT entry per record, even if an entry is wrapped over several lines.
opt_records ()
{
  awk '
    /^[ \t]*OPT[ \t]*\(/ { rec = $0; inrec = 1 }
    inrec && rec != $0 { rec = rec " " $0 }
    inrec && /\)[ \t]*$/ { print rec; inrec = 0 }
  ' "$root/$table"
}

opt_re='^[[:space:]]*OPT[[:space:]]*\([[:space:]]*"([^"]*)"[[:space:]]*,[[:space:]]*([0-9]+)[[:space:]]*,[[:space:]]*([A-Za-z0-9_]+)[[:space:]]*,[[:space:]]*"([^"]*)"[[:space:]]*,[[:space:]]*"([^"]*)"[[:space:]]*,'
valid_kinds=' path dir fd num octal size name value uid gid host '

if [ ! -r "$root/$table" ]; then
  echo "1..1"
  echo "not ok 1 - $table is readable"
  exit 1
fi

while IFS= read -r rec; do
  if [[ ! $rec =~ $opt_re ]]; then
    table_errs+=("$table: cannot parse: $rec")
    continue
  fi
  name=${BASH_REMATCH[1]} na=${BASH_REMATCH[2]} mv=${BASH_REMATCH[4]} comp=${BASH_REMATCH[5]}
  if [[ ! $name =~ ^--[a-z0-9][a-z0-9-]*$ ]]; then
    table_errs+=("$table: $name: not a long option name")
    continue
  fi
  if [ -n "${nargs[$name]+set}" ]; then
    table_errs+=("$table: $name: listed twice")
    continue
  fi
  read -r -a mv_words <<< "$mv"
  read -r -a comp_words <<< "$comp"
  if [ "$na" = 0 ]; then
    [ "$comp" = none ] || table_errs+=("$table: $name: COMPLETION is \"$comp\", expected \"none\" for no arguments")
    comp=''
  else
    [ "${#comp_words[@]}" = "$na" ] || table_errs+=("$table: $name: $na arguments but COMPLETION \"$comp\"")
    for w in "${comp_words[@]}"; do
      [[ $valid_kinds == *" $w "* ]] || table_errs+=("$table: $name: unknown completion kind \"$w\"")
    done
  fi
  [ "${#mv_words[@]}" = "$na" ] || table_errs+=("$table: $name: $na arguments but METAVAR \"$mv\"")
  names+=("$name")
  nargs[$name]=$na
  metavar[$name]="${mv_words[*]}"
  kinds[$name]="${comp_words[*]:-}"
  [ "$na" = 0 ] && kinds[$name]=''
done < <(opt_records)

[ "${#names[@]}" -gt 0 ] || table_errs+=("$table: no OPT entries found")
result "$([ ${#table_errs[@]} = 0 ] && echo 1 || echo 0)" \
  "$table is well-formed (${#names[@]} options)" "${table_errs[@]}"

in_table () { [ -n "${nargs[$1]+set}" ]; }

# check_forward FILE ARRAY-OF-FOUND-NAMES: every table option is present.
check_forward ()
{
  local file=$1
  local -n found=$2
  local -a errs=()
  local o
  for o in "${names[@]}"; do
    [ -n "${found[$o]+set}" ] || errs+=("$file: missing $o")
  done
  result "$([ ${#errs[@]} = 0 ] && echo 1 || echo 0)" "$file documents every option" "${errs[@]}"
}

# check_reverse FILE ARRAY-OF-FOUND-NAMES [EXTRA-ERRS...]: nothing unknown.
check_reverse ()
{
  local file=$1
  local -n found2=$2
  shift 2
  local -a errs=("$@")
  local o
  for o in "${!found2[@]}"; do
    in_table "$o" || errs+=("$file: documents $o, which is not in $table")
  done
  result "$([ ${#errs[@]} = 0 ] && echo 1 || echo 0)" \
    "$file documents no option outside the table" "${errs[@]}"
}

# check_kinds FILE ARRAY(name -> kinds as the file has them) [EXTRA-ERRS...]
check_kinds ()
{
  local file=$1
  local -n got=$2
  shift 2
  local -a errs=("$@")
  local o
  for o in "${names[@]}"; do
    [ -n "${got[$o]+set}" ] || continue   # reported as missing already
    [ "${got[$o]}" = "${kinds[$o]}" ] \
      || errs+=("$file: $o: arguments \"${got[$o]}\", table says \"${kinds[$o]}\"")
  done
  result "$([ ${#errs[@]} = 0 ] && echo 1 || echo 0)" \
    "$file completes each option's arguments as the table says" "${errs[@]}"
}

unescape_roff () { local s=${1//\\%/}; s=${s//\\&/}; printf '%s' "${s//\\-/-}"; }

# --- man/husk.1 ----------------------------------------------------------------

declare -A man_entry=() man_meta=() man_mention=() man_unsupported=() man_subcommand=()
man_errs=() man_mention_errs=()
if [ -r "$root/$man" ]; then
  section='' prev=''
  while IFS= read -r line; do
    if [[ $line =~ ^\.SH[[:space:]]+\"?([^\"]*) ]]; then
      section=${BASH_REMATCH[1]}
    elif [ "$section" = OPTIONS ] && [ "$prev" = .TP ] \
         && [[ $line =~ ^\\fB((\\-|[A-Za-z0-9])+)\\fR(.*)$ ]]; then
      name=$(unescape_roff "${BASH_REMATCH[1]}")
      rest=${BASH_REMATCH[3]}
      if [[ $name == --* ]]; then
        [ -n "${man_entry[$name]+set}" ] && man_errs+=("$man: $name has two OPTIONS entries")
        man_entry[$name]=1
        meta=''
        while [[ $rest =~ \\fI([^\\]*)\\f[RP] ]]; do
          meta+=" ${BASH_REMATCH[1]}"
          rest=${rest#*"${BASH_REMATCH[0]}"}
        done
        read -r -a mw <<< "$meta"
        man_meta[$name]="${mw[*]:-}"
      fi
    fi
    prev=$line
  done < "$root/$man"

  # The "not yet supported" list, between two marker comments.
  while IFS= read -r o; do
    man_unsupported[$o]=1
  done < <(awk '/^\.\\" docs-sync: unsupported begin/ { on = 1; next }
                /^\.\\" docs-sync: unsupported end/ { on = 0 }
                on && !/^\.\\"/' "$root/$man" \
           | sed -e 's/\\%//g' -e 's/\\&//g' -e 's/\\-/-/g' \
           | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)

  # Options of subcommands ("husk features --json"), between "docs-sync:
  # subcommand" marker comments: they belong to the subcommand, so they
  # must not be in the table either.
  while IFS= read -r o; do
    man_subcommand[$o]=1
  done < <(awk '/^\.\\" docs-sync: subcommand begin/ { on = 1; next }
                /^\.\\" docs-sync: subcommand end/ { on = 0 }
                on && !/^\.\\"/' "$root/$man" \
           | sed -e 's/\\%//g' -e 's/\\&//g' -e 's/\\-/-/g' \
           | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)

  # Every option mentioned anywhere (comments excluded).
  while IFS= read -r o; do
    man_mention[$o]=1
  done < <(grep -v '^\.\\"' "$root/$man" \
           | sed -e 's/\\%//g' -e 's/\\&//g' -e 's/\\-/-/g' \
           | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
  for o in "${!man_mention[@]}"; do
    in_table "$o" || [ -n "${man_unsupported[$o]+set}" ] \
      || [ -n "${man_subcommand[$o]+set}" ] \
      || man_mention_errs+=("$man: mentions $o, which is neither in $table nor listed as not yet supported")
  done
  for o in "${!man_unsupported[@]}"; do
    in_table "$o" && man_mention_errs+=("$man: lists $o as not yet supported, but $table has it")
  done
  for o in "${!man_subcommand[@]}"; do
    in_table "$o" && man_mention_errs+=("$man: lists $o as a subcommand's option, but $table has it")
  done
else
  man_errs+=("$man: not readable")
fi

check_forward "$man" man_entry
check_reverse "$man" man_entry "${man_errs[@]}"
meta_errs=()
for o in "${names[@]}"; do
  [ -n "${man_entry[$o]+set}" ] || continue
  [ "${man_meta[$o]}" = "${metavar[$o]}" ] \
    || meta_errs+=("$man: $o: arguments \"${man_meta[$o]}\", table says \"${metavar[$o]}\"")
done
result "$([ ${#meta_errs[@]} = 0 ] && echo 1 || echo 0)" \
  "$man names each option's arguments as the table does" "${meta_errs[@]}"
result "$([ ${#man_mention_errs[@]} = 0 ] && echo 1 || echo 0)" \
  "$man mentions only options in the table or in its not-yet-supported list" \
  "${man_mention_errs[@]}"

# --- completions: subcommands ---------------------------------------------------
# Lines between "# docs-sync: subcommand begin" and "... end" complete the
# options of subcommands (husk spec, husk features): they are left out of
# the checks against the table, and must name exactly the subcommand
# options of the man page.

# comp_main FILE: the completion file without its subcommand blocks.
comp_main ()
{
  awk '/^[ \t]*# docs-sync: subcommand begin/ { on = 1; next }
       /^[ \t]*# docs-sync: subcommand end/ { on = 0; next }
       !on' "$root/$1"
}

# comp_sub_opts FILE: the options its subcommand blocks name, one a line.
comp_sub_opts ()
{
  awk '/^[ \t]*# docs-sync: subcommand begin/ { on = 1; next }
       /^[ \t]*# docs-sync: subcommand end/ { on = 0 }
       on && !/^[ \t]*#/' "$root/$1" \
    | sed -E 's/-l ([a-z0-9-]+)/--\1/g' | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

for f in "$bash_c" "$zsh_c" "$fish_c"; do
  sub_errs=()
  declare -A sub_found=()
  while IFS= read -r o; do
    sub_found[$o]=1
    [ -n "${man_subcommand[$o]+set}" ] \
      || sub_errs+=("$f: completes $o for a subcommand, but $man lists no such subcommand option")
  done < <(comp_sub_opts "$f")
  for o in "${!man_subcommand[@]}"; do
    [ -n "${sub_found[$o]+set}" ] || sub_errs+=("$f: does not complete the subcommand option $o")
  done
  unset sub_found
  result "$([ ${#sub_errs[@]} = 0 ] && echo 1 || echo 0)" \
    "$f completes the subcommand options of $man" "${sub_errs[@]}"
done

# --- completions/bash/husk -----------------------------------------------------

declare -A bash_found=()
bash_errs=()
if [ -r "$root/$bash_c" ]; then
  while IFS= read -r line; do
    if [[ $line =~ ^[[:space:]]*\[(--[a-z0-9-]+)\]=(.*)$ ]]; then
      name=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
      v=${v#\'} v=${v%\'} v=${v#\"} v=${v%\"}
      [ -n "${bash_found[$name]+set}" ] && bash_errs+=("$bash_c: $name listed twice")
      bash_found[$name]=$v
    fi
  done < <(comp_main "$bash_c")
else
  bash_errs+=("$bash_c: not readable")
fi
check_forward "$bash_c" bash_found
check_reverse "$bash_c" bash_found "${bash_errs[@]}"
check_kinds "$bash_c" bash_found

# --- completions/zsh/_husk -----------------------------------------------------

# zsh actions stand for these kinds; every other kind has no completion (' ').
zsh_kind ()
{
  case $1 in
    path|dir|name) echo "$1" ;;
    *) echo plain ;;
  esac
}
zsh_action_kind ()
{
  case $1 in
    _files) echo path ;;
    '_files -/') echo dir ;;
    _husk_env_names) echo name ;;
    ''|' ') echo plain ;;
    *) echo "unknown action \"$1\"" ;;
  esac
}

declare -A zsh_found=() zsh_kinds=()
zsh_errs=()
zsh_re="^[[:space:]]*'(\\([^)]*\\))?\\*?(--[a-z0-9-]+)\\[(([^]\\\\]|\\\\.)*)\\](.*)'[[:space:]]*\\\\?[[:space:]]*$"
if [ -r "$root/$zsh_c" ]; then
  while IFS= read -r line; do
    [[ $line =~ $zsh_re ]] || continue
    name=${BASH_REMATCH[2]} rest=${BASH_REMATCH[5]}
    [ -n "${zsh_found[$name]+set}" ] && zsh_errs+=("$zsh_c: $name has two specs")
    zsh_found[$name]=1
    got=()
    # rest is empty or ":message:action" repeated.
    while [ -n "$rest" ]; do
      rest=${rest#:}
      rest=${rest#*:}          # drop the message
      action=${rest%%:*}
      if [[ $rest == *:* ]]; then rest=:${rest#*:}; else rest=''; fi
      got+=("$(zsh_action_kind "$action")")
    done
    zsh_kinds[$name]="${got[*]:-}"
  done < <(comp_main "$zsh_c")
else
  zsh_errs+=("$zsh_c: not readable")
fi
declare -A zsh_want=()
for o in "${names[@]}"; do
  w=()
  for k in ${kinds[$o]}; do w+=("$(zsh_kind "$k")"); done
  zsh_want[$o]="${w[*]:-}"
done
check_forward "$zsh_c" zsh_found
check_reverse "$zsh_c" zsh_found "${zsh_errs[@]}"
zkind_errs=()
for o in "${names[@]}"; do
  [ -n "${zsh_found[$o]+set}" ] || continue
  [ "${zsh_kinds[$o]}" = "${zsh_want[$o]}" ] \
    || zkind_errs+=("$zsh_c: $o: arguments \"${zsh_kinds[$o]}\", table says \"${zsh_want[$o]}\"")
done
result "$([ ${#zkind_errs[@]} = 0 ] && echo 1 || echo 0)" \
  "$zsh_c completes each option's arguments as the table says" "${zkind_errs[@]}"

# --- completions/fish/husk.fish --------------------------------------------------

declare -A fish_found=() fish_kinds=()
fish_errs=()
if [ -r "$root/$fish_c" ]; then
  while IFS= read -r name; do
    fish_found[--$name]=1
  done < <(comp_main "$fish_c" | grep -E '^[[:space:]]*complete[[:space:]].*-c[[:space:]]+husk' \
           | grep -oE -- '[[:space:]]-l[[:space:]]+[a-z0-9][a-z0-9-]*' \
           | awk '{ print $2 }')
  # __husk_arg_kinds: "case --a --b" followed by "echo KINDS".
  while IFS=$'\t' read -r case_names k; do
    for name in $case_names; do
      [ -n "${fish_kinds[$name]+set}" ] && fish_errs+=("$fish_c: __husk_arg_kinds lists $name twice")
      fish_kinds[$name]=$k
    done
  done < <(awk '
    /^[ \t]*function[ \t]+__husk_arg_kinds/ { on = 1; next }
    on && /^end/ { on = 0 }
    on && $1 == "case" { $1 = ""; sub(/^ +/, ""); names = $0 }
    on && $1 == "echo" && names != "" { $1 = ""; sub(/^ +/, ""); print names "\t" $0; names = "" }
  ' < <(comp_main "$fish_c"))
else
  fish_errs+=("$fish_c: not readable")
fi
check_forward "$fish_c" fish_found
check_reverse "$fish_c" fish_found "${fish_errs[@]}"
fkind_errs=()
for o in "${!fish_kinds[@]}"; do
  in_table "$o" || fkind_errs+=("$fish_c: __husk_arg_kinds lists $o, which is not in $table")
done
for o in "${names[@]}"; do
  [ -n "${fish_found[$o]+set}" ] || continue
  [ "${fish_kinds[$o]:-}" = "${kinds[$o]}" ] \
    || fkind_errs+=("$fish_c: $o: arguments \"${fish_kinds[$o]:-}\", table says \"${kinds[$o]}\"")
done
result "$([ ${#fkind_errs[@]} = 0 ] && echo 1 || echo 0)" \
  "$fish_c completes each option's arguments as the table says" "${fkind_errs[@]}"

echo "1..$n"
[ "$failed" = 0 ]
