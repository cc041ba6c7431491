/* SPDX-License-Identifier: ISC */
/*
 * Operations on sockets as objects: hello, socket, bind, connect, listen,
 * accept, getsockname/getpeername, shutdown, close, dup; and the checks every
 * operation on a handle starts with.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "sockbrokerd.h"

#define OP_TYPE_FLAGS	(SOCK_NONBLOCK | SOCK_CLOEXEC)

static enum op_result	op_connect_wait(struct session *, struct handle *,
			    struct waiter *);
static enum op_result	op_accept_try(struct session *, struct handle *,
			    struct waiter *);

/*
 * Finds the handle a request names; answers EBADF and returns NULL if it is
 * not one of this session's open handles.
 */
struct handle *
op_handle(struct session *s, const Sockbroker__Request *req, uint32_t value)
{
	struct handle	*h;

	if ((h = handle_lookup(s, value)) == NULL)
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EBADF,
		    "%s: bad handle %u", sbp_op_name(req), value);
	return (h);
}

/*
 * Converts a request's address for use with handle h. Answers and returns
 * -1 if it is missing, malformed or of another family than the socket.
 */
int
op_sockaddr(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const Sockbroker__Address *a,
    struct sockaddr_storage *ss, socklen_t *len)
{
	const char	*cause;

	if (a == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "%s: missing address", sbp_op_name(req));
		return (-1);
	}
	if (sbp_address_to_sockaddr(a, ss, len, &cause) == -1) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, errno,
		    "%s: %s", sbp_op_name(req), cause);
		return (-1);
	}
	if (ss->ss_family != h->family && !(h->family == AF_RDS &&
	    (ss->ss_family == AF_INET || ss->ss_family == AF_INET6))) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
		    EAFNOSUPPORT, "%s: address family %d, socket family %d",
		    sbp_op_name(req), ss->ss_family, h->family);
		return (-1);
	}
	return (0);
}

/*
 * Answers a failed request. connect_ex reports the failure of the
 * connection itself as its result, not as an error, as Python's does.
 */
void
op_fail(struct session *s, const Sockbroker__Request *req, int kind,
    int errnum, const char *what)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__ErrnoReply	 er = SOCKBROKER__ERRNO_REPLY__INIT;

	if (req->op_case == SOCKBROKER__REQUEST__OP_CONNECT &&
	    req->connect->has_ex && req->connect->ex &&
	    kind != SOCKBROKER__ERROR__KIND__PROTOCOL) {
		er.errnum = errnum;
		resp.id = req->id;
		resp.result_case = SOCKBROKER__RESPONSE__RESULT_ERRNUM;
		resp.errnum = &er;
		reply_send(s, &resp);
		return;
	}
	if (kind == SOCKBROKER__ERROR__KIND__OS)
		reply_error(s, req->id, kind, errnum, "%s: %s: %s",
		    sbp_op_name(req), what, strerror(errnum));
	else
		reply_error(s, req->id, kind, errnum, "%s: %s",
		    sbp_op_name(req), what);
}

/*
 * Answers with a new handle and, for accept, the peer's address; with
 * chan set, its data channel comes with the reply if it can have one (a
 * handle without is still answered: the client asks again or goes on).
 * A handle that has a channel already joined it (an import): its slot.
 */
void
op_reply_handle(struct session *s, uint64_t id, struct handle *h,
    const struct sockaddr *sa, socklen_t len, int chan)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__HandleReply	 hr = SOCKBROKER__HANDLE_REPLY__INIT;
	struct sbp_address	 a;
	int			 fd;

	hr.handle = h->value;
	hr.family = h->family;
	hr.type = h->type;
	hr.protocol = h->protocol;
	if (sa != NULL &&
	    sbp_address_from_sockaddr(&a, sa, len, h->protocol, NULL) == 0)
		hr.address = &a.addr;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_HANDLE;
	resp.handle = &hr;
	if (h->chan != NULL) {
		hr.has_slot = 1;
		hr.slot = h->slot;
	} else if (chan && op_channel_attach(h, &fd) == 0) {
		hr.has_channel = hr.channel = 1;
		if (reply_send_fd(s, &resp, fd) == 0) {
			close(fd);
			return;
		}
		close(fd);
		log_debug("client %u: handle %u: no room for its channel",
		    s->num, h->value);
		channel_close(h);
		hr.has_channel = hr.channel = 0;
	}
	reply_send(s, &resp);
}

