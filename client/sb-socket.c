/* SPDX-License-Identifier: ISC */
/*
 * Socket life cycle: socket, bind, connect, listen, accept, shutdown, close,
 * dup, share and import, names, and the per-handle timeouts.
 */

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static int	 sb_socket_handle(struct sb_conn *, Sockbroker__Request *,
		     double, struct sockaddr *, socklen_t *);
static int	 sb_socket_empty(struct sb_conn *, Sockbroker__Request *);
static int	 sb_socket_channels(struct sb_conn *);
static void	 sb_socket_connect_fill(struct conn_chan *, int);
static void	 sb_socket_connected(struct sb_conn *, int, int);
static int	 sb_socket_connect(struct sb_conn *, int,
		     const struct sockaddr *, socklen_t, int);
static int	 sb_socket_name(struct sb_conn *, int, struct sockaddr *,
		     socklen_t *, int);

/* Whether new handles get their channels with their replies. */
static int
sb_socket_channels(struct sb_conn *c)
{
	int	 on;

	pthread_mutex_lock(&c->lock);
	on = c->channels && c->info.fd_passing;
	pthread_mutex_unlock(&c->lock);
	return (on);
}

/*
 * Sends a request answered by a HandleReply, registers the new handle with
 * timeout (and the channel that came with the reply, if one did) and
 * copies the reply's address out. Returns the handle or -1.
 */
static int
sb_socket_handle(struct sb_conn *c, Sockbroker__Request *req, double timeout,
    struct sockaddr *addr, socklen_t *addrlen)
{
	Sockbroker__Response	*resp;
	uint32_t		 h;
	int			 r, fd;

	if (conn_call_handle(c, req, &resp, &fd) == -1)
		return (-1);
	h = resp->handle->handle;
	if (h == 0 || h > INT_MAX) {
		sockbroker__response__free_unpacked(resp, NULL);
		if (fd != -1)
			close(fd);
		return (conn_protoerror(c, "bad handle in response"));
	}
	conn_handle_add(c, (int)h, timeout, resp->handle);
	if (req->op_case == SOCKBROKER__REQUEST__OP_ACCEPT)
		conn_handle_setpeer(c, (int)h);
	if (fd != -1 && conn_handle_setchan(c, (int)h, fd) == -1)
		close(fd);	/* cannot be: the handle is new */
	r = conn_address_to(c, resp->handle->address, addr, addrlen);
	sockbroker__response__free_unpacked(resp, NULL);
	return (r == -1 ? -1 : (int)h);
}

/* Sends a request answered by an EmptyReply; 0 or -1. */
static int
sb_socket_empty(struct sb_conn *c, Sockbroker__Request *req)
{
	Sockbroker__Response	*resp;

	if (conn_call(c, req, SOCKBROKER__RESPONSE__RESULT_EMPTY, &resp) == -1)
		return (-1);
	sockbroker__response__free_unpacked(resp, NULL);
	return (0);
}

/* Creates a socket in the daemon; returns its handle. */
SB_EXPORT int
sb_socket(sb_conn *c, int family, int type, int protocol)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocketRequest op = SOCKBROKER__SOCKET_REQUEST__INIT;
	double			 timeout;

	if (conn_valid(c) == -1)
		return (-1);
	op.family = family;
	op.type = type;
	op.has_protocol = 1;
	op.protocol = protocol;
	op.has_channel = op.channel = sb_socket_channels(c);
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKET;
	req.socket = &op;

	/* As Python: SOCK_NONBLOCK in type means timeout 0. */
	if (type & SOCK_NONBLOCK)
		timeout = 0;
	else
		timeout = sb_getdefaulttimeout(c);
	return (sb_socket_handle(c, &req, timeout, NULL, NULL));
}

/* Binds a handle to an address. */
SB_EXPORT int
sb_bind(sb_conn *c, int h, const struct sockaddr *addr, socklen_t addrlen)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__BindRequest	 op = SOCKBROKER__BIND_REQUEST__INIT;
	struct sbp_address	 a;

	if (conn_valid(c) == -1 || conn_address_from(&a, addr, addrlen,
	    conn_handle_protocol(c, h)) == -1)
		return (-1);
	op.handle = h;
	op.address = &a.addr;
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &op;
	return (sb_socket_empty(c, &req));
}

/* A connect answered err (kept in errno) on a handle with a channel. */
static void
sb_socket_connect_fill(struct conn_chan *ch, int err)
{
	sb_channel_connect(ch, err);
	errno = err;
}

/*
 * After a connect that answered err: a stream handle that is connected or
 * connecting has a peer from now on (see sb_channel_peer).
 */
