#include "demo.h"
#include "account/account.h"
#include "money/money.h"
#include "work/project.h"
#include "work/task.h"

#include <stdio.h>
#include <string.h>

static const char SENTIMENT_CONFIG[] =
	"<View>\n  <Header value=\"What is the tone of this product review?\"/>\n"
	"  <Text name=\"text\" value=\"$text\"/>\n"
	"  <Choices name=\"sentiment\" toName=\"text\" choice=\"single\" required=\"true\">\n"
	"    <Choice value=\"Positive\" hotkey=\"1\"/>\n    <Choice value=\"Neutral\" hotkey=\"2\"/>\n"
	"    <Choice value=\"Negative\" hotkey=\"3\"/>\n  </Choices>\n</View>";

static const char SENTIMENT_TASKS[] =
	"{\"text\":\"Battery lasts two full days and the screen is bright even outdoors.\"}\n"
	"{\"text\":\"Stopped charging after a week. Support never answered my emails.\"}\n"
	"{\"text\":\"It does what the box says. Nothing more, nothing less.\"}\n"
	"{\"text\":\"The blender is loud, but it crushes ice in seconds.\"}\n"
	"{\"text\":\"Arrived scratched and missing the power cable.\"}\n"
	"{\"text\":\"Best running shoes I have owned; no blisters after a marathon.\"}\n"
	"{\"text\":\"The app keeps logging me out, which makes the watch useless.\"}\n"
	"{\"text\":\"Fine for the price. The strap feels a bit cheap.\"}\n";

static const char PAIRWISE_CONFIG[] =
	"<View>\n  <Header value=\"Which answer is more helpful and correct?\"/>\n"
	"  <Text name=\"prompt\" value=\"$prompt\"/>\n"
	"  <Text name=\"answer_a\" value=\"$answer_a\"/>\n  <Text name=\"answer_b\" value=\"$answer_b\"/>\n"
	"  <Pairwise name=\"preference\" toName=\"answer_a,answer_b\" required=\"true\"/>\n"
	"  <TextArea name=\"rationale\" toName=\"prompt\" placeholder=\"Why? (one sentence)\" maxSubmissions=\"1\"/>\n"
	"</View>";

static const char PAIRWISE_TASKS[] =
	"[{\"prompt\":\"How long should I boil an egg for a runny yolk?\","
	"\"answer_a\":\"About 6 minutes in boiling water, then cool it in cold water.\","
	"\"answer_b\":\"Eggs should be boiled for 20 minutes to be safe.\"},\n"
	"{\"prompt\":\"What is the capital of Australia?\",\"answer_a\":\"Sydney.\","
	"\"answer_b\":\"Canberra. Sydney is the largest city, but Canberra is the capital.\"},\n"
	"{\"prompt\":\"Explain what a leap year is in one sentence.\","
	"\"answer_a\":\"A year with 366 days, adding February 29 to keep the calendar in step with Earth's orbit.\","
	"\"answer_b\":\"A year when people jump more.\"}]";

static const char NER_CONFIG[] =
	"<View>\n  <Labels name=\"entities\" toName=\"text\">\n"
	"    <Label value=\"Person\" hotkey=\"p\"/>\n    <Label value=\"Organization\" hotkey=\"o\"/>\n"
	"    <Label value=\"Location\" hotkey=\"l\"/>\n  </Labels>\n"
	"  <Text name=\"text\" value=\"$text\"/>\n</View>";

static const char NER_TASKS[] = "text\n"
				"\"Ada Lovelace worked with Charles Babbage in London.\"\n"
				"\"The Red Cross opened a new office in Nairobi last spring.\"\n"
				"\"Grace Hopper joined the US Navy Reserve in 1943.\"\n";

/* Conversations: rate each reply, rewrite weak ones, write the ideal answer
 * (the chat JSONL export carries the result). */
static const char CHAT_CONFIG[] = "<View>\n  <Chat name=\"chat\" value=\"$messages\"/>\n"
				  "  <Rating name=\"quality\" toName=\"chat\" perItem=\"true\"/>\n"
				  "  <TextArea name=\"rewrite\" toName=\"chat\" perItem=\"true\" rows=\"2\"/>\n"
				  "  <Header value=\"The ideal next reply\"/>\n"
				  "  <TextArea name=\"ideal\" toName=\"chat\" rows=\"4\" required=\"true\"/>\n</View>";

