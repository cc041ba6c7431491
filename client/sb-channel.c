/* SPDX-License-Identifier: ISC */
/*
 * Data channels, the library's side (proto/channel.h says what travels):
 * sb_fileno, and the receives and sends of a handle that has a channel,
 * which use its descriptor instead of requests. Timeouts are a local
 * poll() with the handle's timeout; MSG_PEEK peeks at the channel.
 *
 * A datagram send waits for its answer, which the daemon gives on the
 * control connection to the call id the SEND message carries: the answer
 * of a send request (a count, or the error, EACCES with kind SB_ERR_POLICY
 * for a denial), while the data that came meanwhile stays in the channel
 * where poll() sees it. A stream send returns once its bytes are in the
 * channel; if the daemon cannot pass them on it reports the socket's
 * error as the next receive's, and later sends fail with EPIPE.
 */

#include <sys/ioctl.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "channel.h"

#define SB_CHANNEL_BATCH	32	/* datagrams one recvmmsg takes */
#define SB_CHANNEL_FLAGS	(MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT)
#define SB_CHANNEL_GRACE	1.0	/* seconds a chunk's data may lag */
#define SB_CHANNEL_PAUSE_NS	20000	/* for the rest of a batch */

static pthread_once_t	sb_channel_once = PTHREAD_ONCE_INIT;
static pthread_key_t	sb_channel_key;

static void	 sb_channel_key_init(void);
static void	 sb_channel_pause(void);
static uint8_t	*sb_channel_buf(void);
static ssize_t	 sb_channel_recv(struct conn_chan *, struct msghdr *, int,
		     double, double);
static int	 sb_channel_wait(int, short, double, double);
static int	 sb_channel_next(struct sb_conn *, struct conn_chan *, int,
		     double, uint8_t *, ssize_t *, struct sbc_msg *);
static void	 sb_channel_hint(struct sb_conn *, struct conn_chan *,
		     uint32_t);
static ssize_t	 sb_channel_deliver(const struct sbc_msg *, struct msghdr *,
		     int);
static ssize_t	 sb_channel_scatter(const uint8_t *, size_t, struct msghdr *);
static ssize_t	 sb_channel_dgram_recv(struct sb_conn *, struct conn_chan *,
		     struct msghdr *, int);
static int	 sb_channel_batch(struct conn_chan *, struct mmsghdr *,
		     unsigned int, int, int, double, uint8_t *);
static ssize_t	 sb_channel_stream_recv(struct sb_conn *, struct conn_chan *,
		     struct msghdr *, int);
static int	 sb_channel_header(struct conn_chan *, int, double,
		     struct sbc_hdr *);
static ssize_t	 sb_channel_stream_peek(struct conn_chan *, size_t,
		     const struct sbc_hdr *, struct msghdr *);
static int	 sb_channel_write(struct conn_chan *, struct msghdr *, double,
		     double);
static int	 sb_channel_send_start(struct sb_conn *, struct conn_chan *,
		     const struct msghdr *, int, double, struct conn_call *);
static ssize_t	 sb_channel_send_end(struct sb_conn *, struct conn_call *,
		     size_t);
static size_t	 sb_channel_iov_total(const struct msghdr *);
static int	 sb_channel_peer(struct sb_conn *, struct conn_chan *, int);
static int32_t	 sb_channel_send_ms(double, double);

/*
 * Waits a little (SB_CHANNEL_PAUSE_NS, and the timer slack) for the rest of
 * a batch the daemon is writing (see sb_channel_batch).
 */
static void
sb_channel_pause(void)
{
	struct timespec	 ts = { 0, SB_CHANNEL_PAUSE_NS };

	(void)nanosleep(&ts, NULL);
}

/* Creates the key of the threads' receive buffers. */
static void
sb_channel_key_init(void)
{
	pthread_key_create(&sb_channel_key, free);
}

/*
 * This thread's receive buffer, room for SB_CHANNEL_BATCH messages (only
 * the pages used are ever touched), or NULL with errno ENOMEM.
 */
static uint8_t *
sb_channel_buf(void)
{
	uint8_t	*p;

	pthread_once(&sb_channel_once, sb_channel_key_init);
	if ((p = pthread_getspecific(sb_channel_key)) != NULL)
		return (p);
	if ((p = malloc(SB_CHANNEL_BATCH * SBC_MAX_MSG)) == NULL) {
		conn_oserror(ENOMEM, "out of memory");
		return (NULL);
	}
	if (pthread_setspecific(sb_channel_key, p) != 0) {
		free(p);
		conn_oserror(ENOMEM, "out of memory");
		return (NULL);
	}
	return (p);
}

/*
 * Waits for events on fd within timeout t (SB_TIMEOUT_NONE, 0 or seconds)
 * counted from start. 0, or -1 with errno EAGAIN: kind SB_ERR_TIMEOUT when
 * a timeout ran out, as a request's does, SB_ERR_OS for timeout 0.
 */