static void
sb_socket_connected(struct sb_conn *c, int h, int err)
{
	if (err == 0 || err == EINPROGRESS || err == EALREADY ||
	    err == EISCONN)
		conn_handle_setpeer(c, h);
}

/* Sends a ConnectRequest; ex asks for connect_ex() semantics. */
static int
sb_socket_connect(struct sb_conn *c, int h, const struct sockaddr *addr,
    socklen_t addrlen, int ex)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ConnectRequest op = SOCKBROKER__CONNECT_REQUEST__INIT;
	Sockbroker__Response	*resp;
	struct sbp_address	 a;
	struct conn_chan	 ch;
	int			 r, err;

	if (conn_valid(c) == -1 || conn_address_from(&a, addr, addrlen,
	    conn_handle_protocol(c, h)) == -1)
		return (-1);
	op.handle = h;
	op.address = &a.addr;
	conn_handle_timeout(c, h, &op.has_timeout, &op.timeout);
	op.has_ex = ex;
	op.ex = ex;
	req.op_case = SOCKBROKER__REQUEST__OP_CONNECT;
	req.connect = &op;
	if (!ex) {
		r = sb_socket_empty(c, &req);
		err = r == 0 ? 0 : errno;
		sb_socket_connected(c, h, err);
		if (r == -1 && conn_handle_chan(c, h, &ch) == 1)
			sb_socket_connect_fill(&ch, err);
		errno = err;
		return (r);
	}

	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_ERRNUM, &resp) == -1)
		return (-1);
	r = resp->errnum->errnum;
	sockbroker__response__free_unpacked(resp, NULL);
	if (r < 0)
		return (conn_protoerror(c, "bad errnum in response"));
	sb_socket_connected(c, h, r);
	if (conn_handle_chan(c, h, &ch) == 1)
		sb_socket_connect_fill(&ch, r);
	return (r);
}

/* Connects a handle to an address, within its timeout. */
SB_EXPORT int
sb_connect(sb_conn *c, int h, const struct sockaddr *addr, socklen_t addrlen)
{
	return (sb_socket_connect(c, h, addr, addrlen, 0));
}

/* Connects as Python's connect_ex(): 0 or the errno of the connection. */
SB_EXPORT int
sb_connect_ex(sb_conn *c, int h, const struct sockaddr *addr,
    socklen_t addrlen)
{
	return (sb_socket_connect(c, h, addr, addrlen, 1));
}

/* Marks a handle as listening. */
SB_EXPORT int
sb_listen(sb_conn *c, int h, int backlog)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ListenRequest op = SOCKBROKER__LISTEN_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (-1);
	op.handle = h;
	op.has_backlog = 1;
	op.backlog = backlog;
	req.op_case = SOCKBROKER__REQUEST__OP_LISTEN;
	req.listen = &op;
	return (sb_socket_empty(c, &req));
}

/* Accepts a connection; the new handle gets the default timeout. */
SB_EXPORT int
sb_accept(sb_conn *c, int h, struct sockaddr *addr, socklen_t *addrlen)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__AcceptRequest op = SOCKBROKER__ACCEPT_REQUEST__INIT;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1)
		return (-1);
	if (addr != NULL && addrlen == NULL)
		return (conn_oserror(EFAULT, "no address length"));
	if (conn_handle_chan(c, h, &ch) == 1)
		sb_channel_accept(&ch);	/* the daemon sends the next READY */
	op.handle = h;
	conn_handle_timeout(c, h, &op.has_timeout, &op.timeout);
	op.has_channel = op.channel = sb_socket_channels(c);
	req.op_case = SOCKBROKER__REQUEST__OP_ACCEPT;
	req.accept = &op;
	return (sb_socket_handle(c, &req, sb_getdefaulttimeout(c), addr,
	    addrlen));
}

/* Shuts down one or both directions of a handle. */
SB_EXPORT int
sb_shutdown(sb_conn *c, int h, int how)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ShutdownRequest op = SOCKBROKER__SHUTDOWN_REQUEST__INIT;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1)
		return (-1);
	/*
	 * A stream channel's writing side ends with SHUT and its end of the
	 * pair: the daemon shuts the socket's after what was written before.
	 */
	if (conn_handle_chan(c, h, &ch) == 1 && ch.stream &&
	    (how == SHUT_WR || how == SHUT_RDWR)) {
		if (sb_channel_shut(&ch) == -1 || shutdown(ch.fd, SHUT_WR) == -1)
			return (conn_oserror(errno, "shutdown"));
		if (how == SHUT_WR)
			return (0);
		how = SHUT_RD;
	}
	op.handle = h;
	op.how = how;
	req.op_case = SOCKBROKER__REQUEST__OP_SHUTDOWN;
	req.shutdown = &op;
	return (sb_socket_empty(c, &req));
}

