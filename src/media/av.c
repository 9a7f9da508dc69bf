/* The media module (fcmedia.so): everything that calls libavformat,
 * libavcodec and libswresample — probing recordings, decoding their audio and
 * transcoding it to the project's WAV format.
 * Built as a meson shared_module and loaded by loader.c on first use, so the
 * server does not map ~140 shared libraries it needs only for uploads. The
 * module calls nothing in the main binary directly; fc_err_set and the audio
 * accumulator come through the host table. See media.h. */
#include "media/media.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct fc_media_host *H;

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

static int probe_av(const char *path, fc_probe *p, fc_err *err)
{
	int rc = 0;
	AVFormatContext *fmt = NULL;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
		return H->err_set(err, FC_ERULE, "unreadable", "file",
				  "The recording cannot be read (damaged or truncated?).");
	if (avformat_find_stream_info(fmt, NULL) < 0) {
		rc = H->err_set(err, FC_ERULE, "unreadable", "file",
				"The recording cannot be read (damaged or truncated?).");
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
		rc = H->err_set(err, FC_ERULE, "unreadable", "file", "The file holds no audio or video stream.");
		goto out;
	}
	if (p->duration <= 0)
		p->duration = scan_duration(fmt);
out:
	avformat_close_input(&fmt);
	return rc;
}

/* Opens path's best audio stream with its decoder (other streams are
 * discarded, so a video's pictures are not even read). On failure frees
 * what it made and returns an FC_ERULE saying what was wrong. */
static int open_audio(const char *path, AVFormatContext **fmt_out, AVCodecContext **dec_out, int *stream, fc_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	int rc = 0;
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0 || avformat_find_stream_info(fmt, NULL) < 0) {
		rc = H->err_set(err, FC_ERULE, "unreadable", "file", "The recording cannot be decoded.");
		goto fail;
	}
	const AVCodec *codec = NULL;
	int si = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (si < 0 || !codec) {
		rc = H->err_set(err, FC_ERULE, "unreadable", "file", "The recording has no audio we can decode.");
		goto fail;
	}
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		if ((int)i != si)
			fmt->streams[i]->discard = AVDISCARD_ALL;
	dec = avcodec_alloc_context3(codec);
	if (!dec || avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar) < 0 ||
	    avcodec_open2(dec, codec, NULL) < 0) {
		rc = H->err_set(err, FC_ERULE, "unreadable", "file", "The recording's codec cannot be opened.");
		goto fail;
	}
	if (dec->ch_layout.nb_channels < 1 || dec->sample_rate < 1) {
		rc = H->err_set(err, FC_ERULE, "unreadable", "file", "The recording declares no channels or rate.");
		goto fail;
	}
	*fmt_out = fmt;
	*dec_out = dec;
	*stream = si;
	return 0;
fail:
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return rc;
}

