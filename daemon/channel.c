/* SPDX-License-Identifier: ISC */
/*
 * Data channels (proto/channel.h): the daemon's end of a handle's
 * socketpair, and the relay between it and the real socket, both ways.
 *
 * Socket to client: the socket is read only while the channel took all
 * that was read before (at most one batch waits in ch->out), in batches
 * (recvmmsg, 32 datagrams; streams, chunks of 64 KiB), and what the policy
 * lets the client hear (mediate_can_recv) goes into the channel as DATA,
 * one message a datagram. Socket errors follow in order as ERROR (a
 * datagram socket's alone in the pair: channel_dgram_error), EOF as
 * the pair's own (our end shut for writing); a listener gets one READY per
 * readable edge, re-armed by each accept; a non-blocking connect READY
 * when it finishes.
 *
 * Client to socket: the channel is read only while the socket takes what
 * was read before (at most one batch waits in ch->in). Each SEND is
 * checked as a send request is (address, ancillary items, flags,
 * mediate_send with its audit) and sent; a datagram's answer (its byte
 * count, or the error, EACCES and kind POLICY for a denial) goes to the
 * call id the message carries, on the control connection, so that the
 * library waits for it as for any request, while DATA stays in the channel
 * where poll() sees it. A datagram the socket has no room for waits (the
 * channel is not read meanwhile) as long as its SEND's timeout says, counted
 * from when it was read, then is answered EAGAIN with kind TIMEOUT, as a
 * parked send request is. A stream send is not answered: a failure comes
 * back as ERROR and the channel stops taking data (the client's writes
 * fail with EPIPE). FILL messages are discarded; none is read while a
 * connect is in progress.
 *
 * Closing a stream handle waits (CHAN_LINGER seconds at most) until what
 * the client wrote before it shut its end went to the socket.
 *
 * Sharers. A channel belongs to every handle that shares it (the one that
 * made it, slot 0, and those an import with join gave it: a fork child, a
 * program exec'ed, as one open file description is shared after fork),
 * of any connection; it relays on its owner's descriptor of the socket
 * (another sharer's when the owner leaves), so it outlives the handle
 * that made it at no descriptor more, and it closes when its last sharer
 * closes and no share token holds it (channel_hold: an exec closes the
 * exporter's connection before the new program imports). Until then, a
 * channel with no sharer is suspended: nothing is relayed (what the
 * socket has stays in the kernel, what was read stays queued) until a
 * sharer joins. One sharer, the owner (ch->h), is the one whose session
 * the relay's callbacks hold and whose identity hears the socket
 * (mediate_can_recv: every sharer is the same user and group); a
 * datagram SEND is checked and answered as its writer's, the sharer whose
 * slot it carries in pad; a slot no sharer holds drops the message
 * (logged once: only a client that lies writes one, since a sender waits
 * for its answer before it may close). The linger applies only to the
 * last sharer's close.
 *
 * Stream data is spliced, not copied, both ways (socket -> pipe -> pair,
 * pair -> pipe -> socket), through one pipe all stream channels share: no
 * descriptor more a channel, and the pipe is empty between callbacks (what
 * the other side did not take is read out of it into the channel's queue;
 * towards the client, a chunk is only as large as the pair has room for).
 * A SEND with an address, ancillary data or flags, a socket the kernel
 * cannot splice (EINVAL) and one a client made blocking are copied.
 *
 * A malformed message from the client closes that channel (logged once),
 * not the session: its recv requests keep failing with EBUSY and it may
 * close the handle. Nothing here blocks or grows past one batch.
 */

#include <sys/ioctl.h>
#include <sys/uio.h>

#include <linux/sockios.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"
#include "channel.h"

#define CHAN_BATCH	32		/* datagrams a batch */
#define CHAN_CTRL	2048		/* ancillary bytes of a datagram */
#define CHAN_CHUNKS	16		/* stream chunks a callback */
#define CHAN_LINGER	10		/* seconds a close waits for a drain */
#define CHAN_SPLICE_MIN	4096		/* data left of a SEND worth a splice */
#define CHAN_SPLICE	(SPLICE_F_NONBLOCK | SPLICE_F_MOVE)
#define CHAN_SNDBUF	(1 << 20)	/* a stream pair's buffer, each way */
#define CHAN_SLACK	4096		/* a header's room in the pair */
#define CHAN_ROUNDS	4		/* datagram batches a callback */
#define CHAN_DRAIN_MS	16		/* longest wait for an empty pair */
#define CHAN_SHARERS	256		/* slots: the pad byte of a SEND */
#define CHAN_LAST_ROUNDS 8		/* channel_stream_in calls at the end */

enum chan_state {
	CHAN_DATA,			/* relaying */
	CHAN_IDLE,			/* stream, not connected: no reading */
	CHAN_LISTEN,			/* READY per connection waiting */
	CHAN_CONNECTING,		/* READY when the connect is done */
};

/* Messages one side has not taken yet: at most one batch. */
struct chan_queue {
	uint8_t		*buf;
	size_t		 len;		/* bytes held */
	size_t		 off;		/* bytes done (streams) */
	uint32_t	*lens;		/* each message's length */
	size_t		 n;		/* messages held */
	size_t		 i;		/* messages done */
};

struct channel {
	struct handle	*h;		/* the owner; NULL: no sharer */
	int		 fd;		/* our end of the pair */
	int		 sock;		/* the socket: the owner's descriptor */
	struct handle	**sharers;	/* by slot; NULL: free */
	unsigned int	 nslots;	/* allocated, up to CHAN_SHARERS */
	unsigned int	 nsharers;
	unsigned int	 next_slot;	/* where the next join looks first */
	unsigned int	 holds;		/* share tokens that may join it */
	int		 warned;	/* a SEND of an unknown slot logged */
	int		 last;		/* channel_last_words: no session */
	int		 stream;	/* SOCK_STREAM pair */
	enum chan_state	 state;
	int		 sock_eof;	/* the socket said EOF: read no more */
	int		 in_eof;	/* the client shut its end */
	int		 blocked;	/* the socket is full: wait for it */
	int		 wfail;		/* a stream send failed: take no more */
	int		 ready_sent;	/* listener: READY in the channel */
	int		 dead;		/* our end closed: no relay */
	int		 out_shut;	/* our end shut for writing (EOF) */
	int		 nosplice;	/* splice refused: copy both ways */
	int		 full;		/* no room for a chunk: wait for it */
	int		 sndbuf;	/* our end's SO_SNDBUF */
	int		 sp_big;	/* last SEND spliced: read headers alone */
	int		 sp_drop;	/* the SEND being spliced failed: skip */
	uint32_t	 sp_flags;	/* its flags */
	size_t		 sp_left;	/* its data still in the pair */
	int		 drain;		/* datagrams: the socket waits until */
	int32_t		 err;		/* the pair is empty, then this ERROR */
	int		 drain_ms;	/* next look at the pair, backing off */
	struct event	*drain_ev;
	Sockbroker__Request *linger;	/* a close waiting for the drain */
	struct event	*linger_ev;
	struct event	*send_ev;	/* a blocked datagram's timeout */
	double		 in_time;	/* when ch->in's batch was read */
	unsigned int	 armed;		/* CHAN_EV_* added */
	struct event	*ev[4];		/* by CHAN_EV_* */
	struct chan_queue out;		/* to the client */
	struct chan_queue in;		/* datagrams from the client */
	uint8_t		*ibuf;		/* stream bytes from the client */
	size_t		 ilen;
	size_t		 iprog;		/* data of ibuf's first message sent */
};

#define CHAN_EV_SOCK_R	0
#define CHAN_EV_SOCK_W	1
#define CHAN_EV_CHAN_R	2
#define CHAN_EV_CHAN_W	3

/* The loop is single: one batch at a time in each direction. */
static uint8_t		 chan_rx_data[CHAN_BATCH][SBC_MAX_DATA];
static uint8_t		 chan_rx_ctrl[CHAN_BATCH][CHAN_CTRL];
static struct sockaddr_storage chan_rx_addr[CHAN_BATCH];
static struct sbc_hdr	 chan_rx_hdr[CHAN_BATCH];
/*
 * A datagram's message is built in place: its data is received at
 * CHAN_PRE, its header, address and ancillary data go right before it,
 * and the message is one iovec (four cost twice the kernel's work).
 */
#define CHAN_PRE	((SBC_HDR_LEN + SBC_MAX_ADDR + CHAN_CTRL + 15) & ~15UL)
static uint8_t		 chan_rx_msg[CHAN_BATCH][CHAN_PRE + SBC_MAX_DATA];
static uint8_t		 chan_tx[CHAN_BATCH][SBC_MAX_MSG + 1];

