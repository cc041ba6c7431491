/* SPDX-License-Identifier: ISC */
/*
 * Brokered sockets across fork and exec. A handle belongs to the shim's
 * connection, which a fork child may not use (its requests would mix
 * with the parent's) and an exec closes; so each socket is handed over
 * with sb_share and sb_import_channel. At fork the parent shares every
 * brokered socket (one round trip each) and the child, on a connection of
 * its own, imports them joined to the channel it inherited: parent and
 * child then share one channel, as after a local fork they share one open
 * file description, so nothing the daemon had relayed into it is lost and
 * poll() sees what the parent had pending; the daemon answers each send
 * on the connection that wrote it (the sharer slot in the SEND). Before an
 * exec every brokered descriptor without close-on-exec is shared and
 * passed in SOCKBROKER_RUN_FDS ("fd,family,type,chan,nonblock,rcvtimeo,
 * sndtimeo,token;...", timeouts in microseconds), which the new program's
 * shim imports, joined to the channel on the same numbers, and removes
 * from its environment; the token holds the channel meanwhile, though the
 * exec closed the exporting connection. Close-on-exec ones are the
 * kernel's to close and are not passed. A socket without a channel (an
 * AF_PACKET placeholder), or one whose channel the daemon closed, is
 * imported with a new channel dup3'ed onto its numbers, as before joins.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "preload.h"

#define PRELOAD_TOKEN_KEEP	10	/* seconds a token is used again */
#define PRELOAD_FDS_ENTRY	(5 * 12 + 2 * 21 + 2 * SB_TOKEN_LEN + 10)

static double	 preload_inherit_now(void);
static int	 preload_inherit_place(struct preload_sock *, sb_conn *, int,
		     int);
static int	 preload_inherit_import(struct preload_sock *, sb_conn *,
		     const unsigned char *, int, int);
static long long preload_inherit_us(double);
static int	 preload_inherit_entry(sb_conn *, const char *,
		     struct preload_sock **, size_t *);
static void	 preload_inherit_hex(char *, const unsigned char *);
static int	 preload_inherit_unhex(unsigned char *, const char *);

/*
 * vfork(2) is fork here: a vfork child shares the parent's memory, so the
 * shim's tables, and what its dup2 and close before the exec would do to
 * them, would be the parent's.
 */
PRELOAD_EXPORT pid_t
vfork(void)
{
	return (fork());
}

/* Seconds on the monotonic clock. */
static double
preload_inherit_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * Gives s a token (inside libsockbroker, on c): the one it has if it is
 * recent (a shell tries execve on each directory of PATH), else a new one.
 * 1 if s has one, 0 if not.
 */
int
preload_inherit_share(struct preload_sock *s, sb_conn *c)
{
	if (s->shared && preload_inherit_now() - s->shared_at <
	    PRELOAD_TOKEN_KEEP)
		return (1);
	preload_inherit_cancel(s, c);
	if (sb_share(c, s->h, s->tok) == -1)
		return (0);
	s->shared = 1;
	s->shared_at = preload_inherit_now();
	return (1);
}

/*
 * Spends s's token, if it has one nobody took (an exec that failed), so
 * that the daemon does not hold its socket for the token's lifetime.
 */
void
preload_inherit_cancel(struct preload_sock *s, sb_conn *c)
{
	int	 h;

	if (!s->shared)
		return;
	s->shared = 0;
	if ((h = sb_import(c, s->tok)) != -1)
		sb_close(c, h);
}

/* Shares every brokered socket of this process, for a fork child. */
void
preload_inherit_prepare(void)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 fd, top = preload_fd_max();

	if (preload_inside() || top == 0 || (c = preload_conn()) == NULL)
		return;
	preload_enter();
	for (fd = 0; fd < top; fd++) {
		if ((s = preload_fd_sock(fd)) != NULL && s->gen == preload_gen)
			preload_inherit_share(s, c);
	}
	preload_leave();
}

/* In the parent after fork: its tokens are the child's to spend. */
void
preload_inherit_parent(void)
{
	struct preload_sock	*s;
	int			 fd, top = preload_fd_max();

	for (fd = 0; fd < top; fd++) {
		if ((s = preload_fd_sock(fd)) != NULL)
			s->shared = 0;
	}
}

/*
 * Puts s's channel (handle on c, imported) on fd, close-on-exec if
 * cloexec, with s's O_NONBLOCK; a socket without one keeps what fd is.
 */
static int
preload_inherit_place(struct preload_sock *s, sb_conn *c, int fd, int cloexec)
{
	int	 src;

	if (!s->chan)
		return (0);
	if ((src = sb_peekfileno(c, s->h)) == -1 &&
	    (src = sb_fileno(c, s->h)) == -1)
		return (-1);
	if (preload_libc.dup3(src, fd, cloexec ? O_CLOEXEC : 0) == -1)
		return (-1);
	preload_sock_flags(fd, s->nonblock);
	return (0);
}

