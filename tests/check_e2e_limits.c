/* SPDX-License-Identifier: ISC */
/*
 * Limits, end to end: handles per client (EMFILE "handle limit"), requests
 * waiting per client (ENOBUFS), clients (refused with a message the library
 * reports), reply bytes queued towards a client that stopped reading (cut
 * off while the others are served), and running out of descriptors (the
 * daemon neither spins nor dies). Each limit hit is logged once per client.
 */

#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define LIMITS_HANDLES	4
#define LIMITS_PENDING	4
#define LIMITS_CLIENTS	3
#define LIMITS_DATA	15000	/* a recv payload under --max-frame 16384 */
#define LIMITS_FLOOD	300	/* parked recvs, then datagrams to them */

static const char *const limits_args[] = {
	"--max-handles", "4", "--max-pending", "4", "--max-clients", "3", NULL,
};
static const char *const queue_args[] = {
	"--max-frame", "16384", "--max-queued", "65536", NULL,
};

static void	 limits_setup(void);
static void	 queue_setup(void);
static void	 limits_teardown(void);
static void	 limits_raw_send(int, Sockbroker__Request *, uint64_t);
static Sockbroker__Response *limits_raw_read(int);
static void	 limits_raw_recv(int, uint32_t, uint64_t, uint32_t);
static int	 limits_raw_bind(int, uint32_t);
static int	 limits_log_count(const char *);
static void	 limits_assert_serving(sb_conn *);
static int	 limits_fd_total(void);

/* Unchecked fixtures: the daemons of a TCase get its limits. */
static void
limits_setup(void)
{
	fixture_set_args(limits_args);
}

static void
queue_setup(void)
{
	fixture_set_args(queue_args);
}

static void
limits_teardown(void)
{
	fixture_set_args(NULL);
}

/* Sends req with the given id on a raw connection. */
static void
limits_raw_send(int fd, Sockbroker__Request *req, uint64_t id)
{
	uint8_t	*out;
	size_t	 len;

	req->id = id;
	ck_assert_int_eq(sbp_frame_pack(&req->base, SBP_MAX_FRAME, &out,
	    &len), 0);
	ck_assert_int_eq(send(fd, out, len, MSG_NOSIGNAL), len);
	free(out);
}

/* Reads one Response; NULL at EOF, on a reset or on a timeout. */
static Sockbroker__Response *
limits_raw_read(int fd)
{
	Sockbroker__Response	*resp;
	uint8_t			 hdr[SBP_FRAME_HEADER], *buf;
	size_t			 len;

	if (recv(fd, hdr, sizeof hdr, MSG_WAITALL) != sizeof hdr)
		return (NULL);
	len = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	ck_assert_uint_le(len, SBP_MAX_FRAME);
	buf = malloc(len + 1);
	ck_assert_ptr_nonnull(buf);
	if (len > 0 && recv(fd, buf, len, MSG_WAITALL) != (ssize_t)len) {
		free(buf);
		return (NULL);
	}
	resp = sbp_response_unpack(buf, len);
	free(buf);
	ck_assert_msg(resp != NULL, "malformed Response");
	return (resp);
}

/* Sends a recv of bufsize on handle h, without a timeout (it may park). */
static void
limits_raw_recv(int fd, uint32_t h, uint64_t id, uint32_t bufsize)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__RecvRequest	 rr = SOCKBROKER__RECV_REQUEST__INIT;

	rr.handle = h;
	rr.bufsize = bufsize;
	req.op_case = SOCKBROKER__REQUEST__OP_RECV;
	req.recv = &rr;
	limits_raw_send(fd, &req, id);
}

/* Binds UDP handle h to 127.0.0.1 and a free port; returns the port. */
static int
limits_raw_bind(int fd, uint32_t h)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__BindRequest	 br = SOCKBROKER__BIND_REQUEST__INIT;
	Sockbroker__Response	*resp;
	struct sbp_address	 a;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 probe, port;

	/* A port free a moment ago: good enough for the loopback. */
	probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(probe, 0);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(probe, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(getsockname(probe, (struct sockaddr *)&ss, &len), 0);
	port = fixture_port(&ss);
	close(probe);

	ck_assert_int_eq(sbp_address_from_sockaddr(&a, (struct sockaddr *)&ss,
	    len, 0, NULL), 0);
	br.handle = h;
	br.address = &a.addr;
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &br;
	limits_raw_send(fd, &req, 1000);
	resp = limits_raw_read(fd);
	ck_assert_ptr_nonnull(resp);
	ck_assert_msg(resp->error == NULL, "bind: %s",
	    resp->error != NULL ? resp->error->message : "");
	sockbroker__response__free_unpacked(resp, NULL);
	return (port);
}

