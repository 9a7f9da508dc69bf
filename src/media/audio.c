/* Loudness, silence and clipping of a recording, decoded a frame at a time. */
#include "media/media.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void fc_audio_acc_init(fc_audio_acc *a, int sample_rate, int channels)
{
	memset(a, 0, sizeof *a);
	a->rate = sample_rate > 0 ? sample_rate : 1;
	a->channels = channels > 0 ? channels : 1;
	a->win_len = (uint64_t)(a->rate * FC_MEDIA_WINDOW_SECONDS);
	if (a->win_len == 0)
		a->win_len = 1;
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
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	SwrContext *swr = NULL;
	AVPacket *pkt = NULL;
	AVFrame *frame = NULL;
	float *buf = NULL;
	int buf_frames = 0, rc = 0;
	fc_audio_acc acc;
	memset(out, 0, sizeof *out);
	if (avformat_open_input(&fmt, path, NULL, NULL) < 0 || avformat_find_stream_info(fmt, NULL) < 0) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The recording cannot be decoded.");
		goto out;
	}
	const AVCodec *codec = NULL;
	int si = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (si < 0 || !codec) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The recording has no audio we can decode.");
		goto out;
	}
	dec = avcodec_alloc_context3(codec);
	pkt = av_packet_alloc();
	frame = av_frame_alloc();
	if (!dec || !pkt || !frame || avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar) < 0 ||
	    avcodec_open2(dec, codec, NULL) < 0) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The recording's codec cannot be opened.");
		goto out;
	}
	int channels = dec->ch_layout.nb_channels;
	if (channels < 1 || dec->sample_rate < 1) {
		rc = fc_err_set(err, FC_ERULE, "unreadable", "file", "The recording declares no channels or rate.");
		goto out;
	}
	/* same layout and rate, interleaved float: nothing is mixed, so a
	 * clipped channel stays clipped */
	if (swr_alloc_set_opts2(&swr, &dec->ch_layout, AV_SAMPLE_FMT_FLT, dec->sample_rate, &dec->ch_layout,
				dec->sample_fmt, dec->sample_rate, 0, NULL) < 0 ||
	    swr_init(swr) < 0) {
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot set up audio conversion.");
		goto out;
	}
	fc_audio_acc_init(&acc, dec->sample_rate, channels);
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
				goto done;
			if (frame->nb_samples > buf_frames) {
				float *nb = realloc(buf, (size_t)frame->nb_samples * (size_t)channels * sizeof *nb);
				if (!nb) {
					rc = fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
					break;
				}
				buf = nb;
				buf_frames = frame->nb_samples;
			}
			uint8_t *outp[1] = {(uint8_t *)buf};
			int got = swr_convert(swr, outp, buf_frames, (const uint8_t **)frame->extended_data,
					      frame->nb_samples);
			if (got > 0)
				fc_audio_acc_feed(&acc, buf, (size_t)got);
			av_frame_unref(frame);
		}
	}
done:
	if (!rc)
		fc_audio_acc_finish(&acc, out);
out:
	free(buf);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	swr_free(&swr);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	return rc;
}