/*
 * Makes s, shared as tok, a handle of c (s->h, s->gen): joined to the
 * channel descriptor fd holds where s has a channel (the library keeps a
 * guarded duplicate of fd), else, or if the daemon cannot join it, imported
 * with a new channel put on fd (close-on-exec if cloexec). 0, or -1.
 */
static int
preload_inherit_import(struct preload_sock *s, sb_conn *c,
    const unsigned char *tok, int fd, int cloexec)
{
	int	 lib, h = -1;

	if (s->chan && (lib = preload_libc.fcntl(fd, F_DUPFD_CLOEXEC,
	    0)) != -1) {
		lib = preload_fd_high(lib);
		if ((h = sb_import_channel(c, tok, lib)) == -1) {
			preload_debug("descriptor %d: cannot join its channel: "
			    "%s; it gets a new one", fd, strerror(errno));
			preload_fd_setown(lib, 0);
			preload_libc.close(lib);
		}
	}
	if (h != -1) {
		s->h = h;
		s->gen = preload_gen;
		return (0);
	}
	if ((h = sb_import(c, tok)) == -1)
		return (-1);
	s->h = h;
	s->gen = preload_gen;
	return (preload_inherit_place(s, c, fd, cloexec));
}

/*
 * In a fork child (after the parent's connection is forgotten): imports
 * each socket the parent shared onto a connection of the child's own,
 * joined to the channel it inherited. One that fails stays the parent's
 * (EBADF in the child, close works).
 */
void
preload_inherit_child(void)
{
	struct preload_sock	*s;
	sb_conn			*c = NULL;
	int			 fd, fdfl, cloexec, top = preload_fd_max();

	for (fd = 0; fd < top; fd++) {
		if ((s = preload_fd_sock(fd)) == NULL || (!s->shared &&
		    s->gen != preload_gen))
			continue;
		if (c == NULL && (c = preload_conn()) == NULL)
			return;
		preload_enter();
		fdfl = preload_libc.fcntl(fd, F_GETFD);
		cloexec = fdfl != -1 && (fdfl & FD_CLOEXEC);
		if (s->shared) {
			s->shared = 0;
			if (preload_inherit_import(s, c, s->tok, fd,
			    cloexec) == -1)
				preload_debug("fork: descriptor %d: import: %s",
				    fd, strerror(errno));
		} else if (preload_inherit_place(s, c, fd, cloexec) == -1)
			preload_debug("fork: descriptor %d: channel: %s", fd,
			    strerror(errno));	/* s's other number */
		preload_leave();
	}
}

/* Writes the SB_TOKEN_LEN bytes of tok as hex (and a NUL) at out. */
static void
preload_inherit_hex(char *out, const unsigned char *tok)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < SB_TOKEN_LEN; i++) {
		*out++ = digits[tok[i] >> 4];
		*out++ = digits[tok[i] & 15];
	}
	*out = '\0';
}

/* Reads 2 * SB_TOKEN_LEN hex digits at in; 0, or -1 if they are not. */
static int
preload_inherit_unhex(unsigned char *tok, const char *in)
{
	unsigned int	 v;
	size_t		 i;

	for (i = 0; i < SB_TOKEN_LEN; i++) {
		if (sscanf(in + 2 * i, "%2x", &v) != 1)
			return (-1);
		tok[i] = (unsigned char)v;
	}
	return (0);
}

/*
 * For an exec: "SOCKBROKER_RUN_FDS=..." naming every brokered descriptor
 * without close-on-exec (preload_inherit_env_map); NULL when there is
 * none or no memory (the program exec'ed then reads EOF on them).
 */
char *
preload_inherit_env(void)
{
	struct preload_sock	**map;
	char			*out;
	int			 fd, fdfl, top = preload_fd_max();

	if (preload_inside() || top == 0 ||
	    (map = calloc((size_t)top, sizeof *map)) == NULL)
		return (NULL);
	for (fd = 0; fd < top; fd++) {
		if ((map[fd] = preload_fd_sock(fd)) != NULL &&
		    ((fdfl = preload_libc.fcntl(fd, F_GETFD)) == -1 ||
		    (fdfl & FD_CLOEXEC)))
			map[fd] = NULL;
	}
	out = preload_inherit_env_map(map, top);
	free(map);
	return (out);
}

/*
 * "SOCKBROKER_RUN_FDS=..." for a program exec'ed with map[fd] (fd below
 * top; NULL: none) on its descriptors, each socket shared once; NULL when
 * there is none, or no memory.
 */