/*
 * One pipe for every stream channel's splice (socket -> pipe -> pair and
 * back), so that a channel costs no descriptor more. It is empty between
 * callbacks: what the other side does not take is read out of it into that
 * channel's queue. Open while a stream channel is.
 */
static int		 chan_pipe[2] = { -1, -1 };
static unsigned int	 chan_pipe_users;

static void	channel_cb(evutil_socket_t, short, void *);
static void	channel_arm(struct channel *);
static void	channel_fail(struct channel *, const char *);
static void	channel_kill(struct channel *);
static int	channel_put(struct channel *, int, int32_t);
static int	channel_flush(struct channel *);
static int	channel_flush_dgram(struct channel *);
static void	channel_queue_add(struct chan_queue *, const struct iovec *,
		    size_t);
static void	channel_queue_reset(struct chan_queue *);
static void	channel_sock_read(struct channel *);
static int	channel_dgram_recv(struct channel *);
static int	channel_dgram_msg(struct channel *, struct msghdr *, size_t,
		    uint8_t *, struct sbc_hdr *, struct iovec *);
static void	channel_dgram_error(struct channel *, int32_t);
static void	channel_drain(struct channel *);
static void	channel_drain_cb(evutil_socket_t, short, void *);
static void	channel_stream_recv(struct channel *);
static void	channel_nosplice(struct channel *);
static int	channel_stream_got(struct channel *, ssize_t);
static int	channel_stream_copy(struct channel *);
static int	channel_stream_splice(struct channel *);
static void	channel_stream_queue(struct channel *, const struct sbc_hdr *,
		    size_t, size_t);
static int	channel_stream_splice_send(struct channel *, int);
static void	channel_stream_unsplice(struct channel *);
static void	channel_stream_convert(struct channel *);
static void	channel_stream_open(struct channel *, int);
static int	channel_pipe_open(void);
static void	channel_pipe_close(void);
static int	channel_pipe_read(uint8_t *, size_t);
static int	channel_nonblocking(int);
static void	channel_chan_read(struct channel *);
static void	channel_dgram_in(struct channel *);
static int	channel_dgram_run(struct channel *, const uint8_t *, size_t);
static void	channel_stream_in(struct channel *);
static int	channel_stream_run(struct channel *);
static int	channel_send(struct channel *, const struct sbc_msg *,
		    size_t *);
static int	channel_send_check(struct channel *, struct handle *,
		    const Sockbroker__Request *, const struct sbc_msg *,
		    struct sockaddr_storage *, socklen_t *, uint8_t *);
static void	channel_connected(struct channel *);
static int	channel_drained(const struct channel *);
static void	channel_linger_done(struct channel *);
static void	channel_linger_cb(evutil_socket_t, short, void *);
static double	channel_now(void);
static int	channel_send_wait(struct channel *, uint32_t);
static void	channel_send_timeout_cb(evutil_socket_t, short, void *);
static enum chan_state	channel_state(const struct handle *);
static void	channel_free(struct channel *, struct handle *);
static void	channel_last_words(struct channel *);
static void	channel_suspend(struct channel *);
static void	channel_owner(struct channel *);
static void	channel_rebind(struct channel *, struct handle *);
static int	channel_slot(struct channel *);
static struct handle	*channel_writer(struct channel *,
		    const struct sbc_msg *);

/*
 * Gives h a channel: a socketpair whose other end goes to the client in
 * *clientfd (the caller passes it on and closes it). Returns 0, or -1 with
 * errno: EBUSY if receive requests wait on h (they would race the relay;
 * a listener's accepts do not).
 */
int
channel_open(struct handle *h, int *clientfd)
{
	struct channel	*ch;
	int		 sv[2], i, type;

	if (!TAILQ_EMPTY(&h->waiting[WAIT_READ]) &&
	    channel_state(h) != CHAN_LISTEN) {
		errno = EBUSY;
		return (-1);
	}

	type = h->type == SOCK_STREAM ? SOCK_STREAM : SOCK_SEQPACKET;
	/* The client's end blocks: the library finishes a torn write. */
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) == -1)
		return (-1);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1) {
		close(sv[0]);
		close(sv[1]);
		return (-1);
	}
	ch = xcalloc(1, sizeof *ch);
	ch->sock = h->fd;
	ch->h = h;
	ch->fd = sv[0];
	ch->stream = type == SOCK_STREAM;
	ch->sharers = xcalloc(1, sizeof *ch->sharers);
	ch->sharers[0] = h;
	ch->nslots = ch->nsharers = ch->next_slot = 1;
	h->slot = 0;
	for (i = 0; i < 4; i++) {
		ch->ev[i] = event_new(sbd_base, i < 2 ? ch->sock : ch->fd,
		    (i % 2 == 0 ? EV_READ : EV_WRITE) | EV_PERSIST, channel_cb,
		    ch);
		/* Out of memory in libevent: not something a client chose. */
		if (ch->ev[i] == NULL)
			fatalx("event_new failed");
	}
	if (ch->stream)
		channel_stream_open(ch, sv[1]);
	h->chan = ch;
	*clientfd = sv[1];
	channel_update(h);
	return (0);
}

/*
 * h leaves its channel, if it has one: another sharer owns it then, or a
 * share token holds it (suspended), or it closes with everything it holds.
 */
void
channel_close(struct handle *h)
{
	struct channel	*ch = h->chan;

	if (ch == NULL)
		return;
	h->chan = NULL;
	ch->sharers[h->slot] = NULL;
	ch->nsharers--;
	if (ch->nsharers > 0) {
		if (ch->h == h)
			channel_owner(ch);
		return;
	}
	if (ch->holds > 0) {
		channel_suspend(ch);
		return;
	}
	channel_free(ch, h);
}

/* The owner left: the sharer of the lowest slot owns ch from now on. */
static void
channel_owner(struct channel *ch)
{
	unsigned int	 i;

	for (i = 0; ch->sharers[i] == NULL; i++)
		;
	channel_rebind(ch, ch->sharers[i]);
}

/*
 * h owns ch from now on: the relay's socket events are on h's descriptor
 * (the same socket), so that a channel costs no descriptor more, and they
 * are armed again as they were.
 */
static void
channel_rebind(struct channel *ch, struct handle *h)
{
	int	 i;

	ch->h = h;
	ch->sock = h->fd;
	for (i = 0; i < 2; i++) {
		if (ch->armed & (1U << i))
			event_del(ch->ev[i]);
		event_free(ch->ev[i]);
		ch->ev[i] = event_new(sbd_base, ch->sock, (i % 2 == 0 ?
		    EV_READ : EV_WRITE) | EV_PERSIST, channel_cb, ch);
		/* Out of memory in libevent: not something a client chose. */
		if (ch->ev[i] == NULL)
			fatalx("event_new failed");
	}
	ch->armed &= ~3U;
	channel_arm(ch);
}

/*
 * The last sharer left, a share token holds ch: nothing is relayed (no
 * session to answer, none to hear) until a sharer joins.
 */
static void
channel_suspend(struct channel *ch)
{
	int	 i;

	ch->h = NULL;
	for (i = 0; i < 4; i++)
		event_del(ch->ev[i]);
	ch->armed = 0;
	if (ch->send_ev != NULL)
		event_del(ch->send_ev);
	if (ch->drain_ev != NULL)
		evtimer_del(ch->drain_ev);
}

/*
 * A share token of h's socket holds its channel (op-share.c), so that a
 * handle importing the token may join it even once h is gone: the
 * channel, or NULL if h has none that relays.
 */
struct channel *
channel_hold(struct handle *h)
{
	if (h->chan == NULL || h->chan->dead)
		return (NULL);
	h->chan->holds++;
	return (h->chan);
}

/* A token that held ch is gone unimported: ch closes if nobody has it. */
void
channel_release(struct channel *ch)
{
	ch->holds--;
	if (ch->nsharers == 0 && ch->holds == 0)
		channel_free(ch, NULL);
}

/* Whether h's close waits for its channel to drain (no share of it then). */
int
channel_closing(const struct handle *h)
{
	return (h->chan != NULL && h->chan->linger != NULL);
}

