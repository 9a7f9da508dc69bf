/* Loudness, silence and clipping of a recording, decoded a frame at a time
 * (the decoding is in the media module, av.c). */
#include "media/media.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The peaks fc_audio_peaks wants from the decode it runs on this thread:
 * the module calls fc_audio_acc_init itself, so the request rides here. */
static _Thread_local const fc_audio_acc *peaks_wanted;

void fc_audio_acc_init(fc_audio_acc *a, int sample_rate, int channels)
{
	memset(a, 0, sizeof *a);
	if (peaks_wanted) {
		a->pk = peaks_wanted->pk;
		a->npk = peaks_wanted->npk;
		a->pk_seconds = peaks_wanted->pk_seconds;
	}
	a->rate = sample_rate > 0 ? sample_rate : 1;
	a->channels = channels > 0 ? channels : 1;
	a->win_len = (uint64_t)(a->rate * FC_MEDIA_WINDOW_SECONDS);
	if (a->win_len == 0)
		a->win_len = 1;
	if (a->pk && a->npk) {
		double total = a->pk_seconds * a->rate;
		a->pk_per = (uint64_t)ceil(total / (double)a->npk);
		if (a->pk_per == 0)
			a->pk_per = 1;
	}
}

static double to_dbfs(double mean_sq)
{
	/* a full-scale sine has RMS 1/sqrt(2); dBFS here is relative to a full-scale square */
	return mean_sq > 0 ? 10.0 * log10(mean_sq) : -INFINITY;
}

static void close_window(fc_audio_acc *a)
{
	double ms = a->win_sq / (double)(a->win_fill * (uint64_t)a->channels);
	a->windows++;
	if (to_dbfs(ms) < FC_MEDIA_SILENCE_DBFS)
		a->silent++;
	a->win_fill = 0;
	a->win_sq = 0;
}

void fc_audio_acc_feed(fc_audio_acc *a, const float *x, size_t frames)
{
	for (size_t f = 0; f < frames; f++) {
		double fsq = 0;
		for (int c = 0; c < a->channels; c++) {
			double v = x[f * (size_t)a->channels + (size_t)c];
			double m = fabs(v);
			if (m >= FC_MEDIA_CLIP_LEVEL)
				a->clipped++;
			if (m > a->peak)
				a->peak = m;
			fsq += v * v;
		}
		if (a->pk) {
			uint64_t i = a->frames / a->pk_per;
			if (i < a->npk)
				for (int c = 0; c < a->channels; c++) {
					float m = fabsf(x[f * (size_t)a->channels + (size_t)c]);
					if (m > a->pk[i])
						a->pk[i] = m > 1 ? 1 : m;
				}
		}
		a->sum_sq += fsq;
		a->win_sq += fsq;
		a->samples += (uint64_t)a->channels;
		a->frames++;
		if (++a->win_fill == a->win_len)
			close_window(a);
	}
}

void fc_audio_acc_finish(fc_audio_acc *a, fc_audio_stats *out)
{
	/* a tail shorter than half a window is not judged on its own */
	if (a->win_fill * 2 >= a->win_len || (a->windows == 0 && a->win_fill))
		close_window(a);
	memset(out, 0, sizeof *out);
	out->rms_dbfs = a->samples ? to_dbfs(a->sum_sq / (double)a->samples) : -INFINITY;
	out->peak = a->peak;
	out->silence_ratio = a->windows ? (double)a->silent / (double)a->windows : 1.0;
	out->clipping_ratio = a->samples ? (double)a->clipped / (double)a->samples : 0;
	out->decoded_seconds = (double)a->frames / (double)a->rate;
}

int fc_audio_analyse(const char *path, fc_audio_stats *out, fc_err *err)
{
	const struct fc_media_ops *ops;
	fc_audio_acc acc;
	memset(out, 0, sizeof *out);
	int rc = fc_media_ops_load(&ops, err);
	if (!rc)
		rc = ops->decode_audio(path, &acc, err);
	if (!rc)
		fc_audio_acc_finish(&acc, out);
	return rc;
}

int fc_audio_peaks(const char *path, double seconds, float *peaks, size_t n, double *decoded, fc_err *err)
{
	const struct fc_media_ops *ops;
	fc_audio_acc want = {.pk = peaks, .npk = n, .pk_seconds = seconds > 0 ? seconds : 1}, acc = {0};
	memset(peaks, 0, n * sizeof *peaks);
	int rc = fc_media_ops_load(&ops, err);
	if (!rc) {
		peaks_wanted = &want;
		rc = ops->decode_audio(path, &acc, err);
		peaks_wanted = NULL;
	}
	if (!rc && decoded)
		*decoded = (double)acc.frames / (double)acc.rate;
	return rc;
}

int fc_media_to_wav_file(const char *in, FILE *out, int rate, int channels, fc_err *err)
{
	if (!rate)
		rate = FC_MEDIA_WAV_RATE;
	if (!channels)
		channels = FC_MEDIA_WAV_CHANNELS;
	if (rate < 8000 || rate > 192000 || channels < 1 || channels > 8)
		return fc_err_set(err, FC_EINVAL, "invalid_value", NULL,
				  "A WAV needs a rate of 8000 to 192000 Hz and 1 to 8 channels.");
	const struct fc_media_ops *ops;
	int rc = fc_media_ops_load(&ops, err);
	return rc ? rc : ops->to_wav(in, out, rate, channels, err);
}

int fc_media_to_wav(const char *in, const char *out, int rate, int channels, fc_err *err)
{
	FILE *f = fopen(out, "wb");
	if (!f)
		return fc_err_set(err, FC_EIO, "internal", NULL, "Cannot create %s.", out);
	int rc = fc_media_to_wav_file(in, f, rate, channels, err);
	if (fclose(f) && !rc)
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write %s.", out);
	if (rc)
		unlink(out);
	return rc;
}
