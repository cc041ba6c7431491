/* SPDX-License-Identifier: ISC */
/*
 * ssh:// connections. sb_open("ssh://[user@]host[:port][/socket]") runs
 *
 *	ssh -T [-l user] [-p port] [$SOCKBROKER_SSH...] -o BatchMode=yes
 *	    -- host sockbroker dial-stdio [-s /socket]
 *
 * with one end of a socketpair as its standard input and output (the
 * connection's c->fd, so the rest of the library cannot tell) and a pipe
 * as its standard error, in a session of its own (a terminal's ^C is not
 * for it). The far sshd runs dial-stdio as the logged-in user, which relays
 * to the daemon there: the daemon sees that user through SO_PEERCRED.
 *
 * The address is checked strictly: ssh hands the remote command to the far
 * user's shell as one string, so the socket path may hold only characters
 * no shell gives a meaning to. $SOCKBROKER_SSH is split into words here,
 * by blanks, with '...', "..." and backslash quoting and nothing else (no
 * shell runs it). Its words come before -o BatchMode=yes, and ssh keeps the
 * first value of an option: SOCKBROKER_SSH="-o BatchMode=no" wins.
 *
 * When the connection fails, what ssh wrote on its standard error (host
 * key, authentication, the far shell's "command not found", dial-stdio's
 * "cannot talk to sockbrokerd") is the error's message. ssh is killed
 * (SIGTERM to its session, SIGKILL two seconds later) and reaped when the
 * connection closes, unless the connection is closed in a forked child,
 * which leaves its parent's ssh alone.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define CONN_SSH_MAXWORDS	64	/* of $SOCKBROKER_SSH */
#define CONN_SSH_MAXENV		4096	/* bytes of $SOCKBROKER_SSH */
#define CONN_SSH_ERRTAIL	512	/* what is kept of ssh's stderr */
#define CONN_SSH_LINGER		1.0	/* s an ended ssh gets to exit */
#define CONN_SSH_KILLWAIT	2.0	/* s from SIGTERM to SIGKILL */
/* A socket path the far shell takes as it is. */
#define CONN_SSH_PATHCHARS	"/._+-"
#define CONN_SSH_NAMECHARS	"._-"

extern char	**environ;

/* An ssh:// address, taken apart. */
struct conn_ssh_url {
	char	 user[33];
	char	 host[256];
	char	 port[6];
	char	 path[108];	/* sizeof sun_path */
};

/* The ssh child of a connection. */
struct conn_ssh {
	pid_t	 pid;		/* -1 once reaped */
	pid_t	 owner;		/* the process that started it */
	int	 status;	/* its wait status, once reaped */
	int	 errfd;		/* read end of its stderr; -1 at EOF */
	int	 lost;		/* conn_ssh_lost ran */
	size_t	 errlen;
	char	 err[CONN_SSH_ERRTAIL];
	char	 host[256];
	char	 msg[256];	/* why the connection ended */
};

static int	 conn_ssh_parse(const char *, struct conn_ssh_url *);
static int	 conn_ssh_parse_rest(const char *, struct conn_ssh_url *);
static int	 conn_ssh_name(const char **, char *, size_t, const char *);
static int	 conn_ssh_words(char *, char **, size_t);
static int	 conn_ssh_argv(const struct conn_ssh_url *, char *, char **,
		     size_t);
static int	 conn_ssh_spawn(struct conn_ssh *, char **);
static int	 conn_ssh_high(int);
static void	 conn_ssh_drain(struct conn_ssh *, double);
static void	 conn_ssh_keep(struct conn_ssh *, const char *, size_t);
static int	 conn_ssh_reap(struct conn_ssh *, double);
static const char *conn_ssh_why(struct conn_ssh *, const char *,
		     const char *);
static const char *conn_ssh_tail(const char *, size_t, size_t);

/* Whether path is an ssh:// address. */
int
conn_ssh_is(const char *path)
{
	return (strncmp(path, "ssh://", 6) == 0);
}

