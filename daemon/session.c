/* SPDX-License-Identifier: ISC */
/*
 * Client sessions: one per connection. A session learns who its peer is from
 * the kernel, decodes requests and hands each to its op_* function. The
 * names of its peer's user and groups come from a resolver job started at
 * accept; requests that arrive before them (the Hello) are held, in order,
 * until they are in, so a slow directory stalls that client only. It is
 * created with one reference, which the connection holds; when the peer is
 * lost the session is marked dead, its handles and parked requests dropped,
 * and it is freed when the last reference (a callback still on the stack, a
 * resolver job) goes.
 */

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

static TAILQ_HEAD(, session)	sessions = TAILQ_HEAD_INITIALIZER(sessions);
static unsigned int		session_nsessions;
static unsigned int		session_next_id = 1;
static unsigned int		session_freed;	/* since the last trim */
static struct event		*session_trim_ev;
static int			 session_stopping;	/* no more trims */

static int	session_frame_cb(struct peer *, const uint8_t *, size_t,
		    void *);
static void	session_lost_cb(struct peer *, const char *, void *);
static int	session_busy_cb(struct peer *, void *);
static void	session_dispatch(struct session *, Sockbroker__Request *);
static enum op_result	session_op(struct session *, Sockbroker__Request *);
static int	session_hold(struct session *, Sockbroker__Request *);
static void	session_early_free(struct session *);
static void	session_trim_cb(evutil_socket_t, short, void *);
static void	session_trim_schedule(void);

/*
 * Starts a session on a freshly accepted client socket, learning from the
 * kernel who the peer is; a peer the kernel will not name is turned away
 * (NULL). The session runs requests once its names are in (s->named).
 */
struct session *
session_create(int fd)
{
	struct session	*s;

	s = xcalloc(1, sizeof *s);
	s->num = session_next_id++;
	s->refs = 1;
	s->early_tail = &s->early;
	if (identity_get(fd, &s->id) == -1) {
		log_warn("client %u: refused, cannot tell who the peer is",
		    s->num);
		identity_free(&s->id);
		free(s);
		close(fd);
		return (NULL);
	}
	handle_table_init(&s->handles);
	peer_init(&s->peer, fd, sbd_conf.max_frame);
	s->peer.frame_cb = session_frame_cb;
	s->peer.lost_cb = session_lost_cb;
	s->peer.busy_cb = session_busy_cb;
	s->peer.arg = s;
	TAILQ_INSERT_TAIL(&sessions, s, entry);
	session_nsessions++;
	log_debug("client %u: accepted, uid %lu pid %ld; resolving names",
	    s->num, (unsigned long)s->id.uid, (long)s->id.pid);
	identity_resolve(s);
	return (s);
}

/*
 * The names of s's peer are in (identity.c): log who connected and run the
 * requests held until now, in order, as long as the session lives.
 */
void
session_named(struct session *s)
{
	struct session_early	*e;
	char			 who[1024];

	s->named = 1;
	identity_describe(&s->id, who, sizeof who);
	log_info("client %u: connected, %s", s->num, who);
	session_ref(s);
	while (!s->dead && (e = s->early) != NULL) {
		if ((s->early = e->next) == NULL)
			s->early_tail = &s->early;
		s->pending--;
		session_dispatch(s, e->req);
		free(e);
	}
	session_unref(s);
}

/* Frees the requests held for the names, unanswered: the session is lost. */
static void
session_early_free(struct session *s)
{
	struct session_early	*e;

	while ((e = s->early) != NULL) {
		s->early = e->next;
		s->pending--;
		sockbroker__request__free_unpacked(e->req, NULL);
		free(e);
	}
	s->early_tail = &s->early;
}

/*
 * Logs that the client hit a limit, once per client and limit: a client
 * that keeps hitting it gets an error each time, but the log no flood.
 */
void
session_limit(struct session *s, enum sbd_limit limit, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	if (s->warned & (1U << limit))
		return;
	s->warned |= 1U << limit;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_warnx("client %u (uid %lu, pid %ld): %s", s->num,
	    (unsigned long)s->id.uid, (long)s->id.pid, msg);
}

/* How many clients are connected. */
unsigned int
session_count(void)
{
	return (session_nsessions);
}

/* Takes a reference: the session outlives the caller's use of it. */
void
session_ref(struct session *s)
{
	s->refs++;
}

