/* SPDX-License-Identifier: ISC */
/*
 * sockbroker [-s SOCKET] COMMAND [ARGS]: talks to sockbrokerd through
 * libsockbroker. Exit status: 0, 1 on error, 2 when a name does not
 * resolve, 64 on a usage error; ping has iputils' (0 with a reply, 1 with
 * none, 2 on other errors).
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_cmd	*cli_find(const char *);
static void			 cli_usage_all(FILE *);

static const struct cli_cmd cli_cmds[] = {
	{ "info", "", cli_info_exec },
	{ "resolve", "HOST [PORT]", cli_resolve_exec },
	{ "echo-server", "[-4|-6|-u PATH] [HOST] PORT", cli_echo_server_exec },
	{ "echo-client", "[-4|-6|-u PATH] HOST PORT [MESSAGE]",
	    cli_echo_client_exec },
	{ "ping", "[-4|-6] [-q] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] "
	    "[-s SIZE] HOST", cli_ping_exec },
	{ "dump", "[-pU] [-i IFACE] [-c COUNT] [-w FILE]", cli_dump_exec },
	{ "candump", "[-n COUNT] [-T MSECS] IFACE[,FILTER...] ...",
	    cli_candump_exec },
	{ "cansend", "IFACE FRAME", cli_cansend_exec },
	{ "policy", "check FILE | policy explain [-f FILE] USER FAMILY "
	    "[type T] [proto P] [iface I] [port N] [addr A] [option NAME] "
	    "[can-id ID] [netlink-write] [op OP]", cli_policy_exec },
};
#define CLI_NCMDS	(sizeof cli_cmds / sizeof cli_cmds[0])

/* Prints a message and, from sb_lasterror(), why the last call failed. */
void
cli_warn(const char *fmt, ...)
{
	const struct sb_error	*e = sb_lasterror();
	va_list			 ap;
	int			 saved = errno;

	fprintf(stderr, "sockbroker: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(saved));
	if (e->message[0] != '\0')
		fprintf(stderr, " (%s)", e->message);
	fprintf(stderr, "\n");
}

/* Connects to the daemon, or says why not; NULL on failure. */
sb_conn *
cli_open(const char *path)
{
	sb_conn	*c;

	if ((c = sb_open(path)) == NULL)
		cli_warn("cannot talk to sockbrokerd");
	return (c);
}

/* Checks a port argument: its value (0-65535), or -1 after a message. */
int
cli_port(const char *cmd, const char *s)
{
	char	*end;
	long	 port;

	errno = 0;
	port = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535) {
		fprintf(stderr, "sockbroker %s: bad port: %s\n", cmd, s);
		return (-1);
	}
	return ((int)port);
}

/* The command called name, or NULL. */
static const struct cli_cmd *
cli_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CLI_NCMDS; i++) {
		if (strcmp(cli_cmds[i].name, name) == 0)
			return (&cli_cmds[i]);
	}
	return (NULL);
}

/* Prints the usage of every command. */
static void
cli_usage_all(FILE *f)
{
	size_t	 i;

	fprintf(f, "usage: sockbroker [-s SOCKET] COMMAND [ARGS]\n");
	for (i = 0; i < CLI_NCMDS; i++)
		fprintf(f, "       sockbroker [-s SOCKET] %s%s%s\n",
		    cli_cmds[i].name, *cli_cmds[i].args != '\0' ? " " : "",
		    cli_cmds[i].args);
}

/* Prints the usage of one command; returns the usage exit status. */
int
cli_usage(const char *name)
{
	const struct cli_cmd	*cmd;

	if (name == NULL || (cmd = cli_find(name)) == NULL)
		cli_usage_all(stderr);
	else
		fprintf(stderr, "usage: sockbroker [-s SOCKET] %s%s%s\n",
		    cmd->name, *cmd->args != '\0' ? " " : "", cmd->args);
	return (CLI_EXIT_USAGE);
}

/* Parses the global options and runs one command. */
int
main(int argc, char **argv)
{
	const struct cli_cmd	*cmd;
	const char		*path = NULL;
	int			 ch;

	while ((ch = getopt(argc, argv, "+hs:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'h':
			cli_usage_all(stdout);
			return (CLI_EXIT_OK);
		default:
			return (cli_usage(NULL));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return (cli_usage(NULL));
	if ((cmd = cli_find(argv[0])) == NULL) {
		fprintf(stderr, "sockbroker: unknown command: %s\n", argv[0]);
		return (cli_usage(NULL));
	}
	return (cmd->exec(path, argc, argv));
}