/* Closes a handle; the library forgets it whatever the daemon says. */
SB_EXPORT int
sb_close(sb_conn *c, int h)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__CloseRequest op = SOCKBROKER__CLOSE_REQUEST__INIT;
	int			 fd, stream = 0, shared = 0, r;

	if (conn_valid(c) == -1)
		return (-1);
	op.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_CLOSE;
	req.close = &op;
	/*
	 * A stream channel is shut for writing first: the daemon passes on
	 * what it holds, then the close (which waits for that) goes on. A
	 * channel other processes may share is not shut (that would shut it
	 * for them too): it is closed first, and the daemon's EOF is the
	 * last close of it, anywhere.
	 */
	fd = conn_handle_takechan(c, h, &stream, &shared);
	if (fd != -1 && stream && !shared)
		shutdown(fd, SHUT_WR);
	else if (fd != -1 && shared) {
		close(fd);
		fd = -1;
	}
	conn_handle_del(c, h);
	r = sb_socket_empty(c, &req);
	if (fd != -1)
		close(fd);
	return (r);
}

/* A new handle for the same socket, with the same timeout. */
SB_EXPORT int
sb_dup(sb_conn *c, int h)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__DupRequest	 op = SOCKBROKER__DUP_REQUEST__INIT;
	double			 timeout;

	if (conn_valid(c) == -1)
		return (-1);
	op.handle = h;
	op.has_channel = op.channel = sb_socket_channels(c);
	req.op_case = SOCKBROKER__REQUEST__OP_DUP;
	req.dup = &op;
	conn_handle_gettimeout(c, h, &timeout);
	return (sb_socket_handle(c, &req, timeout, NULL, NULL));
}

/* A token for the handle's socket, for sb_import on another connection. */
SB_EXPORT int
sb_share(sb_conn *c, int h, unsigned char token[SB_TOKEN_LEN])
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ShareRequest op = SOCKBROKER__SHARE_REQUEST__INIT;
	Sockbroker__Response	*resp;
	int			 r = 0;

	if (conn_valid(c) == -1)
		return (-1);
	op.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_SHARE;
	req.share = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_TOKEN, &resp) == -1)
		return (-1);
	if (resp->token->token.len != SB_TOKEN_LEN)
		r = conn_protoerror(c, "bad token in response");
	else {
		memcpy(token, resp->token->token.data, SB_TOKEN_LEN);
		conn_handle_setshared(c, h);
	}
	sockbroker__response__free_unpacked(resp, NULL);
	return (r);
}

/* A handle for the socket an sb_share token holds. */
SB_EXPORT int
sb_import(sb_conn *c, const unsigned char token[SB_TOKEN_LEN])
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ImportRequest op = SOCKBROKER__IMPORT_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (-1);
	op.token.data = (uint8_t *)(uintptr_t)token;
	op.token.len = SB_TOKEN_LEN;
	op.has_channel = op.channel = sb_socket_channels(c);
	req.op_case = SOCKBROKER__REQUEST__OP_IMPORT;
	req.import = &op;
	return (sb_socket_handle(c, &req, sb_getdefaulttimeout(c), NULL,
	    NULL));
}

/*
 * A handle for the socket an sb_share token holds, sharing the data
 * channel the shared handle had: fd, a descriptor of that channel the
 * caller inherited, becomes the handle's (the library's to close with it).
 */
SB_EXPORT int
sb_import_channel(sb_conn *c, const unsigned char token[SB_TOKEN_LEN], int fd)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ImportRequest op = SOCKBROKER__IMPORT_REQUEST__INIT;
	Sockbroker__Response	*resp;
	uint32_t		 h;
	int			 dfd;

	if (conn_valid(c) == -1)
		return (-1);
	if (fd < 0)
		return (conn_oserror(EBADF, "no channel descriptor to keep"));
	op.token.data = (uint8_t *)(uintptr_t)token;
	op.token.len = SB_TOKEN_LEN;
	op.has_join = op.join = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_IMPORT;
	req.import = &op;
	if (conn_call_handle(c, &req, &resp, &dfd) == -1)
		return (-1);
	h = resp->handle->handle;
	if (h == 0 || h > INT_MAX || !resp->handle->has_slot || dfd != -1) {
		sockbroker__response__free_unpacked(resp, NULL);
		if (dfd != -1)
			close(dfd);
		return (conn_protoerror(c, "bad joined handle in response"));
	}
	conn_handle_add(c, (int)h, sb_getdefaulttimeout(c), resp->handle);
	sockbroker__response__free_unpacked(resp, NULL);
	conn_handle_setchan(c, (int)h, fd);	/* a new handle: cannot fail */
	return ((int)h);
}