static int
sb_channel_wait(int fd, short events, double t, double start)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	double		 left;
	int		 ms, r;

	for (;;) {
		ms = -1;
		if (t >= 0) {
			left = t - (conn_now() - start);
			ms = left <= 0 ? 0 : left > INT_MAX / 1000 ? INT_MAX :
			    (int)(left * 1e3) + 1;
		}
		if ((r = poll(&pfd, 1, ms)) > 0)
			return (0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return (conn_oserror(errno, "poll"));
		if (t == 0)
			return (conn_oserror(EAGAIN, "would block"));
		conn_seterror(EAGAIN, SB_ERR_TIMEOUT, "timed out");
		errno = EAGAIN;
		return (-1);
	}
}

/*
 * One recvmsg on the channel (MSG_PEEK of flags kept), waiting within t
 * (SB_TIMEOUT_NONE, 0 or seconds) counted from start (below 0: from the
 * first wait, so that a call that finds data reads no clock) while nothing
 * is there: what recvmsg returned, or -1 with errno.
 */
static ssize_t
sb_channel_recv(struct conn_chan *ch, struct msghdr *m, int flags, double t,
    double start)
{
	ssize_t	 n;

	for (;;) {
		n = recvmsg(ch->fd, m, MSG_DONTWAIT | (flags & MSG_PEEK));
		if (n >= 0)
			return (n);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return (conn_oserror(errno, "data channel"));
		if (start < 0)
			start = conn_now();
		if (sb_channel_wait(ch->fd, POLLIN, t, start) == -1)
			return (-1);
	}
}

/*
 * The data channel of handle h: its descriptor (the same one each time,
 * the library's, closed with the handle).
 */
