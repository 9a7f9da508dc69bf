/* cli.h — the `faircrowd aggregate` and `faircrowd agreement` subcommands.
 *
 *   faircrowd aggregate --method mv|ds|ods [--seed N] FILE
 *       → CSV question,label,confidence (6 decimals), one row per question
 *         in first-seen order.
 *   faircrowd agreement --metric alpha|fleiss|cohen
 *                       [--level nominal|ordinal|interval|ratio] FILE
 *       → the coefficient with 6 decimals.
 *
 * FILE is CSV question,worker,answer (answers.h), or "-" for stdin. argv[0]
 * is the subcommand name. Exit status: 0 ok (also --help), 1 runtime failure
 * (unreadable file, malformed CSV naming the line, coefficient undefined),
 * 2 usage error; failures print one line to stderr. */
#ifndef FC_QUALITY_CLI_H
#define FC_QUALITY_CLI_H

#include <stdio.h>

int fc_quality_cli_aggregate(int argc, char **argv);
int fc_quality_cli_agreement(int argc, char **argv);

/* The same with explicit streams, for tests and embedding: "-" reads in,
 * results go to out, messages to errs. */
int fc_quality_cli_aggregate_io(int argc, char **argv, FILE *in, FILE *out, FILE *errs);
int fc_quality_cli_agreement_io(int argc, char **argv, FILE *in, FILE *out, FILE *errs);

#endif
