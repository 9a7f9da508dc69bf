/* choices.h — what a built-in model needs from a labelling config: the
 * first <Choices> tag, its options, and the object it labels (a <Text> or
 * an <Image> whose value names a task data field, "$text" → "text"). Read
 * with libxml2 here rather than through work/'s config module: a domain
 * module does not include another's header (docs/architecture.md). */
#ifndef FC_ML_CHOICES_H
#define FC_ML_CHOICES_H

#include "ml/linear.h"

#define FC_ML_NAME_LEN 128

typedef struct fc_ml_choices {
	char from_name[FC_ML_NAME_LEN]; /* the Choices tag's name */
	char to_name[FC_ML_NAME_LEN];   /* the object it labels */
	char object[8];                 /* "Text" or "Image" (other objects: "") */
	char field[FC_ML_NAME_LEN];     /* the task data field the object shows */
	int k;                          /* options, 2..FC_ML_MAX_CLASSES */
	char labels[FC_ML_MAX_CLASSES][FC_ML_NAME_LEN];
} fc_ml_choices;

/* Reads config; 0, or -1 with why in error (no Choices, fewer than 2 or
 * more than FC_ML_MAX_CLASSES options, toName names nothing, the object's
 * value is not "$field"). */
int fc_ml_choices_parse(const char *config, fc_ml_choices *c, char *error, size_t error_len);
/* Index of label among the options, or -1. */
int fc_ml_choices_index(const fc_ml_choices *c, const char *label);
/* The option a Label Studio result picks for this Choices tag (the first
 * "choices" region whose from_name matches), index or -1. */
int fc_ml_choices_of_result(const fc_ml_choices *c, const json_t *result);
/* A Label Studio result choosing option i: [{from_name, to_name, type:
 * "choices", value:{choices:[label]}}]. New reference. */
json_t *fc_ml_choices_result(const fc_ml_choices *c, int i);
/* For the speech-transcriber: the first TextArea that transcribes an
 * <Audio value="$field">, into from_name, to_name, object ("Audio") and
 * field (no options). 0, or -1 with why in error. */
int fc_ml_textarea_parse(const char *config, fc_ml_choices *c, char *error, size_t error_len);

#endif