/* A free slot of ch (the array grown to it), or -1: all are taken. */
static int
channel_slot(struct channel *ch)
{
	unsigned int	 i, k, n;

	for (k = 0; k < CHAN_SHARERS; k++) {
		i = (ch->next_slot + k) % CHAN_SHARERS;
		if (i < ch->nslots && ch->sharers[i] != NULL)
			continue;
		if (i >= ch->nslots) {
			n = ch->nslots * 2 > i + 1 ? ch->nslots * 2 : i + 1;
			if (n > CHAN_SHARERS)
				n = CHAN_SHARERS;
			ch->sharers = reallocarray(ch->sharers, n,
			    sizeof *ch->sharers);
			/* At most CHAN_SHARERS pointers: the host's fault. */
			if (ch->sharers == NULL)
				fatal("channel sharers");
			memset(ch->sharers + ch->nslots, 0, (n - ch->nslots) *
			    sizeof *ch->sharers);
			ch->nslots = n;
		}
		ch->next_slot = (i + 1) % CHAN_SHARERS;
		return ((int)i);
	}
	return (-1);
}

/*
 * h (a new handle of the socket, an import's) joins ch, which a token
 * held: the token's hold becomes h's share. h->slot is its slot. 0, or
 * -1 with errno ENXIO (ch relays no more: the token still holds it) or
 * EMFILE (every slot taken).
 */
int
channel_join(struct channel *ch, struct handle *h)
{
	int	 slot;

	if (ch->dead) {
		errno = ENXIO;
		return (-1);
	}
	if ((slot = channel_slot(ch)) == -1) {
		errno = EMFILE;
		return (-1);
	}
	ch->holds--;
	ch->sharers[slot] = h;
	ch->nsharers++;
	h->slot = (unsigned int)slot;
	h->chan = ch;
	if (ch->h == NULL) {
		ch->h = h;		/* resumed: what waited goes on */
		channel_drain(ch);
		channel_rebind(ch, h);
	}
	return (0);
}

/*
 * A stream channel's last sharer h is gone without a close that waited
 * for the drain: its session was lost, as when its process exits with the
 * socket open (a fork child's _exit). What it wrote is in the pair; it is
 * sent now, as much as the socket takes without waiting (CHAN_LAST_ROUNDS
 * reads at most), as the kernel sends what a process wrote before it
 * exited. No answer goes anywhere: a stream's SEND has none.
 */
static void
channel_last_words(struct channel *ch)
{
	int	 i;

	if (!ch->stream || ch->h == NULL)
		return;
	ch->last = 1;
	for (i = 0; i < CHAN_LAST_ROUNDS && !ch->dead && !ch->in_eof &&
	    !ch->blocked && !ch->wfail; i++)
		channel_stream_in(ch);
}

/* Frees ch, its last sharer h (NULL: none) gone: its close answered. */
static void
channel_free(struct channel *ch, struct handle *h)
{
	int		 i;

	if (h != NULL && h->session->dead)
		channel_last_words(ch);
	channel_kill(ch);
	for (i = 0; i < 4; i++)
		event_free(ch->ev[i]);
	if (ch->drain_ev != NULL)
		event_free(ch->drain_ev);
	if (ch->linger != NULL) {
		if (h != NULL)
			reply_empty(h->session, ch->linger->id);
		sockbroker__request__free_unpacked(ch->linger, NULL);
		event_free(ch->linger_ev);
	}
	if (ch->send_ev != NULL)
		event_free(ch->send_ev);
	free(ch->ibuf);
	if (ch->stream && --chan_pipe_users == 0)
		channel_pipe_close();
	free(ch->sharers);
	free(ch);
}

/*
 * A stream pair's buffers, each way (the kernel caps them at wmem_max): a
 * callback moves several chunks, and the client writes several before it
 * waits. And the shared pipe, for the splices.
 */
static void
channel_stream_open(struct channel *ch, int clientfd)
{
	int		 v = CHAN_SNDBUF;
	socklen_t	 len = sizeof v;

	setsockopt(ch->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	setsockopt(clientfd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	if (getsockopt(ch->fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == -1)
		v = 0;
	ch->sndbuf = v;
	chan_pipe_users++;
	ch->nosplice = channel_pipe_open() == -1;
}

/* Opens the shared pipe if it is not: 0, or -1 (no splice then). */
static int
channel_pipe_open(void)
{
	if (chan_pipe[0] != -1)
		return (0);
	if (pipe2(chan_pipe, O_NONBLOCK | O_CLOEXEC) == -1) {
		log_warn("pipe2; stream channels copy");
		chan_pipe[0] = chan_pipe[1] = -1;
		return (-1);
	}
	return (0);
}

/* Closes the shared pipe (no stream channel left, or it went wrong). */
static void
channel_pipe_close(void)
{
	if (chan_pipe[0] == -1)
		return;
	close(chan_pipe[0]);
	close(chan_pipe[1]);
	chan_pipe[0] = chan_pipe[1] = -1;
}

/*
 * Reads exactly len bytes out of the shared pipe into buf (NULL: they are
 * dropped), so that it is empty again: 0, or -1 if they were not all there
 * (our bug: the pipe is then closed, to start afresh, and the data lost).
 */
static int
channel_pipe_read(uint8_t *buf, size_t len)
{
	uint8_t	 scratch[4096];
	size_t	 want;
	ssize_t	 n;

	while (len > 0) {
		want = buf != NULL ? len : len < sizeof scratch ? len :
		    sizeof scratch;
		n = read(chan_pipe[0], buf != NULL ? buf : scratch, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("splice pipe holds less than it should");
			channel_pipe_close();
			channel_pipe_open();
			return (-1);
		}
		if (buf != NULL)
			buf += n;
		len -= (size_t)n;
	}
	return (0);
}

/*
 * Whether fd is non-blocking: splice takes a socket's own mode, and a
 * client holding a duplicate (passfd) may have changed it.
 */
static int
channel_nonblocking(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return (fl != -1 && (fl & O_NONBLOCK));
}

/* Stops the relay and closes our end; the channel stays until the handle. */
static void
channel_kill(struct channel *ch)
{
	int	 i;

	if (ch->dead)
		return;
	ch->dead = 1;
	for (i = 0; i < 4; i++)
		event_del(ch->ev[i]);
	if (ch->send_ev != NULL)
		event_del(ch->send_ev);
	if (ch->drain_ev != NULL)
		evtimer_del(ch->drain_ev);
	ch->armed = 0;
	close(ch->fd);
	ch->fd = -1;
	channel_queue_reset(&ch->out);
	channel_queue_reset(&ch->in);
}

/* A malformed message from the client: that channel is closed, logged. */
static void
channel_fail(struct channel *ch, const char *why)
{
	struct session	*s = ch->h->session;

	log_warnx("client %u: handle %u: %s; data channel closed", s->num,
	    ch->h->value, why);
	channel_kill(ch);
}

/* What a stream socket is now: listening, connected, connecting or not. */
static enum chan_state
channel_state(const struct handle *h)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	struct pollfd		 pfd = { .fd = h->fd, .events = POLLOUT };
	int			 v = 0;
	socklen_t		 vlen = sizeof v;

	if (h->type != SOCK_STREAM && h->type != SOCK_SEQPACKET)
		return (CHAN_DATA);
	if (getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &vlen) == 0 && v)
		return (CHAN_LISTEN);
	if (getpeername(h->fd, (struct sockaddr *)&ss, &len) == 0)
		return (CHAN_DATA);
	if (poll(&pfd, 1, 0) == 0)
		return (CHAN_CONNECTING);	/* not writable, not hung up */
	return (CHAN_IDLE);
}

/*
 * Something happened to h (connect, listen, accept): looks at what its
 * socket is now and relays accordingly. A listener is re-armed for the
 * next READY.
 */
void
channel_update(struct handle *h)
{
	struct channel	*ch = h->chan;

	if (ch == NULL || ch->dead)
		return;
	ch->state = channel_state(h);
	ch->ready_sent = 0;
	channel_arm(ch);
}

/* Adds and deletes the channel's events for what it waits for now. */
static void
channel_arm(struct channel *ch)
{
	unsigned int	 want = 0;
	int		 i, outq = ch->out.n > ch->out.i;

	if (ch->dead)
		return;
	if (ch->sock_eof && !outq && !ch->out_shut) {
		shutdown(ch->fd, SHUT_WR);	/* the client reads EOF */
		ch->out_shut = 1;
	}
	if (outq || ch->full)
		want |= 1U << CHAN_EV_CHAN_W;
	else if ((ch->state == CHAN_DATA && !ch->sock_eof && !ch->drain) ||
	    (ch->state == CHAN_LISTEN && !ch->ready_sent))
		want |= 1U << CHAN_EV_SOCK_R;
	if (ch->state == CHAN_CONNECTING || ch->blocked)
		want |= 1U << CHAN_EV_SOCK_W;
	else if (!ch->in_eof && !ch->wfail)
		want |= 1U << CHAN_EV_CHAN_R;
	for (i = 0; i < 4; i++) {
		if ((want & (1U << i)) && !(ch->armed & (1U << i)))
			event_add(ch->ev[i], NULL);
		else if (!(want & (1U << i)) && (ch->armed & (1U << i)))
			event_del(ch->ev[i]);
	}
	ch->armed = want;
}

/*
 * One event of a channel. Answers on the control connection may lose the
 * session, which frees the channel: the session's reference keeps s, and
 * nothing of ch is touched once it is dead.
 */
static void
channel_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel	*ch = arg;
	struct session	*s = ch->h->session;

	session_ref(s);
	if (fd == ch->fd && (what & EV_WRITE)) {
		ch->full = 0;
		if (channel_flush(ch) == 0 && ch->out.n == ch->out.i)
			channel_queue_reset(&ch->out);
	} else if (fd == ch->fd)
		channel_chan_read(ch);
	else if (what & EV_READ)
		channel_sock_read(ch);
	else if (ch->state == CHAN_CONNECTING)
		channel_connected(ch);
	else {
		ch->blocked = 0;
		channel_chan_read(ch);
	}
	if (!s->dead && ch->linger != NULL && (ch->dead || channel_drained(ch)))
		channel_linger_done(ch);	/* frees ch */
	else if (!s->dead)
		channel_arm(ch);
	session_unref(s);
}

