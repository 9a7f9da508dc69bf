#ifndef FC_QUALITY_CLI_H
#define FC_QUALITY_CLI_H
int fc_quality_cli_aggregate(int argc, char **argv);
int fc_quality_cli_agreement(int argc, char **argv);
#endif
