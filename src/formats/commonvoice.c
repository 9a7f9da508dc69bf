/* Common Voice export. See commonvoice.h. */
#include "formats/commonvoice.h"
#include "access/access.h"
#include "blob/blob.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "formats/dataset.h"
#include "media/media.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { TSV_VALID, TSV_INVALID, TSV_OTHER, TSV_TRAIN, TSV_DEV, TSV_TEST, TSV_DURATIONS, NTSV };
static const char *TSV_NAMES[NTSV] = {"validated.tsv", "invalidated.tsv", "other.tsv",         "train.tsv",
				      "dev.tsv",       "test.tsv",        "clip_durations.tsv"};
/* the columns of a current Common Voice release (what torchaudio's and
 * Hugging Face's loaders read) */
static const char TSV_HEADER[] = "client_id\tpath\tsentence_id\tsentence\tsentence_domain\tup_votes\tdown_votes\tage\t"
				 "gender\taccents\tvariant\tlocale\tsegment\n";

struct fc_cv_export {
	FILE *tsv[NTSV];
	FILE *clips; /* lines "sha ext" */
	fc_blob *blob;
	struct archive *a;
	fc_buf out; /* tar bytes produced, not yet read */
	char data_dir[1024];
	size_t out_off;
	int next_tsv; /* entries emitted in order: TSVs, then clips */
	FILE *cur;    /* file being copied into the current entry */
	int closed;
	int state;     /* fc_buf_pull's */
	int normalise; /* clips as 16 kHz mono WAV (audio projects unless export.audio is "original") */
	int keep;      /* ... and the originals too, under originals/ */
	char orig_sha[80], orig_ext[32]; /* the original still to emit after its WAV, when keep */
};

static FILE *anon_tmp(const char *dir)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/tmp/cv-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	unlink(path);
	FILE *f = fdopen(fd, "w+b");
	if (!f)
		close(fd);
	return f;
}

/* TSV has no quoting: tabs and line breaks inside a value become spaces. */
static void put_field(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static la_ssize_t on_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	fc_cv_export *x = ctx;
	return fc_buf_append(&x->out, buf, n) ? -1 : (la_ssize_t)n;
}

void fc_cv_export_close(fc_cv_export *x)
{
	if (!x)
		return;
	for (int i = 0; i < NTSV; i++)
		if (x->tsv[i])
			fclose(x->tsv[i]);
	if (x->clips)
		fclose(x->clips);
	if (x->cur && x->next_tsv > NTSV) /* a clip cut short */
		fclose(x->cur);
	if (x->a)
		archive_write_free(x->a);
	fc_blob_close(x->blob);
	fc_buf_free(&x->out);
	free(x);
}

