/* SPDX-License-Identifier: ISC */
/*
 * Moving data: send, sendto, sendall, recv, recvfrom. Each attempt is one
 * non-blocking syscall; what would block is parked (wait.c).
 */

#include <sys/uio.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sockbrokerd.h"

static uint8_t	*op_io_buf;	/* one recv at a time: the loop is single */
static size_t	 op_io_buflen;

static enum op_result	op_send_try(struct session *, struct handle *,
			    struct waiter *);
static enum op_result	op_recv_try(struct session *, struct handle *,
			    struct waiter *);

/*
 * Checks what a data operation starts with: its handle, timeout, address
 * and flags. Answers and returns NULL if one is bad. The address is decoded
 * here once, into io->ss: what the policy checked is what every attempt
 * uses, even if an interface it named by name is renamed or goes away.
 * MSG_DONTWAIT becomes a timeout of 0 for this call.
 */
struct handle *
op_io_start(struct session *s, const Sockbroker__Request *req,
    struct io_start *io)
{
	struct handle		*h;

	io->sslen = 0;
	if ((h = op_handle(s, req, io->handle)) == NULL ||
	    wait_timeout_check(s, req, io->has_timeout, io->timeout) == -1)
		return (NULL);
	if (!io->sending && h->chan != NULL) {
		/* The relay reads the socket: a parked recv would race it. */
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EBUSY,
		    "%s: the handle has a data channel: receive through it",
		    sbp_op_name(req));
		return (NULL);
	}
	if (io->address != NULL &&
	    op_sockaddr(s, req, h, io->address, &io->ss, &io->sslen) == -1)
		return (NULL);
	if (io->sending && mediate_send(s, req, h, io->sslen > 0 ?
	    (struct sockaddr *)&io->ss : NULL, io->sslen, io->data,
	    io->len) == -1)
		return (NULL);
	if (io->flags & ~io->allowed) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "%s: unsupported flags 0x%x", sbp_op_name(req),
		    io->flags & ~io->allowed);
		return (NULL);
	}
	if (io->flags & MSG_DONTWAIT) {
		io->has_timeout = 1;
		io->timeout = 0;
	}
	return (h);
}

/* send, sendto (with an address) and sendall (with all set). */
enum op_result
op_send(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SendRequest	*sr = req->send;
	struct io_start		 io = OP_IO_INIT(sr, OP_SEND_FLAGS, 1);
	struct handle		*h;

	io.address = sr->address;
	io.data = sr->data.data;
	io.len = sr->data.len;
	if ((h = op_io_start(s, req, &io)) == NULL)
		return (OP_DONE);
	return (wait_try_io(s, h, req, WAIT_WRITE, &io, op_send_try));
}

/*
 * Sends what is left of the request's data. send answers after one
 * successful syscall; sendall keeps going and parks when the socket is full.
 */
static enum op_result
op_send_try(struct session *s, struct handle *h, struct waiter *w)
{
	Sockbroker__SendRequest	*sr = w->req->send;
	int			 all = sr->has_all && sr->all;
	int			 flags = (sr->has_flags ? sr->flags : 0) |
				    MSG_DONTWAIT | MSG_NOSIGNAL;
	ssize_t			 n;

	do {
		n = sendto(h->fd, sr->data.data + w->progress,
		    sr->data.len - w->progress, flags, w->addrlen > 0 ?
		    (struct sockaddr *)&w->addr : NULL, w->addrlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return (OP_PARKED);
			reply_errno(s, w->req->id, errno, all ? "sendall" :
			    "send");
			return (OP_DONE);
		}
		w->progress += (size_t)n;
	} while (all && w->progress < sr->data.len);
	reply_count(s, w->req->id, w->progress);
	return (OP_DONE);
}

/* recv, and recvfrom with from set. */
enum op_result
op_recv(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__RecvRequest	*rr = req->recv;
	struct io_start		 io = OP_IO_INIT(rr, OP_RECV_FLAGS, 0);
	struct handle		*h;

	if ((h = op_io_start(s, req, &io)) == NULL ||
	    op_packet_autobind(s, req, h) == -1)
		return (OP_DONE);
	return (wait_try_io(s, h, req, WAIT_READ, &io, op_recv_try));
}