/*
 * How many lines of the daemon's log contain what. (A limit is logged as
 * "client N (uid U, pid P): what"; errors sent are logged in debug lines.)
 */
static int
limits_log_count(const char *what)
{
	char	 path[PATH_MAX], line[4096];
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof path, "%s/daemon.log", fixture_dir());
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, what) != NULL)
			n++;
	}
	fclose(f);
	return (n);
}

/* A round trip that opens and closes a socket on c. */
static void
limits_assert_serving(sb_conn *c)
{
	int	 h;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_close(c, h), 0);
}

START_TEST(test_handle_limit_is_emfile_and_logged_once)
{
	sb_conn	*c;
	int	 h[LIMITS_HANDLES], i;

	c = fixture_open();
	ck_assert_uint_eq(sb_info(c)->max_handles, LIMITS_HANDLES);
	for (i = 0; i < LIMITS_HANDLES; i++) {
		h[i] = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
		ck_assert_msg(h[i] > 0, "sb_socket %d: %s", i, strerror(errno));
	}
	for (i = 0; i < 3; i++) {
		errno = 0;
		ck_assert_int_eq(sb_socket(c, AF_INET, SOCK_DGRAM, 0), -1);
		ck_assert_int_eq(errno, EMFILE);
		ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
		ck_assert_msg(strstr(sb_lasterror()->message, "handle limit") !=
		    NULL, "message: %s", sb_lasterror()->message);
	}
	ck_assert_int_eq(sb_close(c, h[0]), 0);
	limits_assert_serving(c);
	ck_assert_int_eq(limits_log_count("): handle limit reached"), 1);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_pending_limit_is_enobufs_and_logged_once)
{
	Sockbroker__Response	*resp;
	uint32_t		 h;
	int			 fd, i;

	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	limits_raw_bind(fd, h);
	for (i = 0; i < LIMITS_PENDING; i++)
		limits_raw_recv(fd, h, 100 + i, 100);
	for (i = 0; i < 2; i++) {
		limits_raw_recv(fd, h, 200 + i, 100);
		resp = limits_raw_read(fd);
		ck_assert_ptr_nonnull(resp);
		ck_assert_uint_eq(resp->id, 200 + i);
		ck_assert_ptr_nonnull(resp->error);
		ck_assert_int_eq(resp->error->errnum, ENOBUFS);
		ck_assert_msg(strstr(resp->error->message, "limit 4") != NULL,
		    "message: %s", resp->error->message);
		sockbroker__response__free_unpacked(resp, NULL);
	}
	close(fd);
	ck_assert_int_eq(limits_log_count("): pending request limit reached"),
	    1);
}
END_TEST

START_TEST(test_client_limit_refuses_with_a_message)
{
	sb_conn		*c[LIMITS_CLIENTS], *extra;
	double		 deadline;
	int		 i;

	for (i = 0; i < LIMITS_CLIENTS; i++)
		c[i] = fixture_open();
	for (i = 0; i < 2; i++) {
		errno = 0;
		extra = sb_open(fixture_path());
		ck_assert_ptr_null(extra);
		ck_assert_int_eq(errno, EUSERS);
		ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_PROTOCOL);
		ck_assert_str_eq(sb_lasterror()->message,
		    "too many clients (limit 3)");
	}
	for (i = 0; i < LIMITS_CLIENTS; i++)
		limits_assert_serving(c[i]);
	ck_assert_int_ge(limits_log_count("client refused"), 1);

	/* A place freed is a place taken (once the daemon saw the close). */
	sb_close_conn(c[0]);
	deadline = fixture_now() + (fixture_slow() ? 30 : 5);
	while ((extra = sb_open(fixture_path())) == NULL &&
	    fixture_now() < deadline)
		usleep(20000);
	ck_assert_msg(extra != NULL, "no place after a client left: %s",
	    strerror(errno));
	limits_assert_serving(extra);
	sb_close_conn(extra);
	for (i = 1; i < LIMITS_CLIENTS; i++)
		sb_close_conn(c[i]);
}
END_TEST

/*
 * A client parks many recvs and stops reading; datagrams then answer them
 * all at once. Its replies pile up past --max-queued and it is cut off,
 * while another client is served all along.
 */
