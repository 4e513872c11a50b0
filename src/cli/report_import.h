/*
 * tend report --import-json FILE...: chaos runs recorded elsewhere, read
 * into this state dir's store (docs/report.md).
 */
#ifndef TEND_CLI_REPORT_IMPORT_H
#define TEND_CLI_REPORT_IMPORT_H

#include <stddef.h>

#include "cli/cli.h"

/*
 * Reads every file, then imports what they hold in one transaction; says
 * how many runs were new on stderr. 0, or 1 after saying why nothing was
 * imported.
 */
int	report_import_json(const struct cli_options *opts, char *const *files, size_t n);

#endif