SB_EXPORT int
sb_fileno(sb_conn *c, int h)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ChannelRequest	 op = SOCKBROKER__CHANNEL_REQUEST__INIT;
	int				 fd;

	if ((fd = sb_peekfileno(c, h)) != -1 || errno != ENOENT)
		return (fd);
	if (!c->info.fd_passing)
		return (conn_oserror(EOPNOTSUPP, conn_nofds(c)));
	op.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_CHANNEL;
	req.channel = &op;
	if ((fd = conn_call_fd(c, &req)) == -1)
		return (-1);
	if (conn_handle_setchan(c, h, fd) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * The data channel handle h has already (it came with its reply, or
 * sb_fileno made it), without a request: its descriptor, or -1.
 */
SB_EXPORT int
sb_peekfileno(sb_conn *c, int h)
{
	struct conn_chan	 ch;
	int			 r;

	if (conn_valid(c) == -1)
		return (-1);
	if ((r = conn_handle_chan(c, h, &ch)) == 1)
		return (ch.fd);
	if (r == -1)
		return (conn_oserror(EBADF, "unknown handle"));
	return (conn_oserror(ENOENT, "no data channel yet"));
}

/*
 * The next message of a datagram channel, read (or peeked at) into buf:
 * 1 with DATA decoded in *m and its length in *len, 0 at EOF, -1 with
 * errno (a socket error the daemon reported, or EAGAIN once the timeout
 * t ran out). READY messages are skipped. When the last DATA read said
 * more of its batch follow and none is there, a pause first, unless the
 * call must not wait (see sb_channel_batch).
 */
static int
sb_channel_next(struct sb_conn *c, struct conn_chan *ch, int flags,
    double start, uint8_t *buf, ssize_t *len, struct sbc_msg *m)
{
	struct iovec	 iov = { .iov_base = buf, .iov_len = SBC_MAX_MSG };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t		 n;
	int		 peek = flags & MSG_PEEK, hint = ch->rest > 0 && !peek;

	if ((flags & MSG_DONTWAIT) || ch->timeout == 0)
		hint = 0;

	for (;;) {
		n = -1;
		if (hint) {
			hint = 0;
			if ((n = recvmsg(ch->fd, &msg, MSG_DONTWAIT)) == -1 &&
			    errno == EAGAIN)
				sb_channel_pause();
		}
		if (n == -1 && (n = sb_channel_recv(ch, &msg, flags,
		    (flags & MSG_DONTWAIT) ? 0 : ch->timeout, start)) <= 0)
			return ((int)n);
		if (n == 0)
			return (0);
		if (sbc_decode(buf, (size_t)n, m) == -1)
			return (conn_oserror(EBADMSG, "malformed channel "
			    "message"));
		if (m->hdr.type == SBC_DATA) {
			if (!peek)
				sb_channel_hint(c, ch, m->hdr.seq);
			*len = n;
			return (1);
		}
		if (peek)	/* not data: taken, even so */
			(void)recv(ch->fd, buf, SBC_MAX_MSG, MSG_DONTWAIT);
		if (m->hdr.type == SBC_ERROR && m->hdr.result < 0)
			return (conn_oserror(-m->hdr.result, "socket error"));
		if (m->hdr.type != SBC_READY)
			return (conn_oserror(EBADMSG, "unexpected channel "
			    "message"));
		if (start < 0)
			start = conn_now();	/* earlier waits: not counted */
	}
}

/*
 * Remembers, in the handle's rest (a stream's bytes left of a chunk; on a
 * datagram channel, 1 when more of the daemon's batch follow the DATA
 * just read), what the seq of that DATA said.
 */
static void
sb_channel_hint(struct sb_conn *c, struct conn_chan *ch, uint32_t seq)
{
	if ((seq > 0) == (ch->rest > 0))
		return;
	ch->rest = seq > 0;
	conn_handle_setrest(c, ch->h, ch->rest);
}

/* The total length of msg's iovecs. */
static size_t
sb_channel_iov_total(const struct msghdr *msg)
{
	size_t	 i, total = 0;

	for (i = 0; i < msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	return (total);
}

/*
 * Fills msg from a DATA message as recvmsg would: data over the iovecs
 * (MSG_TRUNC if it did not fit), the address, the ancillary data (whole
 * items, MSG_CTRUNC if some did not fit). Returns recvmsg's result.
 */
static ssize_t
sb_channel_deliver(const struct sbc_msg *m, struct msghdr *msg, int flags)
{
	struct cmsghdr	 cm;
	size_t		 i, n, off = 0, coff = 0, space;

	msg->msg_flags = (int)m->hdr.flags;
	for (i = 0; i < msg->msg_iovlen && off < m->hdr.datalen; i++) {
		n = msg->msg_iov[i].iov_len;
		if (n > m->hdr.datalen - off)
			n = m->hdr.datalen - off;
		if (n > 0)
			memcpy(msg->msg_iov[i].iov_base, m->data + off, n);
		off += n;
	}
	if (off < m->hdr.datalen)
		msg->msg_flags |= MSG_TRUNC;
	if (msg->msg_name != NULL) {
		n = m->hdr.addrlen < msg->msg_namelen ? m->hdr.addrlen :
		    msg->msg_namelen;
		if (n > 0)
			memcpy(msg->msg_name, m->addr, n);
	}
	msg->msg_namelen = m->hdr.addrlen;
	while (coff + sizeof cm <= m->hdr.ctrllen) {
		memcpy(&cm, m->ctrl + coff, sizeof cm);
		space = CMSG_SPACE(cm.cmsg_len - CMSG_LEN(0));
		if (cm.cmsg_len < CMSG_LEN(0) || cm.cmsg_len >
		    m->hdr.ctrllen - coff || msg->msg_control == NULL ||
		    cm.cmsg_len > msg->msg_controllen - coff) {
			msg->msg_flags |= MSG_CTRUNC;
			break;
		}
		if (space > msg->msg_controllen - coff)
			space = msg->msg_controllen - coff;
		memcpy((uint8_t *)msg->msg_control + coff, m->ctrl + coff,
		    space);
		coff += space;
	}
	msg->msg_controllen = coff;
	if ((flags & MSG_TRUNC) && m->hdr.result >= 0 &&
	    (size_t)m->hdr.result > off)
		return (m->hdr.result);
	return ((ssize_t)off);
}

/* Copies len bytes of stream data over msg's iovecs; returns len. */
static ssize_t
sb_channel_scatter(const uint8_t *data, size_t len, struct msghdr *msg)
{
	struct sbc_msg	 dm;

	memset(&dm, 0, sizeof dm);
	dm.hdr.datalen = (uint32_t)len;
	dm.data = data;
	return (sb_channel_deliver(&dm, msg, 0));
}

/* recvmsg on a datagram channel. */
static ssize_t
sb_channel_dgram_recv(struct sb_conn *c, struct conn_chan *ch,
    struct msghdr *msg, int flags)
{
	struct sbc_msg	 m;
	uint8_t		*buf;
	ssize_t		 len;
	int		 r;

	if ((buf = sb_channel_buf()) == NULL)
		return (-1);
	if ((r = sb_channel_next(c, ch, flags, -1, buf, &len, &m)) <= 0) {
		if (r == 0) {
			msg->msg_flags = 0;
			msg->msg_namelen = 0;
			msg->msg_controllen = 0;
		}
		return (r);
	}
	return (sb_channel_deliver(&m, msg, flags));
}

/*
 * The header of the next message of a stream channel, peeked at (with
 * MSG_PEEK in flags) or taken: 1, 0 at EOF, -1 with errno. A header the
 * daemon has written only in part is waited for: the rest follows.
 */
static int
sb_channel_header(struct conn_chan *ch, int flags, double start,
    struct sbc_hdr *hdr)
{
	struct iovec	 iov = { .iov_base = hdr, .iov_len = sizeof *hdr };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	double		 t = (flags & MSG_DONTWAIT) ? 0 : ch->timeout;
	ssize_t		 n, m;

	for (;;) {
		if ((n = sb_channel_recv(ch, &msg, flags, t,
		    start)) <= 0)
			return ((int)n);
		if ((size_t)n < sizeof *hdr && (flags & MSG_PEEK)) {
			poll(NULL, 0, 1);	/* the rest is coming */
			continue;
		}
		if ((size_t)n < sizeof *hdr) {
			m = recv(ch->fd, (uint8_t *)hdr + n, sizeof *hdr -
			    (size_t)n, MSG_WAITALL);
			n = m <= 0 ? m : n + m;
		}
		if (n != (ssize_t)sizeof *hdr)
			return (conn_oserror(EBADMSG, "channel ends inside a "
			    "header"));
		if (sbc_header((uint8_t *)hdr, sizeof *hdr, hdr) == -1)
			return (conn_oserror(EBADMSG, "malformed channel "
			    "message"));
		return (1);
	}
}

/*
 * MSG_PEEK at a chunk whose header hdr is still in the channel, for at
 * most total bytes. The daemon writes a header before its data (a splice
 * follows it): data that lags is waited for, SB_CHANNEL_GRACE at most.
 */
static ssize_t
sb_channel_stream_peek(struct conn_chan *ch, size_t total,
    const struct sbc_hdr *hdr, struct msghdr *msg)
{
	uint8_t		*buf;
	double		 start = conn_now();
	size_t		 want = total < hdr->datalen ? total : hdr->datalen;
	ssize_t		 n;

	if ((buf = sb_channel_buf()) == NULL)
		return (-1);
	for (;;) {
		n = recv(ch->fd, buf, sizeof *hdr + want, MSG_PEEK |
		    MSG_DONTWAIT);
		if (n > (ssize_t)sizeof *hdr || (n == (ssize_t)sizeof *hdr &&
		    want == 0))
			break;
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return (conn_oserror(errno, "data channel"));
		if (n == 0 || conn_now() - start > SB_CHANNEL_GRACE)
			return (conn_oserror(EAGAIN, "would block"));
		poll(NULL, 0, 1);	/* the data is coming */
	}
	return (sb_channel_scatter(buf + sizeof *hdr, (size_t)n - sizeof *hdr,
	    msg));
}

/*
 * recv on a stream channel: from the chunk being read (ch->rest bytes
 * left of it in the channel), else from the next DATA message. A socket
 * error the daemon reported is this call's; READY is skipped. The header
 * is taken alone, then the data straight into the caller's buffer; data
 * that lags behind a header taken in this call is waited for (the handle's
 * timeout, SB_CHANNEL_GRACE at least), so that a poll() that saw the
 * header readable is not answered EAGAIN.
 */
static ssize_t
sb_channel_stream_recv(struct sb_conn *c, struct conn_chan *ch,
    struct msghdr *msg, int flags)
{
	struct sbc_hdr	 hdr;
	struct iovec	 iov[2];
	struct msghdr	 m;
	uint8_t		*buf;
	double		 start = conn_now();
	double		 t = (flags & MSG_DONTWAIT) ? 0 : ch->timeout;
	size_t		 want, total = sb_channel_iov_total(msg);
	ssize_t		 n;
	int		 r, peek = flags & MSG_PEEK;

	msg->msg_flags = 0;
	msg->msg_namelen = 0;
	msg->msg_controllen = 0;
	while (ch->rest == 0) {
		if ((r = sb_channel_header(ch, flags, start, &hdr)) <= 0)
			return (r);
		if (hdr.type == SBC_ERROR || hdr.type == SBC_READY) {
			if (peek)
				(void)recv(ch->fd, &hdr, sizeof hdr,
				    MSG_DONTWAIT);
			if (hdr.type == SBC_ERROR && hdr.result < 0)
				return (conn_oserror(-hdr.result,
				    "socket error"));
			continue;
		}
		if (hdr.type != SBC_DATA || hdr.addrlen != 0 ||
		    hdr.ctrllen != 0)
			return (conn_oserror(EBADMSG, "unexpected channel "
			    "message"));
		if (peek)
			return (sb_channel_stream_peek(ch, total, &hdr, msg));
		ch->rest = hdr.datalen;
		conn_handle_setrest(c, ch->h, ch->rest);
		if (t >= 0 && t < SB_CHANNEL_GRACE)
			t = SB_CHANNEL_GRACE;
		start = conn_now();
	}
	want = total < ch->rest ? total : ch->rest;
	if (want == 0)
		return (0);
	/* The user's iovecs, cut to want bytes. */
	memset(&m, 0, sizeof m);
	m.msg_iov = msg->msg_iov;
	m.msg_iovlen = msg->msg_iovlen;
	if (want < total && msg->msg_iovlen == 1) {
		iov[0].iov_base = msg->msg_iov[0].iov_base;
		iov[0].iov_len = want;
		m.msg_iov = iov;
	} else if (want < total) {
		if ((buf = sb_channel_buf()) == NULL)
			return (-1);
		iov[0].iov_base = buf;
		iov[0].iov_len = want;
		m.msg_iov = iov;
		m.msg_iovlen = 1;
	}
	if ((n = sb_channel_recv(ch, &m, flags, t, start)) <= 0)
		return (n == 0 ? conn_oserror(EBADMSG, "data channel ends "
		    "inside a chunk") : -1);
	if (m.msg_iov == iov && iov[0].iov_base != msg->msg_iov[0].iov_base)
		sb_channel_scatter(iov[0].iov_base, (size_t)n, msg);
	if (!peek) {
		ch->rest -= (size_t)n;
		conn_handle_setrest(c, ch->h, ch->rest);
	}
	return (n);
}

/* recvmsg on a handle with a channel. */
ssize_t
sb_channel_recvmsg(struct sb_conn *c, struct conn_chan *ch,
    struct msghdr *msg, int flags)
{
	if (flags & ~SB_CHANNEL_FLAGS)
		return (conn_oserror(EOPNOTSUPP, "flags not supported on a "
		    "data channel"));
	if (ch->stream && sb_channel_peer(c, ch, 0) == -1)
		return (-1);
	if (ch->stream)
		return (sb_channel_stream_recv(c, ch, msg, flags));
	return (sb_channel_dgram_recv(c, ch, msg, flags));
}

/*
 * Writes one whole message to the channel, waiting for room within
 * timeout t from start for its first byte. A write cut short is finished
 * whatever the timeout: a message is never left torn.
 *
 * On a stream pair that finish could wait for ever (the daemon reads its
 * end only while the real socket has room), so a stream message is written
 * only once poll() says the pair is writable: an AF_UNIX socket is when at
 * most a quarter of its send buffer is in use, and a message (at most
 * 64 KiB and a header, one skb of the default 208 KiB buffer) then goes in
 * whole. 0, or -1 with errno.
 */
static int
sb_channel_write(struct conn_chan *ch, struct msghdr *m, double t,
    double start)
{
	ssize_t	 n;
	size_t	 skip;
	int	 first = 1;

	if (ch->stream && sb_channel_wait(ch->fd, POLLOUT, t, start) == -1)
		return (-1);
	for (;;) {
		n = sendmsg(ch->fd, m, MSG_NOSIGNAL | (first ? MSG_DONTWAIT :
		    0));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN && first) {
			if (sb_channel_wait(ch->fd, POLLOUT, t, start) == -1)
				return (-1);
			continue;
		}
		if (n == -1)
			return (conn_oserror(errno, "data channel"));
		first = 0;
		for (skip = (size_t)n; m->msg_iovlen > 0 &&
		    skip >= m->msg_iov[0].iov_len; m->msg_iovlen--) {
			skip -= m->msg_iov[0].iov_len;
			m->msg_iov++;
		}
		if (m->msg_iovlen == 0)
			return (0);
		m->msg_iov[0].iov_base = (uint8_t *)m->msg_iov[0].iov_base +
		    skip;
		m->msg_iov[0].iov_len -= skip;
	}
}

/*
 * What a SEND carries of timeout t counted from start: the milliseconds
 * the daemon may keep a datagram the socket has no room for (at least 1
 * while t > 0), 0 for none.
 */
static int32_t
sb_channel_send_ms(double t, double start)
{
	double	 left;

	if (t <= 0)
		return (0);
	left = (t - (conn_now() - start)) * 1e3;
	if (left < 1)
		return (1);
	return (left >= INT32_MAX - 1 ? INT32_MAX : (int32_t)(left + 0.999));
}

/*
 * Writes msg as a SEND message (call, if not NULL, registered for its
 * answer). 0, or -1 with errno; on failure call is forgotten.
 */
static int
sb_channel_send_start(struct sb_conn *c, struct conn_chan *ch,
    const struct msghdr *msg, int flags, double start,
    struct conn_call *call)
{
	struct iovec	 iov[3 + IOV_MAX];
	struct sbc_hdr	 hdr;
	struct msghdr	 m;
	size_t		 i, len = sb_channel_iov_total(msg);
	socklen_t	 alen = msg->msg_name != NULL ? msg->msg_namelen : 0;
	double		 t = (flags & MSG_DONTWAIT) ? 0 : ch->timeout;

	if (msg->msg_iovlen > IOV_MAX)
		return (conn_oserror(EMSGSIZE, "too many iovecs"));
	if (len > SBC_MAX_DATA)
		return (conn_oserror(EMSGSIZE, "message too long for a data "
		    "channel"));
	if (alen > SBC_MAX_ADDR || msg->msg_controllen > SBC_MAX_CTRL)
		return (conn_oserror(EINVAL, "address or ancillary data too "
		    "long"));
	if (t == 0)
		flags |= MSG_DONTWAIT;	/* the daemon's answer does not wait */
	if (call != NULL && conn_call_begin(c, call) == -1)
		return (-1);
	sbc_encode(&hdr, SBC_SEND, call != NULL ? (uint32_t)call->id : 0,
	    sb_channel_send_ms(t, start), (uint32_t)flags, alen,
	    msg->msg_controllen, len);
	hdr.pad = (uint8_t)ch->slot;	/* whose answer it is: a sharer's */
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof hdr;
	iov[1].iov_base = msg->msg_name;
	iov[1].iov_len = alen;
	iov[2].iov_base = msg->msg_control;
	iov[2].iov_len = msg->msg_controllen;
	for (i = 0; i < msg->msg_iovlen; i++)
		iov[3 + i] = msg->msg_iov[i];
	memset(&m, 0, sizeof m);
	m.msg_iov = iov;
	m.msg_iovlen = 3 + msg->msg_iovlen;
	if (sb_channel_write(ch, &m, t, start) == -1) {
		if (call != NULL)
			conn_call_abandon(c, call);
		return (-1);
	}
	return (0);
}

/*
 * Whether stream handle ch has a peer, as a local socket knows: the
 * library saw it connect or accepted it (ch->peer), or the daemon says so
 * (getpeername, once: then it is remembered). Without one, the call fails
 * as the kernel fails it: a send with EPIPE, a receive with ENOTCONN;
 * the channel of an unconnected stream socket carries nothing. 0 or -1.
 */
static int
sb_channel_peer(struct sb_conn *c, struct conn_chan *ch, int send)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;

	if (ch->peer)
		return (0);
	if (sb_getpeername(c, ch->h, (struct sockaddr *)&ss, &len) == 0) {
		conn_handle_setpeer(c, ch->h);
		ch->peer = 1;
		return (0);
	}
	if (errno != ENOTCONN)
		return (-1);
	return (conn_oserror(send ? EPIPE : ENOTCONN, send ? "not connected: "
	    "broken pipe" : "not connected"));
}

