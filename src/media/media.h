/* media.h — automatic checks of uploaded recordings and photos.
 *
 * Everything reads a file on disk (the spooled upload) and never keeps the
 * whole file in memory: audio is decoded a frame at a time, photos are
 * decoded to one 8-bit grey plane. The pure measuring functions (RMS,
 * silence, clipping, brightness, Laplacian variance, dHash) work on buffers
 * so they can be tested on synthetic data.
 *
 * The default thresholds are below, in one place; a project's collect spec
 * may override each (names in brackets). */
#ifndef FC_MEDIA_MEDIA_H
#define FC_MEDIA_MEDIA_H

#include "core/err.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- thresholds ---- */
/* Whole-recording loudness below this is too quiet [min_rms_dbfs]. */
#define FC_MEDIA_MIN_RMS_DBFS (-40.0)
/* A 20 ms window quieter than this counts as silence. */
#define FC_MEDIA_SILENCE_DBFS (-50.0)
#define FC_MEDIA_WINDOW_SECONDS 0.02
/* More than this share of silent windows is refused [max_silence_ratio]. */
#define FC_MEDIA_MAX_SILENCE_RATIO 0.75
/* A sample at or above this magnitude (full scale 1.0) is clipped. */
#define FC_MEDIA_CLIP_LEVEL 0.999
/* More than this share of clipped samples is refused [max_clipping_ratio]. */
#define FC_MEDIA_MAX_CLIPPING_RATIO 0.002
/* Mean grey level (0..255) of a photo below this is too dark [min_brightness]. */
#define FC_MEDIA_MIN_BRIGHTNESS 40.0
/* ... and above this, washed out [max_brightness]. */
#define FC_MEDIA_MAX_BRIGHTNESS 245.0
/* Variance of the Laplacian below this is blurred [min_sharpness]. */
#define FC_MEDIA_MIN_SHARPNESS 60.0
/* Photos whose 64-bit dHashes differ in at most this many bits are near
 * duplicates [max_dhash_distance]. */
#define FC_MEDIA_DHASH_DISTANCE 6
/* Photos larger than this are refused before decoding (memory bound). */
#define FC_MEDIA_MAX_PIXELS (64LL * 1000 * 1000)
/* Decoded audio shorter than this share of the declared duration means a
 * truncated or corrupt file. */
#define FC_MEDIA_MIN_DECODED_SHARE 0.9
/* Default upload limit when the spec has no max_bytes. */
#define FC_MEDIA_DEFAULT_MAX_BYTES (50LL * 1024 * 1024)
/* Highest max_bytes a spec may set. */
#define FC_MEDIA_LIMIT_MAX_BYTES (2LL * 1024 * 1024 * 1024)

/* ---- probing (probe.c) ---- */
typedef struct fc_probe {
	char mime[64];      /* by content (libmagic) */
	char format[16];    /* short name: wav ogg webm mkv mp3 m4a mp4 flac jpeg png ... */
	char container[64]; /* libavformat's demuxer name, "" for photos */
	char codec[32];     /* first audio or video codec */
	char kind[8];       /* "audio", "image", "video" or "" when not media */
	double duration;    /* seconds; 0 for photos */
	int sample_rate, channels;
	int width, height;
	double fps;
	int has_audio, has_video;
	int truncated; /* the container declares more bytes than the file has */
} fc_probe;

/* MIME type of the file by its content (libmagic), into mime. */
int fc_media_sniff(const char *path, char *mime, size_t n, fc_err *err);
/* Fills p from the file's content. FC_ERULE "unreadable" when no demuxer or
 * image decoder can read it. */
int fc_media_probe(const char *path, fc_probe *p, fc_err *err);
/* The probe as the API shows it: {format, duration_seconds, sample_rate,
 * channels, width, height, codec, fps, mime}. New reference. */
json_t *fc_probe_json(const fc_probe *p);

/* ---- audio (audio.c) ---- */
typedef struct fc_audio_stats {
	double rms_dbfs;       /* whole recording; -inf for digital silence */
	double peak;           /* 0..1 */
	double silence_ratio;  /* share of 20 ms windows below FC_MEDIA_SILENCE_DBFS */
	double clipping_ratio; /* share of samples at or above FC_MEDIA_CLIP_LEVEL */
	double decoded_seconds;
} fc_audio_stats;

