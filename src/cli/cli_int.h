/* cli_int.h: state shared by the command-line parser (cli.c) and the
 * option handlers (opts_*.c); the handler prototypes are generated from
 * options.def.
 *
 * Must not: be included outside src/cli.
 */
#ifndef HUSK_CLI_INT_H
#define HUSK_CLI_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

/* One argument still to be parsed: from argv (argi >= 0) or from an --args
 * stream (argi = -1, depth = nesting level of the stream). */
struct cli_arg
{
  const char *s;
  int argi;
  int depth;
};

/* The arguments being parsed; --args splices streams in at `pos`. */
struct cli_args
{
  struct cli_arg *v;
  size_t n, cap, pos;
  char **bufs;            /* stream buffers the strings point into */
  size_t n_bufs, cap_bufs;
  size_t total_bytes;     /* bytes read from all --args streams */
};

struct cli_state
{
  struct husk_plan *plan;
  enum cli_action *action;
  struct cli_args *args;
  int depth;                    /* --args nesting of the current option */
  struct husk_origin origin;    /* the current option as typed (owned) */

  /* --perms / --size: apply to the next consumer only. */
  int perms;                    /* HUSK_PERMS_UNSET when none pending */
  struct husk_origin perms_origin;
  uint64_t size;                /* HUSK_SIZE_UNSET when none pending */
  struct husk_origin size_origin;

  /* --overlay-src layers waiting for --overlay/--tmp-overlay/--ro-overlay. */
  char **overlay_srcs;
  size_t n_overlay_srcs, cap_overlay_srcs;
  struct husk_origin overlay_origin;  /* the last --overlay-src */

  bool stop;                    /* --help/--version: stop parsing now */
  char *other_opt;              /* first option other than --oci/--print-plan (issue 5) */
};

typedef int (*cli_handler) (struct cli_state *st, char **args,
                            struct husk_err *err);

#define OPT(NAME, NARGS, HANDLER, METAVAR, COMPLETION, HELP)             \
  int HANDLER (struct cli_state *st, char **args, struct husk_err *err);
#include "cli/options.def"
#undef OPT

/* cli.c: s in double quotes with C escapes for '"', '\\' and
 * non-printables, for quoting a value in a message.  Caller frees. */
char *cli_quote_always (const char *s);

/* opts_mounts.c: whether the pending --perms/--size/--overlay-src state
 * lets `h` run next; on refusal err names the pending flag. */
int cli_mounts_check_pending (struct cli_state *st, cli_handler h,
                              struct husk_err *err);

#endif
