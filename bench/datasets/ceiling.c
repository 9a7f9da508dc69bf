/* The ceiling of a dataset export: the export's own query over SQLite,
 * each row's columns written out with fwrite and nothing else (no JSON
 * parsing, no format). faircrowd's export is compared with this.
 *
 *   cc -O2 -o ceiling ceiling.c -lsqlite3
 *   ./ceiling DATA/faircrowd.db PROJECT > out */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

/* formats/dataset.c TASKS_SQL (status accepted) */
static const char SQL[] =
	"SELECT t.id, t.data, t.predictions, t.gold, s.id, s.user_id, s.result, s.active_seconds, s.status, "
	"s.created_at FROM tasks t LEFT JOIN submissions s ON s.task_id=t.id AND s.erased_at IS NULL AND "
	"(?=1 OR s.status IN ('accepted','auto_accepted')) WHERE t.project_id=? ORDER BY t.id, s.id";

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ceiling DB PROJECT\n");
		return 2;
	}
	sqlite3 *db;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, SQL, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "ceiling: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_bind_int(st, 1, 0);
	sqlite3_bind_int64(st, 2, atoll(argv[2]));
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	long long rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < 10; c++) {
			const unsigned char *t = sqlite3_column_text(st, c);
			int n = sqlite3_column_bytes(st, c);
			if (t)
				fwrite(t, 1, (size_t)n, stdout);
			fputc(c == 9 ? '\n' : '\t', stdout);
		}
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	fprintf(stderr, "ceiling: %lld rows\n", rows);
	return 0;
}
