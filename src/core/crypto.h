/* crypto.h — random tokens and hashing (libsodium). */
#ifndef FC_CORE_CRYPTO_H
#define FC_CORE_CRYPTO_H

#include <stddef.h>

int fc_crypto_init(void); /* 0 or FC_EIO */
/* Writes a random URL-safe token of 43 chars + NUL into out (>= 44 bytes). */
void fc_crypto_token(char out[44]);
/* Hex BLAKE2b-256 of s into out (65 bytes). Used to store tokens hashed. */
void fc_crypto_hash_hex(const char *s, char out[65]);
/* Hex SHA-256 of data into out (65 bytes). */
void fc_crypto_sha256_hex(const void *data, size_t n, char out[65]);
/* Constant-time string equality (lengths compared first). */
int fc_crypto_streq(const char *a, const char *b);

/* Streaming SHA-256 for large bodies (uploads, blobs). Backed by OpenSSL's
 * libcrypto, which uses the CPU's SHA instructions: about 4x libsodium's
 * portable SHA-256 on this project's machines (bench/README.md). */
typedef struct fc_sha256 fc_sha256;
fc_sha256 *fc_sha256_new(void); /* NULL when out of memory */
void fc_sha256_update(fc_sha256 *h, const void *data, size_t n);
/* Writes 64 hex digits + NUL and frees h. */
void fc_sha256_final_hex(fc_sha256 *h, char out[65]);
void fc_sha256_free(fc_sha256 *h); /* without a result; NULL ok */

#endif
