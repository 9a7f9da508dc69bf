/* A task's agreement (the share of its most common categorical answer
 * among the kept submissions) is kept incrementally: each submission's
 * answer key is stored when it arrives and only fixed answers are parsed
 * again. Here random answer sets — several choices, a text, empty answers —
 * with rejections and fixes between the submits are checked after every
 * submit against a full recomputation from the task's results as the API
 * lists them. */
#include "harness.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEOPLE 6
static srv S;
static void up(void) { suite_with_users(&S, PEOPLE); }
static void down(void) { srv_stop(&S); }
TestSuite(agreement, .init = up, .fini = down, .timeout = 300);

#define CONFIG \
	"<View><Text name=\"text\" value=\"$text\"/>" \
	"<Choices name=\"label\" toName=\"text\" choice=\"multiple\">" \
	"<Choice value=\"a\"/><Choice value=\"b\"/><Choice value=\"c\"/></Choices>" \
	"<TextArea name=\"note\" toName=\"text\"/></View>"

/* A random answer: a non-empty subset of {a, b} (sorted, as a set), and
 * maybe a note; one in seven is empty (no categorical answer at all). */
static json_t *random_result(unsigned *seed)
{
	json_t *r = json_array();
	int pick = rand_r(seed) % 7;
	if (pick == 6)
		return r;
	static const char *const SETS[][2] = {{"a", NULL}, {"b", NULL}, {"a", "b"}};
	const char *const *set = SETS[pick % 3];
	json_t *choices = set[1] ? json_pack("[s,s]", set[0], set[1]) : json_pack("[s]", set[0]);
	json_array_append_new(r, json_pack("{s:s,s:s,s:s,s:{s:o}}", "from_name", "label", "to_name", "text", "type",
					   "choices", "value", "choices", choices));
	if (pick >= 3)
		json_array_append_new(r, json_pack("{s:s,s:s,s:s,s:{s:[s]}}", "from_name", "note", "to_name", "text",
						   "type", "textarea", "value", "text", "x"));
	return r;
}

static res post(const char *path, const char *tok, json_t *body)
{
	char *txt = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	res r = http(&S, "POST", path, tok, "application/json", txt, strlen(txt), NULL);
	free(txt);
	return r;
}

/* The oracle's key of one result: its choices and note, "" when it has
 * neither (then it does not vote). */
static void oracle_key(const json_t *result, char *key, size_t size)
{
	char choices[64] = "", note[64] = "";
	size_t i;
	const json_t *item;
	json_array_foreach(result, i, item) {
		const char *from = json_string_value(json_object_get(item, "from_name"));
		const json_t *value = json_object_get(item, "value");
		if (from && !strcmp(from, "label") && !*choices) {
			size_t j;
			const json_t *c;
			json_array_foreach(json_object_get(value, "choices"), j, c) {
				strncat(choices, json_string_value(c), sizeof choices - strlen(choices) - 2);
				strcat(choices, ",");
			}
		} else if (from && !strcmp(from, "note") && !*note) {
			snprintf(note, sizeof note, "%s",
				 json_string_value(json_array_get(json_object_get(value, "text"), 0)));
		}
	}
	snprintf(key, size, "%s%s%s", choices, *note ? "|" : "", note);
}

/* The full recomputation: the top share over the task's kept results, -1
 * when none votes. */
static double oracle_share(json_t *task)
{
	char keys[64][140];
	int count[64], k = 0, n = 0, top = 0;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(task, "results"), i, r) {
		if (!strcmp(json_string_value(json_object_get(r, "status")), "rejected"))
			continue;
		char key[140];
		oracle_key(json_object_get(r, "result"), key, sizeof key);
		if (!*key)
			continue;
		n++;
		int j = 0;
		while (j < k && strcmp(keys[j], key))
			j++;
		if (j == k) {
			snprintf(keys[k], sizeof keys[k], "%s", key);
			count[k++] = 0;
		}
		if (++count[j] > top)
			top = count[j];
	}
	return n ? (double)top / n : -1;
}

/* The project's task with id task, as the task list shows it (with its
 * results), or NULL; *list holds the response (free it). */
static json_t *find_task(long long pid, long long task, res *list)
{
	char path[128];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/tasks?limit=100", pid);
	*list = api(&S, "GET", path, S.req, NULL);
	cr_assert_eq(list->status, 200, "%s", list->body);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(list->json, "items"), i, t)
		if (json_integer_value(json_object_get(t, "id")) == task)
			return t;
	return NULL;
}

