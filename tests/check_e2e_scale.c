/* SPDX-License-Identifier: ISC */
/*
 * Identity and connection limits end to end. "identity": the names of a
 * client's user and groups are looked up off the event loop, so that a slow
 * directory (the slownss shim, preloaded into the daemon) stalls that client
 * only; "open": sb_open gives up with ETIMEDOUT when nobody answers Hello.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define SCALE_SLOW_SECONDS	2	/* the shim's lookup */
#define SCALE_FLOOD		1100	/* requests: over --max-pending 1024 */

static char	 scale_flag[64];
static char	*scale_saved_asan;

static void	 scale_identity_setup(void);
static void	 scale_identity_teardown(void);
static int	 scale_listener(const char *, int);

/*
 * While the first client's names take SCALE_SLOW_SECONDS to look up, a
 * second client is served at once, and the first gets its Hello answer
 * once its names are in.
 */
START_TEST(test_slow_names_stall_only_their_client)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest hello = SOCKBROKER__HELLO_REQUEST__INIT;
	Sockbroker__Response	*resp;
	sb_conn			*c;
	char			 name[256];
	double			 t0, t1, t2;
	int			 a, fd;

	/*
	 * The fixture's readiness probe may be accepted, and its names looked
	 * up, only now: a client served first is served after it, and the
	 * flag is made once every lookup before is over.
	 */
	c = fixture_open();
	ck_assert_int_eq(sb_gethostname(c, name, sizeof name), 0);
	sb_close_conn(c);
	usleep(100000);
	fd = open(scale_flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_msg(fd != -1, "%s: %s", scale_flag, strerror(errno));
	close(fd);
	t0 = fixture_now();
	a = rawconn_open();
	hello.version = SBP_VERSION;
	req.id = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &hello;
	rawconn_send_request(a, &req);
	/* Until the daemon has taken the flag, in the first client's lookup. */
	while (access(scale_flag, F_OK) == 0 && fixture_now() < t0 + 10)
		usleep(10000);
	ck_assert_msg(access(scale_flag, F_OK) == -1, "the daemon never looked "
	    "up a user name: is the slownss shim (%s) preloaded?",
	    getenv("SB_SLOWNSS"));

	t1 = fixture_now();
	c = fixture_open();
	ck_assert_int_eq(sb_gethostname(c, name, sizeof name), 0);
	t2 = fixture_now();
	sb_close_conn(c);
	ck_assert_msg(t2 - t1 < 1.0, "a second client waited %.2f s for the "
	    "first one's names", t2 - t1);

	resp = rawconn_recv(a);
	t2 = fixture_now();
	ck_assert_ptr_null(resp->error);
	ck_assert_int_eq(resp->result_case, SOCKBROKER__RESPONSE__RESULT_HELLO);
	sockbroker__response__free_unpacked(resp, NULL);
	ck_assert_msg(t2 - t0 >= SCALE_SLOW_SECONDS - 0.5, "the first client's "
	    "Hello was answered after %.2f s, before its names were in",
	    t2 - t0);
	close(a);
}
END_TEST

/*
 * A client that does not wait for its Hello answer and sends more than
 * --max-pending requests while its names are being looked up is dropped,
 * not buffered without end; the others are served meanwhile.
 */
START_TEST(test_flood_before_names_dropped)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest hello = SOCKBROKER__HELLO_REQUEST__INIT;
	Sockbroker__GethostnameRequest gh;
	sb_conn			*c;
	char			 name[256];
	struct timeval		 tv = { 10, 0 };
	uint8_t			*frame;
	size_t			 len;
	ssize_t			 n;
	double			 t0;
	int			 a, fd, i;

	c = fixture_open();
	sb_close_conn(c);
	usleep(100000);
	fd = open(scale_flag, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	a = rawconn_open();
	hello.version = SBP_VERSION;
	req.id = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &hello;
	rawconn_send_request(a, &req);
	t0 = fixture_now();
	while (access(scale_flag, F_OK) == 0 && fixture_now() < t0 + 10)
		usleep(10000);
	/* The daemon may drop us while we send: EPIPE is no failure. */
	for (i = 0; i < SCALE_FLOOD; i++) {
		rawconn_gethostname(&req, &gh, 2 + i);
		ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME,
		    &frame, &len), 0);
		n = send(a, frame, len, MSG_NOSIGNAL);
		free(frame);
		if (n != (ssize_t)len)
			break;
	}
	c = fixture_open();
	ck_assert_int_eq(sb_gethostname(c, name, sizeof name), 0);
	sb_close_conn(c);
	ck_assert_int_eq(setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv), 0);
	ck_assert_msg(rawconn_is_closed(a), "a client that sent %d requests "
	    "before its Hello answer was not dropped", SCALE_FLOOD);
	close(a);
}
END_TEST

