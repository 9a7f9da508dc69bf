/* Media measures on synthetic data: Laplacian variance, brightness, dHash,
 * RMS / silence / clipping, JPEG metadata stripping, collect spec rules. */
#include "media/media.h"
#include "work/collect.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { W = 64, H = 48 };

static void checkerboard(uint8_t *g, int w, int h, int cell)
{
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			g[y * w + x] = ((x / cell + y / cell) & 1) ? 220 : 30;
}

/* 3x3 box blur, repeated */
static void blur(uint8_t *g, int w, int h, int times)
{
	uint8_t *t = malloc((size_t)w * h);
	for (int k = 0; k < times; k++) {
		memcpy(t, g, (size_t)w * h);
		for (int y = 1; y < h - 1; y++)
			for (int x = 1; x < w - 1; x++) {
				int s = 0;
				for (int dy = -1; dy <= 1; dy++)
					for (int dx = -1; dx <= 1; dx++)
						s += t[(y + dy) * w + x + dx];
				g[y * w + x] = (uint8_t)(s / 9);
			}
	}
	free(t);
}

Test(media, laplacian_variance_flat_is_zero)
{
	uint8_t g[W * H];
	memset(g, 128, sizeof g);
	cr_expect_float_eq(fc_image_laplacian_var(g, W, H), 0.0, 1e-9);
	cr_expect_float_eq(fc_image_mean(g, W, H), 128.0, 1e-9);
}

Test(media, laplacian_variance_known_value)
{
	/* one bright pixel in the middle of a 5x5 black image: the interior 3x3
	 * Laplacians are -4*255 at the centre and 255 at its four neighbours,
	 * 0 at the corners */
	uint8_t g[25] = {0};
	g[12] = 255;
	double vals[9] = {0, 255, 0, 255, -1020, 255, 0, 255, 0}, m = 0, v = 0;
	for (int i = 0; i < 9; i++)
		m += vals[i] / 9;
	for (int i = 0; i < 9; i++)
		v += (vals[i] - m) * (vals[i] - m) / 9;
	cr_expect_float_eq(fc_image_laplacian_var(g, 5, 5), v, 1e-6);
}

Test(media, blur_lowers_laplacian_variance)
{
	uint8_t g[W * H];
	checkerboard(g, W, H, 4);
	double sharp = fc_image_laplacian_var(g, W, H);
	blur(g, W, H, 4);
	double soft = fc_image_laplacian_var(g, W, H);
	cr_expect_gt(sharp, FC_MEDIA_MIN_SHARPNESS, "sharp %f", sharp);
	cr_expect_lt(soft, sharp / 10, "blurred %f vs sharp %f", soft, sharp);
}

Test(media, dhash_same_image_distance_zero_and_different_far)
{
	uint8_t a[W * H], b[W * H], c[W * H];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			a[y * W + x] = (uint8_t)(x * 4);       /* gradient left to right */
			b[y * W + x] = (uint8_t)(x * 4 + 3);   /* same, a little brighter */
			c[y * W + x] = (uint8_t)(255 - x * 4); /* mirrored */
		}
	uint64_t ha = fc_image_dhash(a, W, H), hb = fc_image_dhash(b, W, H), hc = fc_image_dhash(c, W, H);
	cr_expect_eq(fc_hamming64(ha, hb), 0);
	cr_expect_eq(fc_hamming64(ha, hc), 64, "mirrored gradient flips every bit: %d", fc_hamming64(ha, hc));
	cr_expect_eq(fc_hamming64(0, ~(uint64_t)0), 64);
	cr_expect_eq(fc_hamming64(0x5, 0x1), 1);
}

Test(media, dhash_tolerates_resize)
{
	/* the same scene at two sizes: near-duplicates */
	enum { W2 = 128, H2 = 96 };
	static uint8_t a[W * H], b[W2 * H2];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			a[y * W + x] = (uint8_t)((x * x + y * 3) % 256);
	for (int y = 0; y < H2; y++)
		for (int x = 0; x < W2; x++)
			b[y * W2 + x] = a[(y / 2) * W + x / 2];
	cr_expect_leq(fc_hamming64(fc_image_dhash(a, W, H), fc_image_dhash(b, W2, H2)), FC_MEDIA_DHASH_DISTANCE);
}

static void feed_all(fc_audio_acc *a, const float *x, size_t n)
{
	/* in uneven pieces, as decoders deliver */
	size_t off = 0, k = 1;
	while (off < n) {
		size_t take = k < n - off ? k : n - off;
		fc_audio_acc_feed(a, x + off, take);
		off += take;
		k = k * 3 + 7;
	}
}

