/* Dataset versions (POST /projects/{id}/versions, GET /versions/{id},
 * …/download, …/card, …/croissant): refusals first; then a version of 24
 * recordings by 6 speakers split by contributor (no speaker in two
 * splits), its manifest counts checked by hand, the kept files byte for
 * byte against their SHA-256, a later download giving the same bytes, the
 * Croissant description read by Python's json module, the card's sections;
 * a contributor's erased work leaves the next version and is counted. */
#include "harness.h"
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static srv S;
static void up(void) { suite_with_users(&S, 2); }
static void down(void) { srv_stop(&S); }
TestSuite(versions, .init = up, .fini = down, .timeout = 300);

#define CONFIG \
	"<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"yes\"/>" \
	"<Choice value=\"no\"/></Choices></View>"

/* n tasks, task i labelled by speaker i % speakers: "yes" when i is even. */
static long long project_with(int n, int speakers)
{
	long long pid =
		project_create(&S, S.req,
			       json_pack("{s:s,s:s,s:i}", "title", "Read aloud", "label_config", CONFIG, "overlap", 1));
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	for (int i = 0; i < n; i++)
		fprintf(m,
			"{\"data\":{\"text\":\"sentence %d\"},\"annotations\":[{\"completed_by\":\"spk%d\",\"result\":"
			"[{\"from_name\":\"c\",\"to_name\":\"text\",\"type\":\"choices\",\"value\":{\"choices\":[\"%s\"]}}]}]}\n",
			i, i % speakers, i % 2 ? "no" : "yes");
	fclose(m);
	project_import(&S, pid, S.req, buf);
	free(buf);
	return pid;
}

static res create(long long pid, const char *token, const char *body)
{
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/versions", pid);
	return http(&S, "POST", path, token, "application/json", body, strlen(body), NULL);
}

static res get(const char *path) { return api(&S, "GET", path, S.req, NULL); }

static void sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[32];
	crypto_hash_sha256(h, p, n);
	sodium_bin2hex(out, 65, h, 32);
}