/* Drops a reference; the last one frees the session. */
void
session_unref(struct session *s)
{
	if (--s->refs > 0)
		return;
	/* A broken invariant of ours (a reference miscounted), never input. */
	if (!s->dead)
		fatalx("session %u freed while connected", s->num);
	identity_free(&s->id);
	free(s);
	if (++session_freed >= SBD_TRIM_FREES)
		session_trim_schedule();
}

/*
 * After a burst of disconnects, gives the freed memory back to the system
 * once the burst is over (glibc keeps the top of a heap and freed arenas
 * otherwise: RSS stayed at its peak after 9,000 clients left). Runs from
 * the loop a second after the last free of the burst.
 */
static void
session_trim_schedule(void)
{
	struct timeval	 tv = { 1, 0 };

	if (sbd_base == NULL || session_stopping)
		return;
	if (session_trim_ev == NULL &&
	    (session_trim_ev = evtimer_new(sbd_base, session_trim_cb,
	    NULL)) == NULL)
		return;		/* no trim: only memory kept longer */
	evtimer_add(session_trim_ev, &tv);
}

/* The burst of frees is over: trims the heap. */
static void
session_trim_cb(evutil_socket_t fd, short what, void *arg)
{
	log_debug("%u sessions freed: trimming the heap", session_freed);
	session_freed = 0;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/*
 * The peer is gone or misbehaved: close its handles (dropping every parked
 * request), the connection, and unlink it. Idempotent.
 */
void
session_lost(struct session *s, const char *why)
{
	if (s->dead)
		return;
	s->dead = 1;
	log_info("client %u: lost (%s), closing %u handle(s)", s->num, why,
	    s->handles.count);
	session_early_free(s);
	handle_table_free(&s->handles);
	share_session_gone(s);
	peer_free(&s->peer);
	TAILQ_REMOVE(&sessions, s, entry);
	session_nsessions--;
	session_unref(s);
}

/* At shutdown: loses every session still connected. */
void
session_free_all(void)
{
	struct session	*s;

	while ((s = TAILQ_FIRST(&sessions)) != NULL)
		session_lost(s, "daemon shutting down");
	session_stopping = 1;
	if (session_trim_ev != NULL)
		event_free(session_trim_ev);
	session_trim_ev = NULL;
}

/* The framing layer lost the peer. */
static void
session_lost_cb(struct peer *p, const char *why, void *arg)
{
	session_lost(arg, why);
}

/*
 * Whether requests of the session are still in progress (parked, resolving,
 * held for the names): a half-closed peer waits for their answers.
 */
static int
session_busy_cb(struct peer *p, void *arg)
{
	struct session	*s = arg;

	return (s->pending > 0 || !s->named);
}

/*
 * One frame from the client. A frame that is not a Request drops the peer;
 * returns -1 if the peer is gone so the framing layer stops.
 */
static int
session_frame_cb(struct peer *p, const uint8_t *buf, size_t len, void *arg)
{
	struct session		*s = arg;
	Sockbroker__Request	*req;
	int			 gone;

	if ((req = sbp_request_unpack(buf, len)) == NULL) {
		log_warnx("client %u: undecodable request (%zu bytes)", s->num,
		    len);
		session_lost(s, "malformed request");
		return (-1);
	}
	if (!s->named)
		return (session_hold(s, req));
	session_ref(s);
	session_dispatch(s, req);
	gone = s->dead;
	session_unref(s);
	return (gone ? -1 : 0);
}

/*
 * Holds a request that came before the peer's names. A client that sends
 * more than --max-pending of them has not waited for its Hello answer, as
 * every client must: it is dropped (returns -1), not buffered without end.
 * The name lookup job holds a reference, so s outlives session_lost here.
 */
static int
session_hold(struct session *s, Sockbroker__Request *req)
{
	struct session_early	*e;

	if (s->pending >= sbd_conf.max_pending) {
		sockbroker__request__free_unpacked(req, NULL);
		session_limit(s, LIMIT_PENDING, "%u requests before its hello "
		    "was answered", s->pending + 1);
		session_lost(s, "requests before hello");
		return (-1);
	}
	e = xcalloc(1, sizeof *e);
	e->req = req;
	*s->early_tail = e;
	s->early_tail = &e->next;
	s->pending++;
	return (0);
}

/* Runs one request and frees it unless an operation parked it. */
static void
session_dispatch(struct session *s, Sockbroker__Request *req)
{
	log_debug("client %u: request %llu: %s", s->num,
	    (unsigned long long)req->id, sbp_op_name(req));
	if (!s->hello && req->op_case != SOCKBROKER__REQUEST__OP_HELLO) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EPROTO, "the first request must be hello");
		sockbroker__request__free_unpacked(req, NULL);
		return;
	}
	if (session_op(s, req) == OP_DONE)
		sockbroker__request__free_unpacked(req, NULL);
}