/*
 * A daemon that accepts and never answers (a socket nobody reads), and one
 * whose backlog is full: sb_open fails with ETIMEDOUT after
 * SOCKBROKER_TIMEOUT seconds instead of waiting forever.
 */
START_TEST(test_open_times_out)
{
	char	 path[100];
	double	 t0, t;
	int	 l, extra, i;

	setenv("SOCKBROKER_TIMEOUT", "1", 1);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/mute%d.sock", fixture_dir(), i);
		l = scale_listener(path, i == 0 ? 16 : 0);
		extra = -1;
		if (i == 1) {
			/* Backlog 0 holds one; the next connect waits. */
			extra = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			ck_assert_int_ge(extra, 0);
			{
				struct sockaddr_un	 sun;

				memset(&sun, 0, sizeof sun);
				sun.sun_family = AF_UNIX;
				memcpy(sun.sun_path, path, strlen(path));
				ck_assert_int_eq(connect(extra,
				    (struct sockaddr *)&sun, sizeof sun), 0);
			}
		}
		t0 = fixture_now();
		errno = 0;
		ck_assert_ptr_null(sb_open(path));
		t = fixture_now() - t0;
		ck_assert_msg(errno == ETIMEDOUT, "sb_open: %s, not ETIMEDOUT "
		    "(%s)", strerror(errno), i == 0 ? "mute daemon" :
		    "full backlog");
		ck_assert_int_eq(sb_lasterror()->errnum, ETIMEDOUT);
		ck_assert_msg(t > 0.8 && t < 3, "gave up after %.2f s", t);
		if (extra != -1)
			close(extra);
		close(l);
	}
	/* 0 or garbage: the default, and a real daemon answers at once. */
	setenv("SOCKBROKER_TIMEOUT", "0", 1);
	sb_close_conn(fixture_open());
	setenv("SOCKBROKER_TIMEOUT", "soon", 1);
	sb_close_conn(fixture_open());
	unsetenv("SOCKBROKER_TIMEOUT");
}
END_TEST

/* A listening UNIX socket at path that never accepts. */
static int
scale_listener(const char *path, int backlog)
{
	struct sockaddr_un	 sun;
	int			 fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof sun.sun_path);
	memcpy(sun.sun_path, path, strlen(path));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(fd, backlog), 0);
	return (fd);
}

/*
 * Unchecked fixture of "identity": the daemons of this TCase get the
 * slownss shim (SB_SLOWNSS, from make check) preloaded and a flag file name.
 * An ASan daemon must be told that a library before its runtime is fine.
 */
static void
scale_identity_setup(void)
{
	const char	*shim = getenv("SB_SLOWNSS");
	const char	*asan = getenv("ASAN_OPTIONS");
	char		 buf[1024];

	if (shim == NULL || *shim == '\0')
		return;		/* the test says so */
	snprintf(scale_flag, sizeof scale_flag, "/tmp/sbslownss.%ld",
	    (long)getpid());
	setenv("LD_PRELOAD", shim, 1);
	setenv("SB_SLOWNSS_FLAG", scale_flag, 1);
	free(scale_saved_asan);
	scale_saved_asan = asan != NULL ? strdup(asan) : NULL;
	snprintf(buf, sizeof buf, "%s%sverify_asan_link_order=0",
	    asan != NULL ? asan : "", asan != NULL && *asan != '\0' ? ":" : "");
	setenv("ASAN_OPTIONS", buf, 1);
}

/* Unchecked teardown of "identity": no shim for the next daemons. */
static void
scale_identity_teardown(void)
{
	unsetenv("LD_PRELOAD");
	unsetenv("SB_SLOWNSS_FLAG");
	if (scale_saved_asan != NULL)
		setenv("ASAN_OPTIONS", scale_saved_asan, 1);
	else
		unsetenv("ASAN_OPTIONS");
	free(scale_saved_asan);
	scale_saved_asan = NULL;
	unlink(scale_flag);
}

/* The scale suite. */
Suite *
e2e_scale_suite(void)
{
	Suite	*s = suite_create("e2e_scale");
	TCase	*tc;

	tc = fixture_tcase("identity");
	tcase_add_unchecked_fixture(tc, scale_identity_setup,
	    scale_identity_teardown);
	tcase_add_test(tc, test_slow_names_stall_only_their_client);
	tcase_add_test(tc, test_flood_before_names_dropped);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("open");
	tcase_add_test(tc, test_open_times_out);
	suite_add_tcase(s, tc);
	return (s);
}