/*
 * Starts ssh for the address url and makes its socketpair end c->fd;
 * -1 with errno and the last error set (EINVAL: a bad address or
 * $SOCKBROKER_SSH).
 */
int
conn_ssh_open(struct sb_conn *c, const char *url)
{
	struct conn_ssh_url	 u;
	char			*argv[CONN_SSH_MAXWORDS + 16];
	char			*env = NULL;
	const char		*e;
	int			 r;

	if (conn_ssh_parse(url, &u) == -1)
		return (-1);
	if ((e = getenv("SOCKBROKER_SSH")) != NULL) {
		if (strlen(e) >= CONN_SSH_MAXENV)
			return (conn_oserror(EINVAL, "SOCKBROKER_SSH is too "
			    "long"));
		if ((env = strdup(e)) == NULL)
			return (conn_oserror(ENOMEM, "out of memory"));
	}
	if (conn_ssh_argv(&u, env, argv, sizeof argv / sizeof argv[0]) == -1) {
		free(env);
		return (-1);
	}
	if ((c->ssh = calloc(1, sizeof *c->ssh)) == NULL) {
		free(env);
		return (conn_oserror(ENOMEM, "out of memory"));
	}
	c->ssh->pid = -1;
	c->ssh->errfd = -1;
	snprintf(c->ssh->host, sizeof c->ssh->host, "%s", u.host);
	r = conn_ssh_spawn(c->ssh, argv);
	free(env);
	if (r == -1)
		return (-1);
	c->fd = r;
	return (0);
}

/*
 * Takes an ssh:// address apart into u, checking each part; -1 with EINVAL
 * and the reason in the last error.
 */
static int
conn_ssh_parse(const char *url, struct conn_ssh_url *u)
{
	const char	*p = url + 6, *at;

	memset(u, 0, sizeof *u);
	if ((at = strchr(p, '@')) != NULL && (strchr(p, '/') == NULL ||
	    at < strchr(p, '/'))) {
		if (conn_ssh_name(&p, u->user, sizeof u->user,
		    CONN_SSH_NAMECHARS) == -1 || p != at)
			return (conn_oserror(EINVAL, "bad ssh:// address: bad "
			    "user name"));
		p++;
	}
	if (*p == '[') {
		p++;
		if (conn_ssh_name(&p, u->host, sizeof u->host, ":.") == -1 ||
		    *p++ != ']' || strchr(u->host, ':') == NULL)
			return (conn_oserror(EINVAL, "bad ssh:// address: bad "
			    "[IPv6 address]"));
	} else if (conn_ssh_name(&p, u->host, sizeof u->host,
	    CONN_SSH_NAMECHARS) == -1)
		return (conn_oserror(EINVAL, "bad ssh:// address: no host, or "
		    "a bad host name"));
	return (conn_ssh_parse_rest(p, u));
}

