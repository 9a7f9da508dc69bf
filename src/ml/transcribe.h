/* transcribe.h — the built-in "speech-transcriber": a pre-transcription for
 * transcription projects (a TextArea over an Audio tag). Each task's
 * recording (a data: URI or an http(s) URL, as fetch.h reads them) is
 * transcribed with pocketsphinx's general English model (media/speech.h)
 * and stored as a prediction {from_name: the TextArea, type: "textarea",
 * value: {text: [words]}} with the words' mean posterior as its score —
 * a suggestion the annotator starts from, never an answer. A clip with no
 * recognised word, or one that cannot be fetched or decoded, gets no
 * prediction (logged), never an error for the batch. */
#ifndef FC_ML_TRANSCRIBE_H
#define FC_ML_TRANSCRIBE_H

/* Registers "speech-transcriber" with fc_ml_register_builtin. */
void fc_ml_transcribe_subscribe(void);

#endif
