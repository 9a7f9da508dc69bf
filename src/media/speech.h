/* speech.h — does a read-aloud recording say its prompt?
 *
 * The recording is converted by the media module to 16 kHz mono PCM (the
 * format pocketsphinx's English model wants) and recognised with
 * pocketsphinx and the en-us model Debian's pocketsphinx-en-us ships
 * (FAIRCROWD_SPEECH_MODEL names another model folder). The word error rate
 * of what was heard against the prompt decides. The decoder is loaded on
 * first use (the dictionary: a second or so) and shared under a lock: one
 * recognition at a time; after FAIRCROWD_SPEECH_IDLE_SECONDS (default 300,
 * 0: never) without a clip a reaper thread frees it (36 MB). */
#ifndef FC_MEDIA_SPEECH_H
#define FC_MEDIA_SPEECH_H

#include "core/err.h"
#include <stddef.h>
#include <stdint.h>

#define FC_SPEECH_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
/* A clip whose word error rate against its prompt is above this is refused
 * [max_prompt_wer]. */
#define FC_SPEECH_MAX_WER 0.5
/* Longest clip recognised (longer ones are cut): bounds time and memory. */
#define FC_SPEECH_MAX_SECONDS 60

/* Word error rate of hyp against ref: (substitutions + deletions +
 * insertions) / words of ref, after lower-casing and keeping letters,
 * digits and apostrophes. An empty ref gives 0 for an empty hyp, else 1.
 * Texts of more than 256 words are cut there. */
double fc_speech_wer(const char *ref, const char *hyp);
/* Recognises n samples of 16 kHz mono 16-bit audio into out (lower-case
 * words separated by spaces, "" for silence). The search is a grammar, not
 * a general language model: any sequence of the prompt's words (those the
 * dictionary knows). A reader of the prompt comes out as the prompt; other
 * speech comes out as a jumble of prompt words, far from it. Measured on
 * espeak-ng clips: WER 0.08 for the prompt, 0.85 for another sentence. A
 * general model (en-us.lm.bin) took seconds per clip and heard little of
 * synthetic speech (WER 0.85 on the prompt itself); a word loop with 100
 * common English words as fillers let them win (WER 1.08 on the prompt).
 * FC_EIO "speech_unavailable" when the model cannot be loaded; FC_ENOTFOUND
 * "no_known_words" when the dictionary knows no word of the prompt (not
 * English: nothing to compare with). */
int fc_speech_recognise_pcm(const int16_t *pcm, size_t n, const char *prompt, char *out, size_t outn, fc_err *err);
/* The same for any recording the media module decodes. FC_ERULE
 * "unreadable" when it has no audio. */
int fc_speech_recognise(const char *path, const char *prompt, char *out, size_t outn, fc_err *err);

/* Free transcription with the general English language model
 * (en-us.lm.bin; its own decoder, loaded on first use, its own lock): a
 * pre-transcription, never an answer. out gets the lower-case words ("" for
 * silence or nothing recognised), *score the mean posterior probability of
 * those words (0..1; 0 when none). Slower than the prompt grammar (seconds
 * per clip) and weak on synthetic speech; docs/ml.md has the figures. */
int fc_speech_transcribe_pcm(const int16_t *pcm, size_t n, char *out, size_t outn, double *score, fc_err *err);
/* The same for any recording the media module decodes. */
int fc_speech_transcribe(const char *path, char *out, size_t outn, double *score, fc_err *err);

#endif
