/* commonvoice.h — a collection project as a Common Voice style tar:
 * validated.tsv, invalidated.tsv, other.tsv and the speaker-disjoint
 * train.tsv, dev.tsv, test.tsv (validated clips by the client_id's hash,
 * 80/10/10), with the columns of a current release (client_id, path,
 * sentence_id = SHA-256 of the sentence, sentence, sentence_domain,
 * up_votes, down_votes, age, gender, accents, variant, locale = collect's
 * "locale" or the task's, segment), clip_durations.tsv (clip,
 * duration[ms] from the probe) and clips/<sha>.<ext>.
 *
 * Audio projects get their clips normalised: clips/<sha>.wav, 16-bit PCM at
 * 16 kHz mono (fc_media_to_wav_file), unless collect.export.audio is
 * "original"; with collect.export.keep_originals the uploads are added as
 * originals/<sha>.<ext>. The TSV path names the clip in clips/. Each clip is
 * transcoded, when its turn comes, into an unlinked temporary file under
 * DATA/tmp. Photos and video are exported as uploaded.
 *
 * client_id is SHA-256 of a per-project secret salt and the user id, so a
 * contributor is the same person across rows but cannot be looked up.
 * The TSVs are written to unlinked temporary files in one read transaction,
 * then the tar is produced a buffer at a time (libarchive): memory does not
 * grow with the project or the clips' sizes. */
#ifndef FC_FORMATS_COMMONVOICE_H
#define FC_FORMATS_COMMONVOICE_H

#include "account/account.h"
#include "store/store.h"
#include <sys/types.h>

typedef struct fc_cv_export fc_cv_export;

/* Owner only (FC_ENOTFOUND / FC_EPERM otherwise); 409 for an annotation
 * project. tmp_dir holds the temporary files. */
int fc_cv_export_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t project_id, fc_cv_export **out,
		      fc_err *err);
/* Fills buf; bytes written, 0 at the end, -1 on failure. */
ssize_t fc_cv_export_read(fc_cv_export *x, char *buf, size_t max);
void fc_cv_export_close(fc_cv_export *x);

#endif