/* hello: checks the version and tells the client our limits and families. */
enum op_result
op_hello(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__HelloRequest *hello = req->hello;
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__HelloReply	 hr = SOCKBROKER__HELLO_REPLY__INIT;
	size_t			 nfam, max_out = SBP_MAX_FRAME;

	if (hello->version != SBP_VERSION) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EPROTONOSUPPORT, "protocol version %u not supported "
		    "(this daemon speaks %u)", hello->version, SBP_VERSION);
		return (OP_DONE);
	}
	if (hello->has_max_frame) {
		if (hello->max_frame < SBP_MIN_FRAME) {
			reply_error(s, req->id,
			    SOCKBROKER__ERROR__KIND__PROTOCOL, EINVAL,
			    "max_frame %u under the minimum %u",
			    hello->max_frame, SBP_MIN_FRAME);
			return (OP_DONE);
		}
		max_out = hello->max_frame;
	}
	s->peer.max_out = max_out;
	s->hello = 1;

	hr.version = SBP_VERSION;
	hr.max_frame = sbd_conf.max_frame;
	hr.max_handles = sbd_conf.max_handles;
	hr.max_data = (max_out < sbd_conf.max_frame ? max_out :
	    sbd_conf.max_frame) - SBP_FRAME_OVERHEAD;
	hr.families = (int32_t *)family_list(&nfam);
	hr.n_families = nfam;
	hr.fd_passing = 1;
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_HELLO;
	resp.hello = &hr;
	reply_send(s, &resp);
	return (OP_DONE);
}

/* socket: opens a non-blocking socket of a family this daemon serves. */
enum op_result
op_socket(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SocketRequest *sr = req->socket;
	int			 type = sr->type & ~OP_TYPE_FLAGS;
	int			 protocol = sr->has_protocol ? sr->protocol : 0;
	struct handle		*h;
	size_t			 i, n;
	const int		*fams = family_list(&n);
	int			 fd;

	for (i = 0; i < n && fams[i] != sr->family; i++)
		;
	if (i == n) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
		    EAFNOSUPPORT, "socket: address family %d not served",
		    sr->family);
		return (OP_DONE);
	}
	if (type <= 0 || type > SOCK_PACKET) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "socket: bad socket type %d", sr->type);
		return (OP_DONE);
	}
	if (mediate_socket(s, req, sr->family, type, protocol) == -1)
		return (OP_DONE);
	/* A packet socket hears nothing until the policy saw where (bind). */
	fd = socket(sr->family, type | OP_TYPE_FLAGS, sr->family == AF_PACKET ?
	    0 : protocol);
	if (fd == -1) {
		reply_errno(s, req->id, errno, "socket");
		return (OP_DONE);
	}
	if ((h = handle_new(s, fd, sr->family, type, protocol)) == NULL) {
		close(fd);
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EMFILE,
		    "socket: handle limit reached (%u)", sbd_conf.max_handles);
		return (OP_DONE);
	}
	log_debug("client %u: socket(%d, %d, %d) = handle %u", s->num,
	    sr->family, type, protocol, h->value);
	op_reply_handle(s, req->id, h, NULL, 0, sr->has_channel &&
	    sr->channel);
	return (OP_DONE);
}

/* bind. */
enum op_result
op_bind(struct session *s, Sockbroker__Request *req)
{
	struct handle		*h;
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	if ((h = op_handle(s, req, req->bind->handle)) == NULL ||
	    op_sockaddr(s, req, h, req->bind->address, &ss, &len) == -1 ||
	    mediate_address(s, req, h, POLICY_BIND, (struct sockaddr *)&ss,
	    len) == -1)
		return (OP_DONE);
	if (h->family == AF_PACKET &&
	    ((struct sockaddr_ll *)&ss)->sll_protocol == 0)
		((struct sockaddr_ll *)&ss)->sll_protocol = (uint16_t)h->protocol;
	if (bind(h->fd, (struct sockaddr *)&ss, len) == -1) {
		reply_errno(s, req->id, errno, "bind");
		return (OP_DONE);
	}
	h->bound = 1;
	reply_empty(s, req->id);
	return (OP_DONE);
}

