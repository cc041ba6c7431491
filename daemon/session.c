/* SPDX-License-Identifier: ISC */
/*
 * Client sessions: one per connection. A session learns who its peer is from
 * the kernel, decodes requests and hands each to its op_* function. It is
 * created with one reference, which the connection holds; when the peer is
 * lost the session is marked dead, its handles and parked requests dropped,
 * and it is freed when the last reference (a callback still on the stack, a
 * resolver job) goes.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

static TAILQ_HEAD(, session)	sessions = TAILQ_HEAD_INITIALIZER(sessions);
static unsigned int		session_nsessions;
static unsigned int		session_next_id = 1;

static int	session_frame_cb(struct peer *, const uint8_t *, size_t,
		    void *);
static void	session_lost_cb(struct peer *, const char *, void *);
static void	session_dispatch(struct session *, Sockbroker__Request *);
static enum op_result	session_op(struct session *, Sockbroker__Request *);

/*
 * Starts a session on a freshly accepted client socket, learning from the
 * kernel who the peer is; a peer the kernel will not name is turned away.
 */
void
session_create(int fd)
{
	struct session	*s;
	char		 who[1024];

	s = xcalloc(1, sizeof *s);
	s->num = session_next_id++;
	s->refs = 1;
	if (identity_get(fd, &s->id) == -1) {
		log_warn("client %u: refused, cannot tell who the peer is",
		    s->num);
		identity_free(&s->id);
		free(s);
		close(fd);
		return;
	}
	handle_table_init(&s->handles, sbd_conf.max_handles);
	peer_init(&s->peer, fd, sbd_conf.max_frame);
	s->peer.frame_cb = session_frame_cb;
	s->peer.lost_cb = session_lost_cb;
	s->peer.arg = s;
	TAILQ_INSERT_TAIL(&sessions, s, entry);
	session_nsessions++;
	identity_describe(&s->id, who, sizeof who);
	log_info("client %u: connected, %s", s->num, who);
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
	if (!s->dead)
		fatalx("session %u freed while connected", s->num);
	identity_free(&s->id);
	free(s);
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
	handle_table_free(&s->handles);
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
}

/* The framing layer lost the peer. */
static void
session_lost_cb(struct peer *p, const char *why, void *arg)
{
	session_lost(arg, why);
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
	session_ref(s);
	session_dispatch(s, req);
	gone = s->dead;
	session_unref(s);
	return (gone ? -1 : 0);
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
	default:
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EOPNOTSUPP, "unknown operation");
		return (OP_DONE);
	}
}
