#include "core/crypto.h"
#include "core/err.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

int fc_crypto_init(void) { return sodium_init() < 0 ? FC_EIO : 0; }

void fc_crypto_token(char out[44])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void fc_crypto_hash_hex(const char *s, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)s, strlen(s), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

void fc_crypto_sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, n);
	sodium_bin2hex(out, 65, h, sizeof h);
}

int fc_crypto_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

fc_sha256 *fc_sha256_new(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		c = NULL;
	}
	return (fc_sha256 *)c;
}

void fc_sha256_update(fc_sha256 *h, const void *data, size_t n) { EVP_DigestUpdate((EVP_MD_CTX *)h, data, n); }

void fc_sha256_final_hex(fc_sha256 *h, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_DigestFinal_ex((EVP_MD_CTX *)h, md, &len);
	sodium_bin2hex(out, 65, md, sizeof md);
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
}

void fc_sha256_free(fc_sha256 *h) { EVP_MD_CTX_free((EVP_MD_CTX *)h); }
