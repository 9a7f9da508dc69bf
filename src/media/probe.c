/* Type sniffing (libmagic) and probing (libavformat; stb_image for photos). */
#include "media/media.h"

#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <magic.h>
#include <pthread.h>
#include <stb/stb_image.h>
#include <string.h>
#include <strings.h>

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet(void) { av_log_set_level(AV_LOG_QUIET); }

int fc_media_sniff(const char *path, char *mime, size_t n, fc_err *err)
{
	/* a cookie per call: magic_t is not thread-safe and loading is cheap */
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	if (!m || magic_load(m, NULL)) {
		if (m)
			magic_close(m);
		return fc_err_set(err, FC_EIO, "internal", NULL, "The file type database is missing.");
	}
	const char *t = magic_file(m, path);
	snprintf(mime, n, "%s", t ? t : "application/octet-stream");
	magic_close(m);
	return 0;
}

static void kind_of_mime(const char *mime, char kind[8])
{
	kind[0] = 0;
	if (!strncmp(mime, "audio/", 6))
		strcpy(kind, "audio");
	else if (!strncmp(mime, "video/", 6))
		strcpy(kind, "video");
	else if (!strncmp(mime, "image/", 6))
		strcpy(kind, "image");
	else if (!strcmp(mime, "application/ogg"))
		strcpy(kind, "audio");
}

/* A short format name from the demuxer and the content type. */
static void short_format(fc_probe *p)
{
	const char *c = p->container, *m = p->mime;
	const char *f = c;
	if (!strcmp(c, "wav") || !strcmp(m, "audio/x-wav") || !strcmp(m, "audio/wav"))
		f = "wav";
	else if (!strcmp(c, "ogg"))
		f = "ogg";
	else if (!strcmp(c, "matroska,webm"))
		f = strstr(m, "webm") ? "webm" : "mkv";
	else if (!strcmp(c, "mp3"))
		f = "mp3";
	else if (!strcmp(c, "flac"))
		f = "flac";
	else if (strstr(c, "mp4"))
		f = p->has_video ? "mp4" : "m4a";
	else if (!strcmp(c, "avi"))
		f = "avi";
	snprintf(p->format, sizeof p->format, "%.15s", f);
}

static int probe_image(const char *path, fc_probe *p, fc_err *err)
{
	int w, h, n;
	if (!stbi_info(path, &w, &h, &n))
		return fc_err_set(err, FC_ERULE, "unreadable", "file", "The photo cannot be decoded.");
	p->width = w;
	p->height = h;
	snprintf(p->format, sizeof p->format, "%.15s",
		 !strcmp(p->mime, "image/jpeg") ? "jpeg" : !strcmp(p->mime, "image/png") ? "png" : p->mime + 6);
	strcpy(p->kind, "image");
	return 0;
}

/* RIFF/WAVE states its own length; demuxers read a cut file without
 * complaint, so compare it with the file's size. */
static int riff_truncated(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char h[12];
	int cut = 0;
	if (!f)
		return 0;
	if (fread(h, 1, 12, f) == 12 && !memcmp(h, "RIFF", 4) && !memcmp(h + 8, "WAVE", 4)) {
		uint64_t declared = (uint64_t)h[4] | (uint64_t)h[5] << 8 | (uint64_t)h[6] << 16 | (uint64_t)h[7] << 24;
		/* 0 and 0xFFFFFFFF mean "unknown" (streamed WAV) */
		if (declared && declared != 0xFFFFFFFFu && !fseeko(f, 0, SEEK_END) && (uint64_t)ftello(f) < declared + 8)
			cut = 1;
	}
	fclose(f);
	return cut;
}

/* Browsers' MediaRecorder writes WebM without a duration (it streams and
 * never seeks back), so the length comes from the last packet's end time.
 * Reads packets only; nothing is decoded. */