START_TEST(test_client_that_stops_reading_is_cut_off)
{
	Sockbroker__Response	*resp;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*other;
	char			*data;
	uint32_t		 h;
	int			 fd, out, port, i, replies = 0;

	other = fixture_open();
	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	port = limits_raw_bind(fd, h);
	for (i = 0; i < LIMITS_FLOOD; i++)
		limits_raw_recv(fd, h, 100 + i, LIMITS_DATA);
	limits_assert_serving(other);	/* all parked by now */

	data = calloc(1, LIMITS_DATA);
	ck_assert_ptr_nonnull(data);
	out = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(out, 0);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", port);
	for (i = 0; i < LIMITS_FLOOD; i++) {
		if (sendto(out, data, LIMITS_DATA, 0, (struct sockaddr *)&ss,
		    len) == -1)
			break;		/* the socket is gone: cut off */
		if (i % 8 == 7)
			usleep(2000);	/* let the daemon drain its socket */
	}
	close(out);
	free(data);
	limits_assert_serving(other);

	/* What was queued, then the end: no more than the flood's half. */
	for (;;) {
		errno = 0;
		if ((resp = limits_raw_read(fd)) == NULL)
			break;
		replies++;
		sockbroker__response__free_unpacked(resp, NULL);
	}
	ck_assert_msg(errno != EAGAIN, "the connection is still open");
	ck_assert_int_lt(replies, LIMITS_FLOOD / 2);
	close(fd);
	ck_assert_int_eq(limits_log_count("not reading its replies"), 1);
	limits_assert_serving(other);
	sb_close_conn(other);
}
END_TEST

/* All of the daemon's descriptors. */
static int
limits_fd_total(void)
{
	char		 dir[64];
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)fixture_pid());
	if ((d = opendir(dir)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return (n);
}

/*
 * With its descriptor limit lowered under its feet, the daemon cannot
 * accept: it must pause accepting (not spin on a readable listener), stay
 * up, and accept again once descriptors are free.
 */
START_TEST(test_out_of_descriptors_neither_spins_nor_dies)
{
	char		 host[256];
	struct rlimit	 low, old;
	struct sockaddr_un sun;
	sb_conn		*c;
	double		 cpu, deadline;
	int		 fds[16], i, n;

	c = fixture_open();	/* the daemon is in its loop from now on */
	if (fixture_slow()) {
		sb_close_conn(c);
		return;		/* valgrind keeps descriptors of its own */
	}
	ck_assert_int_eq(prlimit(fixture_pid(), RLIMIT_NOFILE, NULL, &old), 0);
	n = limits_fd_total();
	ck_assert_int_gt(n, 0);
	low.rlim_cur = n + 2;		/* soft only: raising it back is free */
	low.rlim_max = old.rlim_max;
	ck_assert_int_eq(prlimit(fixture_pid(), RLIMIT_NOFILE, &low, NULL), 0);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fixture_path());
	for (i = 0; i < 16; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fds[i], 0);
		ck_assert_int_eq(connect(fds[i], (struct sockaddr *)&sun,
		    sizeof sun), 0);
	}
	usleep(200000);
	cpu = fixture_cpu_seconds();
	usleep(1500000);
	cpu = fixture_cpu_seconds() - cpu;
	ck_assert_msg(cpu < 0.5, "the daemon spun: %.2f s of CPU in 1.5 s",
	    cpu);
	ck_assert_int_ge(limits_log_count("Too many open files"), 1);
	/* Those connected are still answered (if only "no descriptors"). */
	ck_assert_int_eq(sb_gethostname(c, host, sizeof host), 0);

	for (i = 0; i < 16; i++)
		close(fds[i]);
	ck_assert_int_eq(prlimit(fixture_pid(), RLIMIT_NOFILE, &old, NULL), 0);
	sb_close_conn(c);
	deadline = fixture_now() + 5;
	while ((c = sb_open(fixture_path())) == NULL &&
	    fixture_now() < deadline)
		usleep(50000);
	ck_assert_msg(c != NULL, "not accepting again: %s", strerror(errno));
	limits_assert_serving(c);
	sb_close_conn(c);
}
END_TEST

/* The limits suite. */
Suite *
e2e_limits_suite(void)
{
	Suite	*s = suite_create("e2e_limits");
	TCase	*tc;

	tc = fixture_tcase("limits");
	tcase_add_unchecked_fixture(tc, limits_setup, limits_teardown);
	tcase_add_test(tc, test_handle_limit_is_emfile_and_logged_once);
	tcase_add_test(tc, test_pending_limit_is_enobufs_and_logged_once);
	tcase_add_test(tc, test_client_limit_refuses_with_a_message);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("queue");
	tcase_add_unchecked_fixture(tc, queue_setup, limits_teardown);
	tcase_add_test(tc, test_client_that_stops_reading_is_cut_off);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("descriptors");
	tcase_add_test(tc, test_out_of_descriptors_neither_spins_nor_dies);
	suite_add_tcase(s, tc);
	return (s);
}
