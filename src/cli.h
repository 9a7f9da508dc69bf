/* cli.h — the faircrowd subcommands (main.c dispatches to these). Each
 * returns the process exit status: 0 ok, 1 runtime failure, 2 usage error. */
#ifndef FC_CLI_H
#define FC_CLI_H

int fc_cli_serve(int argc, char **argv);
int fc_cli_migrate(int argc, char **argv);
int fc_cli_user(int argc, char **argv);
int fc_cli_backup(int argc, char **argv);
int fc_cli_import(int argc, char **argv);
int fc_cli_export(int argc, char **argv);

int fc_cli_copy_db(int argc, char **argv);

#endif
