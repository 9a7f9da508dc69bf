/* The layering of docs/architecture.md, checked on the source tree: every
 * `#include "folder/…"` under src/ is an arrow between folders; arrows must
 * point down the ranks below, the folder graph must have no cycle, and no
 * source file may grow past 1,000 lines. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lower rank = lower layer. Domain modules share a rank: one of them
 * including another is a sideways arrow, refused like an upward one. */
static const struct {
	const char *folder;
	int rank;
	int domain;
} FOLDERS[] = {
	{"core", 0, 0},    {"store", 1, 0},   {"http", 1, 0},     {"blob", 2, 0},    {"media", 2, 0},
	{"account", 2, 0}, {"markup", 2, 0},  {"access", 3, 0},   {"events", 3, 0},  {"work", 4, 1},
	{"money", 4, 1},   {"quality", 4, 1}, {"webhooks", 4, 1}, {"formats", 4, 1}, {"contrib", 4, 1},
	{"privacy", 4, 1}, {"ml", 4, 1},      {"api", 5, 0},      {"", 6, 0}, /* main, cli, wiring */
};
#define N_FOLDERS (sizeof FOLDERS / sizeof FOLDERS[0])

static int folder_index(const char *name, size_t len)
{
	for (size_t i = 0; i < N_FOLDERS; i++)
		if (strlen(FOLDERS[i].folder) == len && !strncmp(FOLDERS[i].folder, name, len))
			return (int)i;
	return -1;
}

/* NULL when folder `from` may include a header of folder `to`; otherwise
 * why not. */
static const char *verdict(int from, int to)
{
	if (to == from)
		return NULL;
	if (FOLDERS[to].rank > FOLDERS[from].rank)
		return "upward";
	if (FOLDERS[to].rank == FOLDERS[from].rank)
		return "sideways";
	return NULL;
}

static char src_root[1024];
static int edges[N_FOLDERS][N_FOLDERS];
static char violations[8192];
static char too_long[4096];
static int unknown_folder;

static void note(char *buf, size_t n, const char *fmt, const char *a, const char *b)
{
	size_t used = strlen(buf);
	if (used + 200 < n)
		snprintf(buf + used, n - used, fmt, a, b);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	size_t len = strlen(path);
	if (type != FTW_F || len < 2 || (strcmp(path + len - 2, ".c") && strcmp(path + len - 2, ".h")))
		return 0;
	const char *rel = path + strlen(src_root) + 1;
	const char *slash = strchr(rel, '/');
	int from = folder_index(rel, slash ? (size_t)(slash - rel) : 0);
	if (from < 0) {
		unknown_folder = 1;
		note(violations, sizeof violations, "%s: folder not in the layer table%s\n", rel, "");
		return 0;
	}
	FILE *f = fopen(path, "r");
	cr_assert(f, "cannot read %s", path);
	char line[512];
	int lines = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		const char *inc = strstr(line, "#include \"");
		if (inc != line)
			continue;
		const char *name = inc + 10, *sl = strchr(name, '/'), *q = strchr(name, '"');
		if (!sl || !q || sl > q)
			continue; /* a header beside the file (main.c's "cli.h") */
		int to = folder_index(name, (size_t)(sl - name));
		if (to < 0 || to == from)
			continue;
		edges[from][to] = 1;
		const char *why = verdict(from, to);
		if (why) {
			char what[400];
			snprintf(what, sizeof what, "%s includes %.*s", rel, (int)(q - name), name);
			note(violations, sizeof violations, "%s (%s)\n", what, why);
		}
	}
	fclose(f);
	if (lines > 1000) {
		char n[32];
		snprintf(n, sizeof n, "%d", lines);
		note(too_long, sizeof too_long, "%s: %s lines\n", rel, n);
	}
	return 0;
}

static void scan(void)
{
	const char *root = getenv("FC_SOURCE_DIR");
	cr_assert(root, "FC_SOURCE_DIR is not set");
	snprintf(src_root, sizeof src_root, "%s/src", root);
	memset(edges, 0, sizeof edges);
	violations[0] = too_long[0] = 0;
	cr_assert_eq(nftw(src_root, visit, 16, FTW_PHYS), 0, "cannot walk %s", src_root);
}

Test(layering, arrows_point_down_and_no_domain_module_includes_another)
{
	scan();
	cr_expect_eq(unknown_folder, 0, "%s", violations);
	cr_expect_str_empty(violations, "layering violations:\n%s", violations);
}

static int color[N_FOLDERS];
static int cyclic(int v)
{
	color[v] = 1;
	for (size_t w = 0; w < N_FOLDERS; w++)
		if (edges[v][w] && (color[w] == 1 || (color[w] == 0 && cyclic((int)w))))
			return 1;
	color[v] = 2;
	return 0;
}

Test(layering, the_folder_graph_has_no_cycle)
{
	scan();
	memset(color, 0, sizeof color);
	int found = 0;
	for (size_t v = 0; v < N_FOLDERS && !found; v++)
		if (!color[v])
			found = cyclic((int)v);
	cr_expect_eq(found, 0, "an include cycle among src/ folders");
}

Test(layering, no_source_file_is_over_1000_lines)
{
	scan();
	cr_expect_str_empty(too_long, "split these files:\n%s", too_long);
}

#define F(name) folder_index(name, strlen(name))

Test(layering, the_checker_refuses_sideways_and_upward_arrows)
{
	cr_expect_str_eq(verdict(F("work"), F("money")), "sideways");
	cr_expect_str_eq(verdict(F("quality"), F("work")), "sideways");
	cr_expect_str_eq(verdict(F("store"), F("work")), "upward");
	cr_expect_str_eq(verdict(F("events"), F("money")), "upward");
	cr_expect_str_eq(verdict(F("work"), F("api")), "upward");
	cr_expect_null(verdict(F("work"), F("events")));
	cr_expect_null(verdict(F("money"), F("access")));
	cr_expect_null(verdict(F("api"), F("work")));
	cr_expect_null(verdict(F(""), F("api")));
}
