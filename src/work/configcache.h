/* configcache.h — parsed labeling configs, shared between requests.
 *
 * Parsing a config with libxml2 costs more than validating a result against
 * it, and submit runs inside the write transaction, so parsed configs are
 * kept (a parsed config is immutable and safe to share between threads).
 * Entries are keyed by the XML text's hash, so a changed config is simply a
 * different entry. */
#ifndef FC_WORK_CONFIGCACHE_H
#define FC_WORK_CONFIGCACHE_H

#include "work/labelconfig.h"

/* Returns the parsed config for xml (parsing it on a miss) with a reference
 * held for the caller, or NULL with err set when xml is invalid. */
const fc_labelconfig *fc_configcache_get(const char *xml, fc_err *err);
/* Drops the caller's reference. NULL is allowed. */
void fc_configcache_put(const fc_labelconfig *cfg);

#endif
