/* Loaders of real labelled data: see mldata.h. */
#include "mldata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t be32(const unsigned char *b) { return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]; }

/* The decompressed bytes of a gzip file. */
static unsigned char *gunzip(const char *path, size_t *len)
{
	if (access(path, R_OK))
		return NULL;
	char cmd[512];
	snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	unsigned char *b = malloc(cap);
	size_t got;
	while (b && (got = fread(b + n, 1, cap - n, p)) > 0) {
		n += got;
		if (n == cap) {
			unsigned char *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (pclose(p) != 0) {
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

int fmnist_load(const char *which, uint8_t **px, int **labels, size_t *n)
{
	char ip[256], lp[256];
	snprintf(ip, sizeof ip, "%s/%s-images-idx3-ubyte.gz", FMNIST_DIR, which);
	snprintf(lp, sizeof lp, "%s/%s-labels-idx1-ubyte.gz", FMNIST_DIR, which);
	size_t il = 0, ll = 0;
	unsigned char *ib = gunzip(ip, &il), *lb = gunzip(lp, &ll);
	int rc = -1;
	if (!ib || !lb || il < 16 || ll < 8 || be32(ib) != 0x803 || be32(lb) != 0x801)
		goto out;
	size_t cnt = be32(ib + 4);
	if (be32(lb + 4) != cnt || il < 16 + cnt * 784 || ll < 8 + cnt)
		goto out;
	*px = malloc(cnt * 784);
	*labels = malloc(cnt * sizeof **labels);
	if (!*px || !*labels)
		goto out;
	memcpy(*px, ib + 16, cnt * 784);
	for (size_t i = 0; i < cnt; i++)
		(*labels)[i] = lb[8 + i];
	*n = cnt;
	rc = 0;
out:
	free(ib);
	free(lb);
	return rc;
}

/* Appends the fortunes of one file (separated by lines holding "%"). */
static int read_category(const char *cat, int label, char ***texts, int **labels, size_t *n, size_t *cap)
{
	char path[256], line[4096];
	snprintf(path, sizeof path, "%s/%s", FORTUNES_DIR, cat);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *cur = NULL;
	size_t len = 0;
	for (;;) {
		int eof = !fgets(line, sizeof line, f);
		if (eof || !strcmp(line, "%\n")) {
			if (cur && len) {
				if (*n == *cap) {
					*cap = *cap ? *cap * 2 : 256;
					*texts = realloc(*texts, *cap * sizeof **texts);
					*labels = realloc(*labels, *cap * sizeof **labels);
				}
				(*texts)[*n] = cur;
				(*labels)[(*n)++] = label;
			} else {
				free(cur);
			}
			cur = NULL;
			len = 0;
			if (eof)
				break;
			continue;
		}
		size_t l = strlen(line);
		cur = realloc(cur, len + l + 1);
		memcpy(cur + len, line, l + 1);
		len += l;
	}
	fclose(f);
	return 0;
}

int fortunes_load(const char *const *cats, int ncat, char ***texts, int **labels, size_t *n)
{
	size_t cap = 0;
	*texts = NULL;
	*labels = NULL;
	*n = 0;
	for (int c = 0; c < ncat; c++)
		if (read_category(cats[c], c, texts, labels, n, &cap)) {
			fortunes_free(*texts, *n);
			free(*labels);
			return -1;
		}
	return 0;
}

void fortunes_free(char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
}
