/* SPDX-License-Identifier: ISC */
/*
 * Data on brokered sockets: send, sendto, sendmsg, sendmmsg, recv,
 * recvfrom, recvmsg, recvmmsg and read, write, readv, writev (and the
 * _FORTIFY_SOURCE forms). A channel carries each message behind a small
 * header, so a brokered descriptor is polled natively but read and written
 * through libsockbroker, which checks what is sent against the policy.
 * Inside libsockbroker, recvmsg moves the descriptors the daemon passes
 * to the top and guards them (preload_fd_high) before the library sees
 * their numbers.
 */

#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "preload.h"

static ssize_t	 preload_io_recv(int, struct preload_sock *, struct msghdr *,
		     int);
static ssize_t	 preload_io_send(int, struct preload_sock *,
		     const struct msghdr *, int);
static ssize_t	 preload_io_inner(int, struct msghdr *, int);

/* recvmsg inside libsockbroker: the passed descriptors go to the top. */
static ssize_t
preload_io_inner(int fd, struct msghdr *m, int flags)
{
	struct cmsghdr	*cm;
	ssize_t		 n;
	size_t		 i, nfd;
	int		*fds, v;

	if ((n = preload_libc.recvmsg(fd, m, flags)) == -1 ||
	    m->msg_controllen == 0)
		return (n);
	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)(void *)CMSG_DATA(cm);
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&v, &fds[i], sizeof v);
			v = preload_fd_high(v);
			memcpy(&fds[i], &v, sizeof v);
		}
	}
	return (n);
}

/* Receives on brokered socket s (descriptor fd) through the library. */
static ssize_t
preload_io_recv(int fd, struct preload_sock *s, struct msghdr *m, int flags)
{
	sb_conn	*c;
	ssize_t	 n;

	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	preload_sock_channel(s, c, fd);
	sb_settimeout(c, s->h, preload_sock_timeout(s, flags, 0));
	n = sb_recvmsg(c, s->h, m, flags);
	preload_leave();
	return (n);
}

/* Sends on brokered socket s through the library (the policy checks it). */
static ssize_t
preload_io_send(int fd, struct preload_sock *s, const struct msghdr *m,
    int flags)
{
	sb_conn	*c;
	ssize_t	 n;

	(void)fd;
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	sb_settimeout(c, s->h, preload_sock_timeout(s, flags, 1));
	if ((n = sb_sendmsg(c, s->h, m, flags)) == -1 && errno != EAGAIN)
		preload_refused("send", 0);
	preload_leave();
	return (n);
}

/* A message header over one buffer, with an address. */
#define PRELOAD_MSG(m, iov, buf, len, addr, alen) do {			\
	(iov).iov_base = (void *)(buf);					\
	(iov).iov_len = (len);						\
	memset(&(m), 0, sizeof(m));					\
	(m).msg_iov = &(iov);						\
	(m).msg_iovlen = 1;						\
	(m).msg_name = (void *)(addr);					\
	(m).msg_namelen = (alen);					\
} while (0)

/* recvmsg(2). */
PRELOAD_EXPORT ssize_t
recvmsg(int fd, struct msghdr *m, int flags)
{
	struct preload_sock	*s;

	if (preload_libc.recvmsg == NULL)
		preload_resolve();
	if (preload_inside())
		return (preload_io_inner(fd, m, flags));
	if ((s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.recvmsg(fd, m, flags));
	return (preload_io_recv(fd, s, m, flags));
}

/* recvfrom(2). */
PRELOAD_EXPORT ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
    socklen_t *alen)
{
	struct preload_sock	*s;
	struct msghdr		 m;
	struct iovec		 iov;
	ssize_t			 n;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.recvfrom(fd, buf, len, flags, addr, alen));
	PRELOAD_MSG(m, iov, buf, len, addr, addr != NULL && alen != NULL ?
	    *alen : 0);
	if ((n = preload_io_recv(fd, s, &m, flags)) != -1 && addr != NULL &&
	    alen != NULL)
		*alen = m.msg_namelen;
	return (n);
}

/* recv(2). */
PRELOAD_EXPORT ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	struct preload_sock	*s;
	struct msghdr		 m;
	struct iovec		 iov;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.recv(fd, buf, len, flags));
	PRELOAD_MSG(m, iov, buf, len, NULL, 0);
	return (preload_io_recv(fd, s, &m, flags));
}

