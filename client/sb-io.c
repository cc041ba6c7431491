/* SPDX-License-Identifier: ISC */
/*
 * Data: send, sendall, sendto, recv, recvfrom. One request carries at most
 * the daemon's max_data bytes.
 */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "client.h"

static ssize_t	 sb_io_send(struct sb_conn *, Sockbroker__SendRequest *,
		     size_t);
static double	 sb_io_now(void);
static int	 sb_io_remaining(double, double, protobuf_c_boolean *,
		     double *);
static ssize_t	 sb_io_channel_send(struct sb_conn *, struct conn_chan *,
		     const void *, size_t, int, const struct sockaddr *,
		     socklen_t);
static ssize_t	 sb_io_channel_recv(struct sb_conn *, struct conn_chan *,
		     void *, size_t, int, struct sockaddr *, socklen_t *);

/* sendto through the handle's channel. */
static ssize_t
sb_io_channel_send(struct sb_conn *c, struct conn_chan *ch, const void *buf,
    size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen)
{
	struct iovec	 iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr	 msg = { .msg_name = (void *)addr,
			    .msg_namelen = addr != NULL ? addrlen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };

	return (sb_channel_sendmsg(c, ch, &msg, flags));
}

/* recvfrom through the handle's channel. */
static ssize_t
sb_io_channel_recv(struct sb_conn *c, struct conn_chan *ch, void *buf,
    size_t len, int flags, struct sockaddr *addr, socklen_t *addrlen)
{
	struct iovec	 iov = { .iov_base = buf, .iov_len = len };
	struct msghdr	 msg = { .msg_name = addr,
			    .msg_namelen = addr != NULL ? *addrlen : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t		 n;

	if ((n = sb_channel_recvmsg(c, ch, &msg, flags)) >= 0 && addr != NULL)
		*addrlen = msg.msg_namelen;
	return (n);
}

/* Sends one SendRequest of len bytes; the count sent or -1. */
static ssize_t
sb_io_send(struct sb_conn *c, Sockbroker__SendRequest *op, size_t len)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__Response	*resp;

	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_COUNT, &resp) == -1)
		return (-1);
	return (conn_count(c, resp, len));
}

/* Sends up to max_data bytes of buf; returns how many went out. */
SB_EXPORT ssize_t
sb_send(sb_conn *c, int h, const void *buf, size_t len, int flags)
{
	return (sb_sendto(c, h, buf, len, flags, NULL, 0));
}

/* Sends up to max_data bytes of buf, to addr if it is not NULL. */
SB_EXPORT ssize_t
sb_sendto(sb_conn *c, int h, const void *buf, size_t len, int flags,
    const struct sockaddr *addr, socklen_t addrlen)
{
	Sockbroker__SendRequest	 op = SOCKBROKER__SEND_REQUEST__INIT;
	struct sbp_address	 a;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1)
		return (-1);
	if (buf == NULL && len > 0)
		return (conn_oserror(EFAULT, "no buffer"));
	if (addr != NULL && conn_handle_chan(c, h, &ch) != 1) {
		if (conn_address_from(&a, addr, addrlen,
		    conn_handle_protocol(c, h)) == -1)
			return (-1);
		op.address = &a.addr;
	}
	if (conn_handle_chan(c, h, &ch) == 1)
		return (sb_io_channel_send(c, &ch, buf, len, flags, addr,
		    addrlen));
	if (len > c->max_data)
		len = c->max_data;
	op.handle = h;
	op.data.data = (uint8_t *)buf;
	op.data.len = len;
	op.has_flags = 1;
	op.flags = flags;
	conn_handle_timeout(c, h, &op.has_timeout, &op.timeout);
	return (sb_io_send(c, &op, len));
}

/* Monotonic time in seconds. */
static double
sb_io_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * The timeout left of a total timeout t started at start, as a request's
 * optional field; -1 with errno EAGAIN (kind timeout) once it is spent.
 */
