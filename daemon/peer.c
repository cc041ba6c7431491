/* SPDX-License-Identifier: ISC */
/*
 * The framing layer of a client connection: reads length-prefixed frames
 * from a bufferevent and hands each to the session, writes replies, and
 * applies backpressure. It knows nothing of what the frames mean.
 *
 * A frame that carries a descriptor (SCM_RIGHTS) cannot go through the
 * bufferevent: it is written with sendmsg() directly on the socket, and
 * only once the output buffer is empty, so that it reaches the peer after
 * every earlier reply. Until then it waits in p->frames with a duplicate of
 * the descriptor, and so does every reply queued after it.
 */

#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "sockbrokerd.h"

static void	peer_read_cb(struct bufferevent *, void *);
static void	peer_write_cb(struct bufferevent *, void *);
static void	peer_event_cb(struct bufferevent *, short, void *);
static void	peer_writable_cb(evutil_socket_t, short, void *);
static uint8_t	*peer_pack(struct peer *, const ProtobufCMessage *, size_t *);
static int	peer_queue(struct peer *, uint8_t *, size_t, int);
static void	peer_flush(struct peer *);
static ssize_t	peer_sendmsg(struct peer *, const uint8_t *, size_t, int);

#define PEER_MAX_FRAMES	256	/* frames waiting behind a descriptor */

/*
 * Sets up the framing for a connected socket fd; frames over max_in are a
 * protocol violation. The caller fills in the callbacks before the loop runs.
 */
void
peer_init(struct peer *p, int fd, size_t max_in)
{
	p->bev = bufferevent_socket_new(sbd_base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (p->bev == NULL)
		fatalx("bufferevent_socket_new failed");
	p->max_in = max_in;
	p->max_out = SBP_MAX_FRAME;
	p->high = sbd_conf.max_queued / 4;
	bufferevent_setcb(p->bev, peer_read_cb, peer_write_cb, peer_event_cb,
	    p);
	bufferevent_setwatermark(p->bev, EV_WRITE, p->high / 2, 0);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	TAILQ_INIT(&p->frames);
	p->framed = 0;
	p->nframes = 0;
	p->wev = event_new(sbd_base, fd, EV_WRITE, peer_writable_cb, p);
	if (p->wev == NULL)
		fatalx("event_new failed");
}

/* Closes the connection and drops whatever was still queued. */
void
peer_free(struct peer *p)
{
	struct peer_frame	*f;

	while ((f = TAILQ_FIRST(&p->frames)) != NULL) {
		TAILQ_REMOVE(&p->frames, f, entry);
		if (f->fd != -1)
			close(f->fd);
		free(f->buf);
		free(f);
	}
	p->framed = 0;
	p->nframes = 0;
	if (p->wev != NULL)
		event_free(p->wev);
	p->wev = NULL;
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	p->bev = NULL;
}

/* How many reply bytes wait to be written to the peer. */
size_t
peer_queued(struct peer *p)
{
	return (evbuffer_get_length(bufferevent_get_output(p->bev)) +
	    p->framed);
}

/*
 * Hands every whole frame in the input to the session, unless the peer's
 * replies pile up: then reading stops until peer_write_cb sees them drain.
 */
static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		*buf;
	size_t		 avail, len;
	int		 r;

	for (;;) {
		if (peer_queued(p) > p->high) {
			bufferevent_disable(bev, EV_READ);
			return;
		}
		avail = evbuffer_get_length(in);
		if (avail < SBP_FRAME_HEADER)
			return;
		/* sbp_frame_check reads only the header; avail is the total. */
		buf = evbuffer_pullup(in, SBP_FRAME_HEADER);
		r = sbp_frame_check(buf, avail, p->max_in, &len);
		if (r == 0)
			return;
		if (r == -1) {
			p->lost_cb(p, "frame over the maximum size", p->arg);
			return;
		}
		buf = evbuffer_pullup(in, SBP_FRAME_HEADER + len);
		if (buf == NULL) {
			p->lost_cb(p, "out of memory", p->arg);
			return;
		}
		if (p->frame_cb(p, buf + SBP_FRAME_HEADER, len, p->arg) == -1)
			return;	/* the peer is gone; touch nothing */
		evbuffer_drain(in, SBP_FRAME_HEADER + len);
	}
}

/*
 * Sends waiting frames once the output has drained, then resumes reading
 * once queued replies have drained below the low mark.
 */
static void
peer_write_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;

	if (!TAILQ_EMPTY(&p->frames))
		peer_flush(p);
	if (!TAILQ_EMPTY(&p->frames))
		return;
	if (bufferevent_get_enabled(bev) & EV_READ)
		return;
	if (peer_queued(p) > p->high / 2)
		return;
	bufferevent_enable(bev, EV_READ);
	peer_read_cb(bev, p);
}

/* End of file or an error on the connection: the peer is lost. */
static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer	*p = arg;

	if (what & BEV_EVENT_EOF)
		p->lost_cb(p, "connection closed", p->arg);
	else if (what & BEV_EVENT_ERROR)
		p->lost_cb(p, strerror(EVUTIL_SOCKET_ERROR()), p->arg);
}

/* The socket is writable again after sendmsg() said EAGAIN. */
static void
peer_writable_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;

	peer_write_cb(p->bev, p);
}

/*
 * Writes frame buf with descriptor fd (-1: none) straight to the socket.
 * Returns the bytes written, or -1 with errno.
 */
static ssize_t
peer_sendmsg(struct peer *p, const uint8_t *buf, size_t len, int fd)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	ssize_t		 n;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof cbuf.buf;
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	}
	do
		n = sendmsg(bufferevent_getfd(p->bev), &msg,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return (n);
}

