/* SPDX-License-Identifier: ISC */
/*
 * close, close_range, closefrom, dup, dup2, dup3 and fcntl: a brokered
 * socket lives as long as a descriptor of the program stands for it (the
 * last close closes its handle); a descriptor dup'ed from one stands for
 * the same socket. The shim's own descriptors are out of the program's
 * reach: closing one is EBADF, as for a number that is not open, and
 * close_range and closefrom leave them open.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>

#include "preload.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

static int	 preload_close_range(unsigned int, unsigned int, int);
static int	 preload_dup_to(int, int);
static int	 preload_fcntl(int, int, void *);
static int	 preload_fcntl_va(int, int, va_list);

/* Closes fd for the program; the last descriptor of a socket closes it. */
int
preload_close_one(int fd)
{
	struct preload_sock	*s;
	int			 r;

	if (preload_fd_own(fd)) {
		errno = EBADF;
		return (-1);
	}
	s = preload_fd_clear(fd);
	r = preload_libc.close(fd);
	if (s != NULL)
		preload_sock_unref(s);
	return (r);
}

/* close(2). */
PRELOAD_EXPORT int
close(int fd)
{
	if (preload_libc.close == NULL)
		preload_resolve();
	if (preload_inside()) {
		if (preload_fd_own(fd))
			preload_fd_setown(fd, 0);
		return (preload_libc.close(fd));
	}
	if (preload_fd_sock(fd) == NULL && !preload_fd_own(fd))
		return (preload_libc.close(fd));
	return (preload_close_one(fd));
}

/*
 * close_range(2) for the program: the brokered sockets in the range are
 * closed one by one, the rest by the kernel in pieces around the shim's
 * own descriptors.
 */
static int
preload_close_range(unsigned int first, unsigned int last, int flags)
{
	unsigned int	 fd, top = (unsigned int)preload_fd_max(), from;

	if (first > last) {
		errno = EINVAL;
		return (-1);
	}
	if (flags & CLOSE_RANGE_CLOEXEC)
		return (preload_libc.close_range(first, last, flags));
	for (fd = first; fd < top && fd <= last; fd++) {
		if (preload_fd_sock((int)fd) != NULL)
			preload_close_one((int)fd);
	}
	from = first;
	for (fd = first; fd < top && fd <= last; fd++) {
		if (!preload_fd_own((int)fd))
			continue;
		if (fd > from && preload_libc.close_range(from, fd - 1,
		    flags) == -1)
			return (-1);
		from = fd + 1;
	}
	if (from > last)
		return (0);
	return (preload_libc.close_range(from, last, flags));
}

/* close_range(2). */
PRELOAD_EXPORT int
close_range(unsigned int first, unsigned int last, int flags)
{
	if (preload_libc.close_range == NULL)
		preload_resolve();
	if (preload_inside())
		return (preload_libc.close_range(first, last, flags));
	return (preload_close_range(first, last, flags));
}

/* closefrom(3). */
PRELOAD_EXPORT void
closefrom(int lowfd)
{
	if (preload_libc.close_range == NULL)
		preload_resolve();
	if (lowfd < 0)
		lowfd = 0;
	if (preload_inside()) {
		preload_libc.closefrom(lowfd);
		return;
	}
	(void)preload_close_range((unsigned int)lowfd, UINT_MAX, 0);
}

/*
 * After a dup of oldfd (r: what the dup returned): r stands for the socket
 * oldfd does, and what it stood for before has lost a descriptor.
 */
static int
preload_dup_to(int oldfd, int r)
{
	struct preload_sock	*s, *was;

	if (r == -1 || r == oldfd)
		return (r);
	was = preload_fd_clear(r);
	if ((s = preload_fd_sock(oldfd)) != NULL) {
		s->refs++;
		preload_fd_set(r, s);
	}
	if (was != NULL)
		preload_sock_unref(was);
	return (r);
}

/* dup(2). */
PRELOAD_EXPORT int
dup(int fd)
{
	if (preload_inside() || (preload_fd_sock(fd) == NULL &&
	    !preload_fd_own(fd)))
		return (preload_libc.dup(fd));
	if (preload_fd_own(fd)) {
		errno = EBADF;
		return (-1);
	}
	return (preload_dup_to(fd, preload_libc.dup(fd)));
}

/* dup2(2); the shim's own numbers are not the program's to take (EBUSY). */
PRELOAD_EXPORT int
dup2(int oldfd, int newfd)
{
	if (preload_inside())
		return (preload_libc.dup2(oldfd, newfd));
	if (preload_fd_own(oldfd) || preload_fd_own(newfd)) {
		errno = preload_fd_own(oldfd) ? EBADF : EBUSY;
		return (-1);
	}
	if (preload_fd_sock(oldfd) == NULL && preload_fd_sock(newfd) == NULL)
		return (preload_libc.dup2(oldfd, newfd));
	return (preload_dup_to(oldfd, preload_libc.dup2(oldfd, newfd)));
}

/* dup3(2). */
PRELOAD_EXPORT int
dup3(int oldfd, int newfd, int flags)
{
	if (preload_inside())
		return (preload_libc.dup3(oldfd, newfd, flags));
	if (preload_fd_own(oldfd) || preload_fd_own(newfd)) {
		errno = preload_fd_own(oldfd) ? EBADF : EBUSY;
		return (-1);
	}
	if (preload_fd_sock(oldfd) == NULL && preload_fd_sock(newfd) == NULL)
		return (preload_libc.dup3(oldfd, newfd, flags));
	return (preload_dup_to(oldfd, preload_libc.dup3(oldfd, newfd,
	    flags)));
}

/* fcntl on a descriptor of the table: dups and O_NONBLOCK are tracked. */
static int
preload_fcntl(int fd, int cmd, void *arg)
{
	struct preload_sock	*s;
	int			 r;

	if (preload_inside() || ((s = preload_fd_sock(fd)) == NULL &&
	    !preload_fd_own(fd)))
		return (preload_libc.fcntl(fd, cmd, arg));
	if (s == NULL) {
		errno = EBADF;
		return (-1);
	}
	r = preload_libc.fcntl(fd, cmd, arg);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return (preload_dup_to(fd, r));
	if (cmd == F_SETFL && r != -1)
		s->nonblock = ((int)(intptr_t)arg & O_NONBLOCK) != 0;
	return (r);
}

/* The argument of fcntl(fd, cmd, ...) as libc reads it, then the call. */
static int
preload_fcntl_va(int fd, int cmd, va_list ap)
{
	void	*arg = va_arg(ap, void *);

	if (preload_libc.fcntl == NULL)
		preload_resolve();
	return (preload_fcntl(fd, cmd, arg));
}

/* fcntl(2). */
PRELOAD_EXPORT int
fcntl(int fd, int cmd, ...)
{
	va_list	 ap;
	int	 r;

	va_start(ap, cmd);
	r = preload_fcntl_va(fd, cmd, ap);
	va_end(ap);
	return (r);
}

/* fcntl64: glibc's name for fcntl(2) in programs built since 2.28. */
PRELOAD_EXPORT int	 fcntl64(int, int, ...) __attribute__((alias("fcntl")));