static const char CHAT_TASKS[] =
	"{\"messages\":[{\"role\":\"user\",\"content\":\"How do I reverse a list in Python?\"},"
	"{\"role\":\"assistant\",\"content\":\"Use slicing: `items[::-1]`, or `items.reverse()` to change it "
	"**in place**.\"},{\"role\":\"user\",\"content\":\"Which is faster?\"},"
	"{\"role\":\"assistant\",\"content\":\"They are the same.\"}]}\n"
	"{\"messages\":[{\"role\":\"user\",\"content\":\"Write a shell command that counts the lines of "
	"every .c file.\"},{\"role\":\"assistant\",\"content\":\"```sh\\nwc -l *.c\\n```\"}]}\n";

/* Sensor channels from a CSV the binary serves (web/samples/walk.csv). */
static const char SERIES_CONFIG[] =
	"<View>\n  <TimeSeriesLabels name=\"activity\" toName=\"ts\">\n"
	"    <Label value=\"Walk\" background=\"#2563eb\"/>\n    <Label value=\"Run\" background=\"#e11d48\"/>\n"
	"    <Label value=\"Fall\" background=\"#16a34a\"/>\n  </TimeSeriesLabels>\n"
	"  <TimeSeries name=\"ts\" value=\"$csv\" valueType=\"url\" timeColumn=\"time\">\n"
	"    <Channel column=\"ax\" legend=\"Acceleration x\"/>\n    <Channel column=\"ay\" legend=\"Acceleration y\"/>\n"
	"    <Channel column=\"az\" legend=\"Acceleration z\"/>\n  </TimeSeries>\n</View>";

static const char SERIES_TASKS[] = "{\"csv\":\"/samples/walk.csv\"}\n";

/* A qualification test: six sentiment questions with known answers, three
 * per attempt, one retake (with three new questions). */
static const char TEST_TASKS[] =
	"{\"data\":{\"text\":\"I would buy this kettle again tomorrow.\"},\"gold\":{\"sentiment\":\"Positive\"}}\n"
	"{\"data\":{\"text\":\"The zipper broke on the first day.\"},\"gold\":{\"sentiment\":\"Negative\"}}\n"
	"{\"data\":{\"text\":\"It is a phone case. It fits the phone.\"},\"gold\":{\"sentiment\":\"Neutral\"}}\n"
	"{\"data\":{\"text\":\"Gorgeous colours and the print is razor sharp.\"},\"gold\":{\"sentiment\":\"Positive\"}}\n"
	"{\"data\":{\"text\":\"Refund took two months and three phone calls.\"},\"gold\":{\"sentiment\":\"Negative\"}}\n"
	"{\"data\":{\"text\":\"Delivered on Tuesday as stated.\"},\"gold\":{\"sentiment\":\"Neutral\"}}\n";

/* The other kinds faircrowd offers; the pictures, the recording and the clip
 * ship with the web app (web/samples/: two small SVGs, an espeak-ng sentence
 * and a generated test clip), so the demo needs no network and no upload. */
static const char BOXES_CONFIG[] =
	"<View><Image name=\"image\" value=\"$image\"/>"
	"<RectangleLabels name=\"box\" toName=\"image\"><Label value=\"Car\" background=\"#2563eb\"/>"
	"<Label value=\"Person\" background=\"#e11d48\"/></RectangleLabels></View>";
static const char POLYGON_CONFIG[] = "<View><Image name=\"image\" value=\"$image\"/>"
				     "<PolygonLabels name=\"shape\" toName=\"image\"><Label value=\"Road or path\" "
				     "background=\"#16a34a\"/></PolygonLabels></View>";
static const char KEYPOINT_CONFIG[] = "<View><Image name=\"image\" value=\"$image\"/>"
				      "<KeyPointLabels name=\"point\" toName=\"image\"><Label value=\"Head\" "
				      "background=\"#d97706\"/></KeyPointLabels></View>";
