/* The built-in image classifier: see imgclf.h. */
#include "ml/imgclf.h"

#include <stb/stb_image.h>
#include <stdlib.h>
#include <string.h>

#define S FC_IMGCLF_SIDE
#define NPIX (S * S)

static uint8_t grey_at(const uint8_t *px, size_t i, int channels)
{
	if (channels == 1)
		return px[i];
	const uint8_t *p = px + i * 3;
	return (uint8_t)((77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8);
}

/* Area average of the grey levels into S × S cells, in [0, 1]. */
static void shrink(const uint8_t *px, int w, int h, int channels, float *out)
{
	double sum[NPIX] = {0}, cnt[NPIX] = {0};
	for (int y = 0; y < h; y++) {
		int cy = (int)((int64_t)y * S / h);
		for (int x = 0; x < w; x++) {
			int cell = cy * S + (int)((int64_t)x * S / w);
			sum[cell] += grey_at(px, (size_t)y * (size_t)w + (size_t)x, channels);
			cnt[cell] += 1;
		}
	}
	for (int i = 0; i < NPIX; i++) /* an image smaller than S leaves cells empty: take its neighbour */
		out[i] = cnt[i] ? (float)(sum[i] / cnt[i] / 255.0) : (i ? out[i - 1] : 0);
}

static void centre(float *v, int n)
{
	double mean = 0;
	for (int i = 0; i < n; i++)
		mean += v[i];
	mean /= n;
	for (int i = 0; i < n; i++)
		v[i] -= (float)mean;
}

static void histogram(const uint8_t *px, size_t npx, int channels, float *out)
{
	double cnt[FC_IMGCLF_BINS] = {0};
	for (size_t i = 0; i < npx; i++) {
		const uint8_t *p = px + i * (size_t)channels;
		int r = p[0] >> 6, g = channels == 3 ? p[1] >> 6 : r, b = channels == 3 ? p[2] >> 6 : r;
		cnt[(r << 4) | (g << 2) | b] += 1;
	}
	for (int i = 0; i < FC_IMGCLF_BINS; i++)
		out[i] = (float)(cnt[i] / (double)npx);
}

int fc_imgclf_features(const uint8_t *px, int w, int h, int channels, float *out, fc_err *err)
{
	if (!px || w <= 0 || h <= 0 || (channels != 1 && channels != 3))
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL, "An image needs pixels and 1 or 3 channels.");
	shrink(px, w, h, channels, out);
	centre(out, NPIX);
	histogram(px, (size_t)w * (size_t)h, channels, out + NPIX);
	return 0;
}

/* What stbi_info said: 0 when the image may be decoded. */
static int decodable(int ok, int w, int h, fc_err *err)
{
	if (!ok)
		return fc_err_set(err, FC_ERULE, "unreadable", NULL, "The image cannot be read: %s.",
				  stbi_failure_reason());
	if ((int64_t)w * h > FC_IMGCLF_MAX_PIXELS)
		return fc_err_set(err, FC_ERULE, "unreadable", NULL, "The image has too many pixels (%d x %d).", w, h);
	return 0;
}

/* Features of what stbi_load decoded (RGB), then frees it. */
static int decoded(uint8_t *px, int w, int h, float *out, fc_err *err)
{
	if (!px)
		return fc_err_set(err, FC_ERULE, "unreadable", NULL, "The image cannot be decoded: %s.",
				  stbi_failure_reason());
	int rc = fc_imgclf_features(px, w, h, 3, out, err);
	stbi_image_free(px);
	return rc;
}

int fc_imgclf_features_file(const char *path, float *out, fc_err *err)
{
	int w = 0, h = 0, n, rc = decodable(stbi_info(path, &w, &h, &n), w, h, err);
	return rc ? rc : decoded(stbi_load(path, &w, &h, &n, 3), w, h, out, err);
}

int fc_imgclf_features_mem(const uint8_t *bytes, size_t len, float *out, fc_err *err)
{
	if (len > INT32_MAX)
		return fc_err_set(err, FC_ERULE, "unreadable", NULL, "The image is too large.");
	int w = 0, h = 0, n, rc = decodable(stbi_info_from_memory(bytes, (int)len, &w, &h, &n), w, h, err);
	return rc ? rc : decoded(stbi_load_from_memory(bytes, (int)len, &w, &h, &n, 3), w, h, out, err);
}

int fc_imgclf_init(fc_imgclf *c, int k, fc_err *err) { return fc_linear_init(&c->m, k, FC_IMGCLF_FEATS, err); }

void fc_imgclf_free(fc_imgclf *c) { fc_linear_free(&c->m); }

static void as_feats(const float *x, fc_feat *f)
{
	for (uint32_t i = 0; i < FC_IMGCLF_FEATS; i++)
		f[i] = (fc_feat){i, x[i]};
}

int fc_imgclf_train(fc_imgclf *c, const float *x, const int *labels, size_t n, const fc_ml_opts *o, fc_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (labels[i] < 0 || labels[i] >= c->m.k)
			return fc_err_set(err, FC_EINVAL, "invalid_value", NULL,
					  "Label %d of image %zu is not a class.", labels[i], i);
	size_t *order = malloc((n ? n : 1) * sizeof *order);
	if (!order)
		return fc_err_set(err, FC_ENOMEM, "internal", NULL, "Out of memory while training.");
	fc_feat f[FC_IMGCLF_FEATS];
	uint64_t rng = o->seed;
	for (int e = 0; e < o->epochs; e++) {
		fc_ml_shuffle(order, n, &rng);
		double lr = o->lr / (1 + e);
		for (size_t i = 0; i < n; i++) {
			as_feats(x + order[i] * FC_IMGCLF_FEATS, f);
			fc_linear_step(&c->m, f, FC_IMGCLF_FEATS, labels[order[i]], lr, o->l2);
		}
	}
	free(order);
	return 0;
}

int fc_imgclf_predict(const fc_imgclf *c, const float *x, double *p)
{
	fc_feat f[FC_IMGCLF_FEATS];
	as_feats(x, f);
	fc_linear_probs(&c->m, f, FC_IMGCLF_FEATS, p);
	return fc_ml_argmax(p, c->m.k, NULL);
}