/*
 * Sends the waiting frames in order while the output buffer is empty. A
 * frame written in part leaves its rest in the output buffer; the write
 * callback (low mark 0 while frames wait) comes back for the next one.
 */
static void
peer_flush(struct peer *p)
{
	struct evbuffer		*out = bufferevent_get_output(p->bev);
	struct peer_frame	*f;
	ssize_t			 n;

	while ((f = TAILQ_FIRST(&p->frames)) != NULL) {
		if (evbuffer_get_length(out) != 0)
			return;
		n = peer_sendmsg(p, f->buf, f->len, f->fd);
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(p->wev, NULL);
			return;
		}
		/* On another error, the read side sees the connection go. */
		if (n > 0 && (size_t)n < f->len &&
		    evbuffer_add(out, f->buf + n, f->len - n) != 0)
			fatalx("evbuffer_add failed");
		TAILQ_REMOVE(&p->frames, f, entry);
		p->framed -= f->len;
		p->nframes--;
		if (f->fd != -1)
			close(f->fd);
		free(f->buf);
		free(f);
	}
	bufferevent_setwatermark(p->bev, EV_WRITE, p->high / 2, 0);
}

/*
 * Puts frame buf (taken over) at the end of the waiting frames, with a
 * duplicate of fd (-1: none). Returns -1 with errno if it cannot.
 */
static int
peer_queue(struct peer *p, uint8_t *buf, size_t len, int fd)
{
	struct peer_frame	*f;

	if (p->nframes >= PEER_MAX_FRAMES) {
		free(buf);
		errno = ENOBUFS;
		return (-1);
	}
	f = xcalloc(1, sizeof *f);
	f->fd = -1;
	if (fd != -1 && (f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		free(f);
		free(buf);
		return (-1);
	}
	f->buf = buf;
	f->len = len;
	TAILQ_INSERT_TAIL(&p->frames, f, entry);
	p->framed += len;
	p->nframes++;
	log_debug("peer: a frame of %zu bytes%s waits (%u waiting)", len,
	    fd != -1 ? " with a descriptor" : "", p->nframes);
	bufferevent_setwatermark(p->bev, EV_WRITE, 0, 0);
	return (0);
}

/*
 * Packs msg as a whole frame, its length in *len. Returns NULL with errno
 * EMSGSIZE or ENOBUFS as peer_send says.
 */
static uint8_t *
peer_pack(struct peer *p, const ProtobufCMessage *msg, size_t *len)
{
	uint8_t	*buf;
	size_t	 size;

	size = protobuf_c_message_get_packed_size(msg);
	if (size > p->max_out) {
		errno = EMSGSIZE;
		return (NULL);
	}
	if (peer_queued(p) + size > sbd_conf.max_queued) {
		errno = ENOBUFS;
		return (NULL);
	}
	buf = xcalloc(1, SBP_FRAME_HEADER + size);
	sbp_frame_header(buf, size);
	protobuf_c_message_pack(msg, buf + SBP_FRAME_HEADER);
	*len = SBP_FRAME_HEADER + size;
	return (buf);
}

/*
 * Sends one message as a frame with descriptor fd (SCM_RIGHTS, with the
 * frame's first byte), after every reply queued before it; the caller keeps
 * fd. Returns -1 with errno as peer_send, or EMFILE if fd must wait and
 * cannot be duplicated.
 */
int
peer_send_fd(struct peer *p, const ProtobufCMessage *msg, int fd)
{
	struct evbuffer	*out = bufferevent_get_output(p->bev);
	uint8_t		*buf;
	size_t		 len;
	ssize_t		 n;

	if ((buf = peer_pack(p, msg, &len)) == NULL)
		return (-1);
	if (TAILQ_EMPTY(&p->frames) && evbuffer_get_length(out) == 0) {
		n = peer_sendmsg(p, buf, len, fd);
		if (n != -1 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			/* On another error, the read side sees it go. */
			if (n > 0 && (size_t)n < len &&
			    evbuffer_add(out, buf + n, len - n) != 0)
				fatalx("evbuffer_add failed");
			free(buf);
			return (0);
		}
		if (peer_queue(p, buf, len, fd) == -1)
			return (-1);
		event_add(p->wev, NULL);
		return (0);
	}
	return (peer_queue(p, buf, len, fd));
}

/*
 * Queues one message as a frame. Returns -1 with errno EMSGSIZE if it is
 * larger than the peer accepts, ENOBUFS if the peer has stopped reading and
 * its queue is over the limit (the caller must drop it).
 */
int
peer_send(struct peer *p, const ProtobufCMessage *msg)
{
	struct evbuffer		*out = bufferevent_get_output(p->bev);
	struct evbuffer_iovec	 vec;
	uint8_t			*buf;
	size_t			 len;

	if (!TAILQ_EMPTY(&p->frames)) {
		/* Behind a descriptor: wait with it. */
		if ((buf = peer_pack(p, msg, &len)) == NULL)
			return (-1);
		return (peer_queue(p, buf, len, -1));
	}
	len = protobuf_c_message_get_packed_size(msg);
	if (len > p->max_out) {
		errno = EMSGSIZE;
		return (-1);
	}
	if (evbuffer_get_length(out) + len > sbd_conf.max_queued) {
		errno = ENOBUFS;
		return (-1);
	}
	if (evbuffer_reserve_space(out, SBP_FRAME_HEADER + len, &vec, 1) != 1)
		fatalx("evbuffer_reserve_space failed");
	sbp_frame_header(vec.iov_base, len);
	protobuf_c_message_pack(msg, (uint8_t *)vec.iov_base + SBP_FRAME_HEADER);
	vec.iov_len = SBP_FRAME_HEADER + len;
	if (evbuffer_commit_space(out, &vec, 1) != 0)
		fatalx("evbuffer_commit_space failed");
	return (0);
}