Test(versions, refusals_name_the_field)
{
	long long pid = project_with(4, 2);
	const char *bad[][2] = {
		{"{}", "name"},
		{"{\"name\":\"\"}", "name"},
		{"{\"name\":\"v1\",\"split\":{\"train\":0.5,\"test\":0.2}}", "split"},
		{"{\"name\":\"v1\",\"split\":{\"train\":0.5,\"holdout\":0.5}}", "split"},
		{"{\"name\":\"v1\",\"split\":{\"train\":\"all\"}}", "split"},
		{"{\"name\":\"v1\",\"group_by\":\"speaker\"}", "group_by"},
		{"{\"name\":\"v1\",\"seed\":\"x\"}", "seed"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		res r = create(pid, S.req, bad[i][0]);
		cr_expect_eq(r.status, 400, "%s: %s", bad[i][0], r.body);
		cr_expect_str_eq(jstr(r.json, "error.field"), bad[i][1], "%s: %s", bad[i][0], r.body);
		res_free(&r);
	}
	char other[64];
	make_user(&S, "req2@test.local", "requester", other);
	res r = create(pid, other, "{\"name\":\"v1\"}");
	cr_expect_eq(r.status, 404, "another's project: %s", r.body);
	res_free(&r);
	r = create(pid, S.req, "{\"name\":\"v1\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long vid = jint(r.json, "id");
	res_free(&r);
	r = create(pid, S.req, "{\"name\":\"v1\"}");
	cr_expect_eq(r.status, 409, "a name is used once per project: %s", r.body);
	res_free(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/versions/%lld", vid);
	r = api(&S, "GET", path, other, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=json", vid);
	r = api(&S, "GET", path, other, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=xml", vid);
	r = get(path);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "format");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=json&split=holdout", vid);
	r = get(path);
	cr_expect_eq(r.status, 400, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "error.field"), "split");
	res_free(&r);
	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=coco", vid);
	r = get(path);
	cr_expect_eq(r.status, 422, "a text project has no boxes: %s", r.body);
	cr_expect(strstr(jstr(r.json, "error.message"), "coco"), "%s", r.body);
	res_free(&r);
}

/* The worker_ids of a Label Studio JSON body, as one string "a,b,…,". */
static void workers_of(const res *r, char *out, size_t n)
{
	out[0] = 0;
	size_t i;
	json_t *t;
	json_array_foreach(r->json, i, t) {
		const char *w = jstr(t, "annotations.0.worker_id");
		cr_assert(w, "%s", r->body);
		if (!strstr(out, w)) {
			strncat(out, w, n - strlen(out) - 2);
			strcat(out, ",");
		}
	}
}

Test(versions, speakers_stay_in_one_split_and_files_keep_their_bytes)
{
	long long pid = project_with(24, 6);
	res r = create(pid, S.req,
		       "{\"name\":\"v1\",\"split\":{\"train\":0.5,\"dev\":0.25,\"test\":0.25},\"group_by\":\"contributor\","
		       "\"seed\":7}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long vid = jint(r.json, "id");
	json_t *m = jget(r.json, "manifest");
	cr_expect_str_eq(jstr(m, "group_by"), "contributor");
	cr_expect_str_eq(jstr(m, "aggregation.labels"), "raw");
	cr_expect_eq(strlen(jstr(m, "config_sha256")), 64);
	char cfg[65];
	sha256_hex(CONFIG, strlen(CONFIG), cfg);
	cr_expect_str_eq(jstr(m, "config_sha256"), cfg, "the hash of the labelling config");
	cr_expect_eq(jint(m, "contributors"), 6);
	/* 6 speakers of 4 tasks: 3 groups to train, 1.5 to dev and test → 12, 8, 4 or 12, 4, 8 */
	long long t = jint(m, "counts.train.tasks"), d = jint(m, "counts.dev.tasks"), e = jint(m, "counts.test.tasks");
	cr_expect_eq(t + d + e, 24, "%s", r.body);
	cr_expect_eq(t % 4 + d % 4 + e % 4, 0, "whole speakers only: %lld/%lld/%lld", t, d, e);
	cr_expect_eq(t, 12, "%s", r.body);
	long long yes = 0; /* a split whose speakers never said yes has no "yes" */
	const char *sp[] = {"train", "dev", "test"};
	for (int i = 0; i < 3; i++)
		yes += json_integer_value(
			json_object_get(json_object_get(json_object_get(jget(m, "counts"), sp[i]), "labels"), "yes"));
	cr_expect_eq(yes, 12, "half of the 24 answers are yes: %s", r.body);

	/* each split's file: its bytes are the SHA-256 the manifest gives */
	char ids[3][600];
	const char *split[3] = {"train", "dev", "test"};
	for (int i = 0; i < 3; i++) {
		char path[128], sha[65];
		snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=json&split=%s", vid, split[i]);
		res f = get(path);
		cr_assert_eq(f.status, 200, "%s", f.body);
		sha256_hex(f.body, f.len, sha);
		int found = 0;
		size_t k;
		json_t *file;
		json_array_foreach(json_object_get(m, "files"), k, file)
			if (!strcmp(jstr(file, "split"), split[i])) {
				found = 1;
				cr_expect_str_eq(jstr(file, "sha256"), sha, "%s.json", split[i]);
			}
		cr_expect(found, "the manifest lists %s.json", split[i]);
		char key[32];
		snprintf(key, sizeof key, "counts.%s.tasks", split[i]);
		cr_expect_eq((long long)json_array_size(f.json), jint(m, key), "%s", split[i]);
		workers_of(&f, ids[i], sizeof ids[i]);
		res_free(&f);
	}
	/* no speaker in two splits */
	for (int i = 0; i < 3; i++) {
		char *copy = strdup(ids[i]);
		for (char *w = strtok(copy, ","); w; w = strtok(NULL, ","))
			for (int j = 0; j < 3; j++)
				cr_expect(i == j || !strstr(ids[j], w), "a speaker in %s and %s", split[i], split[j]);
		free(copy);
	}

	/* any format later, the same bytes */
	char path[128];
	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=csv&split=train", vid);
	res a = get(path);
	cr_assert_eq(a.status, 200, "%s", a.body);
	project_import(&S, pid, S.req, "{\"data\":{\"text\":\"added later\"}}\n");
	res b = get(path);
	cr_assert_eq(b.status, 200);
	cr_expect(a.len == b.len && !memcmp(a.body, b.body, a.len), "a second download differs");
	res_free(&a);
	res_free(&b);
	snprintf(path, sizeof path, "/api/v1/versions/%lld", vid);
	res v = get(path);
	int csv = 0;
	size_t k;
	json_t *file;
	json_array_foreach(jget(v.json, "files"), k, file)
		csv += !strcmp(jstr(file, "format"), "csv");
	cr_expect_eq(csv, 1, "the CSV is kept and listed: %s", v.body);
	res_free(&v);

	/* the Croissant description, read by a consumer */
	snprintf(path, sizeof path, "/api/v1/versions/%lld/croissant", vid);
	res c = get(path);
	cr_assert_eq(c.status, 200, "%s", c.body);
	char file_path[300], cmd[900];
	snprintf(file_path, sizeof file_path, "%s/croissant.json", S.dir);
	FILE *f = fopen(file_path, "wb");
	fwrite(c.body, 1, c.len, f);
	fclose(f);
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
		 "assert d[\"@type\"]==\"sc:Dataset\" and d[\"conformsTo\"]==\"http://mlcommons.org/croissant/1.0\"; "
		 "assert d[\"version\"]==\"v1\"; n=[x[\"name\"] for x in d[\"distribution\"]]; "
		 "assert n==[\"train.json\",\"dev.json\",\"test.json\",\"README.md\"], n; "
		 "assert all(len(x[\"sha256\"])==64 for x in d[\"distribution\"]); "
		 "assert d[\"recordSet\"][0][\"field\"][0][\"source\"][\"fileObject\"][\"@id\"]==\"train.json\"' '%s'",
		 file_path);
	cr_expect_eq(system(cmd), 0, "python3 rejected the Croissant description: %s", c.body);
	res_free(&c);

	/* the card */
	snprintf(path, sizeof path, "/api/v1/versions/%lld/card", vid);
	res card = get(path);
	cr_assert_eq(card.status, 200, "%s", card.body);
	const char *want[] = {"# Read aloud — version v1",
			      "## Splits",
			      "| train | 12 |",
			      "## Who labelled",
			      "6 contributors",
			      "## Agreement",
			      "## Pay",
			      "## Consent",
			      "## Files",
			      "train.json"};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_expect(strstr(card.body, want[i]), "the card lacks '%s': %s", want[i], card.body);
	cr_expect_null(strstr(card.body, "@test.local"), "no email in the card");
	res_free(&card);
	res_free(&r);
}

Test(versions, group_by_task_splits_by_fraction_and_versions_are_listed)
{
	long long pid = project_with(10, 1); /* one speaker: grouped by task, all splits get tasks */
	res r = create(pid, S.req, "{\"name\":\"by task\",\"split\":{\"train\":0.6,\"dev\":0.2,\"test\":0.2}}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "manifest.counts.train.tasks"), 6, "%s", r.body);
	cr_expect_eq(jint(r.json, "manifest.counts.dev.tasks"), 2);
	cr_expect_eq(jint(r.json, "manifest.counts.test.tasks"), 2);
	cr_expect(json_is_null(jget(r.json, "manifest.erased_since_previous.since")), "%s", r.body);
	res_free(&r);
	r = create(pid, S.req, "{\"name\":\"one speaker\",\"group_by\":\"contributor\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "manifest.counts.train.tasks"), 10, "one speaker, one split: %s", r.body);
	cr_expect(jstr(r.json, "manifest.erased_since_previous.since"), "the previous version is named: %s", r.body);
	res_free(&r);
	char path[96];
	snprintf(path, sizeof path, "/api/v1/projects/%lld/versions", pid);
	r = get(path);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(json_array_size(jget(r.json, "items")), 2, "%s", r.body);
	cr_expect_str_eq(jstr(r.json, "items.0.name"), "one speaker");
	res_free(&r);
}

/* A contributor who withdraws consent: the next version counts the erasure
 * and leaves the work out; a kept file of the earlier version that held it
 * is written again without it. */
Test(versions, erased_work_leaves_and_is_counted)
{
	long long pid = project_live(&S, S.req,
				     json_pack("{s:s,s:s,s:i,s:i}", "title", "erasure", "label_config", CONFIG,
					       "reward", 1, "overlap", 1),
				     "{\"text\":\"a\"}\n{\"text\":\"b\"}\n", 1000);
	long long sid[2];
	for (int i = 0; i < 2; i++) {
		long long aid = lease_ok(&S, pid, S.c[i]);
		res r = submit_choice(&S, aid, S.c[i], "c", "yes", json_integer(3));
		cr_assert_eq(r.status, 201, "%s", r.body);
		sid[i] = jint(r.json, "id");
		res_free(&r);
		char path[96];
		snprintf(path, sizeof path, "/api/v1/submissions/%lld/accept", sid[i]);
		r = api(&S, "POST", path, S.req, NULL);
		cr_assert_eq(r.status, 200, "%s", r.body);
		res_free(&r);
	}
	res r = create(pid, S.req, "{\"name\":\"before\",\"split\":{\"train\":1}}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	long long v1 = jint(r.json, "id");
	cr_expect_eq(jint(r.json, "manifest.counts.train.annotations"), 2, "%s", r.body);
	res_free(&r);
	char path[128];
	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=json&split=train", v1);
	res before = get(path);
	cr_assert_eq(before.status, 200);

	snprintf(path, sizeof path, "/api/v1/projects/%lld/consent/withdraw", pid);
	r = api(&S, "POST", path, S.c[0], NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	res_free(&r);

	r = create(pid, S.req, "{\"name\":\"after\",\"split\":{\"train\":1}}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_expect_eq(jint(r.json, "manifest.counts.train.annotations"), 1, "the withdrawn answer is out: %s", r.body);
	cr_expect_eq(jint(r.json, "manifest.erased_since_previous.submissions"), 1, "%s", r.body);
	cr_expect_eq(jint(r.json, "manifest.erased_since_previous.withdrawals"), 1, "%s", r.body);
	/* the erased item is named, its contributor by pseudonym only */
	cr_expect_eq(jint(r.json, "manifest.erased_since_previous.items.0.submission"), sid[0], "%s", r.body);
	const char *who = jstr(r.json, "manifest.erased_since_previous.items.0.contributor");
	cr_expect(who && strlen(who) == 64 && strspn(who, "0123456789abcdef") == 64, "not a pseudonym: %s", r.body);
	cr_expect(!strstr(r.body, "@test.local"), "an email in the manifest: %s", r.body);
	res_free(&r);
	r = api(&S, "GET", "/api/v1/admin/audit?limit=1000", S.admin_token, NULL);
	cr_expect(strstr(r.body, "\"version.create\""), "a version is not audited: %s", r.body);
	res_free(&r);

	snprintf(path, sizeof path, "/api/v1/versions/%lld/download?format=json&split=train", v1);
	res after = get(path);
	cr_assert_eq(after.status, 200);
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(after.json); i++)
		n += json_array_size(jget(json_array_get(after.json, i), "annotations"));
	cr_expect_eq(n, 1, "the earlier version's file is written again without the erased work: %s", after.body);
	cr_expect(before.len != after.len || memcmp(before.body, after.body, after.len), "the old bytes came back");
	res_free(&before);
	res_free(&after);
}