static const char IMAGE_TASKS[] = "{\"image\":\"/samples/street.svg\"}\n{\"image\":\"/samples/park.svg\"}\n";
static const char RATING_CONFIG[] =
	"<View><Text name=\"question\" value=\"$question\"/>"
	"<Text name=\"answer\" value=\"$answer\"/>"
	"<Rating name=\"quality\" toName=\"answer\" maxRating=\"5\" required=\"true\"/></View>";
static const char RATING_TASKS[] =
	"{\"question\":\"How long do I boil an egg?\",\"answer\":\"About 7 minutes for a firm yolk.\"}\n"
	"{\"question\":\"What is the capital of Australia?\",\"answer\":\"Sydney.\"}\n"
	"{\"question\":\"Why is the sky blue?\",\"answer\":\"Air scatters blue light more than red.\"}\n";
static const char AUDIO_EVENTS_CONFIG[] =
	"<View><Labels name=\"label\" toName=\"audio\"><Label value=\"Speech\" background=\"#2563eb\"/>"
	"<Label value=\"Silence\" background=\"#d97706\"/></Labels><Audio name=\"audio\" value=\"$audio\"/></View>";
static const char AUDIO_TASKS[] = "{\"audio\":\"/samples/speech.ogg\"}\n";
static const char VIDEO_CONFIG[] = "<View><Labels name=\"videoLabels\" toName=\"video\"><Label value=\"Shape\" "
				   "background=\"#2563eb\"/></Labels><Video name=\"video\" value=\"$video\" "
				   "framerate=\"25\"/><VideoRectangle name=\"box\" toName=\"video\"/></View>";
static const char VIDEO_TASKS[] = "{\"video\":\"/samples/clip.webm\"}\n";
static const char HELPFUL_CHAT_CONFIG[] = "<View><Chat name=\"chat\" value=\"$messages\"/>"
					  "<Choices name=\"helpful\" toName=\"chat\" choice=\"single\" required=\"true\">"
					  "<Choice value=\"Helpful\"/><Choice value=\"Not helpful\"/></Choices></View>";
static const char HELPFUL_CHAT_TASKS[] =
	"{\"messages\":[{\"role\":\"user\",\"content\":\"My train was cancelled, can I get a refund?\"},"
	"{\"role\":\"assistant\",\"content\":\"Yes: a cancelled train is refunded in full at the ticket office or "
	"online.\"}]}\n"
	"{\"messages\":[{\"role\":\"user\",\"content\":\"Translate 'good morning' into French.\"},"
	"{\"role\":\"assistant\",\"content\":\"Bonne nuit.\"}]}\n";
static const char RECORD_TASKS[] = "sentence\nThe quick brown fox jumps over the lazy dog.\n"
				   "Please call me back after lunch.\nIt rained all day in the hills.\n";
static const char PHOTO_TASKS[] = "object\na cup\na key\na pair of shoes\n";
static const char MOTION_TASKS[] =
	"activity\nWalk ten steps and then stand still.\nSit down on a chair and stand up again.\n"
	"Climb a few stairs.\n";

static int seed_one(fc_store *s, const fc_user *owner, const char *title, const char *instructions, const char *config,
		    const char *tasks, int format, int reward, int overlap, json_t *extra, fc_err *err)
{
	json_t *body = json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:[s,s,s]}", "title", title, "instructions", instructions,
				 "label_config", config, "reward", reward, "overlap", overlap, "auto_approve_days", 3,
				 "reject_reasons", "wrong_answer", "instructions_not_followed", "spam");
	if (!*config) /* a collection project: extra carries its kind and collect spec */
		json_object_del(body, "label_config");
	if (extra) {
		json_object_update(body, extra);
		json_decref(extra);
	}
	json_t *p = NULL, *tmp = NULL;
	int rc = fc_project_create(s, owner, body, &p, err);
	json_decref(body);
	if (rc)
		return rc;
	int64_t id = json_integer_value(json_object_get(p, "id")), created = 0;
	json_decref(p);
	FILE *f = fmemopen((void *)tasks, strlen(tasks), "r");
	if (!f)
		return fc_err_set(err, FC_EIO, NULL, NULL, "fmemopen failed");
	rc = fc_task_import(s, owner, id, f, format, &created, NULL, NULL, err);
	fclose(f);
	if (!rc && reward > 0)
		rc = fc_money_fund(s, owner, id, (int64_t)reward * overlap * created, &tmp, err);
	json_decref(tmp);
	tmp = NULL;
	if (!rc)
		rc = fc_project_transition(s, owner, id, "publish", &tmp, err);
	json_decref(tmp);
	if (!rc)
		printf(reward ? "  demo project %lld: %s (%lld task%s, $%d.%02d each)\n"
			      : "  demo project %lld: %s (%lld question%s, unpaid)\n",
		       (long long)id, title, (long long)created, created == 1 ? "" : "s", reward / 100, reward % 100);
	return rc;
}

