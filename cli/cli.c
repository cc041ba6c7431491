/* SPDX-License-Identifier: ISC */
/*
 * sockbroker [-s SOCKET] COMMAND [ARGS]: talks to sockbrokerd through
 * libsockbroker. Exit status: 0, 1 on error, 2 when a name does not
 * resolve, 64 on a usage error; ping has iputils' (0 with a reply, 1 with
 * none, 2 on other errors), dial-stdio its own (cli-dial.c).
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const struct cli_cmd	*cli_find(const char *);
static void			 cli_usage_all(FILE *);
static void			 cli_usage_one(FILE *, const struct cli_cmd *);
static int			 cli_is_help(const char *);

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
	{ "run", "[-s SOCKET] [--all | --family LIST] -- PROGRAM [ARGS]",
	    cli_run_exec },
	{ "policy", "check FILE | policy explain [-f FILE] USER FAMILY "
	    "[type T] [proto P] [iface I] [port N] [addr A] [option NAME] "
	    "[can-id ID] [netlink-write] [op OP]", cli_policy_exec },
	{ "dial-stdio", "[-s SOCKET]", cli_dial_exec },
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

/*
 * Connects to the daemon, or says why not (the library's message names the
 * socket and the next step); NULL on failure.
 */
sb_conn *
cli_open(const char *path)
{
	sb_conn	*c;
	int	 saved;

	if ((c = sb_open(path)) != NULL)
		return (c);
	saved = errno;
	cli_warn("cannot talk to sockbrokerd");
	if (saved == ENOENT)
		fprintf(stderr, "sockbroker: or name its socket with -s "
		    "SOCKET\n");
	return (NULL);
}

volatile sig_atomic_t	cli_stopped;

static struct sigaction	cli_stop_old[2];

/* Notes SIGINT or SIGTERM: a running command ends at its next turn. */
static void
cli_stop_cb(int sig)
{
	(void)sig;
	cli_stopped = 1;
}

/*
 * Catches SIGINT, and SIGTERM too if term is set, into cli_stopped until
 * cli_stop_release() puts back what was there.
 */
void
cli_stop_catch(int term)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cli_stop_cb;
	sigemptyset(&sa.sa_mask);
	cli_stopped = 0;
	sigaction(SIGINT, &sa, &cli_stop_old[0]);
	if (term)
		sigaction(SIGTERM, &sa, &cli_stop_old[1]);
	else
		sigaction(SIGTERM, NULL, &cli_stop_old[1]);
}

/* Puts back the SIGINT and SIGTERM handlers cli_stop_catch() replaced. */
void
cli_stop_release(void)
{
	sigaction(SIGINT, &cli_stop_old[0], NULL);
	sigaction(SIGTERM, &cli_stop_old[1], NULL);
}

/* Seconds on the monotonic clock. */
double
cli_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* A 16-bit big-endian value. */
uint16_t
cli_get16(const uint8_t *p)
{
	return ((uint16_t)((p[0] << 8) | p[1]));
}

/* A 32-bit big-endian value. */
uint32_t
cli_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
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

/* Prints the usage of command cmd to f. */
static void
cli_usage_one(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: sockbroker [-s SOCKET] %s%s%s\n", cmd->name,
	    *cmd->args != '\0' ? " " : "", cmd->args);
}

/* Prints the usage of one command; returns the usage exit status. */
int
cli_usage(const char *name)
{
	const struct cli_cmd	*cmd;

	if (name == NULL || (cmd = cli_find(name)) == NULL)
		cli_usage_all(stderr);
	else
		cli_usage_one(stderr, cmd);
	return (CLI_EXIT_USAGE);
}

/* Whether arg asks for help: -h or --help. */
static int
cli_is_help(const char *arg)
{
	return (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0);
}

/* Parses the global options and runs one command. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_cmd	*cmd;
	const char		*path = NULL;
	int			 ch;

	while ((ch = getopt_long(argc, argv, "+hs:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'h':
			cli_usage_all(stdout);
			return (CLI_EXIT_OK);
		case 'V':
			printf("sockbroker %s\n", PACKAGE_VERSION);
			return (CLI_EXIT_OK);
		default:
			return (cli_usage(NULL));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return (cli_usage(NULL));
	if (strcmp(argv[0], "help") == 0 && argc <= 2) {
		if (argc == 1) {
			cli_usage_all(stdout);
			return (CLI_EXIT_OK);
		}
		if ((cmd = cli_find(argv[1])) == NULL)
			return (cli_usage(argv[1]));
		cli_usage_one(stdout, cmd);
		return (CLI_EXIT_OK);
	}
	if ((cmd = cli_find(argv[0])) == NULL) {
		fprintf(stderr, "sockbroker: unknown command: %s\n", argv[0]);
		return (cli_usage(NULL));
	}
	if (argc == 2 && cli_is_help(argv[1])) {
		cli_usage_one(stdout, cmd);
		return (CLI_EXIT_OK);
	}
	return (cmd->exec(path, argc, argv));
}
