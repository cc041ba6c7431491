/* SPDX-License-Identifier: ISC */
/*
 * The framing layer of a client connection: reads length-prefixed frames
 * and hands each to the session, writes replies, and applies backpressure.
 * It knows nothing of what the frames mean.
 *
 * Output is one queue of frames, each with an optional descriptor (the
 * shape of OpenBSD's msgbuf): it is written with sendmsg(), up to IOV_MAX
 * frames at a time, and a frame's descriptor goes (SCM_RIGHTS) with the
 * sendmsg whose first byte is the frame's first byte, so gathering stops
 * before the next frame that has one. A partial write leaves the rest at
 * the head of the queue. The replies to what one read brought are written
 * together after it; others once the loop comes round.
 *
 * Input is read into one buffer that every peer shares (the loop is
 * single) and whole frames are handed on from there; only what is left
 * (a frame in part, or frames not handled while reading is stopped) is
 * copied into the peer's own buffer, sized to what it must hold. So an
 * idle peer holds no buffer at all, in either direction.
 *
 * A peer that shuts its writing side (a half-close: dial-stdio passes one
 * on when its input ends) still gets the answers to what it sent: the
 * frames read are handled, and the peer is lost only once the session has
 * nothing in progress (busy_cb) and every reply went, or when it closes
 * altogether (POLLHUP, looked at every PEER_HUP_MS while it lingers).
 */

#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define PEER_READ_SIZE	65536	/* the shared read buffer */
#define PEER_MAX_FDS	256	/* descriptors waiting in one queue */
#define PEER_HUP_MS	1000	/* a half-closed peer: how often to look */

/* A reply in the output queue. */
struct peer_frame {
	TAILQ_ENTRY(peer_frame)	 entry;
	size_t			 len;	/* the whole frame, header included */
	size_t			 off;	/* bytes written already */
	int			 fd;	/* ours, to send with byte 0; -1: none */
	uint8_t			 buf[];
};

static uint8_t	peer_scratch[PEER_READ_SIZE];

static void	peer_read_cb(evutil_socket_t, short, void *);
static void	peer_write_cb(evutil_socket_t, short, void *);
static ssize_t	peer_parse(struct peer *, const uint8_t *, size_t);
static int	peer_input(struct peer *);
static void	peer_keep(struct peer *, const uint8_t *, size_t);
static void	peer_stop(struct peer *);
static int	peer_resume(struct peer *);
static int	peer_flush(struct peer *);
static ssize_t	peer_write(struct peer *);
static void	peer_advance(struct peer *, size_t);
static void	peer_frame_free(struct peer *, struct peer_frame *);
static struct peer_frame *peer_pack(struct peer *, const ProtobufCMessage *);
static void	peer_append(struct peer *, struct peer_frame *);
static void	peer_half_closed(struct peer *);
static int	peer_linger(struct peer *);
static void	peer_hup_cb(evutil_socket_t, short, void *);

/*
 * Sets up the framing for a connected socket fd, which it owns from now
 * on; frames over max_in are a protocol violation. The caller fills in the
 * callbacks before the loop runs.
 */
void
peer_init(struct peer *p, int fd, size_t max_in)
{
	p->fd = fd;
	p->in = NULL;
	p->inlen = p->insize = 0;
	TAILQ_INIT(&p->out);
	p->queued = 0;
	p->nframes = p->nfds = 0;
	p->max_in = max_in;
	p->max_out = SBP_MAX_FRAME;
	p->high = sbd_conf.max_queued / 4;
	/* libevent out of memory: nothing a client chose. */
	p->rev = event_new(sbd_base, fd, EV_READ | EV_PERSIST, peer_read_cb, p);
	p->wev = event_new(sbd_base, fd, EV_WRITE, peer_write_cb, p);
	if (p->rev == NULL || p->wev == NULL)
		fatalx("event_new failed");
	event_add(p->rev, NULL);
	p->reading = 1;
	p->batch = 0;
	p->eof = 0;
	p->hupev = NULL;
	p->busy_cb = NULL;
}

/* Closes the connection and drops whatever was still queued or read. */
void
peer_free(struct peer *p)
{
	struct peer_frame	*f;

	while ((f = TAILQ_FIRST(&p->out)) != NULL)
		peer_frame_free(p, f);
	free(p->in);
	p->in = NULL;
	p->inlen = p->insize = 0;
	if (p->rev != NULL)
		event_free(p->rev);
	if (p->wev != NULL)
		event_free(p->wev);
	if (p->hupev != NULL)
		event_free(p->hupev);
	p->rev = p->wev = p->hupev = NULL;
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
}