/* One project of each remaining kind. A time series project waits for the
 * TimeSeries tag (the config parser does not accept it yet). */
static int seed_more(fc_store *s, const fc_user *owner, fc_err *err)
{
	int rc;
	if ((rc = seed_one(s, owner, "Box the cars and people", "Draw a **box** around every car and person.",
			   BOXES_CONFIG, IMAGE_TASKS, FC_IMPORT_NDJSON, 10, 2, NULL, err)) ||
	    (rc = seed_one(s, owner, "Outline the road", "Click around the **road or path** to outline it.",
			   POLYGON_CONFIG, IMAGE_TASKS, FC_IMPORT_NDJSON, 10, 1, NULL, err)) ||
	    (rc = seed_one(s, owner, "Point at every head", "Put a **point** on each person's head.", KEYPOINT_CONFIG,
			   IMAGE_TASKS, FC_IMPORT_NDJSON, 6, 1, NULL, err)) ||
	    (rc = seed_one(s, owner, "Rate the answers", "Rate how **correct and useful** each answer is, 1 to 5.",
			   RATING_CONFIG, RATING_TASKS, FC_IMPORT_NDJSON, 5, 2, NULL, err)) ||
	    (rc = seed_one(s, owner, "Mark speech in a recording", "Play the recording and mark where someone **speaks**.",
			   AUDIO_EVENTS_CONFIG, AUDIO_TASKS, FC_IMPORT_NDJSON, 15, 1, NULL, err)) ||
	    (rc = seed_one(s, owner, "Track the moving shapes",
			   "Box each moving shape and follow it: every change is a keyframe.", VIDEO_CONFIG,
			   VIDEO_TASKS, FC_IMPORT_NDJSON, 30, 1, NULL, err)) ||
	    (rc = seed_one(s, owner, "Was the assistant helpful?", "Read the conversation; was the last reply helpful?",
			   HELPFUL_CHAT_CONFIG, HELPFUL_CHAT_TASKS, FC_IMPORT_NDJSON, 5, 2, NULL, err)) ||
	    (rc = seed_one(s, owner, "Read a sentence aloud", "Record yourself reading the sentence, in a quiet room.",
			   "", RECORD_TASKS, FC_IMPORT_CSV, 20, 2,
			   json_pack("{s:s,s:{s:s,s:s,s:i,s:i,s:i}}", "kind", "collection", "collect", "media", "audio",
				     "prompt_field", "sentence", "min_seconds", 1, "max_seconds", 15, "min_sample_rate",
				     16000),
			   err)) ||
	    (rc = seed_one(s, owner, "Photograph an everyday object", "Take a sharp photo of the object named.", "",
			   PHOTO_TASKS, FC_IMPORT_CSV, 20, 1,
			   json_pack("{s:s,s:{s:s,s:s,s:i,s:i}}", "kind", "collection", "collect", "media", "image",
				     "prompt_field", "object", "min_width", 640, "min_height", 480),
			   err)) ||
	    (rc = seed_one(s, owner, "Record an activity with your phone's motion sensors",
			   "Open this on your **phone**, press **Start recording**, do the activity, then press **Stop**. "
			   "Only motion is recorded: no sound, pictures or location.",
			   "", MOTION_TASKS, FC_IMPORT_CSV, 15, 1,
			   json_pack("{s:s,s:{s:s,s:s,s:[s,s],s:i,s:i,s:i}}", "kind", "collection", "collect", "media",
				     "sensor", "prompt_field", "activity", "sensors", "accelerometer", "gyroscope",
				     "min_hz", 20, "min_seconds", 5, "max_seconds", 60),
			   err)))
		return rc;
	return 0;
}

