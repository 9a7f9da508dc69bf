/* builtin.h — the built-in models in ml.h's slot: "text-classifier"
 * (textclf.h, Choices over Text) and "image-classifier" (imgclf.h, Choices
 * over Image), trained inside faircrowd on the project's accepted labels.
 *
 * A project's model lives in memory (a small cache, least recently used
 * out) and is trained on first prediction: every accepted submission's
 * choice (at most FC_ML_TEXT_LABELS or FC_ML_IMAGE_LABELS, newest first)
 * with its task's text or image. Retrained as labels arrive: each accepted
 * submission of a project with a built-in model is counted; when the count
 * since the last training reaches max(FC_ML_RETRAIN_MIN, a tenth of the
 * labels trained on) the model is marked stale and every task queued for
 * prediction again (fc_ml_enqueue); the next prediction retrains. Model
 * version "<name>@<labels>": predictions of a newer model sit beside the
 * old ones (ml.h). Fewer than 2 labels: no prediction. After a restart the
 * first prediction trains afresh. Training holds only its own project's
 * slot: labels accepted meanwhile, and other projects' predictions, do not
 * wait for it. */
#ifndef FC_ML_BUILTIN_H
#define FC_ML_BUILTIN_H

#define FC_ML_TEXT_LABELS 200000
#define FC_ML_IMAGE_LABELS 5000
#define FC_ML_RETRAIN_MIN 5
#define FC_ML_CACHE 16

/* Registers both models with fc_ml_register_builtin and the accepted-label
 * counter on FC_EV_ACCEPTED (start-up, after fc_ml_subscribe). */
void fc_ml_builtin_subscribe(void);

#endif
