/* SPDX-License-Identifier: ISC */
/* Not written yet: fails until it is. */

#include <stdio.h>

#include "cli.h"

int
cli_candump_exec(const char *sock, int argc, char **argv)
{
	(void)sock, (void)argc, (void)argv;
	fprintf(stderr, "sockbroker candump: not written yet\n");
	return (CLI_EXIT_ERROR);
}

int
cli_cansend_exec(const char *sock, int argc, char **argv)
{
	(void)sock, (void)argc, (void)argv;
	fprintf(stderr, "sockbroker cansend: not written yet\n");
	return (CLI_EXIT_ERROR);
}