/* read(2). */
PRELOAD_EXPORT ssize_t
read(int fd, void *buf, size_t len)
{
	struct preload_sock	*s;
	struct msghdr		 m;
	struct iovec		 iov;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.read(fd, buf, len));
	PRELOAD_MSG(m, iov, buf, len, NULL, 0);
	return (preload_io_recv(fd, s, &m, 0));
}

/* readv(2). */
PRELOAD_EXPORT ssize_t
readv(int fd, const struct iovec *iov, int iovcnt)
{
	struct preload_sock	*s;
	struct msghdr		 m;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.readv(fd, iov, iovcnt));
	memset(&m, 0, sizeof m);
	m.msg_iov = (struct iovec *)(uintptr_t)iov;
	m.msg_iovlen = iovcnt < 0 ? 0 : (size_t)iovcnt;
	return (preload_io_recv(fd, s, &m, 0));
}

/* recvmmsg(2); the handle's timeout stands for the timeout argument. */
PRELOAD_EXPORT int
recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags,
    struct timespec *ts)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.recvmmsg(fd, v, n, flags, ts));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	preload_sock_channel(s, c, fd);
	sb_settimeout(c, s->h, preload_sock_timeout(s, flags, 0));
	r = sb_recvmmsg(c, s->h, v, n, flags);
	preload_leave();
	return (r);
}

/* sendmsg(2). */
PRELOAD_EXPORT ssize_t
sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct preload_sock	*s;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.sendmsg(fd, m, flags));
	return (preload_io_send(fd, s, m, flags));
}

/* sendto(2). */
PRELOAD_EXPORT ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *addr, socklen_t alen)
{
	struct preload_sock	*s;
	struct msghdr		 m;
	struct iovec		 iov;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.sendto(fd, buf, len, flags, addr, alen));
	PRELOAD_MSG(m, iov, buf, len, addr, addr != NULL ? alen : 0);
	return (preload_io_send(fd, s, &m, flags));
}

/* send(2). */
PRELOAD_EXPORT ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	struct preload_sock	*s;
	struct msghdr		 m;
	struct iovec		 iov;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.send(fd, buf, len, flags));
	PRELOAD_MSG(m, iov, buf, len, NULL, 0);
	return (preload_io_send(fd, s, &m, flags));
}

/* write(2). */
PRELOAD_EXPORT ssize_t
write(int fd, const void *buf, size_t len)
{
	struct preload_sock	*s;
	struct msghdr		 m;
	struct iovec		 iov;

	if (preload_libc.write == NULL)
		preload_resolve();
	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.write(fd, buf, len));
	PRELOAD_MSG(m, iov, buf, len, NULL, 0);
	return (preload_io_send(fd, s, &m, MSG_NOSIGNAL));
}

/* writev(2). */
PRELOAD_EXPORT ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct preload_sock	*s;
	struct msghdr		 m;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.writev(fd, iov, iovcnt));
	memset(&m, 0, sizeof m);
	m.msg_iov = (struct iovec *)(uintptr_t)iov;
	m.msg_iovlen = iovcnt < 0 ? 0 : (size_t)iovcnt;
	return (preload_io_send(fd, s, &m, MSG_NOSIGNAL));
}

/* sendmmsg(2). */
PRELOAD_EXPORT int
sendmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.sendmmsg(fd, v, n, flags));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	sb_settimeout(c, s->h, preload_sock_timeout(s, flags, 1));
	if ((r = sb_sendmmsg(c, s->h, v, n, flags)) == -1 && errno != EAGAIN)
		preload_refused("sendmmsg", 0);
	preload_leave();
	return (r);
}

/* __read_chk: read(2) under _FORTIFY_SOURCE. */
PRELOAD_EXPORT ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen || preload_fd_sock(fd) == NULL)
		return (preload_libc.read_chk(fd, buf, len, buflen));
	return (read(fd, buf, len));
}

/* __recv_chk: recv(2) under _FORTIFY_SOURCE. */
PRELOAD_EXPORT ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen || preload_fd_sock(fd) == NULL)
		return (preload_libc.recv_chk(fd, buf, len, buflen, flags));
	return (recv(fd, buf, len, flags));
}

/* __recvfrom_chk: recvfrom(2) under _FORTIFY_SOURCE. */
PRELOAD_EXPORT ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
    struct sockaddr *addr, socklen_t *alen)
{
	if (len > buflen || preload_fd_sock(fd) == NULL)
		return (preload_libc.recvfrom_chk(fd, buf, len, buflen, flags,
		    addr, alen));
	return (recvfrom(fd, buf, len, flags, addr, alen));
}