/* Whether everything the client wrote before it shut its end was sent. */
static int
channel_drained(const struct channel *ch)
{
	return (ch->dead || ch->wfail || (ch->in_eof && ch->ilen == 0 &&
	    ch->sp_left == 0 && !ch->blocked));
}

/*
 * close of a stream handle h (op_close): OP_DONE if h may close now (its
 * channel lives on for another sharer or a token, or has nothing left
 * to send), OP_PARKED if the channel owns req until what the client wrote
 * went.
 */
enum op_result
channel_linger(struct handle *h, Sockbroker__Request *req)
{
	struct channel	*ch = h->chan;
	struct timeval	 tv = { CHAN_LINGER, 0 };

	if (ch == NULL || !ch->stream || ch->linger != NULL ||
	    ch->nsharers > 1 || ch->holds > 0 ||
	    channel_drained(ch))
		return (OP_DONE);
	/* Out of memory in libevent: not something a client chose. */
	if ((ch->linger_ev = evtimer_new(sbd_base, channel_linger_cb,
	    ch)) == NULL)
		fatalx("evtimer_new failed");
	evtimer_add(ch->linger_ev, &tv);
	ch->linger = req;
	return (OP_PARKED);
}

/* The drain is over, or took too long: the handle closes; close answered. */
static void
channel_linger_done(struct channel *ch)
{
	struct handle	*h = ch->h;

	log_debug("client %u: close handle %u after its channel drained",
	    h->session->num, h->value);
	handle_close(h);	/* answers the close: channel_close */
}

/* A close waited CHAN_LINGER seconds for the drain: it closes now. */
static void
channel_linger_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel	*ch = arg;
	struct session	*s = ch->h->session;

	session_ref(s);
	channel_linger_done(ch);
	session_unref(s);
}

/*
 * A non-blocking connect finished: READY. Whether it failed stays the
 * socket's SO_ERROR, for the client to read as after a local connect.
 */
static void
channel_connected(struct channel *ch)
{
	if (channel_put(ch, SBC_READY, 0) == -1)
		return;
	ch->state = channel_state(ch->h);
	if (ch->state == CHAN_CONNECTING)	/* cannot be: not again */
		ch->state = CHAN_IDLE;
}

/* Empties a queue. */
static void
channel_queue_reset(struct chan_queue *q)
{
	free(q->buf);
	free(q->lens);
	memset(q, 0, sizeof *q);
}

/* Appends one message (its iovecs) to a queue. */
static void
channel_queue_add(struct chan_queue *q, const struct iovec *iov, size_t n)
{
	size_t	 i, len = 0;

	if (q->n > 0 && q->i == q->n)
		channel_queue_reset(q);
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	q->buf = realloc(q->buf, q->len + len);
	q->lens = reallocarray(q->lens, q->n + 1, sizeof *q->lens);
	/* At most one batch: out of memory here is the host's, not input. */
	if (q->buf == NULL || q->lens == NULL)
		fatal("channel queue");
	for (i = 0; i < n; i++) {
		if (iov[i].iov_len > 0)
			memcpy(q->buf + q->len, iov[i].iov_base,
			    iov[i].iov_len);
		q->len += iov[i].iov_len;
	}
	q->lens[q->n++] = (uint32_t)len;
}

/*
 * Writes what waits in ch->out to the channel. Returns 0 when all went,
 * 1 if the channel is full, -1 if the client's end is gone (the channel is
 * then dead).
 */
static int
channel_flush(struct channel *ch)
{
	struct chan_queue	*q = &ch->out;
	ssize_t			 n;

	if (!ch->stream)
		return (channel_flush_dgram(ch));
	while (q->i < q->n) {
		n = send(ch->fd, q->buf + q->off, q->len - q->off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (1);
		if (n == -1) {
			channel_kill(ch);
			return (-1);
		}
		q->off += (size_t)n;
		if (q->off == q->len)
			q->i = q->n;
	}
	return (0);
}

/* channel_flush of a datagram channel: the messages waiting, by sendmmsg. */
static int
channel_flush_dgram(struct channel *ch)
{
	struct chan_queue	*q = &ch->out;
	struct mmsghdr		 msgs[CHAN_BATCH];
	struct iovec		 iov[CHAN_BATCH];
	size_t			 pos = 0, k;
	unsigned int		 want;
	int			 n, i;

	for (k = 0; k < q->i; k++)
		pos += q->lens[k];
	while (q->i < q->n) {
		want = q->n - q->i < CHAN_BATCH ? q->n - q->i : CHAN_BATCH;
		memset(msgs, 0, want * sizeof msgs[0]);
		for (k = 0; k < want; k++) {
			iov[k].iov_base = q->buf + pos;
			iov[k].iov_len = q->lens[q->i + k];
			msgs[k].msg_hdr.msg_iov = &iov[k];
			msgs[k].msg_hdr.msg_iovlen = 1;
			pos += iov[k].iov_len;
		}
		n = sendmmsg(ch->fd, msgs, want, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n == -1 && errno == EAGAIN)
			return (1);
		else if (n == -1) {
			channel_kill(ch);
			return (-1);
		}
		for (i = n; i < (int)want; i++)
			pos -= iov[i].iov_len;
		q->i += (size_t)n;
	}
	return (0);
}

/*
 * Sends (or queues behind what waits) a message without a body to the
 * client. Returns 0, or -1 if the channel died.
 */
static int
channel_put(struct channel *ch, int type, int32_t result)
{
	struct sbc_hdr	 hdr;
	struct iovec	 iov = { .iov_base = &hdr, .iov_len = sizeof hdr };
	ssize_t		 n = 0;

	if (ch->dead)
		return (-1);
	if (ch->out_shut)
		return (0);	/* after EOF: nothing more to say */
	sbc_encode(&hdr, type, 0, result, 0, 0, 0, 0);
	if (ch->out.n == ch->out.i) {
		channel_queue_reset(&ch->out);
		do
			n = send(ch->fd, &hdr, sizeof hdr, MSG_DONTWAIT |
			    MSG_NOSIGNAL);
		while (n == -1 && errno == EINTR);
		if (n == (ssize_t)sizeof hdr)
			return (0);
		if (n == -1 && errno != EAGAIN) {
			channel_kill(ch);
			return (-1);
		}
		if (n == -1)
			n = 0;
	}
	iov.iov_base = (uint8_t *)&hdr + n;
	iov.iov_len = sizeof hdr - (size_t)n;
	channel_queue_add(&ch->out, &iov, 1);
	return (0);
}

/* The socket is readable: a READY for a listener, else data. */
static void
channel_sock_read(struct channel *ch)
{
	int	 i;

	if (ch->out.n > ch->out.i)
		return;		/* one batch waits already */
	if (ch->state == CHAN_LISTEN) {
		if (channel_put(ch, SBC_READY, 0) == 0)
			ch->ready_sent = 1;
		return;
	}
	if (ch->stream) {
		channel_stream_recv(ch);
		return;
	}
	/* More batches while the socket fills them and the pair takes them. */
	for (i = 0; i < CHAN_ROUNDS; i++) {
		if (channel_dgram_recv(ch) < CHAN_BATCH || ch->dead ||
		    ch->drain || ch->out.n > ch->out.i)
			break;
	}
}

/*
 * Drops the descriptors a datagram brought (an AF_UNIX peer's SCM_RIGHTS):
 * they are closed and the rest of the ancillary data is kept, with
 * MSG_CTRUNC, as recvmsg requests report it.
 */
static size_t
channel_ctrl_filter(uint8_t *ctrl, size_t len, uint32_t *flags)
{
	struct msghdr	 msg = { .msg_control = ctrl, .msg_controllen = len };
	struct cmsghdr	*cm;
	size_t		 keep = 0, i, n, space;
	int		*fds;

	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		space = CMSG_SPACE(cm->cmsg_len - CMSG_LEN(0));
		if (space > len - ((uint8_t *)cm - ctrl))
			space = len - ((uint8_t *)cm - ctrl);
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			fds = (int *)CMSG_DATA(cm);
			n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < n; i++)
				close(fds[i]);
			*flags |= MSG_CTRUNC;
			continue;
		}
		memmove(ctrl + keep, cm, space);
		keep += space;
	}
	return (keep);
}

