/* SPDX-License-Identifier: ISC */
/*
 * sockbroker echo-server and echo-client: the echo example of Python's socket
 * documentation, through the daemon. The server accepts one connection,
 * echoes until EOF and exits; the client sends one message and prints the
 * answer as Python's print('Received', repr(data)) does.
 */

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define CLI_ECHO_BUFSIZE	1024

/* What the command line asked for. */
struct cli_echo {
	const char		*cmd;
	int			 family;
	const char		*upath;		/* -u PATH */
	const char		*host;
	const char		*port;
	const char		*message;
};

static int	 cli_echo_options(struct cli_echo *, int *, char ***);
static int	 cli_echo_resolve(sb_conn *, struct cli_echo *, int,
		     struct addrinfo **);
static int	 cli_echo_unix(struct cli_echo *, struct sockaddr_un *);
static void	 cli_echo_format(const struct sockaddr *, socklen_t, int,
		     char *, size_t);
static void	 cli_echo_repr(const unsigned char *, size_t);
static int	 cli_echo_listen(sb_conn *, struct cli_echo *);
static int	 cli_echo_bind(sb_conn *, struct cli_echo *);
static int	 cli_echo_serve(sb_conn *, int);
static int	 cli_echo_connect(sb_conn *, struct cli_echo *);
static int	 cli_echo_talk(sb_conn *, int, const char *);

/* Parses -4, -6 and -u PATH; leaves the other arguments in argc/argv. */
static int
cli_echo_options(struct cli_echo *e, int *argc, char ***argv)
{
	char	**av = *argv + 1;
	int	  ac = *argc - 1;

	e->family = AF_INET;
	for (; ac > 0 && av[0][0] == '-' && av[0][1] != '\0'; ac--, av++) {
		if (strcmp(av[0], "--") == 0) {
			ac--;
			av++;
			break;
		}
		if (strcmp(av[0], "-4") == 0)
			e->family = AF_INET;
		else if (strcmp(av[0], "-6") == 0)
			e->family = AF_INET6;
		else if (strcmp(av[0], "-u") == 0 && ac > 1) {
			e->family = AF_UNIX;
			e->upath = av[1];
			ac--;
			av++;
		} else
			return (-1);
	}
	*argc = ac;
	*argv = av;
	return (0);
}

/* Resolves host and port in the daemon for a stream socket. */
static int
cli_echo_resolve(sb_conn *c, struct cli_echo *e, int passive,
    struct addrinfo **res)
{
	struct addrinfo	 hints;
	const char	*host = e->host;
	int		 error;

	if (cli_port(e->cmd, e->port) == -1)
		return (-1);
	if (host != NULL && *host == '\0')
		host = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = e->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	error = sb_getaddrinfo(c, host, e->port, &hints, res);
	if (error == EAI_SYSTEM) {
		cli_warn("%s: %s", e->cmd, e->host != NULL ? e->host : "");
		return (-1);
	}
	if (error != 0) {
		fprintf(stderr, "sockbroker %s: %s: %s\n", e->cmd,
		    e->host != NULL ? e->host : "", gai_strerror(error));
		return (-1);
	}
	return (0);
}

/* Fills a sockaddr_un with the -u path. */
static int
cli_echo_unix(struct cli_echo *e, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(e->upath) >= sizeof sun->sun_path) {
		fprintf(stderr, "sockbroker %s: path too long: %s\n", e->cmd,
		    e->upath);
		return (-1);
	}
	memcpy(sun->sun_path, e->upath, strlen(e->upath));
	return (0);
}

/*
 * Formats an address: "HOST port PORT" or, with python set, as Python shows
 * it: ('HOST', PORT) or ('HOST', PORT, FLOWINFO, SCOPE_ID). A UNIX address
 * is its path either way.
 */
