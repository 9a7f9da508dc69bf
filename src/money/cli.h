/* cli.h — `faircrowd ledger check [--data DIR]`. */
#ifndef FC_MONEY_CLI_H
#define FC_MONEY_CLI_H

/* Exit status: 0 ledger consistent, 1 a violation or failure, 2 usage. */
int fc_money_cli_ledger(int argc, char **argv);

#endif