/*
 * One batch of datagrams from the socket into the channel: what the
 * channel does not take now waits in ch->out, and the socket is not read
 * again until it went. Each DATA's seq counts the messages of the batch
 * after it, so that a client that finds them missing knows we are still
 * writing them (client/sb-channel.c, sb_channel_batch). Returns the
 * datagrams read.
 */
static int
channel_dgram_recv(struct channel *ch)
{
	struct handle	*h = ch->h;
	struct mmsghdr	 in[CHAN_BATCH], out[CHAN_BATCH];
	struct iovec	 iin[CHAN_BATCH], iout[CHAN_BATCH];
	int		 n, i, j = 0, k, unix_ = h->family == AF_UNIX;

	memset(in, 0, sizeof in);
	for (i = 0; i < CHAN_BATCH; i++) {
		iin[i].iov_base = chan_rx_msg[i] + CHAN_PRE;
		iin[i].iov_len = SBC_MAX_DATA;
		in[i].msg_hdr.msg_iov = &iin[i];
		in[i].msg_hdr.msg_iovlen = 1;
		in[i].msg_hdr.msg_name = &chan_rx_addr[i];
		in[i].msg_hdr.msg_namelen = sizeof chan_rx_addr[i];
		in[i].msg_hdr.msg_control = chan_rx_ctrl[i];
		in[i].msg_hdr.msg_controllen = CHAN_CTRL;
	}
	n = recvmmsg(ch->sock, in, CHAN_BATCH, MSG_DONTWAIT | (unix_ ?
	    MSG_TRUNC | MSG_CMSG_CLOEXEC : kernel_proto_recv_flags(h->family,
	    h->protocol)), NULL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			channel_dgram_error(ch, -errno);
		return (0);
	}
	for (i = 0; i < n; i++) {
		if (in[i].msg_len == 0 && h->type == SOCK_SEQPACKET) {
			ch->sock_eof = 1;	/* the peer closed: EOF, once */
			break;
		}
		if (channel_dgram_msg(ch, &in[i].msg_hdr, in[i].msg_len,
		    chan_rx_msg[i], &chan_rx_hdr[j], &iout[j]) == -1)
			continue;
		memset(&out[j], 0, sizeof out[j]);
		out[j].msg_hdr.msg_iov = &iout[j];
		out[j].msg_hdr.msg_iovlen = 1;
		j++;
	}
	if (j == 0)
		return (n);
	for (k = 0; k < j; k++) {
		chan_rx_hdr[k].seq = (uint32_t)(j - 1 - k);	/* to come */
		memcpy(iout[k].iov_base, &chan_rx_hdr[k], SBC_HDR_LEN);
	}
	do
		k = sendmmsg(ch->fd, out, (unsigned int)j, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	while (k == -1 && errno == EINTR);
	if (k == -1 && errno != EAGAIN) {
		channel_kill(ch);
		return (n);
	}
	for (k = k < 0 ? 0 : k; k < j; k++)
		channel_queue_add(&ch->out, &iout[k], 1);
	return (n);
}

/*
 * Builds the DATA message of a datagram received (len bytes, its data at
 * CHAN_PRE of slot) in front of its data: the header in *hdr (the caller
 * writes it at iov's start), the address and ancillary data in the slot;
 * the message in *iov. -1 if the policy does not let the client hear it.
 */
static int
channel_dgram_msg(struct channel *ch, struct msghdr *mh, size_t len,
    uint8_t *slot, struct sbc_hdr *hdr, struct iovec *iov)
{
	struct handle	*h = ch->h;
	uint8_t		*data = slot + CHAN_PRE, *p;
	size_t		 have, clen;
	uint32_t	 flags;

	have = len < SBC_MAX_DATA ? len : SBC_MAX_DATA;
	if (mediate_can_recv(h->session, h, data, have) != 0)
		return (-1);
	flags = (uint32_t)mh->msg_flags;
	clen = mh->msg_controllen;
	if (h->family == AF_UNIX && clen > 0)
		clen = channel_ctrl_filter(mh->msg_control, clen, &flags);
	if (mh->msg_namelen > SBC_MAX_ADDR)
		mh->msg_namelen = SBC_MAX_ADDR;
	sbc_encode(hdr, SBC_DATA, 0, len > INT32_MAX ? INT32_MAX :
	    (int32_t)len, flags, mh->msg_namelen, clen, have);
	p = data - clen;
	if (clen > 0)
		memcpy(p, mh->msg_control, clen);
	p -= mh->msg_namelen;
	if (mh->msg_namelen > 0)
		memcpy(p, mh->msg_name, mh->msg_namelen);
	p -= SBC_HDR_LEN;
	iov->iov_base = p;
	iov->iov_len = (size_t)(data + have - p);
	return (0);
}

/*
 * A socket error of a datagram channel. It goes as ERROR only into an
 * empty pair, and the socket is read again only once the client took it:
 * a batch the client reads (sb_recvmmsg) never has an ERROR but alone, so
 * that it returns the data before the error, and the error on the next
 * call, as Linux's recvmmsg does, and until then the ERROR waits in the
 * pair, where poll() sees it.
 */
static void
channel_dgram_error(struct channel *ch, int32_t err)
{
	ch->drain = 1;
	ch->err = err;
	ch->drain_ms = 0;
	channel_drain(ch);
}

/*
 * While the socket waits for an empty pair: if it is empty, the error that
 * waits goes, or the socket is read again (channel_arm); if not, a look
 * again later (the pair says nothing when it empties: it is writable long
 * before), at most CHAN_DRAIN_MS on.
 */
static void
channel_drain(struct channel *ch)
{
	struct timeval	 tv;
	int		 outq = 0;

	if (ch->dead || !ch->drain)
		return;
	if (ch->out.n == ch->out.i && (ioctl(ch->fd, SIOCOUTQ, &outq) == -1 ||
	    outq == 0)) {
		if (ch->err == 0) {
			ch->drain = 0;
			return;
		}
		if (channel_put(ch, SBC_ERROR, ch->err) == -1)
			return;
		ch->err = 0;
		ch->drain_ms = 0;
	}
	/* Out of memory in libevent: not something a client chose. */
	if (ch->drain_ev == NULL && (ch->drain_ev = evtimer_new(sbd_base,
	    channel_drain_cb, ch)) == NULL)
		fatalx("evtimer_new failed");
	ch->drain_ms = ch->drain_ms == 0 ? 1 : ch->drain_ms * 2;
	if (ch->drain_ms > CHAN_DRAIN_MS)
		ch->drain_ms = CHAN_DRAIN_MS;
	tv.tv_sec = 0;
	tv.tv_usec = ch->drain_ms * 1000;
	evtimer_add(ch->drain_ev, &tv);
}

/* A look at whether the pair is empty (channel_drain). */
static void
channel_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel	*ch = arg;
	struct session	*s = ch->h->session;

	session_ref(s);
	channel_drain(ch);
	if (!s->dead)
		channel_arm(ch);
	session_unref(s);
}

/*
 * Stream chunks from the socket into the channel, while it takes them
 * whole (CHAN_CHUNKS a callback at most); a chunk it takes in part waits
 * in ch->out. Spliced (socket -> shared pipe -> pair: no copy here)
 * unless the kernel refuses, or the socket was made blocking; else copied.
 */