static void
cli_echo_format(const struct sockaddr *sa, socklen_t len, int python,
    char *buf, size_t size)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_un	*sun = (const struct sockaddr_un *)sa;
	char				 host[INET6_ADDRSTRLEN];
	size_t				 n;

	*buf = '\0';
	if (len < sizeof sa->sa_family)
		return;
	switch (sa->sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(buf, size, python ? "('%s', %u)" : "%s port %u",
		    host, ntohs(sin->sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		if (python)
			snprintf(buf, size, "('%s', %u, %u, %u)", host,
			    ntohs(sin6->sin6_port),
			    ntohl(sin6->sin6_flowinfo),
			    sin6->sin6_scope_id);
		else
			snprintf(buf, size, "%s port %u", host,
			    ntohs(sin6->sin6_port));
		break;
	case AF_UNIX:
		n = len - offsetof(struct sockaddr_un, sun_path);
		if (n > sizeof sun->sun_path)
			n = sizeof sun->sun_path;
		snprintf(buf, size, "%.*s", (int)n, sun->sun_path);
		break;
	default:
		snprintf(buf, size, "family %d", sa->sa_family);
		break;
	}
}

/* Prints bytes as Python's repr() of a bytes object: b'...'. */
static void
cli_echo_repr(const unsigned char *p, size_t len)
{
	char	 quote = '\'';
	size_t	 i;

	if (memchr(p, '\'', len) != NULL && memchr(p, '"', len) == NULL)
		quote = '"';
	printf("b%c", quote);
	for (i = 0; i < len; i++) {
		if (p[i] == quote || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] == '\t')
			printf("\\t");
		else if (p[i] == '\n')
			printf("\\n");
		else if (p[i] == '\r')
			printf("\\r");
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			printf("\\x%02x", p[i]);
		else
			putchar(p[i]);
	}
	printf("%c", quote);
}

/* Creates the server socket and binds it; returns its handle or -1. */
static int
cli_echo_bind(sb_conn *c, struct cli_echo *e)
{
	struct addrinfo		*res = NULL;
	struct sockaddr_un	 sun;
	const struct sockaddr	*sa;
	socklen_t		 len;
	int			 h, family = e->family;

	if (family == AF_UNIX) {
		if (cli_echo_unix(e, &sun) == -1)
			return (-1);
		sa = (struct sockaddr *)&sun;
		len = sizeof sun;
	} else {
		if (cli_echo_resolve(c, e, 1, &res) == -1)
			return (-1);
		sa = res->ai_addr;
		len = res->ai_addrlen;
		family = res->ai_family;
	}
	if ((h = sb_socket(c, family, SOCK_STREAM, 0)) == -1)
		cli_warn("%s: socket", e->cmd);
	else if (sb_bind(c, h, sa, len) == -1) {
		cli_warn("%s: bind", e->cmd);
		sb_close(c, h);
		h = -1;
	}
	sb_freeaddrinfo(res);
	return (h);
}

/* Binds, listens and says where; returns the listening handle or -1. */
static int
cli_echo_listen(sb_conn *c, struct cli_echo *e)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 buf[256];
	int			 h;

	if ((h = cli_echo_bind(c, e)) == -1)
		return (-1);
	if (sb_listen(c, h, 1) == -1) {
		cli_warn("%s: listen", e->cmd);
		sb_close(c, h);
		return (-1);
	}
	if (sb_getsockname(c, h, (struct sockaddr *)&ss, &len) == -1) {
		cli_warn("%s: getsockname", e->cmd);
		sb_close(c, h);
		return (-1);
	}
	cli_echo_format((struct sockaddr *)&ss, len, 0, buf, sizeof buf);
	printf("Listening on %s\n", buf);
	fflush(stdout);
	return (h);
}

/* Accepts one connection and echoes what it sends until EOF. */
static int
cli_echo_serve(sb_conn *c, int h)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	unsigned char		 data[CLI_ECHO_BUFSIZE];
	char			 buf[256];
	ssize_t			 n;
	int			 conn, r = 0;

	if ((conn = sb_accept(c, h, (struct sockaddr *)&ss, &len)) == -1) {
		cli_warn("echo-server: accept");
		return (-1);
	}
	cli_echo_format((struct sockaddr *)&ss, len, 1, buf, sizeof buf);
	printf("Connected by %s\n", buf);
	fflush(stdout);
	for (;;) {
		if ((n = sb_recv(c, conn, data, sizeof data, 0)) == -1) {
			cli_warn("echo-server: recv");
			r = -1;
			break;
		}
		if (n == 0)
			break;
		if (sb_sendall(c, conn, data, n, 0) == -1) {
			cli_warn("echo-server: sendall");
			r = -1;
			break;
		}
	}
	sb_close(c, conn);
	return (r);
}

