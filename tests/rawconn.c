/* SPDX-License-Identifier: ISC */
/*
 * Raw protocol connections for the tests that speak to the daemon below
 * the library: frames built by hand, sent and read with plain syscalls, so
 * that a test can send what the library never would.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbproto.h"
#include "fixture.h"

/* A raw connection to the daemon, with a receive timeout; no Hello yet. */
int
rawconn_open(void)
{
	struct sockaddr_un	sun;
	struct timeval		tv;
	int			fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fixture_path());
	ck_assert_msg(connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0,
	    "connect %s: %s", fixture_path(), strerror(errno));
	tv.tv_sec = fixture_slow() ? 60 : 5;
	tv.tv_usec = 0;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv), 0);
	return (fd);
}

/* Writes all of buf (blocking). */
void
rawconn_send(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		ck_assert_msg(n > 0, "send: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Frames and sends a Request. */
void
rawconn_send_request(int fd, Sockbroker__Request *req)
{
	uint8_t	*out;
	size_t	 outlen;

	ck_assert_int_eq(sbp_frame_pack(&req->base, SBP_MAX_FRAME, &out,
	    &outlen), 0);
	rawconn_send(fd, out, outlen);
	free(out);
}

/* Reads one Response; fails the test on EOF, timeout or garbage. */
Sockbroker__Response *
rawconn_recv(int fd)
{
	Sockbroker__Response	*resp;
	uint8_t			 hdr[SBP_FRAME_HEADER], *buf;
	size_t			 len;

	ck_assert_msg(recv(fd, hdr, sizeof hdr, MSG_WAITALL) == sizeof hdr,
	    "no response from the daemon: %s", strerror(errno));
	len = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	ck_assert_uint_le(len, SBP_MAX_FRAME);
	buf = malloc(len + 1);
	ck_assert_ptr_nonnull(buf);
	if (len > 0)
		ck_assert_int_eq(recv(fd, buf, len, MSG_WAITALL), len);
	resp = sbp_response_unpack(buf, len);
	free(buf);
	ck_assert_msg(resp != NULL, "the daemon sent a malformed Response");
	return (resp);
}

/*
 * Sends req (a fresh id if it has none) and reads its Response, checking
 * the id; the caller frees it.
 */
Sockbroker__Response *
rawconn_call(int fd, Sockbroker__Request *req)
{
	static uint64_t		 next = 1 << 20;
	Sockbroker__Response	*resp;

	if (req->id == 0)
		req->id = next++;
	rawconn_send_request(fd, req);
	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, req->id);
	return (resp);
}

/* Says Hello with id 1; returns the daemon's max_frame. */
uint32_t
rawconn_hello(int fd)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest hello = SOCKBROKER__HELLO_REQUEST__INIT;
	Sockbroker__Response	*resp;
	uint32_t		 max;

	hello.version = SBP_VERSION;
	req.id = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &hello;
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_null(resp->error);
	ck_assert_int_eq(resp->result_case, SOCKBROKER__RESPONSE__RESULT_HELLO);
	ck_assert_uint_eq(resp->hello->version, SBP_VERSION);
	ck_assert_uint_ge(resp->hello->max_frame, SBP_MIN_FRAME);
	max = resp->hello->max_frame;
	sockbroker__response__free_unpacked(resp, NULL);
	return (max);
}

/* A raw connection past Hello; the daemon's max_frame in *max if not NULL. */
int
rawconn_start(uint32_t *max)
{
	int		fd = rawconn_open();
	uint32_t	m = rawconn_hello(fd);

	if (max != NULL)
		*max = m;
	return (fd);
}

/*
 * Whether the daemon closed the connection (EOF or reset within the receive
 * timeout). Anything it sends before closing is skipped.
 */
int
rawconn_is_closed(int fd)
{
	char	buf[4096];
	ssize_t	n;

	for (;;) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return (1);
		if (n == -1)
			return (0);
	}
}

/* Fills req as a gethostname request with id. */
void
rawconn_gethostname(Sockbroker__Request *req,
    Sockbroker__GethostnameRequest *gh, uint64_t id)
{
	sockbroker__request__init(req);
	sockbroker__gethostname_request__init(gh);
	req->id = id;
	req->op_case = SOCKBROKER__REQUEST__OP_GETHOSTNAME;
	req->gethostname = gh;
}

/* A socket on a raw connection; fails the test unless there is a handle. */
uint32_t
rawconn_socket(int fd, int family, int type, int protocol)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocketRequest op = SOCKBROKER__SOCKET_REQUEST__INIT;
	Sockbroker__Response	*resp;
	uint32_t		 h;

	op.family = family;
	op.type = type;
	op.has_protocol = 1;
	op.protocol = protocol;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKET;
	req.socket = &op;
	resp = rawconn_call(fd, &req);
	ck_assert_msg(resp->error == NULL && resp->handle != NULL,
	    "socket: %s", resp->error != NULL && resp->error->message != NULL ?
	    resp->error->message : "?");
	h = resp->handle->handle;
	sockbroker__response__free_unpacked(resp, NULL);
	return (h);
}
