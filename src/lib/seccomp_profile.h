/* seccomp_profile.h: compile a seccomp profile in the OCI runtime-spec JSON
 * format (the `linux.seccomp` object) into a classic-BPF program with
 * libseccomp, and cache compiled programs by content hash.
 *
 * Shared by the flag front end (--seccomp-profile FILE|default) and the
 * OCI front end (linux.seccomp).  Compiling makes no syscall that changes
 * anything: libseccomp is told the kernel API level instead of probing the
 * kernel, so the output depends only on the profile, libseccomp's version
 * and the machine's native architecture (which is what the cache key holds).
 *
 * Must not: load a filter, depend on plan, cli or exec, or print anything
 * but the warnings the runtime-spec asks for (unknown properties).
 */
#ifndef HUSK_SECCOMP_PROFILE_H
#define HUSK_SECCOMP_PROFILE_H

#include <jansson.h>
#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/sha256.h"

/* A compiled profile: the program and what loading it needs besides.
 * flags are seccomp(2)'s SECCOMP_FILTER_FLAG_* bits: LOG, SPEC_ALLOW and
 * WAIT_KILLABLE_RECV from the profile's `flags`, NEW_LISTENER when a rule
 * uses SCMP_ACT_NOTIFY (then listener_path, the agent's socket, is set:
 * absolute, shorter than sun_path; listener_metadata may be). */
struct seccomp_compiled
{
  struct sock_filter *prog;
  size_t n;
  uint32_t flags;
  char *listener_path;     /* NULL unless flags has NEW_LISTENER */
  char *listener_metadata; /* NULL when not given */
};
#define SECCOMP_PROFILE_METADATA_MAX 4096 /* bytes of listenerMetadata */

void seccomp_compiled_free (struct seccomp_compiled *c);

/* Compile `profile` (a JSON object).  json_path_prefix names the object in
 * errors ("linux.seccomp"; NULL or "" for a top-level profile file): errors
 * read "PREFIX.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"".  On
 * success *out (caller frees with seccomp_compiled_free) holds 1..BPF_MAXINSNS
 * instructions. */
int seccomp_profile_compile (json_t *profile, const char *json_path_prefix,
                             struct seccomp_compiled *out, struct husk_err *err);

/* The cache key of a profile's bytes: SHA-256 over a format tag, the
 * libseccomp version, the native architecture and the bytes. */
void seccomp_cache_key (const void *bytes, size_t len, unsigned char key[SHA256_LEN]);

/* $XDG_CACHE_HOME/husk/seccomp/HEX.bpf (or ~/.cache/...), NULL when neither
 * is set to an absolute path.  Caller frees. */
char *seccomp_cache_path (const unsigned char key[SHA256_LEN]);

/* A valid cache entry for key at path: 0 with *out (the program, its
 * flags and listener; caller frees); -1 on a miss or an entry that fails
 * validation (never an error). */
int seccomp_cache_read (const char *path, const unsigned char key[SHA256_LEN],
                        struct seccomp_compiled *out);

/* Store c at path atomically (mkstemp + rename, mode 0600), creating
 * the cache directories (0700).  Best effort: -1 with errno on failure. */
int seccomp_cache_write (const char *path, const unsigned char key[SHA256_LEN],
                         const struct seccomp_compiled *c);

/* --seccomp-profile's argument: "default" is the shipped profile
 * ($HUSK_DATADIR/seccomp/default.json, else the installed one); anything
 * else is a path.  Caller frees. */
char *seccomp_profile_resolve (const char *arg);

/* Read the profile file at path (at most 1 MiB) and compile it, or take
 * it from the cache.  *cache_path is set (caller frees) when the result
 * should be stored in the cache (a miss with a cache directory), else NULL.
 * `key` receives the cache key.  Errors start with `where`. */
int seccomp_profile_load (const char *path, const char *where, struct seccomp_compiled *out,
                          unsigned char key[SHA256_LEN], char **cache_path, struct husk_err *err);

#endif
