/* SPDX-License-Identifier: ISC */
/*
 * Brokered sockets: what the shim keeps of one (struct preload_sock) and
 * the descriptor the program gets for it, either the handle's data channel
 * dup'ed onto the number the program expects, with its O_NONBLOCK and
 * close-on-exec flags, or, where the policy grants fd-pass, the real
 * socket itself (then the shim forgets the handle: the descriptor is the
 * kernel's, and nothing more of it passes through the shim).
 */

#include <sys/eventfd.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "preload.h"

static int	 preload_sock_place(int, int, int);

/* A new brokered socket for handle h; NULL (ENOMEM) if out of memory. */
struct preload_sock *
preload_sock_new(int h, int family, int type)
{
	struct preload_sock	*s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return (NULL);
	s->h = h;
	s->gen = preload_gen;
	s->family = family;
	s->type = type;
	return (s);
}

/* Drops a descriptor's reference; the last one closes the handle. */
void
preload_sock_unref(struct preload_sock *s)
{
	sb_conn	*c;

	if (--s->refs > 0)
		return;
	if (s->gen == preload_gen && (c = preload_conn()) != NULL) {
		preload_enter();
		preload_inherit_cancel(s, c);
		sb_close(c, s->h);
		preload_leave();
	}
	free(s);
}

/*
 * The live socket behind fd's slot s, with the connection in *cp; NULL with
 * errno EBADF for a socket inherited from a parent (its handle is on the
 * parent's connection).
 */
struct preload_sock *
preload_sock_live(struct preload_sock *s, sb_conn **cp)
{
	if (s->gen != preload_gen || (*cp = preload_conn()) == NULL) {
		errno = EBADF;
		return (NULL);
	}
	return (s);
}

/*
 * Puts src on number want (-1: the lowest free one), close-on-exec if
 * cloexec; returns the number or -1.
 */
static int
preload_sock_place(int src, int want, int cloexec)
{
	if (want >= 0)
		return (preload_libc.dup3(src, want, cloexec ? O_CLOEXEC : 0));
	return (preload_libc.fcntl(src, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
	    0));
}

/* Sets or clears O_NONBLOCK on fd's open file description. */
int
preload_sock_flags(int fd, int nonblock)
{
	int	 fl;

	if ((fl = preload_libc.fcntl(fd, F_GETFL)) == -1)
		return (-1);
	fl = nonblock ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return (preload_libc.fcntl(fd, F_SETFL, fl));
}

/*
 * The real socket of handle h on number want (-1: the lowest free one),
 * where the policy grants fd-pass; the handle is closed then. -1 (errno
 * kept) where it does not.
 */
int
preload_sock_passfd(sb_conn *c, int h, int flags, int want)
{
	int	 pfd, fd, saved = errno;

	if (!sb_info(c)->fd_passing || (pfd = sb_passfd(c, h)) == -1) {
		errno = saved;
		return (-1);
	}
	preload_fd_setown(pfd, 0);
	fd = preload_sock_place(pfd, want, flags & SOCK_CLOEXEC);
	preload_libc.close(pfd);
	if (fd == -1)
		return (-1);
	sb_close(c, h);
	preload_sock_flags(fd, flags & SOCK_NONBLOCK);
	preload_debug("descriptor %d is the real socket (fd-pass)", fd);
	errno = saved;
	return (fd);
}

/*
 * Gives s a descriptor: its channel, or a placeholder (an eventfd that
 * never reads) until it has one, on number want (-1: the lowest free),
 * with flags' SOCK_NONBLOCK and SOCK_CLOEXEC. An AF_PACKET socket's
 * channel waits for its bind: opening it would bind the socket to every
 * interface. Returns the number, or -1.
 */
int
preload_sock_install(struct preload_sock *s, sb_conn *c, int flags, int want)
{
	int	 src, fd, tmp = -1;

	src = -1;
	if (s->family != AF_PACKET)
		src = sb_fileno(c, s->h);
	if (src != -1)
		s->chan = 1;
	else if ((src = tmp = eventfd(0, EFD_CLOEXEC)) == -1)
		return (-1);
	fd = preload_sock_place(src, want, flags & SOCK_CLOEXEC);
	if (tmp != -1)
		preload_libc.close(tmp);
	if (fd == -1)
		return (-1);
	s->nonblock = (flags & SOCK_NONBLOCK) != 0;
	preload_sock_flags(fd, s->nonblock);
	s->refs++;
	preload_fd_set(fd, s);
	return (fd);
}

/*
 * Puts s's channel on fd in place of its placeholder, once it can have one
 * (after an AF_PACKET bind). 0, or -1 if it still has none.
 */
int
preload_sock_channel(struct preload_sock *s, sb_conn *c, int fd)
{
	int	 src, fdfl;

	if (s->chan)
		return (0);
	if ((src = sb_fileno(c, s->h)) == -1)
		return (-1);
	fdfl = preload_libc.fcntl(fd, F_GETFD);
	if (preload_libc.dup3(src, fd, fdfl != -1 && (fdfl & FD_CLOEXEC) ?
	    O_CLOEXEC : 0) == -1)
		return (-1);
	preload_sock_flags(fd, s->nonblock);
	s->chan = 1;
	return (0);
}

/*
 * The timeout a call on s takes: 0 for a non-blocking descriptor or
 * MSG_DONTWAIT, else SO_RCVTIMEO or SO_SNDTIMEO (send set), else none.
 */
double
preload_sock_timeout(struct preload_sock *s, int flags, int send)
{
	double	 t = send ? s->sndtimeo : s->rcvtimeo;

	if (s->nonblock || (flags & MSG_DONTWAIT))
		return (0);
	return (t > 0 ? t : SB_TIMEOUT_NONE);
}