static int decode_audio(const char *path, fc_audio_acc *acc, fc_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	SwrContext *swr = NULL;
	AVPacket *pkt = NULL;
	AVFrame *frame = NULL;
	float *buf = NULL;
	int buf_frames = 0, rc = 0;
	int si;
	if ((rc = open_audio(path, &fmt, &dec, &si, err)))
		goto out;
	pkt = av_packet_alloc();
	frame = av_frame_alloc();
	if (!pkt || !frame) {
		rc = H->err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	int channels = dec->ch_layout.nb_channels;
	/* same layout and rate, interleaved float: nothing is mixed, so a
	 * clipped channel stays clipped */
	if (swr_alloc_set_opts2(&swr, &dec->ch_layout, AV_SAMPLE_FMT_FLT, dec->sample_rate, &dec->ch_layout,
				dec->sample_fmt, dec->sample_rate, 0, NULL) < 0 ||
	    swr_init(swr) < 0) {
		rc = H->err_set(err, FC_EIO, "internal", NULL, "Cannot set up audio conversion.");
		goto out;
	}
	H->acc_init(acc, dec->sample_rate, channels);
	int eof = 0;
	while (!rc) {
		if (!eof) {
			int r = av_read_frame(fmt, pkt);
			if (r < 0) {
				eof = 1;
				avcodec_send_packet(dec, NULL);
			} else {
				if (pkt->stream_index == si)
					avcodec_send_packet(dec, pkt); /* a damaged packet is skipped */
				av_packet_unref(pkt);
			}
		}
		for (;;) {
			int r = avcodec_receive_frame(dec, frame);
			if (r == AVERROR(EAGAIN))
				break;
			if (r < 0) /* end of stream, or an undecodable tail */
				goto out;
			if (frame->nb_samples > buf_frames) {
				float *nb = realloc(buf, (size_t)frame->nb_samples * (size_t)channels * sizeof *nb);
				if (!nb) {
					rc = H->err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
					break;
				}
				buf = nb;
				buf_frames = frame->nb_samples;
			}
			uint8_t *outp[1] = {(uint8_t *)buf};
			int got = swr_convert(swr, outp, buf_frames, (const uint8_t **)frame->extended_data,
					      frame->nb_samples);
			if (got > 0)
				H->acc_feed(acc, buf, (size_t)got);
			av_frame_unref(frame);
		}
	}
out:
	free(buf);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	swr_free(&swr);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return rc;
}

/* ---- transcoding to WAV ---- */

static void put_le(unsigned char *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The 44-byte canonical header of a 16-bit PCM WAV holding data bytes. */
static void wav_header(unsigned char h[44], int rate, int channels, uint32_t data)
{
	memcpy(h, "RIFF", 4);
	put_le(h + 4, 36 + data, 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le(h + 16, 16, 4); /* fmt chunk size */
	put_le(h + 20, 1, 2);  /* PCM */
	put_le(h + 22, (uint32_t)channels, 2);
	put_le(h + 24, (uint32_t)rate, 4);
	put_le(h + 28, (uint32_t)rate * (uint32_t)channels * 2, 4); /* bytes per second */
	put_le(h + 32, (uint32_t)channels * 2, 2);                  /* block align */
	put_le(h + 34, 16, 2);                                      /* bits per sample */
	memcpy(h + 36, "data", 4);
	put_le(h + 40, data, 4);
}

/* Writes n frames of interleaved s16 (native order) as little-endian. */
static int put_s16(FILE *out, const int16_t *x, size_t samples, uint64_t *bytes)
{
	unsigned char b[4096];
	size_t i = 0;
	while (i < samples) {
		size_t k = 0;
		for (; i < samples && k < sizeof b; i++, k += 2) {
			uint16_t v = (uint16_t)x[i];
			b[k] = (unsigned char)v;
			b[k + 1] = (unsigned char)(v >> 8);
		}
		if (fwrite(b, 1, k, out) != k)
			return -1;
		*bytes += k;
	}
	return 0;
}

static int to_wav(const char *path, FILE *out, int rate, int channels, fc_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	SwrContext *swr = NULL;
	AVPacket *pkt = NULL;
	AVFrame *frame = NULL;
	int16_t *buf = NULL;
	int buf_frames = 0, rc = 0;
	uint64_t bytes = 0;
	AVChannelLayout in_layout = {0}, out_layout = {0};
	off_t start = ftello(out);
	unsigned char h[44];
	if (start < 0)
		return H->err_set(err, FC_EIO, "internal", NULL, "The WAV output cannot seek.");
	int si;
	if ((rc = open_audio(path, &fmt, &dec, &si, err)))
		goto out;
	pkt = av_packet_alloc();
	frame = av_frame_alloc();
	if (!pkt || !frame) {
		rc = H->err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	/* a layout without positions (some WAVs) is taken as the usual one */
	if (dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
		av_channel_layout_default(&in_layout, dec->ch_layout.nb_channels);
	else if (av_channel_layout_copy(&in_layout, &dec->ch_layout) < 0) {
		rc = H->err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
		goto out;
	}
	av_channel_layout_default(&out_layout, channels);
	if (swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_S16, rate, &in_layout, dec->sample_fmt,
				dec->sample_rate, 0, NULL) < 0 ||
	    swr_init(swr) < 0) {
		rc = H->err_set(err, FC_EIO, "internal", NULL, "Cannot set up audio conversion.");
		goto out;
	}
	/* the sizes are not known yet: a placeholder, rewritten at the end */
	wav_header(h, rate, channels, 0);
	if (fwrite(h, 1, sizeof h, out) != sizeof h) {
		rc = H->err_set(err, FC_EIO, "internal", NULL, "Cannot write the WAV.");
		goto out;
	}
	int eof = 0, done = 0;
	while (!rc && !done) {
		if (!eof) {
			int r = av_read_frame(fmt, pkt);
			if (r < 0) {
				eof = 1;
				avcodec_send_packet(dec, NULL);
			} else {
				if (pkt->stream_index == si)
					avcodec_send_packet(dec, pkt); /* a damaged packet is skipped */
				av_packet_unref(pkt);
			}
		}
		while (!rc) {
			int r = avcodec_receive_frame(dec, frame), n = 0;
			if (r == AVERROR(EAGAIN))
				break;
			if (r < 0) { /* end of stream, or an undecodable tail: drain the resampler */
				done = 1;
			} else {
				n = frame->nb_samples;
			}
			int want = swr_get_out_samples(swr, n);
			if (want < 1) {
				av_frame_unref(frame);
				if (done)
					break;
				continue;
			}
			if (want > buf_frames) {
				int16_t *nb = realloc(buf, (size_t)want * (size_t)channels * sizeof *nb);
				if (!nb) {
					rc = H->err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
					break;
				}
				buf = nb;
				buf_frames = want;
			}
			uint8_t *outp[1] = {(uint8_t *)buf};
			int got = swr_convert(swr, outp, buf_frames,
					      done ? NULL : (const uint8_t **)frame->extended_data, n);
			av_frame_unref(frame);
			if (got > 0 && put_s16(out, buf, (size_t)got * (size_t)channels, &bytes))
				rc = H->err_set(err, FC_EIO, "internal", NULL, "Cannot write the WAV.");
			else if (bytes > UINT32_MAX - 36)
				rc = H->err_set(err, FC_ERULE, "too_long", "file",
						"The recording is too long for a WAV.");
			if (done)
				break;
		}
	}
	if (rc)
		goto out;
	/* the final sizes, then back to the end */
	wav_header(h, rate, channels, (uint32_t)bytes);
	off_t end = ftello(out);
	if (end < 0 || fseeko(out, start, SEEK_SET) || fwrite(h, 1, sizeof h, out) != sizeof h ||
	    fseeko(out, end, SEEK_SET) || fflush(out))
		rc = H->err_set(err, FC_EIO, "internal", NULL, "Cannot write the WAV.");
out:
	free(buf);
	av_channel_layout_uninit(&in_layout);
	av_channel_layout_uninit(&out_layout);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	swr_free(&swr);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return rc;
}

static const struct fc_media_ops OPS = {
	.abi = FC_MEDIA_ABI,
	.probe_size = sizeof(fc_probe),
	.acc_size = sizeof(fc_audio_acc),
	.probe_av = probe_av,
	.decode_audio = decode_audio,
	.to_wav = to_wav,
};

/* Called once by the loader, before any other entry point. */
__attribute__((visibility("default"))) const struct fc_media_ops *fc_media_module(const struct fc_media_host *host)
{
	H = host;
	av_log_set_level(AV_LOG_QUIET);
	return &OPS;
}
