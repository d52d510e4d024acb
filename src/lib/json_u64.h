/* json_u64.h: JSON text to jansson values, with integers up to UINT64_MAX.
 *
 * jansson stores integers as int64 and refuses larger ones at parse time
 * ("too big integer"), yet OCI configs carry uint64 values: an rlimit of
 * RLIM_INFINITY is 18446744073709551615, a seccomp argument value can be
 * 0xffffffffffffffff.  json_u64_load runs a small lexer over the text first
 * and rewrites each non-negative integer above INT64_MAX, in a value
 * position, into a tagged string of the same width in columns (U+E000, then
 * hex digits; or U+E000 and 'x's for one above UINT64_MAX), so jansson
 * parses it and errors later in the text keep their line and column.
 *
 * A tagged string is an integer to everything that asks through this
 * module: json_u64_typeof says JSON_INTEGER, json_u64_string refuses it as
 * a string, json_u64_value reads it.  Input strings that start with U+E000
 * are refused at load time, so a tag always came from the lexer.  Floats,
 * negative numbers and malformed numbers are left to jansson.
 *
 * Must not: make syscalls; depend on plan, cli, oci or exec.
 */
#ifndef HUSK_JSON_U64_H
#define HUSK_JSON_U64_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Parse text (duplicate keys refused).  NULL with err set to
 * "NAME: line L, column C: WHAT" on a syntax error. */
json_t *json_u64_load (const char *text, size_t len, const char *name, struct husk_err *err);

/* v is an integer above INT64_MAX in the tagged form. */
bool json_u64_is_big (const json_t *v);

/* json_typeof, with a tagged big integer reported as JSON_INTEGER. */
json_type json_u64_typeof (const json_t *v);

/* A non-negative integer (tagged or not): 0 with *out set.  -1 for any
 * other value; *too_big is set when it is an integer above UINT64_MAX. */
int json_u64_value (const json_t *v, uint64_t *out, bool *too_big);

/* The string value of v, or NULL when v is not a string (a tagged big
 * integer is not one). */
const char *json_u64_string (const json_t *v);

/* The writing side: an integer value v (a tagged string above INT64_MAX),
 * and v dumped with jansson's flags, every tag written back as its
 * decimal digits.  json_u64_dumps fails (NULL) only when the number of tags it
 * finds is not n_big, the number of json_u64_new values above INT64_MAX
 * in v: a string of the caller's that looks like a tag is never turned
 * into a number.  Caller frees. */
json_t *json_u64_new (uint64_t v);
char *json_u64_dumps (const json_t *v, size_t flags, size_t n_big);

#endif
