/* SPDX-License-Identifier: ISC */
/*
 * socket, bind, connect, listen, accept and accept4, shutdown. socket()
 * tries the local call first and goes to the daemon when the kernel
 * refuses it (EPERM, EACCES: raw and packet sockets) or lacks the family
 * (EAFNOSUPPORT: a namespace without it), or at once for the families of
 * SOCKBROKER_RUN_FAMILIES and for a family whose interfaces the program's
 * namespace lacks (AF_CAN without a CAN interface: preload-if.c). A local socket whose bind gets EACCES (a port
 * below ip_unprivileged_port_start) moves to the daemon: a brokered one
 * takes its options and its number.
 */

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preload.h"

/* The options a local socket moving to the daemon takes with it. */
static const struct {
	int	 level;
	int	 optname;
	int	 family;	/* AF_UNSPEC: any */
} preload_carry[] = {
	{ SOL_SOCKET, SO_REUSEADDR, AF_UNSPEC },
	{ SOL_SOCKET, SO_REUSEPORT, AF_UNSPEC },
	{ SOL_SOCKET, SO_KEEPALIVE, AF_UNSPEC },
	{ SOL_SOCKET, SO_BROADCAST, AF_UNSPEC },
	{ IPPROTO_IPV6, IPV6_V6ONLY, AF_INET6 },
	{ IPPROTO_TCP, TCP_NODELAY, AF_UNSPEC },
};
#define PRELOAD_NCARRY	(sizeof preload_carry / sizeof preload_carry[0])

static int	 preload_socket_make(sb_conn *, int, int, int, int, int);
static int	 preload_bind_move(int, const struct sockaddr *, socklen_t);
static void	 preload_bind_carry(sb_conn *, int, int, int);
static int	 preload_accept_broker(int, struct preload_sock *,
		     struct sockaddr *, socklen_t *, int);

/*
 * Makes handle h (family, type without flags) the program's descriptor
 * want (-1: a new one) with flags: the real socket where fd-pass is
 * granted, its channel otherwise. Closes h and returns -1 on failure.
 */
static int
preload_socket_make(sb_conn *c, int h, int family, int type, int flags,
    int want)
{
	const struct sb_error	*e;
	struct preload_sock	*s;
	int			 fd, saved;

	if ((fd = preload_sock_passfd(c, h, flags, want)) != -1)
		return (fd);
	e = sb_lasterror();
	if ((s = preload_sock_new(h, family, type)) == NULL) {
		sb_close(c, h);
		errno = ENOMEM;
		return (-1);
	}
	if (e->kind == SB_ERR_POLICY)
		snprintf(s->why, sizeof s->why, "%s", e->message);
	if ((fd = preload_sock_install(s, c, flags, want)) == -1) {
		saved = errno;
		sb_close(c, h);
		free(s);
		errno = saved;
		return (-1);
	}
	preload_debug("descriptor %d is brokered (handle %d%s)", fd, h,
	    s->chan ? ", its channel" : "");
	return (fd);
}

/*
 * A socket from the daemon for socket(family, type, protocol), whose local
 * call failed with kerr (0: not tried). -1 with the errno the kernel gave
 * when the policy refuses it.
 */
int
preload_broker_socket(int family, int type, int protocol, int kerr)
{
	sb_conn	*c;
	int	 h, fd, flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);

	if ((c = preload_conn()) == NULL) {
		if (kerr == 0)
			return (preload_libc.socket(family, type, protocol));
		errno = kerr;
		return (-1);
	}
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	preload_enter();
	if ((h = sb_socket(c, family, type, protocol)) == -1)
		fd = preload_refused("socket", kerr);
	else
		fd = preload_socket_make(c, h, family, type, flags, -1);
	preload_leave();
	return (fd);
}

/* socket(2): local first, the daemon's where the kernel says no. */
PRELOAD_EXPORT int
socket(int family, int type, int protocol)
{
	int	 fd;

	if (preload_libc.socket == NULL)
		preload_resolve();
	if (preload_inside())
		return (preload_fd_high(preload_libc.socket(family, type,
		    protocol)));
	if (preload_forced(family) || preload_if_absent(family))
		return (preload_broker_socket(family, type, protocol, 0));
	if ((fd = preload_libc.socket(family, type, protocol)) != -1 ||
	    (errno != EPERM && errno != EACCES && errno != EAFNOSUPPORT))
		return (fd);
	return (preload_broker_socket(family, type, protocol, errno));
}