int fc_demo_seed(fc_store *s, const char *owner_email, fc_err *err)
{
	fc_db *db;
	int64_t n = 0, owner_id = 0;
	int rc = fc_db_begin(s, FC_DB_READ, &db, err);
	if (rc)
		return rc;
	fc_db_int(db, &n, NULL, "SELECT COUNT(*) FROM projects", "");
	rc = fc_db_int(db, &owner_id, err, "SELECT id FROM users WHERE email=?", "t", owner_email);
	fc_db_rollback(db);
	if (n > 0)
		return 0;
	if (rc)
		return fc_err_set(err, FC_ENOTFOUND, "no_owner", NULL, "The demo owner %s does not exist.", owner_email);
	fc_user owner;
	if ((rc = fc_account_get(s, owner_id, &owner, err)))
		return rc;
	printf("seeding a demo:\n");
	if ((rc = seed_one(s, &owner, "Product review sentiment",
			   "Read the review and choose its **overall tone**.\n\n- *Positive*: the buyer is happy.\n"
			   "- *Negative*: the buyer is unhappy.\n- *Neutral*: neither, or mixed.",
			   SENTIMENT_CONFIG, SENTIMENT_TASKS, FC_IMPORT_NDJSON, 5, 3, NULL, err)) ||
	    (rc = seed_one(s, &owner, "Compare two assistant answers",
			   "Pick the answer that is **more helpful and correct**, then say why in one sentence.",
			   PAIRWISE_CONFIG, PAIRWISE_TASKS, FC_IMPORT_JSON, 12, 2, NULL, err)) ||
	    (rc = seed_one(s, &owner, "Find people, organizations and places",
			   "Select every name in the sentence and give it a label.", NER_CONFIG, NER_TASKS,
			   FC_IMPORT_CSV, 8, 1, NULL, err)) ||
	    (rc = seed_one(s, &owner, "Rate and fix an assistant's replies",
			   "Give each **assistant** reply 1–5 stars, rewrite the weak ones, then write the "
			   "**ideal next reply**.",
			   CHAT_CONFIG, CHAT_TASKS, FC_IMPORT_NDJSON, 20, 1, NULL, err)) ||
	    (rc = seed_one(s, &owner, "Label activities in phone sensor data",
			   "Pick a label, then drag across the chart for each **walk** and **run**; click where "
			   "someone **falls**. By keyboard: `[` and `]` at the cursor, `Enter` for an instant.",
			   SERIES_CONFIG, SERIES_TASKS, FC_IMPORT_NDJSON, 10, 1, NULL, err)) ||
	    (rc = seed_one(s, &owner, "Sentiment basics (qualification test)",
			   "Three reviews: choose each one's **overall tone**. Two of three right grants the "
			   "qualification *sentiment-basics*; if you miss it, one retake asks three new reviews.",
			   SENTIMENT_CONFIG, TEST_TASKS, FC_IMPORT_NDJSON, 0, 1,
			   json_pack("{s:{s:s,s:f,s:i,s:i,s:b}}", "qualification", "grants", "sentiment-basics",
				     "pass_mark", 0.66, "questions", 3, "retakes", 1, "paid", 0),
			   err)))
		return rc;
	if ((rc = seed_more(s, &owner, err)))
		return rc;
	fc_user c;
	fc_err e2 = {0};
	if (!fc_account_create(s, "contributor@faircrowd.local", "contribute-demo-1", "Demo Contributor",
			       FC_ROLE_CONTRIBUTOR, &c, &e2))
		printf("  contributor sign-in: contributor@faircrowd.local / contribute-demo-1\n");
	fc_err_clear(&e2);
	return 0;
}