char *
preload_inherit_env_map(struct preload_sock *const *map, int top)
{
	struct preload_sock	*s;
	sb_conn			*c;
	char			*out, *p, hex[2 * SB_TOKEN_LEN + 1];
	int			 fd, n = 0;
	size_t			 len;

	if (preload_inside() || top == 0 || (c = preload_conn()) == NULL)
		return (NULL);
	len = sizeof PRELOAD_FDS_VAR + 1 + (size_t)top * PRELOAD_FDS_ENTRY;
	if ((out = malloc(len)) == NULL)
		return (NULL);
	p = out + sprintf(out, "%s=", PRELOAD_FDS_VAR);
	preload_enter();
	for (fd = 0; fd < top; fd++) {
		if ((s = map[fd]) == NULL || s->gen != preload_gen ||
		    !preload_inherit_share(s, c))
			continue;
		preload_inherit_hex(hex, s->tok);
		p += sprintf(p, "%s%d,%d,%d,%d,%d,%lld,%lld,%s", n++ > 0 ?
		    ";" : "", fd, s->family, s->type, s->chan, s->nonblock,
		    preload_inherit_us(s->rcvtimeo),
		    preload_inherit_us(s->sndtimeo), hex);
	}
	preload_leave();
	if (n == 0) {
		free(out);
		return (NULL);
	}
	return (out);
}

/* Seconds as whole microseconds, for SOCKBROKER_RUN_FDS. */
static long long
preload_inherit_us(double t)
{
	return (t > 0 ? (long long)(t * 1e6 + 0.5) : 0);
}

/*
 * One entry "fd,family,type,chan,nonblock,rcvtimeo,sndtimeo,token" of
 * SOCKBROKER_RUN_FDS: imports the socket (joined to the channel on fd),
 * or finds it among the done ones (a socket on two numbers is shared
 * once), and puts it on fd with its flags and timeouts. 0, or -1.
 */
static int
preload_inherit_entry(sb_conn *c, const char *e, struct preload_sock **done,
    size_t *ndone)
{
	struct preload_sock	*s = NULL;
	unsigned char		 tok[SB_TOKEN_LEN];
	char			 hex[2 * SB_TOKEN_LEN + 1];
	int			 fd, family, type, chan, nonblock;
	long long		 rcv, snd;
	size_t			 i;

	if (sscanf(e, "%d,%d,%d,%d,%d,%lld,%lld,%32[0-9a-f]", &fd, &family,
	    &type, &chan, &nonblock, &rcv, &snd, hex) != 8 ||
	    strlen(hex) != 2 * SB_TOKEN_LEN || rcv < 0 || snd < 0 ||
	    preload_inherit_unhex(tok, hex) == -1 || fd < 0 ||
	    preload_fd_sock(fd) != NULL || preload_fd_own(fd))
		return (-1);
	for (i = 0; i < *ndone; i++) {
		if (memcmp(done[i]->tok, tok, sizeof tok) == 0)
			s = done[i];
	}
	if (s == NULL) {
		if ((s = preload_sock_new(-1, family, type)) == NULL)
			return (-1);
		memcpy(s->tok, tok, sizeof tok);
		s->chan = chan != 0;
		s->nonblock = nonblock != 0;
		s->rcvtimeo = rcv / 1e6;
		s->sndtimeo = snd / 1e6;
		if (preload_inherit_import(s, c, tok, fd, 0) == -1) {
			free(s);
			return (-1);
		}
		done[(*ndone)++] = s;
	} else if (preload_inherit_place(s, c, fd, 0) == -1)
		return (-1);
	preload_sock_flags(fd, s->nonblock);
	s->refs++;
	preload_fd_set(fd, s);
	return (0);
}

/*
 * In the shim of a program exec'ed: imports the sockets SOCKBROKER_RUN_FDS
 * names onto their numbers, then removes it from the environment.
 */
void
preload_inherit_exec(void)
{
	struct preload_sock	**done;
	const char		*v;
	char			*list, *e, *last;
	size_t			 ndone = 0;
	sb_conn			*c;

	if ((v = getenv(PRELOAD_FDS_VAR)) == NULL)
		return;
	list = strdup(v);
	unsetenv(PRELOAD_FDS_VAR);
	if (list == NULL || (c = preload_conn()) == NULL ||
	    (done = calloc(strlen(list) / 10 + 1, sizeof *done)) == NULL) {
		free(list);
		return;
	}
	preload_enter();
	for (e = strtok_r(list, ";", &last); e != NULL;
	    e = strtok_r(NULL, ";", &last)) {
		if (preload_inherit_entry(c, e, done, &ndone) == -1)
			preload_debug("exec: %s: cannot import it: %s", e,
			    strerror(errno));
	}
	preload_leave();
	free(done);
	free(list);
}