/* Streaming accumulator over interleaved float samples in [-1, 1]. */
typedef struct fc_audio_acc {
	int rate, channels;
	uint64_t samples, clipped, frames;
	double sum_sq, peak;
	/* current window */
	uint64_t win_len, win_fill, windows, silent;
	double win_sq;
	/* waveform peaks, only inside fc_audio_peaks: the largest |sample| of
	 * each run of pk_per frames goes into pk[0..npk) */
	float *pk;
	size_t npk;
	double pk_seconds; /* the recording's length, to size the runs */
	uint64_t pk_per;
} fc_audio_acc;
void fc_audio_acc_init(fc_audio_acc *a, int sample_rate, int channels);
void fc_audio_acc_feed(fc_audio_acc *a, const float *interleaved, size_t frames);
void fc_audio_acc_finish(fc_audio_acc *a, fc_audio_stats *out);
/* Decodes the first audio stream of the file and measures it. */
int fc_audio_analyse(const char *path, fc_audio_stats *out, fc_err *err);
/* Waveform peaks of a recording seconds long: the first audio stream is
 * decoded once and cut into n equal runs; peaks[i] is the largest |sample|
 * (all channels) of run i, in [0, 1]. Runs past the decoded end stay 0.
 * *decoded receives the decoded length in seconds (may be NULL). */
int fc_audio_peaks(const char *path, double seconds, float *peaks, size_t n, double *decoded, fc_err *err);

/* ---- normalisation (audio.c → the module's to_wav) ---- */
/* The project format audio is exported in: 16-bit PCM WAV, 16 kHz mono. */
#define FC_MEDIA_WAV_RATE 16000
#define FC_MEDIA_WAV_CHANNELS 1
/* Decodes the first audio stream of in (an audio file, or a video's sound)
 * and writes it as 16-bit PCM WAV at rate Hz with channels channels (0 for
 * either: FC_MEDIA_WAV_RATE / FC_MEDIA_WAV_CHANNELS), resampled and remixed
 * with libswresample a frame at a time (memory does not grow with the
 * recording). The header's sizes are written last, seeking back, so out
 * must be seekable; it is written from its current position and left at the
 * end of the WAV. FC_ERULE "unreadable" when in has no decodable audio;
 * FC_EINVAL for a rate outside 8000..192000 or channels outside 1..8. */
int fc_media_to_wav_file(const char *in, FILE *out, int rate, int channels, fc_err *err);
/* The same into a new file at out (replaced; removed again on failure). */
int fc_media_to_wav(const char *in, const char *out, int rate, int channels, fc_err *err);

/* ---- photos (image.c) ---- */
/* Mean grey level, 0..255. */
double fc_image_mean(const uint8_t *grey, int w, int h);
/* Variance of the 4-neighbour Laplacian over the interior pixels: low for
 * blurred photos, high for sharp ones. */
double fc_image_laplacian_var(const uint8_t *grey, int w, int h);
typedef struct fc_image_stats {
	int width, height;
	double brightness, sharpness;
	uint64_t dhash;
} fc_image_stats;
/* Decodes the photo to grey (stb_image) and measures it. */
int fc_image_analyse(const char *path, fc_image_stats *out, fc_err *err);
/* Copies a JPEG from in_path to out_path without its APP1 (EXIF, XMP — where
 * GPS position lives) and APP13 (IPTC) segments; *removed counts them. The
 * image data is not re-encoded. FC_ERULE when in_path is not a JPEG. */
int fc_jpeg_strip(const char *in_path, const char *out_path, int *removed, fc_err *err);

/* ---- hashing (hash.c) ---- */
/* dHash: the grey image shrunk (area average) to 9x8; bit i is set when a
 * cell is brighter than its right neighbour. */
uint64_t fc_image_dhash(const uint8_t *grey, int w, int h);
int fc_hamming64(uint64_t a, uint64_t b);

/* ---- sensor recordings (sensor.c) ----
 * collect.media "sensor": a CSV whose header names the time column, t
 * (seconds) or t_ms (milliseconds), then sensor columns: ax ay az
 * (accelerometer, m/s² with gravity), gx gy gz (gyroscope, °/s about x, y,
 * z), alpha beta gamma (orientation, °), each at most once, in any order.
 * Every line has every field; a sensor field may be empty (no reading),
 * the time never; times strictly increase. No quoting, lines up to
 * FC_SENSOR_MAX_LINE bytes. */
#define FC_SENSOR_NCOLUMNS 9
#define FC_SENSOR_MAX_LINE 1024
/* Readings per second below this are refused [min_hz]. */
#define FC_SENSOR_MIN_HZ 20.0
typedef struct fc_sensor_stats {
	uint64_t rows;
	double t0, t1, seconds, hz;  /* first and last time (s), length, mean readings per second */
	int columns;                 /* sensor columns in the file */
	int col[FC_SENSOR_NCOLUMNS]; /* the file's column i+1 is column col[i] of the list above */
	int has[FC_SENSOR_NCOLUMNS];
	uint64_t filled[FC_SENSOR_NCOLUMNS]; /* readings with a value, per column */
} fc_sensor_stats;
/* Parses a recording strictly. FC_ERULE "bad_csv" (field "file", the
 * message names the line) or "not_monotonic" (field "t"). */