/* How many bytes of replies (and their bookkeeping) wait for the peer. */
size_t
peer_queued(struct peer *p)
{
	return (p->queued + p->nframes * sizeof(struct peer_frame));
}

/*
 * Reads what the peer sent: into its own buffer if it holds a frame in
 * part, else into the shared one, and writes the replies to what it read
 * in one go. An error loses the peer; EOF ends only the reading.
 */
static void
peer_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;
	uint8_t		*dst = peer_scratch;
	size_t		 room = sizeof peer_scratch;
	ssize_t		 n, used;

	if (p->in != NULL) {
		dst = p->in + p->inlen;
		room = p->insize - p->inlen;
		if (room == 0) {
			(void)peer_input(p);
			return;
		}
	}
	n = recv(fd, dst, room, MSG_DONTWAIT);
	if (n == -1 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return;
	if (n == 0) {
		peer_half_closed(p);
		return;
	}
	if (n == -1) {
		p->lost_cb(p, strerror(errno), p->arg);
		return;
	}
	p->batch = 1;
	if (p->in != NULL) {
		p->inlen += (size_t)n;
		if (peer_input(p) == -1)
			return;
	} else {
		if ((used = peer_parse(p, peer_scratch, (size_t)n)) == -1)
			return;
		if ((size_t)used < (size_t)n)
			peer_keep(p, peer_scratch + used,
			    (size_t)n - (size_t)used);
	}
	p->batch = 0;
	peer_write_cb(fd, EV_WRITE, p);
}

/*
 * Hands every whole frame at the start of buf (len bytes) to the session,
 * unless the peer's replies pile up: then reading stops until they drain.
 * Returns the bytes used, or -1 if the peer is gone (touch nothing).
 */
static ssize_t
peer_parse(struct peer *p, const uint8_t *buf, size_t len)
{
	size_t	 off = 0, flen;
	int	 r;

	while (p->reading) {
		if (peer_queued(p) > p->high) {
			peer_stop(p);
			break;
		}
		/* Reads only the header: the size is checked before we hold it. */
		r = sbp_frame_check(buf + off, len - off, p->max_in, &flen);
		if (r == 0)
			break;
		if (r == -1) {
			p->lost_cb(p, "frame over the maximum size", p->arg);
			return (-1);
		}
		if (p->frame_cb(p, buf + off + SBP_FRAME_HEADER, flen,
		    p->arg) == -1)
			return (-1);
		off += SBP_FRAME_HEADER + flen;
	}
	return ((ssize_t)off);
}

/* Handles the frames in the peer's own buffer. Returns -1 if it is gone. */
static int
peer_input(struct peer *p)
{
	ssize_t	 used;

	if ((used = peer_parse(p, p->in, p->inlen)) == -1)
		return (-1);
	peer_keep(p, p->in + used, p->inlen - (size_t)used);
	return (0);
}

/*
 * Keeps the len bytes at buf (which may lie in the peer's buffer) that
 * peer_parse left, in a buffer that fits them: a frame in part gets room
 * for the whole of it (its size was checked), nothing frees the buffer.
 */
static void
peer_keep(struct peer *p, const uint8_t *buf, size_t len)
{
	size_t	 need = len, flen;
	uint8_t	*in;

	if (len == 0) {
		free(p->in);
		p->in = NULL;
		p->inlen = p->insize = 0;
		return;
	}
	if (len < SBP_FRAME_HEADER)
		need = SBP_FRAME_HEADER;
	else if (sbp_frame_check(buf, SBP_FRAME_HEADER + p->max_in, p->max_in,
	    &flen) == 1 && SBP_FRAME_HEADER + flen > len)
		need = SBP_FRAME_HEADER + flen;
	if (p->in != NULL && buf != p->in)
		memmove(p->in, buf, len);
	if (need != p->insize) {
		if ((in = realloc(p->in, need)) == NULL)
			fatal("realloc");	/* out of memory */
		if (p->in == NULL)
			memcpy(in, buf, len);
		p->in = in;
		p->insize = need;
	}
	p->inlen = len;
}

/* Stops reading from the peer: its replies pile up. */
static void
peer_stop(struct peer *p)
{
	if (!p->reading)
		return;
	event_del(p->rev);
	p->reading = 0;
	log_debug("peer: %zu bytes of replies queued, reading stops",
	    peer_queued(p));
}