static int
sb_io_remaining(double t, double start, protobuf_c_boolean *has,
    double *timeout)
{
	double	 left;

	*has = t >= 0;
	*timeout = 0;
	if (t <= 0)
		return (0);
	left = t - (sb_io_now() - start);
	if (left <= 0) {
		conn_seterror(EAGAIN, SB_ERR_TIMEOUT, "timed out");
		errno = EAGAIN;
		return (-1);
	}
	*timeout = left;
	return (0);
}

/*
 * Sends every byte, in chunks of at most max_data bytes. As in Python, the
 * handle's timeout bounds the whole call, not each chunk.
 */
SB_EXPORT int
sb_sendall(sb_conn *c, int h, const void *buf, size_t len, int flags)
{
	Sockbroker__SendRequest	 op = SOCKBROKER__SEND_REQUEST__INIT;
	const uint8_t		*p = buf;
	double			 t, start;
	size_t			 chunk;
	ssize_t			 n;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1)
		return (-1);
	if (buf == NULL && len > 0)
		return (conn_oserror(EFAULT, "no buffer"));
	if (conn_handle_chan(c, h, &ch) == 1)
		return (sb_channel_sendall(c, &ch, buf, len, flags));
	conn_handle_gettimeout(c, h, &t);
	start = sb_io_now();
	op.handle = h;
	op.has_flags = 1;
	op.flags = flags;
	op.has_all = 1;
	op.all = 1;
	do {
		chunk = len > c->max_data ? c->max_data : len;
		/*
		 * One sendall is one message to the kernel: every chunk but
		 * the last says more follows, or an AF_ALG hash would end
		 * at each chunk (and UDP send one datagram per chunk).
		 */
		op.flags = chunk < len ? flags | MSG_MORE : flags;
		if (sb_io_remaining(t, start, &op.has_timeout,
		    &op.timeout) == -1)
			return (-1);
		op.data.data = (uint8_t *)p;
		op.data.len = chunk;
		if ((n = sb_io_send(c, &op, chunk)) == -1)
			return (-1);
		if ((size_t)n != chunk)
			return (conn_protoerror(c, "short sendall"));
		p += chunk;
		len -= chunk;
	} while (len > 0);
	return (0);
}

/* Receives up to len (at most max_data) bytes. */
SB_EXPORT ssize_t
sb_recv(sb_conn *c, int h, void *buf, size_t len, int flags)
{
	return (sb_recvfrom(c, h, buf, len, flags, NULL, NULL));
}

/* Receives up to len bytes and, if addr is not NULL, the sender. */
SB_EXPORT ssize_t
sb_recvfrom(sb_conn *c, int h, void *buf, size_t len, int flags,
    struct sockaddr *addr, socklen_t *addrlen)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__RecvRequest	 op = SOCKBROKER__RECV_REQUEST__INIT;
	Sockbroker__Response	*resp;
	Sockbroker__DataReply	*d;
	size_t			 n;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1)
		return (-1);
	if (buf == NULL && len > 0)
		return (conn_oserror(EFAULT, "no buffer"));
	if (addr != NULL && addrlen == NULL)
		return (conn_oserror(EFAULT, "no address length"));
	if (conn_handle_chan(c, h, &ch) == 1)
		return (sb_io_channel_recv(c, &ch, buf, len, flags, addr,
		    addrlen));
	op.handle = h;
	op.bufsize = len > c->max_data ? c->max_data : len;
	op.has_flags = 1;
	op.flags = flags;
	conn_handle_timeout(c, h, &op.has_timeout, &op.timeout);
	op.has_from = 1;
	op.from = addr != NULL;
	req.op_case = SOCKBROKER__REQUEST__OP_RECV;
	req.recv = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_DATA, &resp) == -1)
		return (-1);
	d = resp->data;
	n = d->data.len < len ? d->data.len : len;
	if (n > 0)
		memcpy(buf, d->data.data, n);
	/* With MSG_TRUNC the daemon reports the datagram's real length. */
	if (d->has_length && d->length >= n && d->length <= SSIZE_MAX)
		n = d->length;
	if (conn_address_to(c, d->address, addr, addrlen) == -1)
		n = (size_t)-1;
	sockbroker__response__free_unpacked(resp, NULL);
	return ((ssize_t)n);
}