/*
 * The handle's real descriptor, where the policy grants fd-pass: a new
 * descriptor (close-on-exec) for the same socket, which the caller owns.
 */
SB_EXPORT int
sb_passfd(sb_conn *c, int h)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__PassfdRequest	 op = SOCKBROKER__PASSFD_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (-1);
	if (!c->info.fd_passing)
		return (conn_oserror(EOPNOTSUPP, conn_nofds(c)));
	op.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_PASSFD;
	req.passfd = &op;
	return (conn_call_fd(c, &req));
}

/* Sends a SocknameRequest: the local or (peer set) the remote address. */
static int
sb_socket_name(struct sb_conn *c, int h, struct sockaddr *addr,
    socklen_t *addrlen, int peer)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocknameRequest op = SOCKBROKER__SOCKNAME_REQUEST__INIT;
	Sockbroker__Response	*resp;
	int			 r;

	if (conn_valid(c) == -1)
		return (-1);
	if (addr == NULL || addrlen == NULL)
		return (conn_oserror(EFAULT, "no address buffer"));
	op.handle = h;
	op.has_peer = 1;
	op.peer = peer;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKNAME;
	req.sockname = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_ADDRESS,
	    &resp) == -1)
		return (-1);
	r = conn_address_to(c, resp->address->address, addr, addrlen);
	sockbroker__response__free_unpacked(resp, NULL);
	return (r);
}

/* The local address of a handle. */
SB_EXPORT int
sb_getsockname(sb_conn *c, int h, struct sockaddr *addr, socklen_t *addrlen)
{
	return (sb_socket_name(c, h, addr, addrlen, 0));
}

/* The address of a handle's peer. */
SB_EXPORT int
sb_getpeername(sb_conn *c, int h, struct sockaddr *addr, socklen_t *addrlen)
{
	return (sb_socket_name(c, h, addr, addrlen, 1));
}

/* Sets a handle's timeout: SB_TIMEOUT_NONE, 0 or seconds. */
SB_EXPORT int
sb_settimeout(sb_conn *c, int h, double seconds)
{
	if (conn_valid(c) == -1 || conn_timeout_valid(seconds) == -1)
		return (-1);
	return (conn_handle_settimeout(c, h, seconds));
}

/* A handle's timeout, or -1 with errno EBADF for an unknown handle. */
SB_EXPORT double
sb_gettimeout(sb_conn *c, int h)
{
	double	 t;

	if (conn_valid(c) == -1)
		return (-1);
	if (conn_handle_gettimeout(c, h, &t) == -1) {
		conn_oserror(EBADF, "unknown handle");
		return (-1);
	}
	return (t);
}

/* flag 0 sets timeout 0, any other flag SB_TIMEOUT_NONE. */
SB_EXPORT int
sb_setblocking(sb_conn *c, int h, int flag)
{
	return (sb_settimeout(c, h, flag ? SB_TIMEOUT_NONE : 0));
}

/* Sets the timeout new handles start with; an invalid one is ignored. */
SB_EXPORT void
sb_setdefaulttimeout(sb_conn *c, double seconds)
{
	if (conn_valid(c) == -1 || conn_timeout_valid(seconds) == -1)
		return;
	pthread_mutex_lock(&c->lock);
	c->deftimeout = seconds;
	pthread_mutex_unlock(&c->lock);
}

/* The timeout new handles start with. */
SB_EXPORT double
sb_getdefaulttimeout(sb_conn *c)
{
	double	 t;

	if (conn_valid(c) == -1)
		return (SB_TIMEOUT_NONE);
	pthread_mutex_lock(&c->lock);
	t = c->deftimeout;
	pthread_mutex_unlock(&c->lock);
	return (t);
}

/*
 * With on set, every handle the connection creates from now on (sb_socket,
 * sb_accept, sb_dup) gets its data channel with its reply; 0 stops it.
 */
SB_EXPORT int
sb_setchannels(sb_conn *c, int on)
{
	if (conn_valid(c) == -1)
		return (-1);
	pthread_mutex_lock(&c->lock);
	c->channels = on != 0;
	pthread_mutex_unlock(&c->lock);
	return (0);
}

/* Whether new handles get their channels with their replies. */
SB_EXPORT int
sb_getchannels(sb_conn *c)
{
	int	 on;

	if (conn_valid(c) == -1)
		return (-1);
	pthread_mutex_lock(&c->lock);
	on = c->channels;
	pthread_mutex_unlock(&c->lock);
	return (on);
}