/* Takes what follows the host, [:port][/path], into u; as conn_ssh_parse. */
static int
conn_ssh_parse_rest(const char *p, struct conn_ssh_url *u)
{
	char	*end;
	long	 port;

	if (*p == ':') {
		p++;
		errno = 0;
		port = isdigit((unsigned char)*p) ? strtol(p, &end, 10) : 0;
		if (port < 1 || port > 65535 || errno != 0 || end - p > 5)
			return (conn_oserror(EINVAL, "bad ssh:// address: the "
			    "port must be 1-65535"));
		memcpy(u->port, p, (size_t)(end - p));
		p = end;
	}
	if (*p == '\0')
		return (0);
	if (*p != '/' || p[1] == '\0')
		return (conn_oserror(EINVAL, "bad ssh:// address: junk after "
		    "the host (want [user@]host[:port][/path/to/socket])"));
	if (strlen(p) >= sizeof u->path ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789" CONN_SSH_PATHCHARS) != strlen(p))
		return (conn_oserror(EINVAL, "bad ssh:// address: the socket "
		    "path must be under 108 bytes of A-Z a-z 0-9 / . _ + -"));
	memcpy(u->path, p, strlen(p));
	return (0);
}

/*
 * Copies a name at *pp (letters, digits and the characters of extra, not
 * starting with '-') into buf of size len, moving *pp past it; -1 if there
 * is none or it is too long.
 */
static int
conn_ssh_name(const char **pp, char *buf, size_t len, const char *extra)
{
	const char	*p = *pp;
	size_t		 n = 0;

	while (isalnum((unsigned char)p[n]) || (p[n] != '\0' &&
	    strchr(extra, p[n]) != NULL))
		n++;
	if (n == 0 || n >= len || *p == '-')
		return (-1);
	memcpy(buf, p, n);
	buf[n] = '\0';
	*pp = p + n;
	return (0);
}

/*
 * Splits s in place into at most max words (blanks between; '...' keeps
 * everything, "..." and a backslash keep the next character): the word
 * count, or -1 with EINVAL and the last error set.
 */
static int
conn_ssh_words(char *s, char **words, size_t max)
{
	char	*in = s, *out = s;
	size_t	 n = 0;
	char	 q;

	for (;;) {
		while (*in == ' ' || *in == '\t' || *in == '\n')
			in++;
		if (*in == '\0')
			return ((int)n);
		if (n == max)
			return (conn_oserror(EINVAL, "SOCKBROKER_SSH has too "
			    "many words"));
		words[n++] = out;
		for (q = 0; *in != '\0' && (q != 0 || (*in != ' ' &&
		    *in != '\t' && *in != '\n')); in++) {
			if (q == 0 && (*in == '\'' || *in == '"'))
				q = *in;
			else if (q != 0 && *in == q)
				q = 0;
			else if (q != '\'' && *in == '\\' && in[1] != '\0')
				*out++ = *++in;
			else if (q != '\'' && *in == '\\')
				return (conn_oserror(EINVAL, "SOCKBROKER_SSH "
				    "ends in a backslash"));
			else
				*out++ = *in;
		}
		if (q != 0)
			return (conn_oserror(EINVAL, "SOCKBROKER_SSH has an "
			    "unterminated quote"));
		if (*in != '\0')
			in++;
		*out++ = '\0';
	}
}

/*
 * The ssh command line for u into argv (room for max pointers), with the
 * words of env (modified, may be NULL); -1 with the last error set.
 */
static int
conn_ssh_argv(const struct conn_ssh_url *u, char *env, char **argv,
    size_t max)
{
	size_t	 n = 0;
	int	 nw = 0;

	argv[n++] = "ssh";
	argv[n++] = "-T";
	if (u->user[0] != '\0') {
		argv[n++] = "-l";
		argv[n++] = (char *)u->user;
	}
	if (u->port[0] != '\0') {
		argv[n++] = "-p";
		argv[n++] = (char *)u->port;
	}
	if (env != NULL && (nw = conn_ssh_words(env, argv + n,
	    CONN_SSH_MAXWORDS)) == -1)
		return (-1);
	n += (size_t)nw;
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	argv[n++] = "--";
	argv[n++] = (char *)u->host;
	argv[n++] = "sockbroker";
	argv[n++] = "dial-stdio";
	if (u->path[0] != '\0') {
		argv[n++] = "-s";
		argv[n++] = (char *)u->path;
	}
	argv[n] = NULL;
	return (n < max ? 0 : conn_oserror(E2BIG, "ssh command too long"));
}

/*
 * Runs ssh (argv) in a session of its own with a socketpair end as its
 * standard input and output and a pipe as its standard error: the other
 * end of the pair, or -1 with errno and the last error set.
 */
static int
conn_ssh_spawn(struct conn_ssh *s, char **argv)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, all;
	int				 sv[2] = { -1, -1 }, ep[2] = { -1, -1 };
	int				 r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(ep, O_CLOEXEC) == -1 || (sv[1] = conn_ssh_high(sv[1])) == -1 ||
	    (ep[1] = conn_ssh_high(ep[1])) == -1 ||
	    fcntl(ep[0], F_SETFL, O_NONBLOCK) == -1) {
		r = errno;
		goto fail;
	}
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, ep[1], STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
	/* Ours without close-on-exec stay ours (OpenSSH closes them too). */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	r = posix_spawnp(&s->pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		s->pid = -1;
		goto fail;
	}
	s->owner = getpid();
	s->errfd = ep[0];
	close(sv[1]);
	close(ep[1]);
	return (sv[0]);