/*
 * Reads again once the queued replies have drained below half the high
 * mark, starting with the frames already read. Returns -1 if the peer is
 * gone.
 */
static int
peer_resume(struct peer *p)
{
	if (p->reading || peer_queued(p) > p->high / 2)
		return (0);
	p->reading = 1;
	if (!p->eof)
		event_add(p->rev, NULL);
	if (p->in != NULL)
		return (peer_input(p));
	return (0);
}

/*
 * The peer shut its writing side: read no more, but answer what it sent
 * (the frames in its buffer too), then lose it (peer_linger). A peer that
 * closed altogether is lost at once.
 */
static void
peer_half_closed(struct peer *p)
{
	struct pollfd	 pfd = { .fd = p->fd, .events = 0 };
	struct timeval	 tv = { PEER_HUP_MS / 1000, PEER_HUP_MS % 1000 * 1000 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR))) {
		p->lost_cb(p, "connection closed", p->arg);
		return;
	}
	p->eof = 1;
	event_del(p->rev);
	p->hupev = event_new(sbd_base, -1, EV_PERSIST, peer_hup_cb, p);
	if (p->hupev == NULL)
		fatalx("event_new failed");	/* libevent out of memory */
	event_add(p->hupev, &tv);
	log_debug("peer: half-closed, answering what it sent");
	if (p->reading && p->in != NULL && peer_input(p) == -1)
		return;
	peer_write_cb(p->fd, EV_WRITE, p);
}

/*
 * After a half-close: loses the peer when nothing is left to answer (no
 * reply queued, no whole frame unread, the session not busy). Returns -1
 * then (touch nothing).
 */
static int
peer_linger(struct peer *p)
{
	size_t	 flen;

	if (!p->eof || !TAILQ_EMPTY(&p->out))
		return (0);
	if (p->in != NULL && sbp_frame_check(p->in, p->inlen, p->max_in,
	    &flen) == 1)
		return (0);		/* reading is stopped: frames wait */
	if (p->busy_cb != NULL && p->busy_cb(p, p->arg))
		return (0);
	p->lost_cb(p, "connection closed", p->arg);
	return (-1);
}

/* A half-closed peer, now and then: closed altogether, or done? */
static void
peer_hup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;
	struct pollfd	 pfd = { .fd = p->fd, .events = 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR))) {
		p->lost_cb(p, "connection closed", p->arg);
		return;
	}
	(void)peer_linger(p);
}

/*
 * The socket is writable (or replies to a batch of requests wait): write
 * the queue, then perhaps read again.
 */
static void
peer_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peer	*p = arg;

	if (peer_flush(p) == -1)
		return;
	if (!TAILQ_EMPTY(&p->out))
		event_add(p->wev, NULL);
	else
		event_del(p->wev);
	if (peer_resume(p) == -1)
		return;
	(void)peer_linger(p);
}

/*
 * Writes the queue until it is empty or the socket is full. A write error
 * loses the peer: returns -1 then (touch nothing).
 */
static int
peer_flush(struct peer *p)
{
	ssize_t	 n;

	while (!TAILQ_EMPTY(&p->out)) {
		n = peer_write(p);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return (0);
		if (n == -1) {
			p->lost_cb(p, strerror(errno), p->arg);
			return (-1);
		}
		peer_advance(p, (size_t)n);
	}
	return (0);
}

/*
 * One sendmsg() of the head of the queue: the rest of the first frame,
 * with its descriptor if none of it has gone yet, and the frames after it
 * up to IOV_MAX or the next one with a descriptor.
 */
static ssize_t
peer_write(struct peer *p)
{
	struct iovec		 iov[IOV_MAX];
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct peer_frame	*f = TAILQ_FIRST(&p->out);
	int			 n = 0;

	memset(&msg, 0, sizeof msg);
	if (f->fd != -1) {
		memset(&cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof cbuf.buf;
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &f->fd, sizeof f->fd);
	}
	do {
		iov[n].iov_base = f->buf + f->off;
		iov[n].iov_len = f->len - f->off;
		n++;
	} while ((f = TAILQ_NEXT(f, entry)) != NULL && f->fd == -1 &&
	    n < IOV_MAX);
	msg.msg_iov = iov;
	msg.msg_iovlen = n;
	return (sendmsg(p->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL));
}

