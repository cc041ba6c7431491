/* SPDX-License-Identifier: ISC */
/*
 * The sockbroker command line tool: one cli-<command>.c per command.
 */

#ifndef CLI_H
#define CLI_H

#include "config.h"

#include <signal.h>
#include <stdint.h>

#include "sockbroker.h"

#define CLI_EXIT_OK	0
#define CLI_EXIT_ERROR	1
#define CLI_EXIT_GAI	2	/* name resolution failed */
#define CLI_EXIT_USAGE	64

/* A command: its name, its arguments for usage and its function. */
struct cli_cmd {
	const char	 *name;
	const char	 *args;
	/* argv[0] is the command name; returns an exit status. */
	int		(*exec)(const char *, int, char **);
};

/* cli.c */
extern volatile sig_atomic_t	cli_stopped;	/* SIGINT or SIGTERM came */
sb_conn		*cli_open(const char *);
void		 cli_stop_catch(int);
void		 cli_stop_release(void);
double		 cli_now(void);
uint16_t	 cli_get16(const uint8_t *);
uint32_t	 cli_get32(const uint8_t *);
void		 cli_warn(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
int		 cli_usage(const char *);
int		 cli_port(const char *, const char *);

/* cli-info.c */
int		 cli_info_exec(const char *, int, char **);
const char	*cli_info_family(int);

/* cli-resolve.c */
int		 cli_resolve_exec(const char *, int, char **);

/* cli-echo.c */
int		 cli_echo_server_exec(const char *, int, char **);
int		 cli_echo_client_exec(const char *, int, char **);

/* cli-ping.c */
int		 cli_ping_exec(const char *, int, char **);

/* cli-dump.c */
int		 cli_dump_exec(const char *, int, char **);

/* cli-can.c */
int		 cli_candump_exec(const char *, int, char **);
int		 cli_cansend_exec(const char *, int, char **);

/* cli-run.c */
int		 cli_run_exec(const char *, int, char **);

/* cli-policy.c */
int		 cli_policy_exec(const char *, int, char **);

/* cli-dial.c */
int		 cli_dial_exec(const char *, int, char **);

#endif /* CLI_H */