/*
 * AF_PACKET sockets are opened with protocol 0, so that they receive
 * nothing before the policy has seen on which interface: bind names one,
 * and the first receive on a socket never bound binds it to every
 * interface (ifindex 0) with its protocol, if the policy grants that.
 * Returns 0 to go on, -1 once answered.
 */
int
op_packet_autobind(struct session *s, const Sockbroker__Request *req,
    struct handle *h)
{
	struct sockaddr_ll	 sll;

	if (h->family != AF_PACKET || h->bound || h->protocol == 0)
		return (0);
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = (uint16_t)h->protocol;
	if (mediate_address(s, req, h, POLICY_BIND, (struct sockaddr *)&sll,
	    sizeof sll) == -1)
		return (-1);
	if (bind(h->fd, (struct sockaddr *)&sll, sizeof sll) == -1) {
		reply_errno(s, req->id, errno, "bind");
		return (-1);
	}
	h->bound = 1;
	return (0);
}

/* Answers a connect that completed: success, or the connection's errno. */
static void
op_connect_done(struct session *s, const Sockbroker__Request *req, int err)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__ErrnoReply	 er = SOCKBROKER__ERRNO_REPLY__INIT;

	if (err != 0) {
		op_fail(s, req, SOCKBROKER__ERROR__KIND__OS, err,
		    "connection failed");
		return;
	}
	if (!(req->connect->has_ex && req->connect->ex)) {
		reply_empty(s, req->id);
		return;
	}
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_ERRNUM;
	resp.errnum = &er;
	reply_send(s, &resp);
}

/* connect (and connect_ex): parks until the connection is made or fails. */
enum op_result
op_connect(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__ConnectRequest *cr = req->connect;
	struct handle		*h;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 err;

	if ((h = op_handle(s, req, cr->handle)) == NULL ||
	    wait_timeout_check(s, req, cr->has_timeout, cr->timeout) == -1 ||
	    op_sockaddr(s, req, h, cr->address, &ss, &len) == -1 ||
	    mediate_address(s, req, h, POLICY_CONNECT, (struct sockaddr *)&ss,
	    len) == -1)
		return (OP_DONE);
	err = connect(h->fd, (struct sockaddr *)&ss, len) == 0 ? 0 : errno;
	channel_update(h);
	if (err == 0) {
		op_connect_done(s, req, 0);
		return (OP_DONE);
	}
	if (err != EINPROGRESS ||
	    (cr->has_timeout && cr->timeout == 0)) {
		op_connect_done(s, req, err);
		return (OP_DONE);
	}
	return (wait_park(s, h, req, WAIT_WRITE, cr->has_timeout, cr->timeout,
	    op_connect_wait, 0));
}

