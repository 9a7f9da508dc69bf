/* tsdata.h — the time span of TimeSeries data stored in faircrowd, for the
 * result check of TimeSeriesLabels on data behind a URL (a region past the
 * end → 400). A task's data names the file as "/api/v1/media/ID" (a
 * recording, e.g. of a sensor collection, of any project with the same
 * owner) or "/api/v1/files/ID" (a file of the project itself); the stored
 * CSV is read once per blob and time column and the span kept in a small
 * cache (blobs never change). Other URLs are not fetched: their range is
 * not checked. */
#ifndef FC_WORK_TSDATA_H
#define FC_WORK_TSDATA_H

#include "store/store.h"
#include "work/labelconfig.h"
#include <stdint.h>

/* Where the blobs are (once, at start-up). */
void fc_tsdata_configure(const char *data_dir);

/* The env of fc_labelconfig_validate_result_env for a task of project,
 * reading through db (kept open by the caller meanwhile). */
typedef struct fc_tsdata_ctx {
	fc_db *db;
	int64_t project;
} fc_tsdata_ctx;
void fc_tsdata_env(fc_labelconfig_env *env, fc_tsdata_ctx *ctx, fc_db *db, int64_t project);

/* Files larger than this are not read for their span (the range is then
 * not checked). */
#define FC_TSDATA_MAX_BYTES (64LL * 1024 * 1024)

#endif