/* One recvfrom attempt, into the shared buffer, answered with a copy. */
static enum op_result
op_recv_try(struct session *s, struct handle *h, struct waiter *w)
{
	Sockbroker__RecvRequest	*rr = w->req->recv;
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__DataReply	 dr = SOCKBROKER__DATA_REPLY__INIT;
	struct sbp_address	 a;
	struct sockaddr_storage	 ss;
	size_t			 want;
	uint8_t			*buf = op_io_buffer(&want, s, rr->bufsize, 0);
	struct iovec		 iov = { .iov_base = buf, .iov_len = want };
	struct msghdr		 msg = { .msg_name = &ss,
				    .msg_namelen = sizeof ss, .msg_iov = &iov,
				    .msg_iovlen = 1 };
	ssize_t			 n;

	n = op_io_recvmsg(s, h, &msg, rr->has_flags ? rr->flags : 0);
	if (n == -1) {
		if (errno == EAGAIN)
			return (OP_PARKED);
		reply_errno(s, w->req->id, errno, "recv");
		return (OP_DONE);
	}
	dr.data.data = buf;
	dr.data.len = (size_t)n < want ? (size_t)n : want;
	if ((size_t)n > dr.data.len) {		/* MSG_TRUNC: the real length */
		dr.has_length = 1;
		dr.length = (uint64_t)n;
	}
	if (rr->has_from && rr->from && msg.msg_namelen > 0 &&
	    sbp_address_from_sockaddr(&a, (struct sockaddr *)&ss,
	    msg.msg_namelen,
	    h->protocol, NULL) == 0)
		dr.address = &a.addr;
	resp.id = w->req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_DATA;
	resp.data = &dr;
	reply_send(s, &resp);
	return (OP_DONE);
}

/*
 * One receive into msg (its first buffer) for s on h: recvmsg until what
 * arrives may reach the client (mediate_can_recv drops refused CAN frames,
 * for real even with MSG_PEEK). Returns what recvmsg did.
 */
ssize_t
op_io_recvmsg(struct session *s, struct handle *h, struct msghdr *msg,
    int flags)
{
	socklen_t	 namelen = msg->msg_namelen;
	size_t		 controllen = msg->msg_controllen;
	size_t		 room = msg->msg_iov[0].iov_len;
	ssize_t		 n;

	for (;;) {
		msg->msg_namelen = namelen;
		msg->msg_controllen = controllen;
		n = recvmsg(h->fd, msg, flags | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		/* With MSG_TRUNC, n may be more than the buffer holds. */
		if (n == -1 || mediate_can_recv(s, h, msg->msg_iov[0].iov_base,
		    (size_t)n < room ? (size_t)n : room) == 0)
			return (n);
		if (flags & MSG_PEEK)	/* a refused frame: drop it for real */
			(void)recv(h->fd, msg->msg_iov[0].iov_base, room,
			    MSG_DONTWAIT);
	}
}

/*
 * The shared receive buffer and, in *len, how much of it a reply to s may
 * fill: at most bufsize, and small enough that the reply, with reserve more
 * bytes of other fields, fits the client's frame.
 */
uint8_t *
op_io_buffer(size_t *len, const struct session *s, size_t bufsize,
    size_t reserve)
{
	size_t	 room = s->peer.max_out - SBP_FRAME_OVERHEAD;

	room = room > reserve ? room - reserve : 0;
	if (room > op_io_buflen)
		room = op_io_buflen;
	*len = bufsize < room ? bufsize : room;
	return (op_io_buf);
}

/* Allocates the receive buffer once: no payload is larger than a frame. */
void
op_io_init(size_t max_frame)
{
	op_io_buflen = max_frame;
	op_io_buf = xcalloc(1, op_io_buflen);
}

/* Frees the receive buffer at exit. */
void
op_io_free(void)
{
	free(op_io_buf);
	op_io_buf = NULL;
}