static void
channel_stream_recv(struct channel *ch)
{
	int	 i, splice_;

	splice_ = !ch->nosplice && chan_pipe[0] != -1 &&
	    channel_nonblocking(ch->sock);
	for (i = 0; i < CHAN_CHUNKS && ch->out.n == ch->out.i; i++) {
		if (ch->dead || ch->sock_eof)
			return;
		if (splice_ && !ch->nosplice) {
			if (channel_stream_splice(ch) != 0)
				return;
		} else if (channel_stream_copy(ch) != 0)
			return;
	}
}

/* The kernel refused a splice (errno says why): this channel copies. */
static void
channel_nosplice(struct channel *ch)
{
	log_debug("client %u: handle %u: splice refused (%s), copying",
	    ch->h->session->num, ch->h->value, strerror(errno));
	ch->nosplice = 1;
}

/*
 * What a read of a stream socket returned, n: 0 for data to pass on; 1
 * when there is none (nothing there yet, EOF noted, an error sent on).
 */
static int
channel_stream_got(struct channel *ch, ssize_t n)
{
	if (n > 0)
		return (0);
	if (n == 0)
		ch->sock_eof = 1;	/* channel_arm shuts our end */
	else if (errno != EAGAIN && errno != EINTR)
		channel_put(ch, SBC_ERROR, -errno);
	return (1);
}

/*
 * One chunk read from the socket and written to the channel: 0 if it went
 * whole, 1 if not (nothing there, EOF, an error, or the rest queued).
 */
static int
channel_stream_copy(struct channel *ch)
{
	struct sbc_hdr	 hdr;
	struct iovec	 iov[2];
	ssize_t		 n, w;
	size_t		 off;

	n = recv(ch->sock, chan_rx_data[0], SBC_MAX_DATA, MSG_DONTWAIT);
	if (channel_stream_got(ch, n))
		return (1);
	sbc_encode(&hdr, SBC_DATA, 0, (int32_t)n, 0, 0, 0, (size_t)n);
	iov[0].iov_base = &hdr;
	iov[0].iov_len = sizeof hdr;
	iov[1].iov_base = chan_rx_data[0];
	iov[1].iov_len = (size_t)n;
	do
		w = writev(ch->fd, iov, 2);
	while (w == -1 && errno == EINTR);
	if (w == -1 && errno != EAGAIN) {
		channel_kill(ch);
		return (1);
	}
	off = w < 0 ? 0 : (size_t)w;
	if (off == sizeof hdr + (size_t)n)
		return (0);
	channel_queue_reset(&ch->out);
	if (off < sizeof hdr) {
		iov[0].iov_base = (uint8_t *)&hdr + off;
		iov[0].iov_len = sizeof hdr - off;
	} else {
		iov[1].iov_base = chan_rx_data[0] + (off - sizeof hdr);
		iov[1].iov_len = (size_t)n - (off - sizeof hdr);
		iov[0].iov_len = 0;
	}
	channel_queue_add(&ch->out, iov, 2);
	return (1);
}

/*
 * One chunk spliced from the socket into the shared pipe, its header
 * written to the channel, then the chunk spliced on: 0 if it went whole,
 * 1 if not (nothing there, EOF, an error, or the rest queued: read out of
 * the pipe into ch->out). Falls back to channel_stream_copy for good if
 * the kernel cannot splice these descriptors.
 */
static int
channel_stream_splice(struct channel *ch)
{
	struct sbc_hdr	 hdr;
	ssize_t		 n, w;
	size_t		 off, room = SBC_MAX_DATA;
	int		 q;

	/* Only what the pair takes now: a remainder would be copied. */
	if (ch->sndbuf > 0 && ioctl(ch->fd, SIOCOUTQ, &q) == 0) {
		if (q + CHAN_SLACK + (int)CHAN_SPLICE_MIN > ch->sndbuf) {
			ch->full = 1;
			return (1);
		}
		if ((size_t)(ch->sndbuf - q - CHAN_SLACK) < room)
			room = (size_t)(ch->sndbuf - q - CHAN_SLACK);
	}
	do
		n = splice(ch->sock, NULL, chan_pipe[1], NULL, room,
		    CHAN_SPLICE);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EINVAL || errno == ENOSYS)) {
		channel_nosplice(ch);
		return (channel_stream_copy(ch));
	}
	if (channel_stream_got(ch, n))
		return (1);
	sbc_encode(&hdr, SBC_DATA, 0, (int32_t)n, 0, 0, 0, (size_t)n);
	do
		w = send(ch->fd, &hdr, sizeof hdr, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w == -1 && errno == EINTR);
	if (w == -1 && errno != EAGAIN)
		goto dead;
	off = w < 0 ? 0 : (size_t)w;
	if (off == sizeof hdr) {
		do
			w = splice(chan_pipe[0], NULL, ch->fd, NULL, (size_t)n,
			    CHAN_SPLICE);
		while (w == -1 && errno == EINTR);
		if (w == -1 && (errno == EINVAL || errno == ENOSYS))
			channel_nosplice(ch);
		else if (w == -1 && errno != EAGAIN)
			goto dead;
		if (w == n)
			return (0);
		off += w < 0 ? 0 : (size_t)w;
	}
	channel_stream_queue(ch, &hdr, off, (size_t)n);
	return (1);
dead:
	channel_pipe_read(NULL, (size_t)n);
	channel_kill(ch);
	return (1);
}

/*
 * What the channel did not take of a spliced chunk (off bytes of its
 * header and n bytes of data went) waits in ch->out: read out of the
 * shared pipe, which is empty again.
 */
static void
channel_stream_queue(struct channel *ch, const struct sbc_hdr *hdr,
    size_t off, size_t n)
{
	struct iovec	 iov[2];
	size_t		 hoff = off < sizeof *hdr ? off : sizeof *hdr;
	size_t		 doff = off - hoff;

	if (channel_pipe_read(chan_rx_data[0], n - doff) == -1) {
		channel_kill(ch);	/* the stream would be torn */
		return;
	}
	iov[0].iov_base = (uint8_t *)hdr + hoff;
	iov[0].iov_len = sizeof *hdr - hoff;
	iov[1].iov_base = chan_rx_data[0];
	iov[1].iov_len = n - doff;
	channel_queue_reset(&ch->out);
	channel_queue_add(&ch->out, iov, 2);
}

/* The channel is readable, or the socket writable again: client data. */
static void
channel_chan_read(struct channel *ch)
{
	if (ch->dead)
		return;
	if (ch->stream)
		channel_stream_in(ch);
	else
		channel_dgram_in(ch);
}

/*
 * Datagrams from the client: first what waited for the socket, then one
 * batch from the channel. What the socket does not take waits in ch->in.
 */
