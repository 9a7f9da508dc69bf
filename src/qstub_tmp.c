int fc_quality_cli_aggregate(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int fc_quality_cli_agreement(int argc, char **argv) { (void)argc; (void)argv; return 1; }
