/* imgclf.h — the built-in image classifier (Choices over Image).
 *
 * An image becomes FC_IMGCLF_FEATS numbers: its grey levels shrunk (area
 * average) to FC_IMGCLF_SIDE × FC_IMGCLF_SIDE cells, centred on the image's
 * mean grey, plus a 4×4×4-bin colour histogram (share of pixels per bin). A
 * softmax regression (linear.h) over them gives one probability per class;
 * the largest is the label and its probability the score used to order
 * tasks by uncertainty. Files are decoded with stb_image (JPEG, PNG, GIF,
 * BMP, ...), refused above FC_IMGCLF_MAX_PIXELS before decoding. */
#ifndef FC_ML_IMGCLF_H
#define FC_ML_IMGCLF_H

#include "ml/linear.h"

#define FC_IMGCLF_SIDE 16
#define FC_IMGCLF_BINS 64
#define FC_IMGCLF_FEATS (FC_IMGCLF_SIDE * FC_IMGCLF_SIDE + FC_IMGCLF_BINS)
#define FC_IMGCLF_MAX_PIXELS (64LL * 1000 * 1000)

/* Training settings (measured on Fashion-MNIST, bench/README.md). */
#define FC_IMGCLF_OPTS ((fc_ml_opts){5, 0.05, 1e-6, 1})

typedef struct fc_imgclf {
	fc_linear m;
} fc_imgclf;

/* Features of an 8-bit image of w × h pixels with channels 1 (grey) or 3
 * (RGB, interleaved). FC_EINVAL for an empty image or other channels. */
int fc_imgclf_features(const uint8_t *px, int w, int h, int channels, float *out, fc_err *err);
/* Features of an image file. FC_ERULE "unreadable" when stb_image cannot
 * decode it or it is too large. */
int fc_imgclf_features_file(const char *path, float *out, fc_err *err);
/* Features of an image file's bytes, the same way. */
int fc_imgclf_features_mem(const uint8_t *bytes, size_t len, float *out, fc_err *err);

int fc_imgclf_init(fc_imgclf *c, int k, fc_err *err);
void fc_imgclf_free(fc_imgclf *c);
/* Trains on n feature rows x[i * FC_IMGCLF_FEATS ...] with labels in
 * 0..k-1; FC_EINVAL for another label, FC_ENOMEM. Training again goes on
 * from the current weights. */
int fc_imgclf_train(fc_imgclf *c, const float *x, const int *labels, size_t n, const fc_ml_opts *o, fc_err *err);
/* Class probabilities into p[0..k); returns the most probable class. */
int fc_imgclf_predict(const fc_imgclf *c, const float *x, double *p);

#endif