fail:
	if (sv[0] != -1)
		close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	if (ep[0] != -1)
		close(ep[0]);
	if (ep[1] != -1)
		close(ep[1]);
	return (conn_oserror(r, "cannot run ssh"));
}

/* fd moved above the standard descriptors if it is one of them. */
static int
conn_ssh_high(int fd)
{
	int	 nfd;

	if (fd > STDERR_FILENO)
		return (fd);
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return (nfd);
}

/*
 * Keeps what ssh wrote on its standard error, reading until EOF or until
 * the monotonic time until (0: only what is there now).
 */
static void
conn_ssh_drain(struct conn_ssh *s, double until)
{
	struct pollfd	 pfd;
	char		 buf[1024];
	ssize_t		 n;
	double		 left;

	while (s->errfd != -1) {
		left = until - conn_now();
		pfd.fd = s->errfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left > 0 ? (int)(left * 1000) + 1 : 0) <= 0)
			return;
		if ((n = read(s->errfd, buf, sizeof buf)) <= 0) {
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			close(s->errfd);
			s->errfd = -1;
			return;
		}
		conn_ssh_keep(s, buf, (size_t)n);
	}
}

/* Appends n bytes of ssh's stderr to what is kept: its tail matters. */
static void
conn_ssh_keep(struct conn_ssh *s, const char *buf, size_t n)
{
	size_t	 keep;

	if (n >= sizeof s->err) {
		memcpy(s->err, buf + n - sizeof s->err, sizeof s->err);
		s->errlen = sizeof s->err;
		return;
	}
	keep = sizeof s->err - n;
	if (keep > s->errlen)
		keep = s->errlen;
	memmove(s->err, s->err + s->errlen - keep, keep);
	memcpy(s->err + keep, buf, n);
	s->errlen = keep + n;
}

/*
 * Waits for ssh to exit until the monotonic time until, then kills its
 * session if it has not: 1 once it is reaped, 0 if it still runs.
 */
static int
conn_ssh_reap(struct conn_ssh *s, double until)
{
	struct timespec	 ts = { 0, 5 * 1000 * 1000 };
	pid_t		 r;

	while (s->pid > 0) {
		r = waitpid(s->pid, &s->status, WNOHANG);
		if (r == s->pid || (r == -1 && errno == ECHILD)) {
			s->pid = -1;
			break;
		}
		if (conn_now() >= until)
			return (0);
		nanosleep(&ts, NULL);
	}
	return (1);
}

/*
 * Reading the connection fd over ssh failed (why): if ssh ended it, waits
 * a moment for ssh to exit and say why; returns a message saying what
 * happened (kept in s).
 */
const char *
conn_ssh_lost(struct conn_ssh *s, int fd, const char *why)
{
	double	 until = conn_now() + CONN_SSH_LINGER;
	char	 b;

	/* A frame that went wrong: ssh still runs, no waiting. */
	if (recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) != 0 &&
	    errno != ECONNRESET)
		until = 0;
	else
		why = "the connection ended";
	if (!s->lost) {
		s->lost = 1;
		conn_ssh_drain(s, until);
		(void)conn_ssh_reap(s, until);
		conn_ssh_drain(s, 0);
	}
	return (conn_ssh_why(s, NULL, why));
}

/*
 * Writes into s->msg what ssh said (its last lines) and how it ended (or
 * how), or why if it said nothing; returns s->msg.
 */
