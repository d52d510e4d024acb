/* tap.h: the unit tests' TAP harness.  Each test prints "ok N - what" or
 * "not ok N - what"; tap_done prints the plan "1..N" at the end and gives
 * the exit status.  tests/run-tests.sh reads that output.
 *
 * Must not: print anything TAP does not expect on stdout (comments go
 * through diag, "# ...").
 */
#ifndef HUSK_TESTS_TAP_H
#define HUSK_TESTS_TAP_H

/* One test: "ok N - " when cond holds, else "not ok N - ", then the
 * prefix (tap_set_prefix) and fmt's text, and a newline. */
void ok (int cond, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* A skipped test: "ok N - " the prefix, fmt's text, " # SKIP " reason. */
void tap_skip (const char *reason, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* A comment: "# ", fmt's text, a newline. */
void diag (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Text put before the description of every test from now on (NULL or
 * "": none), for a program that runs its tests once per mode.  Not
 * copied: it must outlive its use. */
void tap_set_prefix (const char *prefix);

/* How many tests have run so far. */
int tap_count (void);

/* The plan, "1..N" for the N tests that ran, and stdout flushed.
 * Returns the exit status: 0 when every test passed, else 1. */
int tap_done (void);

#endif
