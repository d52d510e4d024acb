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

#include "lib/err.h"
#include "lib/sha256.h"

/* Compile `profile` (a JSON object).  json_path_prefix names the object in
 * errors ("linux.seccomp"; NULL or "" for a top-level profile file): errors
 * read "PREFIX.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"".  On
 * success *prog (caller frees) holds *n instructions, 1..BPF_MAXINSNS. */
int seccomp_profile_compile (json_t *profile, const char *json_path_prefix,
                             struct sock_filter **prog, size_t *n, struct husk_err *err);

/* The cache key of a profile's bytes: SHA-256 over a format tag, the
 * libseccomp version, the native architecture and the bytes. */
void seccomp_cache_key (const void *bytes, size_t len, unsigned char key[SHA256_LEN]);

/* $XDG_CACHE_HOME/husk/seccomp/HEX.bpf (or ~/.cache/...), NULL when neither
 * is set to an absolute path.  Caller frees. */
char *seccomp_cache_path (const unsigned char key[SHA256_LEN]);

/* A valid cache entry for key at path: 0 with *prog (caller frees) and *n;
 * -1 on a miss or an entry that fails validation (never an error). */
int seccomp_cache_read (const char *path, const unsigned char key[SHA256_LEN],
                        struct sock_filter **prog, size_t *n);

/* Store prog at path atomically (mkstemp + rename, mode 0600), creating
 * the cache directories (0700).  Best effort: -1 with errno on failure. */
int seccomp_cache_write (const char *path, const unsigned char key[SHA256_LEN],
                         const struct sock_filter *prog, size_t n);

/* --seccomp-profile's argument: "default" is the shipped profile
 * ($HUSK_DATADIR/seccomp/default.json, else the installed one); anything
 * else is a path.  Caller frees. */
char *seccomp_profile_resolve (const char *arg);

/* Read the profile file at path (at most 1 MiB) and compile it, or take
 * it from the cache.  *cache_path is set (caller frees) when the result
 * should be stored in the cache (a miss with a cache directory), else NULL.
 * `key` receives the cache key.  Errors start with `where`. */
int seccomp_profile_load (const char *path, const char *where, struct sock_filter **prog, size_t *n,
                          unsigned char key[SHA256_LEN], char **cache_path, struct husk_err *err);

#endif
