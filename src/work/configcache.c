#include "work/configcache.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define SLOTS 64

static struct entry {
	uint64_t hash;
	size_t len;
	fc_labelconfig *cfg;
	int refs;      /* callers holding it */
	int evicted;   /* replaced while held: freed by the last put */
	uint64_t used; /* for least-recently-used replacement */
} slots[SLOTS];
static struct entry orphans[SLOTS]; /* evicted entries still referenced */
static uint64_t tick;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* Moves a still-referenced entry aside so its slot can be reused. */
static int orphan(struct entry *e)
{
	for (int i = 0; i < SLOTS; i++)
		if (!orphans[i].cfg) {
			orphans[i] = *e;
			orphans[i].evicted = 1;
			return 1;
		}
	return 0;
}

const fc_labelconfig *fc_configcache_get(const char *xml, fc_err *err)
{
	size_t len = strlen(xml);
	uint64_t h = fnv1a(xml, len);
	pthread_mutex_lock(&mu);
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].cfg && slots[i].hash == h && slots[i].len == len) {
			slots[i].refs++;
			slots[i].used = ++tick;
			fc_labelconfig *c = slots[i].cfg;
			pthread_mutex_unlock(&mu);
			return c;
		}
	pthread_mutex_unlock(&mu);
	fc_labelconfig *cfg = NULL;
	if (fc_labelconfig_parse(xml, len, &cfg, err))
		return NULL;
	pthread_mutex_lock(&mu);
	int victim = -1;
	for (int i = 0; i < SLOTS && victim < 0; i++)
		if (!slots[i].cfg)
			victim = i;
	for (int i = 0; i < SLOTS && victim < 0; i++)
		if (!slots[i].refs || orphan(&slots[i]))
			victim = i; /* first reusable; good enough at 64 slots */
	if (victim < 0) {
		/* every slot is busy: hand out an uncached copy */
		pthread_mutex_unlock(&mu);
		return cfg;
	}
	if (slots[victim].cfg && !slots[victim].refs)
		fc_labelconfig_free(slots[victim].cfg);
	slots[victim] = (struct entry){.hash = h, .len = len, .cfg = cfg, .refs = 1, .used = ++tick};
	pthread_mutex_unlock(&mu);
	return cfg;
}

void fc_configcache_put(const fc_labelconfig *cfg)
{
	if (!cfg)
		return;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].cfg == cfg) {
			slots[i].refs--;
			pthread_mutex_unlock(&mu);
			return;
		}
	for (int i = 0; i < SLOTS; i++)
		if (orphans[i].cfg == cfg) {
			if (--orphans[i].refs == 0) {
				fc_labelconfig_free(orphans[i].cfg);
				orphans[i].cfg = NULL;
			}
			pthread_mutex_unlock(&mu);
			return;
		}
	pthread_mutex_unlock(&mu);
	fc_labelconfig_free((fc_labelconfig *)cfg); /* an uncached copy */
}
