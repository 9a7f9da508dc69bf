/* Photo checks: brightness, blur (variance of the Laplacian), metadata strip. */
#include "media/media.h"

#include <stb/stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double fc_image_mean(const uint8_t *g, int w, int h)
{
	if (w <= 0 || h <= 0)
		return 0;
	uint64_t sum = 0;
	size_t n = (size_t)w * (size_t)h;
	for (size_t i = 0; i < n; i++)
		sum += g[i];
	return (double)sum / (double)n;
}

double fc_image_laplacian_var(const uint8_t *g, int w, int h)
{
	if (w < 3 || h < 3)
		return 0;
	double sum = 0, sum_sq = 0;
	size_t n = 0;
	for (int y = 1; y < h - 1; y++) {
		const uint8_t *row = g + (size_t)y * (size_t)w;
		for (int x = 1; x < w - 1; x++) {
			int l = row[x - 1] + row[x + 1] + row[x - w] + row[x + w] - 4 * row[x];
			sum += l;
			sum_sq += (double)l * l;
			n++;
		}
	}
	double mean = sum / (double)n;
	return sum_sq / (double)n - mean * mean;
}

int fc_image_analyse(const char *path, fc_image_stats *out, fc_err *err)
{
	memset(out, 0, sizeof *out);
	int w, h, n;
	if (!stbi_info(path, &w, &h, &n))
		return fc_err_set(err, FC_ERULE, "unreadable", "file", "The photo cannot be decoded.");
	if ((long long)w * h > FC_MEDIA_MAX_PIXELS)
		return fc_err_set(err, FC_ERULE, "too_many_pixels", "file",
				  "The photo has %dx%d pixels; the most we take is %lld megapixels.", w, h,
				  FC_MEDIA_MAX_PIXELS / 1000000);
	uint8_t *g = stbi_load(path, &w, &h, &n, 1);
	if (!g)
		return fc_err_set(err, FC_ERULE, "unreadable", "file", "The photo cannot be decoded (%s).",
				  stbi_failure_reason());
	out->width = w;
	out->height = h;
	out->brightness = fc_image_mean(g, w, h);
	out->sharpness = fc_image_laplacian_var(g, w, h);
	out->dhash = fc_image_dhash(g, w, h);
	stbi_image_free(g);
	return 0;
}

/* JPEG markers: segments start FF xx; SOI/EOI/RSTn/TEM carry no length. */
int fc_jpeg_strip(const char *in_path, const char *out_path, int *removed, fc_err *err)
{
	*removed = 0;
	FILE *in = fopen(in_path, "rb"), *out = NULL;
	unsigned char buf[65536];
	int rc = 0;
	if (!in)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot read the photo.");
	if (fread(buf, 1, 2, in) != 2 || buf[0] != 0xFF || buf[1] != 0xD8) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The photo is not a JPEG.");
		goto out;
	}
	if (!(out = fopen(out_path, "wb"))) {
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write the photo.");
		goto out;
	}
	fwrite(buf, 1, 2, out);
	for (;;) {
		int c = fgetc(in);
		if (c == EOF)
			break;
		if (c != 0xFF) {
			rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The JPEG's structure is damaged.");
			goto out;
		}
		int m;
		while ((m = fgetc(in)) == 0xFF) /* fill bytes */
			;
		if (m == EOF) {
			rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The JPEG ends early.");
			goto out;
		}
		if (m == 0xD9 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
			fputc(0xFF, out);
			fputc(m, out);
			if (m == 0xD9)
				break;
			continue;
		}
		unsigned char lb[2];
		if (fread(lb, 1, 2, in) != 2) {
			rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The JPEG ends early.");
			goto out;
		}
		size_t len = ((size_t)lb[0] << 8 | lb[1]);
		if (len < 2) {
			rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The JPEG's structure is damaged.");
			goto out;
		}
		int drop = m == 0xE1 || m == 0xED;
		if (!drop) {
			unsigned char hdr[4] = {0xFF, (unsigned char)m, lb[0], lb[1]};
			fwrite(hdr, 1, 4, out);
		} else {
			(*removed)++;
		}
		size_t left = len - 2;
		while (left) {
			size_t k = left < sizeof buf ? left : sizeof buf;
			if (fread(buf, 1, k, in) != k) {
				rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The JPEG ends early.");
				goto out;
			}
			if (!drop)
				fwrite(buf, 1, k, out);
			left -= k;
		}
		if (m == 0xDA) { /* start of scan: the entropy-coded rest is copied as is */
			size_t k;
			while ((k = fread(buf, 1, sizeof buf, in)) > 0)
				fwrite(buf, 1, k, out);
			break;
		}
	}
	if (ferror(out) || fflush(out))
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write the photo.");
out:
	fclose(in);
	if (out && fclose(out) && !rc)
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write the photo.");
	if (rc)
		unlink(out_path);
	return rc;
}