Test(media, rms_of_full_scale_sine_is_minus_3_dbfs)
{
	enum { N = 16000 };
	static float x[N];
	for (int i = 0; i < N; i++)
		x[i] = (float)(0.5 * sin(2 * M_PI * 440 * i / 16000.0));
	fc_audio_acc a;
	fc_audio_stats s;
	fc_audio_acc_init(&a, 16000, 1);
	feed_all(&a, x, N);
	fc_audio_acc_finish(&a, &s);
	/* a sine of amplitude 0.5: mean square 0.125 → -9.03 dB */
	cr_expect_float_eq(s.rms_dbfs, 10 * log10(0.125), 0.01, "%f", s.rms_dbfs);
	cr_expect_float_eq(s.silence_ratio, 0.0, 1e-9);
	cr_expect_float_eq(s.clipping_ratio, 0.0, 1e-9);
	cr_expect_float_eq(s.decoded_seconds, 1.0, 1e-9);
}

Test(media, silence_ratio_counts_quiet_windows)
{
	/* 1 s: first 0.24 s tone (12 windows), the rest silence → 38 of 50 windows silent */
	enum { N = 16000 };
	static float x[N];
	for (int i = 0; i < N; i++)
		x[i] = i < 3840 ? (float)(0.3 * sin(2 * M_PI * 200 * i / 16000.0)) : 0.0f;
	fc_audio_acc a;
	fc_audio_stats s;
	fc_audio_acc_init(&a, 16000, 1);
	feed_all(&a, x, N);
	fc_audio_acc_finish(&a, &s);
	cr_expect_float_eq(s.silence_ratio, 0.76, 1e-9, "%f", s.silence_ratio);
	fc_audio_acc_init(&a, 16000, 1);
	memset(x, 0, sizeof x);
	feed_all(&a, x, N);
	fc_audio_acc_finish(&a, &s);
	cr_expect(isinf(s.rms_dbfs) && s.rms_dbfs < 0);
	cr_expect_float_eq(s.silence_ratio, 1.0, 1e-9);
}

Test(media, clipping_ratio_counts_full_scale_samples_per_channel)
{
	/* stereo: left clipped square, right quiet sine */
	enum { F = 8000 };
	static float x[F * 2];
	for (int i = 0; i < F; i++) {
		x[2 * i] = (i / 40) % 2 ? 1.0f : -1.0f;
		x[2 * i + 1] = (float)(0.1 * sin(i * 0.05));
	}
	fc_audio_acc a;
	fc_audio_stats s;
	fc_audio_acc_init(&a, 8000, 2);
	feed_all(&a, x, F * 2 / 2);
	fc_audio_acc_feed(&a, x + F, F / 2);
	fc_audio_acc_finish(&a, &s);
	cr_expect_float_eq(s.clipping_ratio, 0.5, 1e-9, "%f", s.clipping_ratio);
	cr_expect_float_eq(s.peak, 1.0, 1e-9);
}

static char *tmpfile_path(const char *name)
{
	static char path[256];
	snprintf(path, sizeof path, "/tmp/fc-media-test-%d-%s", (int)getpid(), name);
	return path;
}

Test(media, jpeg_strip_drops_app1_and_app13_keeps_the_rest)
{
	static const unsigned char jpg[] = {0xFF, 0xD8,                                    /* SOI */
					    0xFF, 0xE0, 0x00, 0x06, 'J',  'F',  'I',  'F', /* APP0 (kept) */
					    0xFF, 0xE1, 0x00, 0x08, 'E',  'x',  'i',  'f',  0,
					    0,                                                    /* APP1 (dropped) */
					    0xFF, 0xED, 0x00, 0x04, 'P',  'S',                    /* APP13 (dropped) */
					    0xFF, 0xDB, 0x00, 0x03, 0x11,                         /* DQT (kept) */
					    0xFF, 0xDA, 0x00, 0x03, 0x22, 0xAB, 0xFF, 0x00, 0xCD, /* SOS + data */
					    0xFF, 0xD9};
	char in[256], out[256];
	snprintf(in, sizeof in, "%s", tmpfile_path("in.jpg"));
	snprintf(out, sizeof out, "%s", tmpfile_path("out.jpg"));
	FILE *f = fopen(in, "wb");
	fwrite(jpg, 1, sizeof jpg, f);
	fclose(f);
	int removed = -1;
	fc_err err = {0};
	cr_assert_eq(fc_jpeg_strip(in, out, &removed, &err), 0, "%s", err.msg);
	cr_expect_eq(removed, 2);
	unsigned char got[128];
	f = fopen(out, "rb");
	size_t n = fread(got, 1, sizeof got, f);
	fclose(f);
	static const unsigned char want[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 'J',  'F',  'I',
					     'F',  0xFF, 0xDB, 0x00, 0x03, 0x11, 0xFF, 0xDA, 0x00,
					     0x03, 0x22, 0xAB, 0xFF, 0x00, 0xCD, 0xFF, 0xD9};
	cr_assert_eq(n, sizeof want);
	cr_expect_eq(memcmp(got, want, n), 0);
	/* not a JPEG */
	f = fopen(in, "wb");
	fputs("GIF89a", f);
	fclose(f);
	cr_expect_eq(fc_jpeg_strip(in, out, &removed, &err), FC_ERULE);
	unlink(in);
	unlink(out);
	fc_err_clear(&err);
}