int fc_cv_export_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t pid, fc_cv_export **out, fc_err *err)
{
	*out = NULL;
	fc_cv_export *x = calloc(1, sizeof *x);
	if (!x)
		return fc_err_set(err, FC_ENOMEM, NULL, NULL, "Out of memory.");
	snprintf(x->data_dir, sizeof x->data_dir, "%s", data_dir);
	fc_db *db;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc) {
		free(x);
		return rc;
	}
	json_t *spec = NULL;
	if ((rc = fc_project_require(db, user, pid, FC_ACCESS_OWNER, "Only the project's owners may export it.", err)))
		goto out;
	fc_stmt *st;
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT kind, collect, (SELECT salt FROM project_salts WHERE project_id=id) "
			      "FROM projects WHERE id=?",
			      "I", pid)))
		goto out;
	char salt[40] = "";
	int collection = 0;
	if (fc_stmt_next(st) == 1) {
		collection = !strcmp(fc_stmt_text(st, 0), "collection");
		spec = fc_stmt_json(st, 1);
		snprintf(salt, sizeof salt, "%s", fc_stmt_isnull(st, 2) ? "" : fc_stmt_text(st, 2));
	}
	fc_stmt_done(st);
	if (!collection) {
		rc = fc_err_set(err, FC_EINVAL, "invalid_format", "format",
				"The cv format is for collection projects; use jsonl.");
		goto out;
	}
	for (int i = 0; i < NTSV; i++) {
		if (!(x->tsv[i] = anon_tmp(data_dir))) {
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot create a temporary file.");
			goto out;
		}
		fputs(i == TSV_DURATIONS ? "clip\tduration[ms]\n" : TSV_HEADER, x->tsv[i]);
	}
	if (!(x->clips = anon_tmp(data_dir))) {
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot create a temporary file.");
		goto out;
	}
	const char *pf = fc_json_str(spec, "prompt_field", "sentence");
	const json_t *exp = json_object_get(spec, "export");
	x->normalise = !strcmp(fc_json_str(spec, "media", "audio"), "audio") &&
		       strcmp(fc_json_str(exp, "audio", "wav16k"), "original");
	x->keep = x->normalise && json_is_true(json_object_get(exp, "keep_originals"));
	if (x->normalise) { /* fail now, with a status, rather than cut the tar later */
		const struct fc_media_ops *ops;
		if ((rc = fc_media_ops_load(&ops, err)))
			goto out;
	}
	if ((rc = fc_db_query(db, &st, err,
			      "SELECT s.user_id, s.up_votes, s.down_votes, s.validity, s.status, m.sha256, m.ext, t.data, "
			      "u.demographics, m.probe FROM submissions s JOIN media m ON m.id=s.media_id JOIN tasks t ON "
			      "t.id=s.task_id JOIN users u ON u.id=s.user_id WHERE s.project_id=? AND s.validity IS NOT NULL "
			      "AND s.erased_at IS NULL ORDER BY s.id", /* erased: consent withdrawn, bytes deleted */
			      "I", pid)))
		goto out;
	while (fc_stmt_next(st) == 1) {
		const char *validity = fc_stmt_text(st, 3), *status = fc_stmt_text(st, 4);
		int which = !strcmp(status, "rejected") || !strcmp(validity, "invalid") ? TSV_INVALID
			    : !strcmp(validity, "valid")                                ? TSV_VALID
											: TSV_OTHER;
		/* client_id is the worker_id of the other exports: SHA-256(salt ":" user id) */
		char client[65], path[120], sentence_id[65];
		fc_ds_worker_id(salt, fc_stmt_int(st, 0), client);
		json_t *data = fc_stmt_json(st, 7), *demo = fc_stmt_json(st, 8), *probe = fc_stmt_json(st, 9);
		const char *sentence = fc_json_str(data, pf, "");
		fc_crypto_sha256_hex(sentence, strlen(sentence), sentence_id);
		snprintf(path, sizeof path, "%s.%s", fc_stmt_text(st, 5), x->normalise ? "wav" : fc_stmt_text(st, 6));
		/* validated clips also go to train, dev or test by speaker (80/10/10 by
		 * the client_id's hash): no speaker is in two of them */
		int split = (unsigned long)strtoul((char[9]){client[0], client[1], client[2], client[3], client[4],
							     client[5], client[6], client[7], 0},
						   NULL, 16) %
			    10;
		int files[2] = {which, which == TSV_VALID ? (split < 8   ? TSV_TRAIN
							     : split < 9 ? TSV_DEV
									 : TSV_TEST)
							  : -1};
		for (int k = 0; k < 2 && files[k] >= 0; k++) {
			FILE *f = x->tsv[files[k]];
			fprintf(f, "%s\t%s\t%s\t", client, path, sentence_id);
			put_field(f, sentence);
			fputc('\t', f);
			put_field(f, fc_json_str(data, "sentence_domain", ""));
			fprintf(f, "\t%lld\t%lld\t", (long long)fc_stmt_int(st, 1), (long long)fc_stmt_int(st, 2));
			put_field(f, fc_json_str(demo, "age_band", ""));
			fputc('\t', f);
			put_field(f, fc_json_str(demo, "gender", ""));
			fputc('\t', f);
			put_field(f, fc_json_str(demo, "accent", ""));
			fputc('\t', f);
			put_field(f, fc_json_str(demo, "variant", ""));
			fputc('\t', f);
			put_field(f, fc_json_str(spec, "locale", fc_json_str(data, "locale", "")));
			fputc('\t', f);
			put_field(f, fc_json_str(data, "segment", ""));
			fputc('\n', f);
		}
		fprintf(x->tsv[TSV_DURATIONS], "%s\t%.0f\n", path, fc_json_num(probe, "duration_seconds", 0) * 1000);
		fprintf(x->clips, "%s %s\n", fc_stmt_text(st, 5), fc_stmt_text(st, 6));
		json_decref(data);
		json_decref(demo);
		json_decref(probe);
	}
	fc_stmt_done(st);
	for (int i = 0; i < NTSV; i++)
		if (fflush(x->tsv[i]) || fseek(x->tsv[i], 0, SEEK_SET))
			rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write a temporary file.");
	if (!rc && (fflush(x->clips) || fseek(x->clips, 0, SEEK_SET)))
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot write a temporary file.");
	if (rc || (rc = fc_blob_open(&x->blob, data_dir, err)))
		goto out;
	x->a = archive_write_new();
	if (!x->a || archive_write_set_format_pax_restricted(x->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(x->a, 1) != ARCHIVE_OK ||
	    archive_write_open(x->a, x, NULL, on_write, NULL) != ARCHIVE_OK)
		rc = fc_err_set(err, FC_EIO, "internal", NULL, "Cannot start the archive.");
out:
	fc_db_rollback(db);
	json_decref(spec);
	if (rc)
		fc_cv_export_close(x);
	else
		*out = x;
	return rc;
}

