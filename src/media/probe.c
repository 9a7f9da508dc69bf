/* Type sniffing (libmagic) and probing (stb_image for photos; recordings
 * through the media module, av.c). */
#include "media/media.h"

#include <magic.h>
#include <stb/stb_image.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int fc_media_sniff(const char *path, char *mime, size_t n, fc_err *err)
{
	/* a cookie per call: magic_t is not thread-safe and loading is cheap */
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_SYMLINK);
	if (!m || magic_load(m, NULL)) {
		if (m)
			magic_close(m);
		return fc_err_set(err, FC_EIO, "internal", NULL, "The file type database is missing.");
	}
	/* libmagic reads bytes_max from the start and again from the end of
	 * the file; since file 5.41 that is 7 MiB each, 60 ms of a 200 MB
	 * upload's answer. Every format taken here is known from its first
	 * bytes (and ID3v1's tail); 1 MiB was the default before 5.41. */
	size_t max = (size_t)1 << 20;
	magic_setparam(m, MAGIC_PARAM_BYTES_MAX, &max);
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
		 !strcmp(p->mime, "image/jpeg")  ? "jpeg"
		 : !strcmp(p->mime, "image/png") ? "png"
						 : p->mime + 6);
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
	const struct fc_media_ops *ops;
	if ((rc = fc_media_ops_load(&ops, err)) || (rc = ops->probe_av(path, p, err)))
		return rc;
	p->truncated = riff_truncated(path);
	/* the content decides the kind: a webm with a picture track is video */
	strcpy(p->kind, p->has_video ? "video" : "audio");
	short_format(p);
	return 0;
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