/* Waits for a datagram send's answer: the count sent, or -1. */
static ssize_t
sb_channel_send_end(struct sb_conn *c, struct conn_call *call, size_t len)
{
	Sockbroker__Response	*resp;

	if (conn_call_end(c, call, SOCKBROKER__RESPONSE__RESULT_COUNT,
	    &resp) == -1)
		return (-1);
	return (conn_count(c, resp, len));
}

/*
 * sendmsg on a handle with a channel: a datagram's own answer; a stream's
 * bytes (at most 64 KiB) once they are in the channel.
 */
ssize_t
sb_channel_sendmsg(struct sb_conn *c, struct conn_chan *ch,
    const struct msghdr *msg, int flags)
{
	struct conn_call	 call;
	size_t			 len = sb_channel_iov_total(msg);
	struct msghdr		 m = *msg;
	struct iovec		 iov;

	if (ch->stream && sb_channel_peer(c, ch, 1) == -1)
		return (-1);
	if (ch->stream && len > SBC_MAX_DATA) {
		if (msg->msg_iovlen != 1)
			return (conn_oserror(EMSGSIZE, "over 64 KiB in "
			    "iovecs"));
		iov.iov_base = msg->msg_iov[0].iov_base;
		iov.iov_len = len = SBC_MAX_DATA;
		m.msg_iov = &iov;
	}
	if (ch->stream) {
		m.msg_name = NULL;	/* connected: as TCP ignores it */
		m.msg_namelen = 0;
		if (sb_channel_send_start(c, ch, &m, flags, conn_now(),
		    NULL) == -1)
			return (-1);
		return ((ssize_t)len);
	}
	memset(&call, 0, sizeof call);
	if (sb_channel_send_start(c, ch, &m, flags, conn_now(),
	    &call) == -1)
		return (-1);
	return (sb_channel_send_end(c, &call, len));
}