/* echo-server [-4|-6|-u PATH] [HOST] PORT */
int
cli_echo_server_exec(const char *path, int argc, char **argv)
{
	struct cli_echo	 e;
	sb_conn		*c;
	int		 h, r;

	memset(&e, 0, sizeof e);
	e.cmd = argv[0];
	if (cli_echo_options(&e, &argc, &argv) == -1)
		return (cli_usage(e.cmd));
	if (e.family == AF_UNIX && argc != 0)
		return (cli_usage(e.cmd));
	if (e.family != AF_UNIX) {
		if (argc < 1 || argc > 2)
			return (cli_usage(e.cmd));
		e.host = argc == 2 ? argv[0] : NULL;
		e.port = argv[argc - 1];
	}
	if ((c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);
	if ((h = cli_echo_listen(c, &e)) == -1) {
		sb_close_conn(c);
		return (CLI_EXIT_ERROR);
	}
	r = cli_echo_serve(c, h);
	sb_close(c, h);
	sb_close_conn(c);
	return (r == -1 ? CLI_EXIT_ERROR : CLI_EXIT_OK);
}

/* Connects to the server, trying each address; the handle or -1. */
static int
cli_echo_connect(sb_conn *c, struct cli_echo *e)
{
	struct addrinfo		*res, *ai;
	struct sockaddr_un	 sun;
	int			 h = -1;

	if (e->family == AF_UNIX) {
		if (cli_echo_unix(e, &sun) == -1)
			return (-1);
		if ((h = sb_socket(c, AF_UNIX, SOCK_STREAM, 0)) == -1) {
			cli_warn("%s: socket", e->cmd);
			return (-1);
		}
		if (sb_connect(c, h, (struct sockaddr *)&sun,
		    sizeof sun) == -1) {
			cli_warn("%s: connect %s", e->cmd, e->upath);
			sb_close(c, h);
			return (-1);
		}
		return (h);
	}

	if (cli_echo_resolve(c, e, 0, &res) == -1)
		return (-1);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		h = sb_socket(c, ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol);
		if (h == -1)
			continue;
		if (sb_connect(c, h, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		sb_close(c, h);
		h = -1;
	}
	if (h == -1)
		cli_warn("%s: connect %s port %s", e->cmd, e->host, e->port);
	sb_freeaddrinfo(res);
	return (h);
}

/* Sends message, receives one answer and prints it. */
static int
cli_echo_talk(sb_conn *c, int h, const char *message)
{
	unsigned char	 data[CLI_ECHO_BUFSIZE];
	ssize_t		 n;

	if (sb_sendall(c, h, message, strlen(message), 0) == -1) {
		cli_warn("echo-client: sendall");
		return (-1);
	}
	if ((n = sb_recv(c, h, data, sizeof data, 0)) == -1) {
		cli_warn("echo-client: recv");
		return (-1);
	}
	printf("Received ");
	cli_echo_repr(data, n);
	printf("\n");
	return (0);
}

/* echo-client [-4|-6|-u PATH] HOST PORT [MESSAGE] */
int
cli_echo_client_exec(const char *path, int argc, char **argv)
{
	struct cli_echo	 e;
	sb_conn		*c;
	int		 h, r;

	memset(&e, 0, sizeof e);
	e.cmd = argv[0];
	e.message = "Hello, world";
	if (cli_echo_options(&e, &argc, &argv) == -1)
		return (cli_usage(e.cmd));
	if (e.family == AF_UNIX) {
		if (argc > 1)
			return (cli_usage(e.cmd));
		if (argc == 1)
			e.message = argv[0];
	} else {
		if (argc < 2 || argc > 3)
			return (cli_usage(e.cmd));
		e.host = argv[0];
		e.port = argv[1];
		if (argc == 3)
			e.message = argv[2];
	}
	if ((c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);
	if ((h = cli_echo_connect(c, &e)) == -1) {
		sb_close_conn(c);
		return (CLI_EXIT_ERROR);
	}
	r = cli_echo_talk(c, h, e.message);
	sb_close(c, h);
	sb_close_conn(c);
	return (r == -1 ? CLI_EXIT_ERROR : CLI_EXIT_OK);
}