static const char *
conn_ssh_why(struct conn_ssh *s, const char *how, const char *why)
{
	char	 end[32], text[2 * CONN_SSH_ERRTAIL + 1];
	size_t	 i, n = 0;

	for (i = 0; i < s->errlen; i++) {
		if (s->err[i] == '\r')
			continue;
		if (s->err[i] == '\n' || !isprint((unsigned char)s->err[i])) {
			if (n > 0 && text[n - 1] != ' ')
				n += (size_t)snprintf(text + n, 3, "%s",
				    i + 1 < s->errlen ? "; " : "");
			continue;
		}
		text[n++] = s->err[i];
	}
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == ';'))
		n--;
	text[n] = '\0';
	if (how != NULL)
		snprintf(end, sizeof end, "%s", how);
	else if (s->pid > 0)
		snprintf(end, sizeof end, "running");
	else if (WIFEXITED(s->status))
		snprintf(end, sizeof end, "exit status %d",
		    WEXITSTATUS(s->status));
	else
		snprintf(end, sizeof end, "killed by signal %d",
		    WTERMSIG(s->status));
	snprintf(s->msg, sizeof s->msg, "ssh to %.40s (%s): %.150s", s->host,
	    end, n > 0 ? conn_ssh_tail(text, n, 150) : why);
	return (s->msg);
}

/*
 * The end of text (n bytes, lines joined by "; ") that fits in max bytes,
 * starting at a line if one starts there: ssh says what went wrong last.
 */
static const char *
conn_ssh_tail(const char *text, size_t n, size_t max)
{
	const char	*p;

	if (n <= max)
		return (text);
	p = strstr(text + n - max, "; ");
	return (p != NULL ? p + 2 : text + n - max);
}

/*
 * sb_open over ssh failed with errno error: sets errno and the last error
 * to what ssh said (ECONNREFUSED when the connection ended before Hello,
 * ETIMEDOUT when none came in time), keeping the daemon's own refusal
 * (EUSERS, ...) if it made one.
 */
void
conn_ssh_failed(struct sb_conn *c, int error)
{
	const struct sb_error	*e = sb_lasterror();
	enum sb_error_kind	 kind = e->kind;

	if (c->ssh == NULL || c->ssh->owner == 0)
		return;
	if (error == ETIMEDOUT) {
		conn_ssh_close(c);
		conn_ssh_drain(c->ssh, conn_now() + CONN_SSH_LINGER);
		conn_seterror(error, kind, conn_ssh_why(c->ssh, "no Hello in "
		    "time", "sockbrokerd did not answer in time"));
		errno = error;
		return;
	}
	if (error != ECONNRESET && error != EPIPE)
		return;
	/* No daemon reached: refused, as a local socket nobody serves. */
	conn_seterror(ECONNREFUSED, kind, conn_ssh_lost(c->ssh, c->fd,
	    "the connection ended before Hello"));
	errno = ECONNREFUSED;
}

/*
 * Ends ssh (SIGTERM to its session, SIGKILL if it is still there after
 * CONN_SSH_KILLWAIT) and reaps it; a forked child leaves its parent's ssh
 * alone. The conn_ssh stays for conn_ssh_free.
 */
void
conn_ssh_close(struct sb_conn *c)
{
	struct conn_ssh	*s = c->ssh;

	if (s == NULL || s->pid <= 0 || s->owner != getpid())
		return;
	conn_ssh_drain(s, 0);
	if (conn_ssh_reap(s, 0))
		return;
	(void)kill(-s->pid, SIGTERM);
	if (conn_ssh_reap(s, conn_now() + CONN_SSH_KILLWAIT))
		return;
	(void)kill(-s->pid, SIGKILL);
	while (waitpid(s->pid, &s->status, 0) == -1 && errno == EINTR)
		;
	s->pid = -1;
}

/* Frees what conn_ssh_open made, after conn_ssh_close. */
void
conn_ssh_free(struct sb_conn *c)
{
	if (c->ssh == NULL)
		return;
	if (c->ssh->errfd != -1)
		close(c->ssh->errfd);
	free(c->ssh);
	c->ssh = NULL;
}

/* After Hello: drops what ssh said on the way (warnings). */
void
conn_ssh_opened(struct sb_conn *c)
{
	if (c->ssh == NULL)
		return;
	conn_ssh_drain(c->ssh, 0);
	c->ssh->errlen = 0;
	c->info.fd_passing = 0;
}
