/* sha256.h: SHA-256 (FIPS 180-4), for content-addressed caches.
 *
 * Must not: allocate or make syscalls.
 */
#ifndef HUSK_SHA256_H
#define HUSK_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256
{
  uint32_t h[8];
  uint64_t total; /* bytes hashed so far */
  unsigned char buf[64];
  size_t n_buf;
};

void sha256_init (struct sha256 *s);
void sha256_update (struct sha256 *s, const void *data, size_t len);
void sha256_final (struct sha256 *s, unsigned char out[SHA256_LEN]);

#endif