/* Copies the options of preload_carry that are set on local fd to h. */
static void
preload_bind_carry(sb_conn *c, int fd, int h, int family)
{
	socklen_t	 len;
	size_t		 i;
	int		 v;

	for (i = 0; i < PRELOAD_NCARRY; i++) {
		if (preload_carry[i].family != AF_UNSPEC &&
		    preload_carry[i].family != family)
			continue;
		len = sizeof v;
		if (preload_libc.getsockopt(fd, preload_carry[i].level,
		    preload_carry[i].optname, &v, &len) == 0 && v != 0)
			sb_setsockopt(c, h, preload_carry[i].level,
			    preload_carry[i].optname, &v, sizeof v);
	}
}

/*
 * Moves local socket fd, whose bind to addr the kernel refused (EACCES),
 * to the daemon and binds it there: a brokered socket with its options
 * and flags takes its number. -1 with EACCES when the policy refuses too.
 */
static int
preload_bind_move(int fd, const struct sockaddr *addr, socklen_t len)
{
	sb_conn		*c;
	socklen_t	 ol = sizeof(int);
	int		 family, type, proto, fl, fdfl, h, r = -1;

	if (preload_libc.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family,
	    &ol) == -1 || (family != AF_INET && family != AF_INET6) ||
	    preload_libc.getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol) == -1 ||
	    preload_libc.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto,
	    &ol) == -1 || (fl = preload_libc.fcntl(fd, F_GETFL)) == -1 ||
	    (fdfl = preload_libc.fcntl(fd, F_GETFD)) == -1 ||
	    (c = preload_conn()) == NULL) {
		errno = EACCES;
		return (-1);
	}
	preload_enter();
	if ((h = sb_socket(c, family, type, proto)) == -1) {
		r = preload_refused("bind", EACCES);
		goto out;
	}
	preload_bind_carry(c, fd, h, family);
	if (sb_bind(c, h, addr, len) == -1) {
		r = preload_refused("bind", EACCES);
		sb_close(c, h);
		goto out;
	}
	if (preload_socket_make(c, h, family, type,
	    ((fl & O_NONBLOCK) ? SOCK_NONBLOCK : 0) |
	    ((fdfl & FD_CLOEXEC) ? SOCK_CLOEXEC : 0), fd) != -1)
		r = 0;
out:
	preload_leave();
	return (r);
}

/* bind(2); a low port the kernel refuses moves the socket to the daemon. */
PRELOAD_EXPORT int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL) {
		r = preload_libc.bind(fd, addr, len);
		if (r == -1 && errno == EACCES && !preload_inside())
			r = preload_bind_move(fd, addr, len);
		return (r);
	}
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	if ((r = sb_bind(c, s->h, addr, len)) == -1)
		preload_refused("bind", EACCES);
	else
		preload_sock_channel(s, c, fd);
	preload_leave();
	return (r);
}

/* connect(2). */
PRELOAD_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.connect(fd, addr, len));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	sb_settimeout(c, s->h, preload_sock_timeout(s, 0, 1));
	if ((r = sb_connect(c, s->h, addr, len)) == -1 && errno != EINPROGRESS)
		preload_refused("connect", 0);
	preload_leave();
	return (r);
}

/* listen(2). */
PRELOAD_EXPORT int
listen(int fd, int backlog)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.listen(fd, backlog));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	if ((r = sb_listen(c, s->h, backlog)) == -1)
		preload_refused("listen", 0);
	preload_leave();
	return (r);
}

/* accept4 on brokered listener s: a brokered socket for the connection. */
static int
preload_accept_broker(int fd, struct preload_sock *s, struct sockaddr *addr,
    socklen_t *len, int flags)
{
	sb_conn	*c;
	int	 h, nfd = -1;

	(void)fd;
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		errno = EINVAL;
		return (-1);
	}
	preload_enter();
	sb_settimeout(c, s->h, preload_sock_timeout(s, 0, 0));
	if ((h = sb_accept(c, s->h, addr, len)) == -1) {
		if (errno != EAGAIN)
			preload_refused("accept", 0);
	} else
		nfd = preload_socket_make(c, h, s->family, s->type, flags, -1);
	preload_leave();
	return (nfd);
}

/* accept(2). */
PRELOAD_EXPORT int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct preload_sock	*s;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.accept(fd, addr, len));
	return (preload_accept_broker(fd, s, addr, len, 0));
}

/* accept4(2). */
PRELOAD_EXPORT int
accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct preload_sock	*s;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.accept4(fd, addr, len, flags));
	return (preload_accept_broker(fd, s, addr, len, flags));
}

/* shutdown(2). */
PRELOAD_EXPORT int
shutdown(int fd, int how)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.shutdown(fd, how));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	r = sb_shutdown(c, s->h, how);
	preload_leave();
	return (r);
}