Test(media, collect_spec_lists_every_bad_field)
{
	json_t *spec =
		json_pack("{s:s,s:s,s:i,s:[s,s],s:{s:i,s:i},s:i}", "media", "audio", "min_seconds", "x", "max_bytes", 1,
			  "formats", "wav", "doc", "quotas", "gender:female", 10, "shoe:42", 3, "bogus", 1);
	fc_err err = {0};
	cr_expect_eq(fc_collect_spec_validate(spec, &err), FC_EINVAL);
	cr_expect_eq(json_array_size(err.details), 5, "%s", json_dumps(err.details, 0));
	fc_err_clear(&err);
	json_decref(spec);
	spec = json_pack("{s:s,s:f,s:f,s:i,s:[s,s],s:{s:i}}", "media", "audio", "min_seconds", 1.0, "max_seconds", 15.0,
			 "min_sample_rate", 16000, "formats", "wav", "ogg", "quotas", "gender:female", 10);
	cr_expect_eq(fc_collect_spec_validate(spec, &err), 0, "%s", err.msg);
	json_decref(spec);
	cr_expect_str_eq(fc_collect_validity(2, 0), "valid");
	cr_expect_str_eq(fc_collect_validity(2, 2), "pending");
	cr_expect_str_eq(fc_collect_validity(1, 2), "invalid");
	cr_expect_str_eq(fc_collect_validity(1, 0), "pending");
}