/* sendall on a handle with a channel: the timeout bounds the whole call. */
int
sb_channel_sendall(struct sb_conn *c, struct conn_chan *ch, const void *buf,
    size_t len, int flags)
{
	struct msghdr	 m;
	struct iovec	 iov;
	const uint8_t	*p = buf;
	double		 start = conn_now();
	size_t		 chunk;
	ssize_t		 n;

	if (!ch->stream) {
		iov.iov_base = (void *)buf;
		iov.iov_len = len;
		memset(&m, 0, sizeof m);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		n = sb_channel_sendmsg(c, ch, &m, flags);
		if (n >= 0 && (size_t)n != len)
			return (conn_protoerror(c, "short sendall"));
		return (n < 0 ? -1 : 0);
	}
	if (sb_channel_peer(c, ch, 1) == -1)
		return (-1);
	do {
		chunk = len > SBC_MAX_DATA ? SBC_MAX_DATA : len;
		iov.iov_base = (void *)p;
		iov.iov_len = chunk;
		memset(&m, 0, sizeof m);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		if (sb_channel_send_start(c, ch, &m, flags, start, NULL) == -1)
			return (-1);
		p += chunk;
		len -= chunk;
	} while (len > 0);
	return (0);
}

/*
 * sb_shutdown's SHUT on a stream channel, within the handle's timeout
 * (only a pair filled by a peer that does not read makes it wait). 0 or
 * -1 (EPIPE once its end is shut).
 */