int fc_sensor_parse(FILE *f, fc_sensor_stats *st, fc_err *err);
/* 0 accelerometer, 1 gyroscope, 2 orientation; -1 for another name. */
int fc_sensor_index(const char *name);
/* The name of sensor column i (0..FC_SENSOR_NCOLUMNS-1), or NULL. */
const char *fc_sensor_column(int i);
/* The first and last value of column time_column of a CSV file (sep
 * between fields, quotes allowed), in order lo <= hi; without a time
 * column (NULL or ""), 0 and the last row's index. FC_ERULE "bad_csv" when
 * the file has no such column, no rows or a row without a number there. */
#define FC_CSV_MAX_LINE (1 << 20)
int fc_csv_span(FILE *f, const char *time_column, char sep, double *lo, double *hi, fc_err *err);

/* ---- the checks (check.c) ---- */
typedef struct fc_media_report {
	fc_probe probe;
	int has_audio_stats, has_image_stats, has_sensor_stats;
	fc_audio_stats audio;
	fc_image_stats image;
	fc_sensor_stats sensor;
} fc_media_report;
/* The checks of a sensor recording (sensor.c; fc_media_check calls it):
 * parse, the spec's sensors present, min_hz; fills rep->probe (kind
 * "sensor", format "csv", duration) and rep->sensor. */
int fc_sensor_check(const char *path, const json_t *spec, fc_media_report *rep, fc_err *err);

/* Runs every check of the collect spec on the file: type by content against
 * spec.media and the declared Content-Type, container/codec format, duration,
 * sample rate, channels, resolution, frame rate, loudness, silence,
 * clipping, brightness, blur. Each failure is added to err->details; the
 * return is FC_ERULE when any failed (err set to the first), else 0. The
 * report is filled as far as the file could be read. */
int fc_media_check(const char *path, const char *content_type, const json_t *spec, fc_media_report *rep, fc_err *err);

/* Validates a collect spec's media fields; adds details to err.
 * Returns FC_EINVAL when any is wrong. */
int fc_media_spec_validate(const json_t *spec, fc_err *err);

/* ---- the media module (av.c → fcmedia.so; loader.c) ----
 * Everything that calls libavformat/libavcodec/libswresample lives in av.c,
 * built as a shared module: those libraries pull in ~140 shared libraries
 * whose touched pages would more than double the server's idle RSS. The
 * main binary does not link them; loader.c dlopen()s the module once, on the
 * first recording probed or decoded (pthread_once), from
 * $FAIRCROWD_MEDIA_MODULE when set, else from the running executable's
 * directory (the build puts fcmedia.so next to faircrowd), else from the
 * install directory. Nothing else crosses the boundary: the module exports
 * only fc_media_module(), which takes the host table and returns the ops.
 * Photos (stb_image) and type sniffing (libmagic) stay in the main binary.
 * When the module cannot be loaded, fc_media_probe (for recordings) and
 * fc_audio_analyse and fc_media_to_wav fail with FC_EIO "media_module_missing"; the rest of the
 * server is unaffected. Bump FC_MEDIA_ABI when this interface changes. */
#define FC_MEDIA_ABI 2
#define FC_MEDIA_MODULE_FILE "fcmedia.so"

/* What the main binary lends the module (the module links no faircrowd code). */
struct fc_media_host {
	int (*err_set)(fc_err *err, int code, const char *slug, const char *field, const char *fmt, ...)
		__attribute__((format(printf, 5, 6)));
	void (*acc_init)(fc_audio_acc *a, int sample_rate, int channels);
	void (*acc_feed)(fc_audio_acc *a, const float *interleaved, size_t frames);
};

struct fc_media_ops {
	int abi;                     /* FC_MEDIA_ABI the module was built with */
	size_t probe_size, acc_size; /* sizeof(fc_probe), sizeof(fc_audio_acc) there */
	/* Fills container, codec, has_audio/has_video, sample_rate, channels,
	 * width, height, fps and duration of a recording (p->mime and p->kind
	 * are set by the caller). FC_ERULE "unreadable" when it cannot be read. */
	int (*probe_av)(const char *path, fc_probe *p, fc_err *err);
	/* Decodes the first audio stream as interleaved float, initialising acc
	 * (host acc_init) and feeding it (acc_feed); the caller finishes it. */
	int (*decode_audio)(const char *path, fc_audio_acc *acc, fc_err *err);
	/* fc_media_to_wav_file with rate and channels already checked. */
	int (*to_wav)(const char *in, FILE *out, int rate, int channels, fc_err *err);
};

/* The module's one exported symbol; called once, before any op. */
const struct fc_media_ops *fc_media_module(const struct fc_media_host *host);

/* The module's ops, loading it on the first call (thread-safe). 0, or
 * FC_EIO "media_module_missing" when it cannot be loaded (the reason is
 * logged once). */
int fc_media_ops_load(const struct fc_media_ops **ops, fc_err *err);
/* Starts loading the module in a thread of its own and returns at once: an
 * upload's headers call it, so the ~30 ms of dlopen and relocations of
 * libav run while the body arrives rather than after it. */
void fc_media_preload(void);

#endif