static double scan_duration(AVFormatContext *fmt)
{
	AVPacket *pkt = av_packet_alloc();
	double end = 0;
	if (!pkt)
		return 0;
	while (av_read_frame(fmt, pkt) >= 0) {
		AVStream *s = fmt->streams[pkt->stream_index];
		int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
		if (ts != AV_NOPTS_VALUE) {
			int64_t start = s->start_time != AV_NOPTS_VALUE ? s->start_time : 0;
			double t = (double)(ts - start + (pkt->duration > 0 ? pkt->duration : 0)) * av_q2d(s->time_base);
			if (t > end)
				end = t;
		}
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	return end;
}

int fc_media_probe(const char *path, fc_probe *p, fc_err *err)
{
	memset(p, 0, sizeof *p);
	int rc = fc_media_sniff(path, p->mime, sizeof p->mime, err);
	if (rc)
		return rc;
	kind_of_mime(p->mime, p->kind);
	if (!strcmp(p->kind, "image"))
		return probe_image(path, p, err);
	if (!p->kind[0])
		return fc_err_set(err, FC_ERULE, "unreadable", "file",
				  "The file is not audio, video or a photo (it looks like %s).", p->mime);
	pthread_once(&quiet_once, quiet);
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return fc_err_set(err, FC_ERULE, "unreadable", "file", "The recording cannot be read (damaged or truncated?).");
	if (avformat_find_stream_info(fmt, NULL) < 0) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The recording cannot be read (damaged or truncated?).");
		goto out;
	}
	snprintf(p->container, sizeof p->container, "%s", fmt->iformat->name);
	int ai = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
	int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	/* cover art in an audio file is a picture, not video */
	if (vi >= 0 && (fmt->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC))
		vi = -1;
	if (ai >= 0) {
		AVCodecParameters *c = fmt->streams[ai]->codecpar;
		p->has_audio = 1;
		p->sample_rate = c->sample_rate;
		p->channels = c->ch_layout.nb_channels;
		snprintf(p->codec, sizeof p->codec, "%s", avcodec_get_name(c->codec_id));
	}
	if (vi >= 0) {
		AVStream *s = fmt->streams[vi];
		p->has_video = 1;
		p->width = s->codecpar->width;
		p->height = s->codecpar->height;
		AVRational r = av_guess_frame_rate(fmt, s, NULL);
		p->fps = r.den ? av_q2d(r) : 0;
		snprintf(p->codec, sizeof p->codec, "%s", avcodec_get_name(s->codecpar->codec_id));
	}
	if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
		p->duration = (double)fmt->duration / AV_TIME_BASE;
	else if (ai >= 0 && fmt->streams[ai]->duration != AV_NOPTS_VALUE)
		p->duration = (double)fmt->streams[ai]->duration * av_q2d(fmt->streams[ai]->time_base);
	if (!p->has_audio && !p->has_video) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The file holds no audio or video stream.");
		goto out;
	}
	if (p->duration <= 0)
		p->duration = scan_duration(fmt);
	p->truncated = riff_truncated(path);
	/* the content decides the kind: a webm with a picture track is video */
	strcpy(p->kind, p->has_video ? "video" : "audio");
	short_format(p);
out:
	avformat_close_input(&fmt);
	return rc;
}

json_t *fc_probe_json(const fc_probe *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "format", json_string(p->format));
	json_object_set_new(j, "mime", json_string(p->mime));
	json_object_set_new(j, "codec", p->codec[0] ? json_string(p->codec) : json_null());
	json_object_set_new(j, "duration_seconds", p->duration > 0 ? json_real(p->duration) : json_null());
	json_object_set_new(j, "sample_rate", p->sample_rate ? json_integer(p->sample_rate) : json_null());
	json_object_set_new(j, "channels", p->channels ? json_integer(p->channels) : json_null());
	json_object_set_new(j, "width", p->width ? json_integer(p->width) : json_null());
	json_object_set_new(j, "height", p->height ? json_integer(p->height) : json_null());
	json_object_set_new(j, "fps", p->fps > 0 ? json_real(p->fps) : json_null());
	return j;
}