int
sb_channel_shut(struct conn_chan *ch)
{
	struct sbc_hdr	 hdr;
	struct iovec	 iov = { .iov_base = &hdr, .iov_len = sizeof hdr };
	struct msghdr	 m = { .msg_iov = &iov, .msg_iovlen = 1 };

	sbc_encode(&hdr, SBC_SHUT, 0, 0, 0, 0, 0, 0);
	return (sb_channel_write(ch, &m, ch->timeout, conn_now()));
}

/* Before an accept: the READY messages of the connections so far go. */
void
sb_channel_accept(struct conn_chan *ch)
{
	struct sbc_hdr	 hdr;

	while (recv(ch->fd, &hdr, sizeof hdr, MSG_PEEK | MSG_DONTWAIT) ==
	    (ssize_t)sizeof hdr && hdr.type == SBC_READY)
		(void)recv(ch->fd, &hdr, sizeof hdr, MSG_DONTWAIT);
}

/*
 * A non-blocking connect answered err: while it is in progress, FILL
 * messages take the channel's room, so that it polls writable again only
 * when the daemon, the connect done, discards them.
 */
void
sb_channel_connect(struct conn_chan *ch, int err)
{
	struct sbc_hdr	 hdr;
	socklen_t	 len = sizeof(int);
	int		 sndbuf, n;

	if (err != EINPROGRESS || !ch->stream)
		return;
	/*
	 * Each FILL takes far more than 256 bytes of the send buffer (its
	 * skb): more sends than that without EAGAIN mean the daemon is
	 * reading them, so the connect is done (it reads none before) and
	 * POLLOUT is already true. Without the bound the loop could race
	 * the daemon's discarding for ever.
	 */
	if (getsockopt(ch->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == -1)
		sndbuf = 1 << 20;
	sbc_encode(&hdr, SBC_FILL, 0, 0, 0, 0, 0, 0);
	for (n = sndbuf / 256 + 1; n > 0; n--) {
		if (send(ch->fd, &hdr, sizeof hdr, MSG_DONTWAIT |
		    MSG_NOSIGNAL) != (ssize_t)sizeof hdr)
			break;
	}
}

/*
 * FIONREAD/SIOCINQ on a handle with a channel, into *n: the data bytes of
 * the next datagram; for a stream, those left of the chunk being read, or
 * of the next chunk (a lower bound: more chunks may wait behind it). 0
 * when nothing waits.
 */
int
sb_channel_fionread(struct conn_chan *ch, int *n)
{
	struct sbc_hdr	 hdr;
	ssize_t		 r;

	*n = 0;
	if (ch->stream && ch->rest > 0) {
		*n = ch->rest > INT_MAX ? INT_MAX : (int)ch->rest;
		return (0);
	}
	r = recv(ch->fd, &hdr, sizeof hdr, MSG_PEEK | MSG_DONTWAIT);
	if (r == (ssize_t)sizeof hdr && hdr.type == SBC_DATA &&
	    hdr.datalen <= SBC_MAX_DATA)
		*n = (int)hdr.datalen;
	return (0);
}

/*
 * Up to vlen datagrams of a datagram channel into vec, with one recvmmsg
 * (of at most SB_CHANNEL_BATCH) while they wait; if none does and wait is
 * set, a local poll within t from start (below 0: from the first poll),
 * and again. The count delivered,
 * 0 if nothing waited (wait not set) or at EOF after others; the first
 * EOF is one message of length 0; -1 with errno for a socket error the
 * daemon reported, which it sends only into an empty pair and follows
 * with nothing until it was read (daemon/channel.c): it is never behind
 * data, or in front of data, in one batch.
 *
 * A DATA message's seq counts the messages the daemon wrote after it in
 * the same batch. When they are not there yet, the daemon is still
 * writing them: on this CPU, our wakeup by the first one preempted it, and
 * each poll() then reads one or a few and wakes again (a batch of 32 came
 * in 5 or 6 calls, with a context switch pair each). One short pause, not
 * woken by the channel, lets it finish the batch. Not sched_yield: that
 * gives up our share to any other task on the CPU (measured: a third of the
 * rate beside another busy process). Calls that must not wait do not.
 */
static int
sb_channel_batch(struct conn_chan *ch, struct mmsghdr *vec, unsigned int vlen,
    int flags, int wait, double start, uint8_t *buf)
{
	struct mmsghdr	 in[SB_CHANNEL_BATCH];
	struct iovec	 iov[SB_CHANNEL_BATCH];
	struct sbc_msg	 m;
	double		 t = (flags & MSG_DONTWAIT) ? 0 : ch->timeout;
	unsigned int	 i, want, done = 0;
	uint32_t	 more = 0;
	int		 n, paused = t == 0;

	want = vlen < SB_CHANNEL_BATCH ? vlen : SB_CHANNEL_BATCH;
	for (i = 0; i < want; i++) {
		iov[i].iov_base = buf + (size_t)i * SBC_MAX_MSG;
		iov[i].iov_len = SBC_MAX_MSG;
	}
	for (;;) {
		memset(in, 0, (want - done) * sizeof in[0]);
		for (i = 0; i < want - done; i++) {
			in[i].msg_hdr.msg_iov = &iov[i];
			in[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(ch->fd, in, want - done, MSG_DONTWAIT, NULL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN)
			return (conn_oserror(errno, "data channel"));
		if (n == -1 && (done > 0 || !wait))
			return ((int)done);
		if (n == -1 && ch->rest > 0 && !paused) {
			paused = 1;
			sb_channel_pause();
			continue;
		}
		if (n == -1) {
			if (start < 0)
				start = conn_now();
			if (sb_channel_wait(ch->fd, POLLIN, t, start) == -1)
				return (-1);
			continue;
		}
		for (i = 0; i < (unsigned int)n; i++) {
			if (in[i].msg_len == 0 && (done > 0 || !wait))
				return ((int)done);	/* EOF: it stays */
			if (in[i].msg_len == 0) {
				vec[0].msg_len = 0;
				vec[0].msg_hdr.msg_flags = 0;
				vec[0].msg_hdr.msg_namelen = 0;
				vec[0].msg_hdr.msg_controllen = 0;
				return (1);
			}
			if (sbc_decode(iov[i].iov_base, in[i].msg_len,
			    &m) == -1)
				return (done > 0 ? (int)done : conn_oserror(
				    EBADMSG, "malformed channel message"));
			if (m.hdr.type == SBC_READY)
				continue;
			if (m.hdr.type == SBC_ERROR && m.hdr.result < 0 &&
			    done == 0)
				return (conn_oserror(-m.hdr.result,
				    "socket error"));
			if (m.hdr.type != SBC_DATA)
				return (done > 0 ? (int)done : conn_oserror(
				    EBADMSG, "unexpected channel message"));
			vec[done].msg_len = (unsigned int)sb_channel_deliver(
			    &m, &vec[done].msg_hdr, flags);
			more = m.hdr.seq;
			ch->rest = more > 0;
			done++;
		}
		if (done == want || (done > 0 && (more == 0 || paused)))
			return ((int)done);
		if (done > 0) {
			paused = 1;
			sb_channel_pause();
		}
	}
}

/*
 * Linux's recvmmsg, with the handle's timeout: the first message waits as
 * sb_recvmsg does (MSG_DONTWAIT: not at all), the others are only those
 * already there (as with MSG_WAITFORONE). The count received, or -1; a
 * socket error is the next call's, as Linux's recvmmsg reports one that
 * follows data.
 */
SB_EXPORT int
sb_recvmmsg(sb_conn *c, int h, struct mmsghdr *vec, unsigned int vlen,
    int flags)
{
	struct conn_chan	 ch;
	uint8_t			*buf;
	unsigned int		 i, done = 0;
	size_t			 hint;
	ssize_t			 len;
	int			 r, n;

	if (conn_valid(c) == -1)
		return (-1);
	if (vec == NULL && vlen > 0)
		return (conn_oserror(EFAULT, "no message vector"));
	flags &= ~MSG_WAITFORONE;
	r = conn_handle_chan(c, h, &ch);
	if (r != 1 || ch.stream || (flags & MSG_PEEK)) {
		/* One call a message: the first waits, the rest do not. */
		for (i = 0; i < vlen; i++) {
			len = sb_recvmsg(c, h, &vec[i].msg_hdr, i == 0 ? flags :
			    flags | MSG_DONTWAIT);
			if (len == -1)
				break;
			vec[i].msg_len = (unsigned int)len;
			if (len == 0 || (flags & MSG_PEEK))
				return ((int)i + 1);
		}
		return (i > 0 ? (int)i : -1);
	}
	if (vlen == 0)
		return (0);
	if ((buf = sb_channel_buf()) == NULL)
		return (-1);
	hint = ch.rest;
	/* A full batch: more may wait. */
	do {
		n = sb_channel_batch(&ch, vec + done, vlen - done, flags,
		    done == 0, -1, buf);
		if (n == -1)
			return (-1);
		if (done == 0 && n == 1 && vec[0].msg_len == 0)
			return (1);		/* EOF */
		done += (unsigned int)n;
	} while (n == SB_CHANNEL_BATCH && done < vlen);
	if (ch.rest != hint)
		conn_handle_setrest(c, h, ch.rest);
	return ((int)done);
}

/*
 * Linux's sendmmsg: each message is sent as sb_sendmsg sends it; on a
 * datagram channel they are written one after the other and their answers
 * collected after. The count sent before the first failure, or -1 with
 * the first's error.
 */
SB_EXPORT int
sb_sendmmsg(sb_conn *c, int h, struct mmsghdr *vec, unsigned int vlen,
    int flags)
{
	struct conn_chan	 ch;
	struct conn_call	 calls[SB_CHANNEL_BATCH];
	unsigned int		 i, j, n, done = 0;
	double			 start = conn_now();
	ssize_t			 len;
	int			 r, failed = 0, error = 0;

	if (conn_valid(c) == -1)
		return (-1);
	if (vec == NULL && vlen > 0)
		return (conn_oserror(EFAULT, "no message vector"));
	r = conn_handle_chan(c, h, &ch);
	if (r != 1 || ch.stream) {
		for (i = 0; i < vlen; i++) {
			if ((len = sb_sendmsg(c, h, &vec[i].msg_hdr,
			    flags)) == -1)
				break;
			vec[i].msg_len = (unsigned int)len;
		}
		return (i > 0 ? (int)i : -1);
	}
	while (done < vlen && !failed) {
		n = vlen - done < SB_CHANNEL_BATCH ? vlen - done :
		    SB_CHANNEL_BATCH;
		for (i = 0; i < n; i++) {
			memset(&calls[i], 0, sizeof calls[i]);
			if (sb_channel_send_start(c, &ch,
			    &vec[done + i].msg_hdr, flags, start,
			    &calls[i]) == -1) {
				error = errno;
				break;
			}
		}
		for (j = 0; j < i; j++) {
			len = sb_channel_send_end(c, &calls[j],
			    sb_channel_iov_total(&vec[done + j].msg_hdr));
			if (len == -1 && !failed) {
				failed = 1;
				error = errno;
				n = done + j;
			}
			if (!failed)
				vec[done + j].msg_len = (unsigned int)len;
		}
		if (failed) {
			done = n;
			break;
		}
		done += i;
		failed = i < n;
	}
	if (done == 0 && failed) {
		errno = error;
		return (-1);
	}
	return ((int)done);
}