/* Rejects or fixes (accepts with a random answer) a random pending
 * submission of the project, if one is left. */
static void review_one(long long pid, unsigned *seed, long long *pending, int *npending)
{
	if (!*npending)
		return;
	int at = rand_r(seed) % *npending;
	long long sid = pending[at];
	pending[at] = pending[--*npending];
	char path[96];
	res r;
	if (rand_r(seed) % 2) {
		snprintf(path, sizeof path, "/api/v1/submissions/%lld/reject", sid);
		r = api(&S, "POST", path, S.req, "{s:s,s:s}", "reason_code", "wrong_answer", "message", "Not it.");
	} else {
		snprintf(path, sizeof path, "/api/v1/submissions/%lld/fix", sid);
		r = post(path, S.req, json_pack("{s:o}", "result", random_result(seed)));
	}
	cr_expect_eq(r.status, 200, "project %lld, submission %lld: %s", pid, sid, r.body);
	res_free(&r);
}

/* One project of two tasks, everyone answering both, reviews between the
 * submits; returns how many submits were checked with two or more answers. */
static int run(unsigned seed)
{
	const unsigned start = seed;
	char tasks[256];
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Agreement", "label_config", CONFIG,
					       "reward", 1, "overlap", PEOPLE, "reject_reasons", "wrong_answer"),
				     ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", 2), 100000);
	long long pending[2 * PEOPLE];
	int npending = 0, checked = 0, order[PEOPLE];
	for (int i = 0; i < PEOPLE; i++)
		order[i] = i;
	for (int round = 0; round < 2; round++) {
		for (int i = PEOPLE - 1; i > 0; i--) { /* a new order of contributors each round */
			int j = rand_r(&seed) % (i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int i = 0; i < PEOPLE; i++) {
			const char *tok = S.c[order[i]];
			long long aid = lease_ok(&S, pid, tok);
			char path[96];
			snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", aid);
			json_t *result = random_result(&seed);
			res r = post(path, tok, json_pack("{s:O}", "result", result));
			cr_assert_eq(r.status, 201, "seed %u: %s", start, r.body);
			long long sid = jint(r.json, "id"), task = jint(r.json, "task_id");
			res_free(&r);
			json_decref(result);
			res list;
			json_t *t = find_task(pid, task, &list);
			cr_assert(t, "task %lld listed", task);
			double want = oracle_share(t);
			const json_t *got = json_object_get(t, "agreement");
			if (jint(t, "submitted_count") >= 2 && want >= 0) {
				cr_expect(json_is_number(got) && json_number_value(got) == want,
					  "seed %u, task %lld after submission %lld: agreement %g (null: %d), recomputed %g",
					  start, task, sid, json_number_value(got), json_is_null(got), want);
				checked++;
			}
			res_free(&list);
			pending[npending++] = sid;
			if (rand_r(&seed) % 3 == 0)
				review_one(pid, &seed, pending, &npending);
		}
	}
	return checked;
}

Test(agreement, incremental_equals_full_recomputation_over_random_answers)
{
	int checked = 0;
	for (unsigned seed = 1; seed <= 4; seed++)
		checked += run(seed * 7919);
	cr_expect_gt(checked, 20, "enough submits with two answers or more were compared: %d", checked);
}

/* The unhappy edge: a task whose answers have no categorical part at all
 * keeps no agreement (null), however many there are. */
Test(agreement, answers_without_a_category_leave_it_null)
{
	char tasks[64];
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i,s:[s]}", "title", "Empty", "label_config", CONFIG,
					       "reward", 1, "overlap", 3, "reject_reasons", "wrong_answer"),
				     ndjson_lines(tasks, sizeof tasks, "{\"text\":\"item %d\"}\n", 1), 100000);
	long long task = 0;
	for (int i = 0; i < 3; i++) {
		char path[96];
		snprintf(path, sizeof path, "/api/v1/assignments/%lld/submit", lease_ok(&S, pid, S.c[i]));
		res r = post(path, S.c[i], json_pack("{s:[]}", "result"));
		cr_assert_eq(r.status, 201, "%s", r.body);
		task = jint(r.json, "task_id");
		res_free(&r);
	}
	res list;
	json_t *t = find_task(pid, task, &list);
	cr_assert(t);
	cr_expect(json_is_null(json_object_get(t, "agreement")), "no vote, no agreement");
	cr_expect_eq(jint(t, "submitted_count"), 3);
	res_free(&list);
}