/*
 * n bytes of the queue have been written: drop the frames done, and the
 * descriptor of the first, which went with its first byte.
 */
static void
peer_advance(struct peer *p, size_t n)
{
	struct peer_frame	*f;
	size_t			 k;

	while (n > 0 && (f = TAILQ_FIRST(&p->out)) != NULL) {
		if (f->fd != -1) {
			close(f->fd);
			f->fd = -1;
			p->nfds--;
		}
		k = f->len - f->off < n ? f->len - f->off : n;
		f->off += k;
		p->queued -= k;
		n -= k;
		if (f->off == f->len)
			peer_frame_free(p, f);
	}
}

/* Unlinks and frees a frame of the queue, with its descriptor. */
static void
peer_frame_free(struct peer *p, struct peer_frame *f)
{
	TAILQ_REMOVE(&p->out, f, entry);
	p->queued -= f->len - f->off;
	p->nframes--;
	if (f->fd != -1) {
		close(f->fd);
		p->nfds--;
	}
	free(f);
}

/*
 * Packs msg as a whole frame, not yet queued. Returns NULL with errno
 * EMSGSIZE or ENOBUFS as peer_send says.
 */
static struct peer_frame *
peer_pack(struct peer *p, const ProtobufCMessage *msg)
{
	struct peer_frame	*f;
	size_t			 size;

	size = protobuf_c_message_get_packed_size(msg);
	if (size > p->max_out) {
		errno = EMSGSIZE;
		return (NULL);
	}
	if (peer_queued(p) + sizeof *f + size > sbd_conf.max_queued) {
		errno = ENOBUFS;
		return (NULL);
	}
	if ((f = malloc(sizeof *f + SBP_FRAME_HEADER + size)) == NULL)
		fatal("malloc");	/* out of memory */
	f->len = SBP_FRAME_HEADER + size;
	f->off = 0;
	f->fd = -1;
	sbp_frame_header(f->buf, size);
	protobuf_c_message_pack(msg, f->buf + SBP_FRAME_HEADER);
	return (f);
}

/* Puts a frame at the end of the queue, to be written when the loop can. */
static void
peer_append(struct peer *p, struct peer_frame *f)
{
	TAILQ_INSERT_TAIL(&p->out, f, entry);
	p->queued += f->len - f->off;
	p->nframes++;
	if (f->fd != -1)
		p->nfds++;
	if (!p->batch)
		event_add(p->wev, NULL);
}

/*
 * Sends one message as a frame with descriptor fd (SCM_RIGHTS, with the
 * frame's first byte), after every reply queued before it; the caller keeps
 * fd. With nothing queued it goes at once; else a duplicate of fd waits
 * with it. Returns -1 with errno as peer_send, or EMFILE if fd must wait
 * and cannot be duplicated, ENOBUFS if too many descriptors wait already.
 */
int
peer_send_fd(struct peer *p, const ProtobufCMessage *msg, int fd)
{
	struct peer_frame	*f;
	ssize_t			 n = -1;

	if ((f = peer_pack(p, msg)) == NULL)
		return (-1);
	if (TAILQ_EMPTY(&p->out)) {
		f->fd = fd;
		TAILQ_INSERT_TAIL(&p->out, f, entry);
		do
			n = peer_write(p);
		while (n == -1 && errno == EINTR);
		TAILQ_REMOVE(&p->out, f, entry);
		f->fd = -1;
		if (n >= 0) {
			f->off = (size_t)n;	/* fd went with byte 0 */
			if (f->off == f->len) {
				free(f);
				return (0);
			}
			peer_append(p, f);
			return (0);
		}
		/* Full, or failing: the write callback will know. */
	}
	if (p->nfds >= PEER_MAX_FDS) {
		free(f);
		errno = ENOBUFS;
		return (-1);
	}
	if ((f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		free(f);
		return (-1);
	}
	log_debug("peer: a frame of %zu bytes with a descriptor waits (%u "
	    "frames queued)", f->len, p->nframes);
	peer_append(p, f);
	return (0);
}

/*
 * Queues one message as a frame. Returns -1 with errno EMSGSIZE if it is
 * larger than the peer accepts, ENOBUFS if the peer has stopped reading and
 * its queue is over the limit (the caller must drop it).
 */
int
peer_send(struct peer *p, const ProtobufCMessage *msg)
{
	struct peer_frame	*f;

	if ((f = peer_pack(p, msg)) == NULL)
		return (-1);
	peer_append(p, f);
	return (0);
}