static int begin_entry(fc_cv_export *x, const char *name, FILE *f)
{
	struct stat sb;
	if (fstat(fileno(f), &sb))
		return -1;
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, sb.st_size);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, (time_t)fc_clock_now(), 0);
	int rc = archive_write_header(x->a, e) == ARCHIVE_OK ? 0 : -1;
	archive_entry_free(e);
	x->cur = f;
	return rc;
}

/* Produces the next piece of the tar into x->out. */
static int step(fc_cv_export *x)
{
	if (x->cur) {
		char buf[65536];
		size_t n = fread(buf, 1, sizeof buf, x->cur);
		if (n > 0)
			return archive_write_data(x->a, buf, n) == (la_ssize_t)n ? 0 : -1;
		if (ferror(x->cur))
			return -1;
		if (x->next_tsv > NTSV) /* a clip */
			fclose(x->cur);
		x->cur = NULL;
		return archive_write_finish_entry(x->a) == ARCHIVE_OK ? 0 : -1;
	}
	if (x->next_tsv < NTSV) {
		int i = x->next_tsv++;
		return begin_entry(x, TSV_NAMES[i], x->tsv[i]);
	}
	x->next_tsv = NTSV + 1;
	char line[160], sha[80], ext[32], name[200];
	FILE *f;
	uint64_t size;
	if (x->orig_sha[0]) { /* the original of the clip just written */
		snprintf(name, sizeof name, "originals/%s.%s", x->orig_sha, x->orig_ext);
		int missing = fc_blob_open_read(x->blob, x->orig_sha, &f, &size, NULL);
		x->orig_sha[0] = 0;
		if (missing)
			return -1;
		if (begin_entry(x, name, f)) {
			fclose(f);
			return -1;
		}
		return 0;
	}
	if (fgets(line, sizeof line, x->clips) && sscanf(line, "%79s %31s", sha, ext) == 2) {
		if (x->normalise) {
			/* transcoded into an unlinked temporary file, one clip at a time */
			char blob[64];
			fc_err err = {0};
			FILE *in = NULL;
			uint64_t in_size;
			/* read through the blob store (local file or S3 download); the
			 * decoder opens the same file by its descriptor */
			if (fc_blob_open_read(x->blob, sha, &in, &in_size, NULL) || !(f = anon_tmp(x->data_dir))) {
				if (in)
					fclose(in);
				return -1;
			}
			snprintf(blob, sizeof blob, "/proc/self/fd/%d", fileno(in));
			int bad = fc_media_to_wav_file(blob, f, FC_MEDIA_WAV_RATE, FC_MEDIA_WAV_CHANNELS, &err) ||
				  fseek(f, 0, SEEK_SET);
			fclose(in);
			if (bad) {
				fc_log(FC_LOG_ERROR, "cv export: clip %s cannot be transcoded: %s", sha, err.msg);
				fc_err_clear(&err);
				fclose(f);
				return -1; /* cut the stream: the TSV names a WAV */
			}
			snprintf(name, sizeof name, "clips/%s.wav", sha);
			if (x->keep) {
				snprintf(x->orig_sha, sizeof x->orig_sha, "%s", sha);
				snprintf(x->orig_ext, sizeof x->orig_ext, "%s", ext);
			}
		} else {
			if (fc_blob_open_read(x->blob, sha, &f, &size, NULL))
				return -1; /* a referenced blob is missing: cut the stream */
			snprintf(name, sizeof name, "clips/%s.%s", sha, ext);
		}
		if (begin_entry(x, name, f)) {
			fclose(f);
			return -1;
		}
		return 0;
	}
	x->closed = 1;
	return archive_write_close(x->a) == ARCHIVE_OK ? 0 : -1;
}

static int produce(void *ctx)
{
	fc_cv_export *x = ctx;
	return step(x) ? -1 : x->closed;
}

ssize_t fc_cv_export_read(fc_cv_export *x, char *buf, size_t max)
{
	return fc_buf_pull(&x->out, &x->out_off, &x->state, produce, x, buf, max);
}