static void
channel_dgram_in(struct channel *ch)
{
	struct session	*s = ch->h->session;
	struct chan_queue *q = &ch->in;
	struct mmsghdr	 msgs[CHAN_BATCH];
	struct iovec	 iov[CHAN_BATCH];
	size_t		 pos = 0, k;
	int		 n, i, r;

	for (k = 0; k < q->i; k++)
		pos += q->lens[k];
	while (q->i < q->n) {
		r = channel_dgram_run(ch, q->buf + pos, q->lens[q->i]);
		if (r != 0)
			return;		/* blocked, dead or gone */
		pos += q->lens[q->i++];
	}
	channel_queue_reset(q);
	memset(msgs, 0, sizeof msgs);
	for (i = 0; i < CHAN_BATCH; i++) {
		iov[i].iov_base = chan_tx[i];
		iov[i].iov_len = sizeof chan_tx[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	n = recvmmsg(ch->fd, msgs, CHAN_BATCH, MSG_DONTWAIT, NULL);
	if (n == -1) {
		if (errno != EAGAIN && errno != EINTR)
			channel_kill(ch);
		return;
	}
	ch->in_time = channel_now();	/* the batch's timeouts start */
	for (i = 0; i < n; i++) {
		if (msgs[i].msg_len == 0) {
			ch->in_eof = 1;		/* the client closed its end */
			return;
		}
		if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			channel_fail(ch, "channel message too large");
			return;
		}
		r = channel_dgram_run(ch, chan_tx[i], msgs[i].msg_len);
		if (r == -1 || s->dead || ch->dead)
			return;
		if (r == 1)
			break;
	}
	for (; i < n; i++) {
		iov[i].iov_len = msgs[i].msg_len;
		channel_queue_add(q, &iov[i], 1);
	}
}

/*
 * One message of a datagram channel: 0 done (sent, answered or
 * discarded), 1 if the socket is full (ch->blocked set), -1 if the channel
 * or the session is gone.
 */
static int
channel_dgram_run(struct channel *ch, const uint8_t *buf, size_t len)
{
	struct session	*s = ch->h->session;
	struct sbc_msg	 m;
	size_t		 prog = 0;
	int		 r;

	if (sbc_decode(buf, len, &m) == -1 || (m.hdr.type != SBC_SEND &&
	    m.hdr.type != SBC_FILL) || (m.hdr.type == SBC_SEND &&
	    m.hdr.seq == 0)) {
		channel_fail(ch, "malformed channel message");
		return (-1);
	}
	if (m.hdr.type == SBC_FILL)
		return (0);
	r = channel_send(ch, &m, &prog);
	if (s->dead || ch->dead)
		return (-1);
	return (r);
}

/*
 * Stream bytes from the client, run message by message; what the socket
 * does not take stays in ch->ibuf (one message at most), and the channel
 * is read again once it went. The data of a large SEND is spliced (pair ->
 * shared pipe -> socket: no copy here) once its header is read; after one,
 * the next header is read alone, so that its data is spliced whole.
 */
static void
channel_stream_in(struct channel *ch)
{
	ssize_t	 n;
	size_t	 want;
	int	 i, r, splice_;

	if (ch->ibuf == NULL)
		ch->ibuf = xcalloc(1, SBC_MAX_MSG);
	splice_ = !ch->nosplice && chan_pipe[0] != -1 &&
	    channel_nonblocking(ch->sock);
	for (i = 0;; i++) {
		if (channel_stream_run(ch) != 0)
			return;
		if (ch->in_eof || ch->wfail)
			break;
		if (i == CHAN_CHUNKS)
			return;		/* others' turn; the event stays */
		if (ch->sp_left > 0) {
			if ((r = channel_stream_splice_send(ch, splice_)) == 1)
				return;
			if (r == -1 && !ch->dead)
				break;		/* the client shut its end */
			if (r == -1)
				return;
			continue;
		}
		want = SBC_MAX_MSG - ch->ilen;
		if (ch->sp_big && ch->ilen < SBC_HDR_LEN)
			want = SBC_HDR_LEN - ch->ilen;
		n = recv(ch->fd, ch->ibuf + ch->ilen, want, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			channel_kill(ch);
			return;
		}
		if (n == 0) {
			ch->in_eof = 1;
			continue;
		}
		ch->ilen += (size_t)n;
		if (splice_ && !ch->nosplice)
			channel_stream_convert(ch);
	}
	/*
	 * The client shut its end: all it wrote went. The socket stays as it
	 * is (SHUT asks for its shutdown): a close must not shut down what
	 * another handle or a passed descriptor shares.
	 */
	if (ch->in_eof && !ch->wfail && (ch->ilen != 0 || ch->sp_left != 0))
		channel_fail(ch, "channel ends inside a message");
}

/*
 * If ch->ibuf ends with the start of a large SEND (no address, ancillary
 * data or flags: nothing to check but its header), the data still in the
 * pair is left there for channel_stream_splice_send: ch->ibuf keeps the
 * whole messages before it and the data it has of it, as a SEND of its
 * own. Whole messages are left for channel_stream_run. Whether the last
 * SEND was large (ch->sp_big) says if the next header is read alone.
 */
static void
channel_stream_convert(struct channel *ch)
{
	struct sbc_hdr	 hdr;
	size_t		 off = 0, have;
	ssize_t		 len;
	int		 plain;

	while ((len = sbc_header(ch->ibuf + off, ch->ilen - off, &hdr)) > 0) {
		plain = hdr.type == SBC_SEND && hdr.addrlen == 0 &&
		    hdr.ctrllen == 0 &&
		    (hdr.flags & ~(uint32_t)MSG_DONTWAIT) == 0;
		ch->sp_big = plain && hdr.datalen >= CHAN_SPLICE_MIN;
		if ((size_t)len > ch->ilen - off)
			break;
		off += (size_t)len;
	}
	if (len <= 0)
		return;		/* a header to come, or malformed: run says */
	have = ch->ilen - off - SBC_HDR_LEN;
	if (!plain || hdr.datalen - have < CHAN_SPLICE_MIN)
		return;
	ch->sp_left = hdr.datalen - have;
	ch->sp_flags = hdr.flags;
	if (have == 0) {
		ch->ilen = off;
		return;
	}
	sbc_encode(&hdr, SBC_SEND, 0, 0, ch->sp_flags, 0, 0, have);
	memcpy(ch->ibuf + off, &hdr, sizeof hdr);
}

/*
 * Back to copying: the data of the SEND being spliced is read into
 * ch->ibuf (empty then) as a SEND of its own.
 */
static void
channel_stream_unsplice(struct channel *ch)
{
	struct sbc_hdr	 hdr;

	if (ch->ilen != 0)
		return;		/* ch->ibuf runs first; spliced after */
	sbc_encode(&hdr, SBC_SEND, 0, 0, ch->sp_flags, 0, 0, ch->sp_left);
	memcpy(ch->ibuf, &hdr, sizeof hdr);
	ch->ilen = sizeof hdr;
	ch->sp_left = 0;
	ch->sp_big = 0;
}

/*
 * Some data of the SEND being spliced, from the pair through the shared
 * pipe to the socket (splice_ 0: back to copying): 0 if all that came went, 1 to wait (nothing came,
 * or the socket is full: ch->blocked, and what it did not take waits in
 * ch->ibuf as a SEND of its own), -1 at the client's EOF or if the channel
 * died. A send that failed has its ERROR sent and the rest of its data
 * dropped, as channel_send drops a message.
 */
static int
channel_stream_splice_send(struct channel *ch, int splice_)
{
	struct sbc_hdr	 hdr;
	ssize_t		 n, w;
	size_t		 rest;

	if (!ch->sp_drop && (!splice_ || ch->nosplice)) {
		channel_stream_unsplice(ch);	/* ch->ibuf is empty */
		return (0);
	}
	if (ch->sp_drop) {
		rest = ch->sp_left < SBC_MAX_DATA ? ch->sp_left : SBC_MAX_DATA;
		n = recv(ch->fd, chan_rx_data[0], rest, MSG_DONTWAIT);
	} else
		n = splice(ch->fd, NULL, chan_pipe[1], NULL, ch->sp_left,
		    CHAN_SPLICE);
	if (n == -1 && errno == EINTR)
		return (0);
	if (n == -1 && errno == EAGAIN)
		return (1);
	if (n == -1 && (errno == EINVAL || errno == ENOSYS)) {
		channel_nosplice(ch);
		channel_stream_unsplice(ch);
		return (0);
	}
	if (n == -1) {
		channel_kill(ch);
		return (-1);
	}
	if (n == 0) {
		ch->in_eof = 1;		/* inside a message: fails */
		return (-1);
	}
	ch->sp_left -= (size_t)n;
	if (ch->sp_drop) {
		ch->sp_drop = ch->sp_left > 0;
		return (0);
	}
	do
		w = splice(chan_pipe[0], NULL, ch->sock, NULL, (size_t)n,
		    CHAN_SPLICE);
	while (w == -1 && errno == EINTR);
	if (w == n)
		return (0);
	if (w == -1 && errno != EAGAIN && errno != EINVAL && errno != ENOSYS) {
		channel_pipe_read(NULL, (size_t)n);
		if (errno == EPIPE || errno == ECONNRESET) {
			ch->wfail = 1;
			shutdown(ch->fd, SHUT_RD);
		}
		channel_put(ch, SBC_ERROR, -errno);
		ch->sp_drop = ch->sp_left > 0;
		return (ch->dead ? -1 : 0);
	}
	if (w == -1 && errno != EAGAIN)
		channel_nosplice(ch);
	/* What the socket did not take: out of the pipe, sent by copy. */
	rest = (size_t)n - (w < 0 ? 0 : (size_t)w);
	sbc_encode(&hdr, SBC_SEND, 0, 0, ch->sp_flags, 0, 0, rest);
	memcpy(ch->ibuf, &hdr, sizeof hdr);
	if (channel_pipe_read(ch->ibuf + sizeof hdr, rest) == -1) {
		channel_fail(ch, "splice pipe lost data");
		return (-1);
	}
	ch->ilen = sizeof hdr + rest;
	if (!ch->nosplice)
		ch->blocked = 1;
	return (ch->nosplice ? 0 : 1);
}

/*
 * Runs the whole messages at the start of ch->ibuf. Returns 0 when what
 * is left is less than a message, 1 if the socket is full, -1 if the
 * channel or session is gone.
 */
static int
channel_stream_run(struct channel *ch)
{
	struct session	*s = ch->h->session;
	struct sbc_msg	 m;
	ssize_t		 len;
	size_t		 off = 0;
	int		 r = 0;

	while (r == 0 && (len = sbc_header(ch->ibuf + off, ch->ilen - off,
	    &m.hdr)) > 0 && (size_t)len <= ch->ilen - off) {
		if (sbc_decode(ch->ibuf + off, (size_t)len, &m) == -1 ||
		    (m.hdr.type != SBC_SEND && m.hdr.type != SBC_FILL &&
		    m.hdr.type != SBC_SHUT)) {
			channel_fail(ch, "malformed channel message");
			return (-1);
		}
		if (m.hdr.type == SBC_SEND && !ch->wfail)
			r = channel_send(ch, &m, &ch->iprog);
		else if (m.hdr.type == SBC_SHUT)
			shutdown(ch->sock, SHUT_WR);	/* what came before went */
		if ((s->dead && !ch->last) || ch->dead)
			return (-1);
		if (r == 0) {
			off += (size_t)len;
			ch->iprog = 0;
		}
	}
	if (len == -1) {
		channel_fail(ch, "malformed channel message");
		return (-1);
	}
	memmove(ch->ibuf, ch->ibuf + off, ch->ilen - off);
	ch->ilen -= off;
	return (r);
}

/*
 * The sharer that wrote datagram SEND m (the slot in its pad), whose
 * connection the answer goes to and whose identity the policy checks; NULL
 * for a slot no sharer holds (logged once a channel).
 */
static struct handle *
channel_writer(struct channel *ch, const struct sbc_msg *m)
{
	struct handle	*h = NULL;

	if (m->hdr.pad < ch->nslots)
		h = ch->sharers[m->hdr.pad];
	if (h == NULL && !ch->warned) {
		ch->warned = 1;
		log_warnx("client %u: handle %u: a SEND of sharer slot %u, "
		    "which no handle holds, dropped (logged once)",
		    ch->h->session->num, ch->h->value, m->hdr.pad);
	}
	return (h);
}

/*
 * Sends one SEND message (from *prog bytes of its data on) to the socket:
 * 0 when done (or dropped: a datagram of an unknown slot), 1 if the socket
 * is full (ch->blocked set). A datagram's result, success or failure,
 * answers the call id it carries on its writer's connection; a stream's
 * failure is an ERROR message.
 */
static int
channel_send(struct channel *ch, const struct sbc_msg *m, size_t *prog)
{
	struct handle		*h = ch->stream ? ch->h : channel_writer(ch, m);
	struct session		*s;
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendRequest	 sr = SOCKBROKER__SEND_REQUEST__INIT;
	struct sockaddr_storage	 ss;
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[SBC_MAX_CTRL];
	} ctrl;
	struct iovec		 iov;
	struct msghdr		 msg;
	socklen_t		 sslen = 0;
	ssize_t			 n;

	if (h == NULL)
		return (0);
	s = h->session;
	req.id = m->hdr.seq;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &sr;
	if (channel_send_check(ch, h, &req, m, &ss, &sslen, ctrl.buf) == -1)
		return (0);
	memset(&msg, 0, sizeof msg);
	if (sslen > 0) {
		msg.msg_name = &ss;
		msg.msg_namelen = sslen;
	}
	iov.iov_base = (uint8_t *)m->data + *prog;
	iov.iov_len = m->hdr.datalen - *prog;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (m->hdr.ctrllen > 0) {
		msg.msg_control = ctrl.buf;
		msg.msg_controllen = m->hdr.ctrllen;
	}
	do
		n = sendmsg(ch->sock, &msg, (int)m->hdr.flags | MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN && ch->stream) {
		ch->blocked = 1;
		return (1);
	}
	if (n == -1 && errno == EAGAIN && !(m->hdr.flags & MSG_DONTWAIT)) {
		/* SEND's result: the timeout in milliseconds, 0 none. */
		if (channel_send_wait(ch, m->hdr.result > 0 ?
		    (uint32_t)m->hdr.result : 0) == 1)
			return (1);
		reply_error(s, req.id, SOCKBROKER__ERROR__KIND__TIMEOUT, EAGAIN,
		    "send: timed out");
	} else if (n == -1 && !ch->stream)
		reply_errno(s, req.id, errno, "send");
	else if (n == -1) {
		if (errno == EPIPE || errno == ECONNRESET) {
			ch->wfail = 1;
			shutdown(ch->fd, SHUT_RD);
		}
		channel_put(ch, SBC_ERROR, -errno);
	} else if (!ch->stream)
		reply_count(s, req.id, (uint64_t)n);
	else if ((*prog += (size_t)n) < m->hdr.datalen) {
		ch->blocked = 1;
		return (1);
	}
	return (0);
}

