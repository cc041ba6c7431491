/* SPDX-License-Identifier: ISC */
/*
 * getsockopt, setsockopt, getsockname, getpeername and ioctl on brokered
 * sockets. SO_RCVTIMEO and SO_SNDTIMEO stay in the shim (they are the
 * handle's timeouts); FIONBIO is the descriptor's O_NONBLOCK. A packet
 * socket's memory-mapped ring cannot work on a channel: its options are
 * refused with one clear line, since only fd-pass gives the real socket.
 */

#include <sys/ioctl.h>
#include <sys/time.h>

#include <linux/if_packet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "preload.h"

/* The options of a packet socket's memory-mapped ring (need fd-pass). */
static const int preload_ring_opts[] = {
	PACKET_HDRLEN, PACKET_VERSION, PACKET_RX_RING, PACKET_TX_RING,
};
#define PRELOAD_NRING	(sizeof preload_ring_opts / sizeof preload_ring_opts[0])

static int	 preload_opt_ring(struct preload_sock *, int, int);
static int	 preload_opt_timeo(struct preload_sock *, int, const void *,
		     socklen_t);

/*
 * Whether (level, optname) on s is a packet ring's option; says once why
 * it cannot be had and sets errno EPERM.
 */
static int
preload_opt_ring(struct preload_sock *s, int level, int optname)
{
	static int	 said;
	size_t		 i;

	if (s->family != AF_PACKET || level != SOL_PACKET)
		return (0);
	for (i = 0; i < PRELOAD_NRING; i++) {
		if (preload_ring_opts[i] != optname)
			continue;
		if (!said++)
			fprintf(stderr, "sockbroker run: a memory-mapped packet "
			    "ring needs the real socket, and the policy grants "
			    "no fd-pass for it (%s)\n", s->why[0] != '\0' ?
			    s->why : "refused");
		errno = EPERM;
		return (1);
	}
	return (0);
}

/* Keeps SO_RCVTIMEO or SO_SNDTIMEO (a struct timeval) as s's timeout. */
static int
preload_opt_timeo(struct preload_sock *s, int optname, const void *v,
    socklen_t len)
{
	struct timeval	 tv;
	double		 t;

	if (v == NULL || len < sizeof tv) {
		errno = v == NULL ? EFAULT : EINVAL;
		return (-1);
	}
	memcpy(&tv, v, sizeof tv);
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000) {
		errno = EDOM;
		return (-1);
	}
	t = tv.tv_sec < 0 ? 0 : (double)tv.tv_sec + tv.tv_usec / 1e6;
	if (optname == SO_RCVTIMEO)
		s->rcvtimeo = t;
	else
		s->sndtimeo = t;
	return (0);
}

/* setsockopt(2). */
PRELOAD_EXPORT int
setsockopt(int fd, int level, int optname, const void *v, socklen_t len)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.setsockopt(fd, level, optname, v, len));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	if (level == SOL_SOCKET && (optname == SO_RCVTIMEO ||
	    optname == SO_SNDTIMEO))
		return (preload_opt_timeo(s, optname, v, len));
	if (preload_opt_ring(s, level, optname))
		return (-1);
	preload_enter();
	if ((r = sb_setsockopt(c, s->h, level, optname, v, len)) == -1)
		preload_refused("setsockopt", EPERM);
	preload_leave();
	return (r);
}

/* getsockopt(2). */
PRELOAD_EXPORT int
getsockopt(int fd, int level, int optname, void *v, socklen_t *len)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.getsockopt(fd, level, optname, v, len));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	if (preload_opt_ring(s, level, optname))
		return (-1);
	preload_enter();
	if ((r = sb_getsockopt(c, s->h, level, optname, v, len)) == -1)
		preload_refused("getsockopt", 0);
	preload_leave();
	return (r);
}

/* getsockname(2). */
PRELOAD_EXPORT int
getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.getsockname(fd, addr, len));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	r = sb_getsockname(c, s->h, addr, len);
	preload_leave();
	return (r);
}

/* getpeername(2). */
PRELOAD_EXPORT int
getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct preload_sock	*s;
	sb_conn			*c;
	int			 r;

	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.getpeername(fd, addr, len));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	preload_enter();
	r = sb_getpeername(c, s->h, addr, len);
	preload_leave();
	return (r);
}

/* ioctl(2): FIONBIO is the descriptor's; the daemon answers the rest. */
PRELOAD_EXPORT int
ioctl(int fd, unsigned long request, ...)
{
	struct preload_sock	*s;
	sb_conn			*c;
	va_list			 ap;
	void			*arg;
	int			 r;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (preload_libc.ioctl == NULL)
		preload_resolve();
	if (preload_inside() || (s = preload_fd_sock(fd)) == NULL)
		return (preload_libc.ioctl(fd, request, arg));
	if (preload_sock_live(s, &c) == NULL)
		return (-1);
	if (request == FIONBIO) {
		if ((r = preload_libc.ioctl(fd, request, arg)) == 0)
			s->nonblock = *(int *)arg != 0;
		return (r);
	}
	preload_enter();
	r = sb_ioctl(c, s->h, request, arg);
	preload_leave();
	return (r);
}