/* MediaRecorder's WebM carries no duration; the probe must measure it. */
Test(media, webm_without_duration_gets_measured_length)
{
	char dir[] = "/tmp/fc-webm-XXXXXX";
	cr_assert(mkdtemp(dir));
	char cmd[512], path[128];
	snprintf(path, sizeof path, "%s/rec.webm", dir);
	/* writing to a pipe leaves the muxer no way to go back and store the duration */
	snprintf(cmd, sizeof cmd,
		 "ffmpeg -loglevel error -f lavfi -i sine=frequency=440:duration=2.5 -ar 48000 -c:a libopus -f webm pipe:1 > %s",
		 path);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	fc_probe p;
	fc_err err = {0};
	cr_assert_eq(fc_media_probe(path, &p, &err), 0, "%s", err.msg);
	cr_expect(p.duration > 2.3 && p.duration < 2.7, "duration %f", p.duration);
	cr_expect(p.has_audio);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

/* Reads a canonical 44-byte WAV header: rate, channels, bits, data bytes. */
static void wav_info(const char *path, int *rate, int *channels, int *bits, long *data, long *file)
{
	unsigned char h[44];
	FILE *f = fopen(path, "rb");
	cr_assert(f, "no %s", path);
	cr_assert_eq(fread(h, 1, sizeof h, f), sizeof h);
	fseek(f, 0, SEEK_END);
	*file = ftell(f);
	fclose(f);
	cr_expect_eq(memcmp(h, "RIFF", 4), 0);
	cr_expect_eq(memcmp(h + 8, "WAVEfmt ", 8), 0);
	cr_expect_eq(memcmp(h + 36, "data", 4), 0);
	cr_expect_eq(h[20] | h[21] << 8, 1, "PCM");
	*channels = h[22] | h[23] << 8;
	*rate = (int)((uint32_t)h[24] | (uint32_t)h[25] << 8 | (uint32_t)h[26] << 16 | (uint32_t)h[27] << 24);
	*bits = h[34] | h[35] << 8;
	*data = (long)((uint32_t)h[40] | (uint32_t)h[41] << 8 | (uint32_t)h[42] << 16 | (uint32_t)h[43] << 24);
	long riff = (long)((uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24);
	cr_expect_eq(riff, *data + 36);
}

static void expect_16k_mono(const char *path, double seconds)
{
	int rate, channels, bits;
	long data, file;
	wav_info(path, &rate, &channels, &bits, &data, &file);
	cr_expect_eq(rate, 16000);
	cr_expect_eq(channels, 1);
	cr_expect_eq(bits, 16);
	cr_expect_eq(file, data + 44, "the header's size is the final one");
	double got = (double)data / 32000.0;
	cr_expect(fabs(got - seconds) <= seconds * 0.02, "%s: %f s, want %f", path, got, seconds);
}

Test(media, to_wav_resamples_and_mixes_down_wav_and_webm_opus)
{
	char dir[] = "/tmp/fc-towav-XXXXXX";
	cr_assert(mkdtemp(dir));
	char cmd[1024], in[128], webm[128], out[128];
	snprintf(in, sizeof in, "%s/in.wav", dir);
	snprintf(webm, sizeof webm, "%s/in.webm", dir);
	snprintf(out, sizeof out, "%s/out.wav", dir);
	snprintf(cmd, sizeof cmd,
		 "sox -n -r 44100 -c 2 -b 16 %s synth 3 sine 440 sine 660 vol 0.5 && "
		 "ffmpeg -loglevel error -f lavfi -i sine=frequency=440:duration=2.5 -ac 2 -ar 48000 -c:a libopus "
		 "-f webm pipe:1 > %s",
		 in, webm);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	fc_err err = {0};
	cr_assert_eq(fc_media_to_wav(in, out, 0, 0, &err), 0, "%s", err.msg);
	expect_16k_mono(out, 3.0);
	cr_assert_eq(fc_media_to_wav(webm, out, 16000, 1, &err), 0, "%s", err.msg);
	expect_16k_mono(out, 2.5);
	/* the output is an ordinary WAV to another reader */
	snprintf(cmd, sizeof cmd, "test \"$(soxi -r %s)\" = 16000 && test \"$(soxi -c %s)\" = 1", out, out);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
	/* into a FILE* at an offset: the header lands where writing began */
	FILE *f = fopen(out, "w+b");
	fputs("prefix", f);
	cr_assert_eq(fc_media_to_wav_file(in, f, 8000, 2, &err), 0, "%s", err.msg);
	long end = ftell(f);
	unsigned char h[44];
	fseek(f, 6, SEEK_SET);
	cr_assert_eq(fread(h, 1, sizeof h, f), sizeof h);
	fclose(f);
	cr_expect_eq(memcmp(h, "RIFF", 4), 0);
	long data = (long)((uint32_t)h[40] | (uint32_t)h[41] << 8 | (uint32_t)h[42] << 16 | (uint32_t)h[43] << 24);
	cr_expect_eq(end, 6 + 44 + data, "left at the end");
	cr_expect(fabs((double)data / (8000 * 4) - 3.0) < 0.06, "%ld bytes", data);
	/* unhappy: not audio, a bad rate */
	f = fopen(in, "wb");
	fputs("not a recording at all", f);
	fclose(f);
	cr_expect_eq(fc_media_to_wav(in, out, 0, 0, &err), FC_ERULE);
	cr_expect_eq(access(out, F_OK), -1, "no half-written output left");
	cr_expect_eq(fc_media_to_wav(webm, out, 100, 1, &err), FC_EINVAL);
	fc_err_clear(&err);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

Test(media, collect_spec_export_field)
{
	fc_err err = {0};
	json_t *spec = json_pack("{s:s,s:{s:s,s:b}}", "media", "audio", "export", "audio", "wav16k", "keep_originals", 1);
	cr_expect_eq(fc_collect_spec_validate(spec, &err), 0, "%s", err.msg);
	json_decref(spec);
	spec = json_pack("{s:s,s:{s:s,s:s,s:i}}", "media", "audio", "export", "audio", "mp3", "keep_originals", "yes",
			 "bitrate", 1);
	cr_expect_eq(fc_collect_spec_validate(spec, &err), FC_EINVAL);
	cr_expect_str_eq(err.field, "collect.export.audio");
	cr_expect_eq(json_array_size(err.details), 3, "%s", json_dumps(err.details, 0));
	fc_err_clear(&err);
	json_decref(spec);
	spec = json_pack("{s:s,s:s}", "media", "audio", "export", "wav16k");
	cr_expect_eq(fc_collect_spec_validate(spec, &err), FC_EINVAL);
	cr_expect_str_eq(err.field, "collect.export");
	fc_err_clear(&err);
	json_decref(spec);
}