/* Monotonic time in seconds. */
static double
channel_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/*
 * A datagram of ch->in's batch (or the one being read) found the socket
 * full; its SEND gave it ms milliseconds (0: no limit). 1 if it waits
 * (ch->blocked set, the timer armed for what is left), 0 if its time is
 * up: it is answered with a timeout.
 */
static int
channel_send_wait(struct channel *ch, uint32_t ms)
{
	struct timeval	 tv;
	double		 left;

	if (ms > 0 && (left = ch->in_time + ms / 1e3 - channel_now()) <= 0)
		return (0);
	ch->blocked = 1;
	if (ms == 0)
		return (1);
	/* Out of memory in libevent: not something a client chose. */
	if (ch->send_ev == NULL && (ch->send_ev = evtimer_new(sbd_base,
	    channel_send_timeout_cb, ch)) == NULL)
		fatalx("evtimer_new failed");
	tv.tv_sec = (time_t)left;
	tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
	if (tv.tv_usec < 999999)
		tv.tv_usec++;		/* not a hair early */
	evtimer_add(ch->send_ev, &tv);
	return (1);
}

/*
 * A blocked datagram's timeout: it is tried once more, and answered with
 * the timeout if the socket is still full; the channel is read again.
 */
static void
channel_send_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct channel	*ch = arg;
	struct session	*s = ch->h->session;

	session_ref(s);
	if (!ch->dead && ch->blocked) {
		ch->blocked = 0;
		channel_chan_read(ch);
	}
	if (!s->dead)
		channel_arm(ch);
	session_unref(s);
}

/*
 * What a send request is checked for, for a SEND message of sharer h: its
 * flags, its address (decoded as a request's is), its ancillary items
 * (copied, aligned, into ctrl) and the policy (mediate_send). Streams are
 * connected: their address is ignored, as the kernel's TCP does, and
 * their data is not the policy's. Returns 0, or -1 once answered.
 */
static int
channel_send_check(struct channel *ch, struct handle *h,
    const Sockbroker__Request *req, const struct sbc_msg *m,
    struct sockaddr_storage *ss, socklen_t *sslen, uint8_t *ctrl)
{
	struct session		*s = h->session;
	struct sbp_address	 a;
	struct sockaddr_storage	 raw;
	struct cmsghdr		 cm;
	size_t			 off = 0;

	if (m->hdr.flags & ~(uint32_t)OP_SEND_FLAGS) {
		errno = EINVAL;
		goto bad;
	}
	memcpy(ctrl, m->ctrl != NULL ? m->ctrl : (const uint8_t *)"",
	    m->hdr.ctrllen);
	while (off < m->hdr.ctrllen) {
		if (m->hdr.ctrllen - off < sizeof cm)
			goto inval;
		memcpy(&cm, ctrl + off, sizeof cm);
		if (cm.cmsg_len < CMSG_LEN(0) ||
		    cm.cmsg_len > m->hdr.ctrllen - off ||
		    op_msg_item_ok(cm.cmsg_level, cm.cmsg_type,
		    cm.cmsg_len - CMSG_LEN(0)) == -1)
			goto bad;
		off += CMSG_SPACE(cm.cmsg_len - CMSG_LEN(0));
	}
	if (ch->stream)
		return (0);
	if (m->hdr.addrlen > 0) {
		memset(&raw, 0, sizeof raw);
		memcpy(&raw, m->addr, m->hdr.addrlen);
		if (sbp_address_from_sockaddr(&a, (struct sockaddr *)&raw,
		    m->hdr.addrlen, h->protocol, NULL) == -1)
			goto bad;
		if (op_sockaddr(s, req, h, &a.addr, ss, sslen) == -1)
			return (-1);
	}
	return (mediate_send(s, req, h, *sslen > 0 ? (struct sockaddr *)ss :
	    NULL, *sslen, m->data, m->hdr.datalen));
inval:
	errno = EINVAL;
bad:
	if (ch->stream)
		channel_put(ch, SBC_ERROR, -errno);
	else
		reply_errno(s, req->id, errno, "send");
	return (-1);
}
