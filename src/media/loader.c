/* Loads the media module (fcmedia.so, built from av.c) on first use. See the
 * "media module" section of media.h for why and where it is looked for.
 * With FC_MEDIA_STATIC defined, av.c is linked in and nothing is loaded
 * (the fuzz build). */
#include "core/log.h"
#include "media/media.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct fc_media_host HOST = {
	.err_set = fc_err_set,
	.acc_init = fc_audio_acc_init,
	.acc_feed = fc_audio_acc_feed,
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const struct fc_media_ops *ops;

static const struct fc_media_ops *checked(const struct fc_media_ops *o, const char *where)
{
	if (o && o->abi == FC_MEDIA_ABI && o->probe_size == sizeof(fc_probe) && o->acc_size == sizeof(fc_audio_acc))
		return o;
	fc_log(FC_LOG_ERROR, "media module %s was built for another version of faircrowd", where);
	return NULL;
}

#ifdef FC_MEDIA_STATIC
static void load(void) { ops = checked(fc_media_module(&HOST), "(linked in)"); }
#else
/* Opens the module at path; NULL (with the reason in why) when it fails. */
static void *open_at(const char *path, char *why, size_t n)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(why, n, "%s", dlerror());
	return h;
}

static void load(void)
{
	char path[PATH_MAX + 32], why[512] = "";
	void *h = NULL;
	const char *env = getenv("FAIRCROWD_MEDIA_MODULE");
	if (env && *env) {
		snprintf(path, sizeof path, "%s", env);
		h = open_at(path, why, sizeof why);
	} else {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n > 0) {
			exe[n] = 0;
			char *slash = strrchr(exe, '/');
			if (slash)
				*slash = 0;
			snprintf(path, sizeof path, "%s/" FC_MEDIA_MODULE_FILE, exe);
			h = open_at(path, why, sizeof why);
		}
#ifdef FC_MEDIA_MODULE_DIR
		if (!h) {
			snprintf(path, sizeof path, "%s/" FC_MEDIA_MODULE_FILE, FC_MEDIA_MODULE_DIR);
			char why2[512];
			h = open_at(path, why2, sizeof why2);
		}
#endif
	}
	if (!h) {
		fc_log(FC_LOG_ERROR, "media module not loaded, recordings cannot be checked: %s", why);
		return;
	}
	/* POSIX: a dlsym result may be converted to a function pointer */
	const struct fc_media_ops *(*entry)(const struct fc_media_host *);
	void *sym = dlsym(h, "fc_media_module");
	memcpy(&entry, &sym, sizeof entry);
	if (!entry) {
		fc_log(FC_LOG_ERROR, "media module %s has no fc_media_module", path);
		dlclose(h);
		return;
	}
	ops = checked(entry(&HOST), path);
	if (!ops)
		dlclose(h);
}
#endif

static void *preload(void *arg)
{
	(void)arg;
	pthread_once(&once, load);
	return NULL;
}

void fc_media_preload(void)
{
	static atomic_int started;
	if (atomic_exchange(&started, 1))
		return;
	pthread_t t;
	pthread_attr_t a;
	if (pthread_attr_init(&a))
		return; /* loaded on first use, as without */
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &a, preload, NULL);
	pthread_attr_destroy(&a);
}

int fc_media_ops_load(const struct fc_media_ops **out, fc_err *err)
{
	pthread_once(&once, load);
	*out = ops;
	if (!ops)
		return fc_err_set(err, FC_EIO, "media_module_missing", NULL,
				  "The media module (" FC_MEDIA_MODULE_FILE ") is missing or cannot be loaded, so "
				  "recordings cannot be checked; the server log says why.");
	return 0;
}