/* A connecting socket became writable: the connection is made or failed. */
static enum op_result
op_connect_wait(struct session *s, struct handle *h, struct waiter *w)
{
	int		 err = 0;
	socklen_t	 len = sizeof err;

	if (getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	channel_update(h);
	op_connect_done(s, w->req, err);
	return (OP_DONE);
}

/* listen; a negative backlog is 0, as Python makes it. */
enum op_result
op_listen(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__ListenRequest *lr = req->listen;
	struct handle		*h;
	int			 backlog = SOMAXCONN < 128 ? SOMAXCONN : 128;

	if ((h = op_handle(s, req, lr->handle)) == NULL)
		return (OP_DONE);
	if (lr->has_backlog)
		backlog = lr->backlog < 0 ? 0 : lr->backlog;
	if (listen(h->fd, backlog) == -1)
		reply_errno(s, req->id, errno, "listen");
	else {
		channel_update(h);
		reply_empty(s, req->id);
	}
	return (OP_DONE);
}

/* accept: a new handle and the peer's address. */
enum op_result
op_accept(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__AcceptRequest *ar = req->accept;
	struct handle		*h;

	if ((h = op_handle(s, req, ar->handle)) == NULL ||
	    wait_timeout_check(s, req, ar->has_timeout, ar->timeout) == -1)
		return (OP_DONE);
	return (wait_try(s, h, req, WAIT_READ, ar->has_timeout, ar->timeout,
	    op_accept_try));
}

/* One accept attempt. */
static enum op_result
op_accept_try(struct session *s, struct handle *h, struct waiter *w)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	struct handle		*nh;
	int			 fd, err, noaddr = h->family == AF_ALG;

	/*
	 * An AF_ALG operation socket has no address: accept() asked for one
	 * fails with ECONNABORTED (as Python's sock_accept_impl notes).
	 */
	fd = accept4(h->fd, noaddr ? NULL : (struct sockaddr *)&ss,
	    noaddr ? NULL : &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	err = fd == -1 ? errno : 0;
	channel_update(h);	/* a listener's next READY */
	if (fd == -1) {
		if (err == EAGAIN || err == EINTR || err == ECONNABORTED)
			return (OP_PARKED);
		reply_errno(s, w->req->id, err, "accept");
		return (OP_DONE);
	}
	if ((nh = handle_new(s, fd, h->family, h->type, h->protocol)) == NULL) {
		close(fd);
		reply_error(s, w->req->id, SOCKBROKER__ERROR__KIND__OS, EMFILE,
		    "accept: handle limit reached (%u)", sbd_conf.max_handles);
		return (OP_DONE);
	}
	op_reply_handle(s, w->req->id, nh, noaddr ? NULL :
	    (struct sockaddr *)&ss, len, w->req->accept->has_channel &&
	    w->req->accept->channel);
	return (OP_DONE);
}

/* getsockname, or getpeername with peer set. */
enum op_result
op_sockname(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SocknameRequest *sr = req->sockname;
	struct handle		*h;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	int			 peer = sr->has_peer && sr->peer, r;

	if ((h = op_handle(s, req, sr->handle)) == NULL)
		return (OP_DONE);
	memset(&ss, 0, sizeof ss);
	if (peer)
		r = getpeername(h->fd, (struct sockaddr *)&ss, &len);
	else
		r = getsockname(h->fd, (struct sockaddr *)&ss, &len);
	if (r == -1)
		reply_errno(s, req->id, errno, peer ? "getpeername" :
		    "getsockname");
	else
		reply_address(s, req->id, (struct sockaddr *)&ss, len,
		    h->protocol);
	return (OP_DONE);
}

/* shutdown. */
enum op_result
op_shutdown(struct session *s, Sockbroker__Request *req)
{
	struct handle	*h;
	int		 how = req->shutdown->how;

	if ((h = op_handle(s, req, req->shutdown->handle)) == NULL)
		return (OP_DONE);
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "shutdown: bad how %d", how);
		return (OP_DONE);
	}
	if (shutdown(h->fd, how) == -1)
		reply_errno(s, req->id, errno, "shutdown");
	else
		reply_empty(s, req->id);
	return (OP_DONE);
}

/* close: requests parked on the handle fail with EBADF first. */
enum op_result
op_close(struct session *s, Sockbroker__Request *req)
{
	struct handle	*h;

	if ((h = op_handle(s, req, req->close->handle)) == NULL)
		return (OP_DONE);
	if (channel_linger(h, req) == OP_PARKED)
		return (OP_PARKED);	/* closes once its channel drained */
	log_debug("client %u: close handle %u", s->num, h->value);
	handle_close(h);
	reply_empty(s, req->id);
	return (OP_DONE);
}

/* dup: a second handle for the same socket. */
enum op_result
op_dup(struct session *s, Sockbroker__Request *req)
{
	struct handle	*h, *nh;
	int		 fd;

	if ((h = op_handle(s, req, req->dup->handle)) == NULL)
		return (OP_DONE);
	if ((fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		reply_errno(s, req->id, errno, "dup");
		return (OP_DONE);
	}
	if ((nh = handle_new(s, fd, h->family, h->type, h->protocol)) == NULL) {
		close(fd);
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EMFILE,
		    "dup: handle limit reached (%u)", sbd_conf.max_handles);
		return (OP_DONE);
	}
	nh->bound = h->bound;
	/* A second relay on one socket would split its data between them. */
	op_reply_handle(s, req->id, nh, NULL, 0, req->dup->has_channel &&
	    req->dup->channel && h->chan == NULL);
	return (OP_DONE);
}
