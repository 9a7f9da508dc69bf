/* libFuzzer: task import (JSON array scanner, NDJSON, CSV) into a real
 * SQLite store; the first input byte picks the format. */
#include "account/account.h"
#include "store/store.h"
#include "wiring.h"
#include "work/task.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fc_store *s;
	static fc_user admin = {.id = 0, .roles = FC_ROLE_ADMIN};
	fc_err err = {0};
	if (!s) {
		fc_wire();
		char dir[] = "/tmp/fc-fuzz-XXXXXX";
		if (!mkdtemp(dir) || fc_store_open(&s, dir, &err))
			__builtin_trap();
		fc_db *db;
		fc_db_begin(s, FC_DB_WRITE, &db, &err);
		fc_db_exec(db, &err,
			   "INSERT INTO users(id,email,password_hash,display_name,created_at) VALUES(1,'f@z','x','f',0)",
			   "");
		fc_db_exec(db, &err,
			   "INSERT INTO projects(id,owner_id,kind,title,label_config,created_at,updated_at) VALUES(1,1,'annotation','f','<View/>',0,0)",
			   "");
		fc_db_commit(db, &err);
	}
	if (size < 1)
		return 0;
	FILE *f = fmemopen((void *)(data + 1), size - 1, "r");
	if (!f)
		return 0;
	int64_t n = 0;
	fc_task_import(s, &admin, 1, f, data[0] % 3, &n, NULL, NULL, &err);
	fc_err_clear(&err);
	fclose(f);
	return 0;
}
