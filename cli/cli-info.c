/* SPDX-License-Identifier: ISC */
/*
 * sockbroker info: what the daemon said in Hello.
 */

#include <sys/socket.h>

#include <stdio.h>

#include "cli.h"
#include "kernel.h"

/* The name of an address family ("AF_INET"), or NULL if unknown. */
const char *
cli_info_family(int family)
{
	return (kernel_family_cname(family));
}

/* Prints the daemon's Hello. */
int
cli_info_exec(const char *path, int argc, char **argv)
{
	const struct sb_info	*info;
	const char		*name;
	sb_conn			*c;
	size_t			 i;

	if (argc != 1)
		return (cli_usage(argv[0]));
	if ((c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);
	info = sb_info(c);
	printf("protocol version: %u\n", info->version);
	printf("max frame: %u\n", info->max_frame);
	printf("max handles: %u\n", info->max_handles);
	printf("max data: %u\n", info->max_data);
	printf("fd passing: %s\n", info->fd_passing ? "yes" : "no");
	printf("families:");
	for (i = 0; i < info->nfamilies; i++) {
		if ((name = cli_info_family(info->families[i])) != NULL)
			printf(" %s", name);
		else
			printf(" %d", info->families[i]);
	}
	printf("\n");
	sb_close_conn(c);
	return (CLI_EXIT_OK);
}
