/* s3emu.h — the S3 emulator of the API tests (s3emu.c). */
#ifndef FC_TEST_S3EMU_H
#define FC_TEST_S3EMU_H

#include <sys/types.h>

extern pid_t EMU;          /* the emulator's pid, 0 when down */
extern char EMU_DIR[128];  /* its folder: data/ is the bucket store */
extern char ENDPOINT[128]; /* "FAIRCROWD_S3_ENDPOINT=http://127.0.0.1:PORT" */

/* 0 when the emulator is up (ENDPOINT set); else a reason to skip. */
const char *emu_start(void);
/* Starts it on port (0: any free one) over EMU_DIR, created on the first start. */
const char *emu_run(int port);
/* Stops the process, keeping its folder (a restart serves the same bucket). */
void emu_kill(void);
/* Stops it and removes its folder. */
void emu_stop(void);

#endif
