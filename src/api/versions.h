/* versions.h — dataset versions (API.md "Datasets out"): immutable
 * snapshots of which task and which accepted submission went into which
 * split, with a manifest, a Croissant JSON-LD description and a dataset
 * card.
 *
 * A version freezes its items (dataset_version_items, migration 0017):
 * every task of the project with its accepted and auto-accepted
 * submissions at that moment, each task in one split. Splits are drawn
 * from the fractions asked for, groups of tasks in the order of
 * SHA-256(seed:first task id), each group into the split furthest below its
 * share; with group_by "contributor" a group is every task connected
 * through a shared contributor (a speaker's recordings, an annotator's
 * tasks), so no contributor crosses splits. Every file written from a
 * version — Label Studio JSON of each split at creation, any dataset format
 * on first download — is kept in the blob store and listed with its
 * SHA-256, so a later download gives the same bytes. The one exception is
 * erasure: a file holding work whose contributor withdrew consent after it
 * was written is written again without it. It lives in api/ because it
 * reads work/'s projects, quality/'s agreement and formats/' writers. */
#ifndef FC_API_VERSIONS_H
#define FC_API_VERSIONS_H

#include "account/account.h"
#include "store/store.h"
#include <jansson.h>
#include <stdio.h>

/* POST /projects/{id}/versions {name, split?:{train,dev,test}, group_by?:
 * "task"|"contributor", seed?} (owners) → the version (fc_version_get). 400
 * naming the field; 409 for a name the project already has. */
int fc_version_create(fc_store *s, const char *data_dir, const fc_user *user, int64_t project, const json_t *body,
		      json_t **out, fc_err *err);
/* GET /versions/{id}: {id, project, name, created_at, manifest:{…}, files:[…],
 * croissant_url, card_url} (owners; 404 otherwise). */
int fc_version_get(fc_store *s, const fc_user *user, int64_t id, json_t **out, fc_err *err);
/* GET /projects/{id}/versions (owners): {items:[version…]} newest first. */
int fc_version_list(fc_store *s, const fc_user *user, int64_t project, json_t **out, fc_err *err);
/* GET /versions/{id}/download?format=F&split=S, …/croissant (format
 * "croissant"), …/card (format "card"): the kept file, written first when
 * there is none. */
int fc_version_open(fc_store *s, const char *data_dir, const fc_user *user, int64_t id, const char *format,
		    const char *split, FILE **f, uint64_t *size, char filename[128], char type[64], fc_err *err);

#endif