/* Calls the op_* function of the request's operation. */
static enum op_result
session_op(struct session *s, Sockbroker__Request *req)
{
	switch (req->op_case) {
	case SOCKBROKER__REQUEST__OP_HELLO:
		return (op_hello(s, req));
	case SOCKBROKER__REQUEST__OP_SOCKET:
		return (op_socket(s, req));
	case SOCKBROKER__REQUEST__OP_BIND:
		return (op_bind(s, req));
	case SOCKBROKER__REQUEST__OP_CONNECT:
		return (op_connect(s, req));
	case SOCKBROKER__REQUEST__OP_LISTEN:
		return (op_listen(s, req));
	case SOCKBROKER__REQUEST__OP_ACCEPT:
		return (op_accept(s, req));
	case SOCKBROKER__REQUEST__OP_SEND:
		return (op_send(s, req));
	case SOCKBROKER__REQUEST__OP_RECV:
		return (op_recv(s, req));
	case SOCKBROKER__REQUEST__OP_SETSOCKOPT:
		return (op_setsockopt(s, req));
	case SOCKBROKER__REQUEST__OP_GETSOCKOPT:
		return (op_getsockopt(s, req));
	case SOCKBROKER__REQUEST__OP_SOCKNAME:
		return (op_sockname(s, req));
	case SOCKBROKER__REQUEST__OP_SHUTDOWN:
		return (op_shutdown(s, req));
	case SOCKBROKER__REQUEST__OP_CLOSE:
		return (op_close(s, req));
	case SOCKBROKER__REQUEST__OP_DUP:
		return (op_dup(s, req));
	case SOCKBROKER__REQUEST__OP_GETHOSTNAME:
		return (op_gethostname(s, req));
	case SOCKBROKER__REQUEST__OP_GETADDRINFO:
		return (op_getaddrinfo(s, req));
	case SOCKBROKER__REQUEST__OP_GETNAMEINFO:
		return (op_getnameinfo(s, req));
	case SOCKBROKER__REQUEST__OP_IF_NAMEINDEX:
		return (op_if_nameindex(s, req));
	case SOCKBROKER__REQUEST__OP_IF_NAMETOINDEX:
		return (op_if_nametoindex(s, req));
	case SOCKBROKER__REQUEST__OP_IF_INDEXTONAME:
		return (op_if_indextoname(s, req));
	case SOCKBROKER__REQUEST__OP_SENDMSG:
		return (op_sendmsg(s, req));
	case SOCKBROKER__REQUEST__OP_RECVMSG:
		return (op_recvmsg(s, req));
	case SOCKBROKER__REQUEST__OP_IOCTL:
		return (op_ioctl(s, req));
	case SOCKBROKER__REQUEST__OP_GETHOSTBYNAME:
		return (op_gethostbyname(s, req));
	case SOCKBROKER__REQUEST__OP_GETHOSTBYADDR:
		return (op_gethostbyaddr(s, req));
	case SOCKBROKER__REQUEST__OP_GETFQDN:
		return (op_getfqdn(s, req));
	case SOCKBROKER__REQUEST__OP_GETSERVBYNAME:
		return (op_getservbyname(s, req));
	case SOCKBROKER__REQUEST__OP_GETSERVBYPORT:
		return (op_getservbyport(s, req));
	case SOCKBROKER__REQUEST__OP_GETPROTOBYNAME:
		return (op_getprotobyname(s, req));
	case SOCKBROKER__REQUEST__OP_PASSFD:
		return (op_passfd(s, req));
	case SOCKBROKER__REQUEST__OP_CHANNEL:
		return (op_channel(s, req));
	case SOCKBROKER__REQUEST__OP_SHARE:
		return (op_share(s, req));
	case SOCKBROKER__REQUEST__OP_IMPORT:
		return (op_import(s, req));
	default:
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EOPNOTSUPP, "unknown operation");
		return (OP_DONE);
	}
}
