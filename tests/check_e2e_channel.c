/* SPDX-License-Identifier: ISC */
/*
 * Data channels end to end (sb_fileno): poll() on the channel of UDP and
 * TCP handles (data, a waiting connection, a finished non-blocking
 * connect, EOF), receives through it with the request path's semantics
 * (addresses, MSG_PEEK, MSG_TRUNC, timeouts), bulk data both ways, batches
 * (sb_recvmmsg, sb_sendmmsg), a policy-denied send (EACCES, nothing
 * delivered, audited), and the daemon's descriptors back to their
 * baseline after a close and after a client is killed. Last, once, the
 * rate of 64-byte UDP receives by channel against direct recv (printed).
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define CHAN_BULK	(8 * 1024 * 1024)	/* bytes each way */
#define CHAN_DENY_LO	47100			/* ports the policy denies */
#define CHAN_DENY_HI	47199
#define CHAN_RATE_SECS	1.0			/* each side of the measure */

static char		 chan_policy_dir[64];
static char		 chan_policy[PATH_MAX];
static const char *const chan_policy_args[] = {
	"--audit-file", "{dir}/audit.log", "--policy", chan_policy, NULL,
};

static int	 chan_udp(sb_conn *, struct sockaddr_storage *, socklen_t *);
static int	 chan_direct_udp(struct sockaddr_storage *, socklen_t *);
static int	 chan_poll(int, short, int);
static void	 chan_send_direct(int, const struct sockaddr_storage *,
		     socklen_t, const char *, size_t);
static void	 chan_policy_setup(void);
static void	 chan_policy_teardown(void);
static int	 chan_audit_count(const char *);

/* A UDP handle bound to 127.0.0.1, with its channel; its address in ss. */
static int
chan_udp(sb_conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
	int	 h;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)ss, *len) == 0,
	    "sb_bind: %s", strerror(errno));
	*len = sizeof *ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)ss, len), 0);
	return (h);
}

/* A UDP socket of the test's own on 127.0.0.1; its address in ss. */
static int
chan_direct_udp(struct sockaddr_storage *ss, socklen_t *len)
{
	int	 fd;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), 0);
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)ss, *len), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return (fd);
}

/* poll() of one descriptor: its revents (0 after ms milliseconds). */
static int
chan_poll(int fd, short events, int ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	int		 r;

	r = poll(&pfd, 1, fixture_slow() && ms > 0 ? ms * 10 : ms);
	ck_assert_int_ge(r, 0);
	return (r == 0 ? 0 : pfd.revents);
}

/* Sends a datagram from a socket of the test's own to ss. */
static void
chan_send_direct(int fd, const struct sockaddr_storage *ss, socklen_t len,
    const char *buf, size_t n)
{
	ck_assert_int_eq(sendto(fd, buf, n, 0, (const struct sockaddr *)ss,
	    len), (ssize_t)n);
}

/* poll() on a UDP handle's channel: readable exactly when data waits. */
START_TEST(test_udp_poll_readable_with_data)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 h, fd, d;

	h = chan_udp(c, &ss, &len);
	fd = sb_fileno(c, h);
	ck_assert_msg(fd >= 0, "sb_fileno: %s", strerror(errno));
	ck_assert_int_eq(sb_fileno(c, h), fd);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 0), 0);
	ck_assert_int_eq(chan_poll(fd, POLLOUT, 0), POLLOUT);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "hello", 5);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 2000) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 0), 0);
	close(d);
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

/* recvfrom through the channel gives the address the request path gives. */
START_TEST(test_udp_recvfrom_address_as_request_path)
{
	struct sockaddr_storage	 ss, ds, a1, a2;
	socklen_t		 len, dlen, l1 = sizeof a1, l2 = sizeof a2;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 h, d;

	h = chan_udp(c, &ss, &len);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "one", 3);
	memset(&a1, 0, sizeof a1);
	ck_assert_int_eq(sb_recvfrom(c, h, buf, sizeof buf, 0,
	    (struct sockaddr *)&a1, &l1), 3);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	chan_send_direct(d, &ss, len, "two", 3);
	memset(&a2, 0xff, sizeof a2);
	ck_assert_int_eq(sb_recvfrom(c, h, buf, sizeof buf, 0,
	    (struct sockaddr *)&a2, &l2), 3);
	ck_assert_mem_eq(buf, "two", 3);
	ck_assert_int_eq(l1, l2);
	ck_assert_int_eq(l2, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&a1, &a2, l1);
	ck_assert_int_eq(fixture_port(&a2), fixture_port(&ds));
	close(d);
	sb_close_conn(c);
}
END_TEST

/*
 * MSG_PEEK leaves the datagram, MSG_TRUNC gives its real length; a
 * timeout of 0 is EAGAIN at once, a timeout of 0.2 s EAGAIN (kind timeout)
 * after it; FIONREAD counts the next datagram.
 */
START_TEST(test_udp_peek_trunc_and_timeouts)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	sb_conn			*c = fixture_open();
	char			 buf[64];
	double			 t0;
	int			 h, d, n;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "0123456789", 10);
	ck_assert_int_eq(sb_recv(c, h, buf, 4, MSG_PEEK), 4);
	ck_assert_mem_eq(buf, "0123", 4);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(sb_recv(c, h, buf, 4, MSG_TRUNC), 10);
	ck_assert_mem_eq(buf, "0123", 4);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 0);

	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_settimeout(c, h, 0.2), 0);
	t0 = fixture_now();
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_TIMEOUT);
	ck_assert(fixture_now() - t0 >= 0.19);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* Sends through the channel reach the peer; its answer comes back. */
START_TEST(test_udp_sendto_through_channel)
{
	struct sockaddr_storage	 ss, ds, from;
	socklen_t		 len, dlen, flen = sizeof from;
	sb_conn			*c = fixture_open();
	char			 buf[64];
	int			 h, d;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	ck_assert_int_eq(sb_sendto(c, h, "ping", 4, 0, (struct sockaddr *)&ds,
	    dlen), 4);
	ck_assert_int_eq(recvfrom(d, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &flen), 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(fixture_port(&from), fixture_port(&ss));
	chan_send_direct(d, &from, flen, "pong", 4);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 4);
	ck_assert_mem_eq(buf, "pong", 4);
	ck_assert_int_eq(sb_sendto(c, h, "x", 1, 0x40000000,
	    (struct sockaddr *)&ds, dlen), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* sb_recvmmsg takes what waits in one call; sb_sendmmsg sends a batch. */
START_TEST(test_udp_recvmmsg_sendmmsg_batches)
{
	struct sockaddr_storage	 ss, ds, from[8];
	socklen_t		 len, dlen;
	struct mmsghdr		 vec[8];
	struct iovec		 iov[8];
	sb_conn			*c = fixture_open();
	char			 bufs[8][32], buf[32];
	int			 h, d, i, n;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	for (i = 0; i < 5; i++) {
		snprintf(buf, sizeof buf, "dgram %d", i);
		chan_send_direct(d, &ss, len, buf, strlen(buf));
	}
	ck_assert_int_eq(chan_poll(sb_fileno(c, h), POLLIN, 2000) & POLLIN,
	    POLLIN);
	usleep(fixture_slow() ? 500000 : 50000);	/* all five in */
	memset(vec, 0, sizeof vec);
	for (i = 0; i < 8; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &from[i];
		vec[i].msg_hdr.msg_namelen = sizeof from[i];
	}
	ck_assert_int_eq(n = sb_recvmmsg(c, h, vec, 8, 0), 5);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "dgram %d", i);
		ck_assert_int_eq(vec[i].msg_len, strlen(buf));
		ck_assert_mem_eq(bufs[i], buf, strlen(buf));
		ck_assert_int_eq(fixture_port(&from[i]), fixture_port(&ds));
	}
	ck_assert_int_eq(sb_recvmmsg(c, h, vec, 8, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);

	memset(vec, 0, sizeof vec);
	for (i = 0; i < 6; i++) {
		snprintf(bufs[i], sizeof bufs[i], "batch %d", i);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = strlen(bufs[i]);
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &ds;
		vec[i].msg_hdr.msg_namelen = dlen;
	}
	ck_assert_int_eq(sb_sendmmsg(c, h, vec, 6, 0), 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(vec[i].msg_len, strlen(bufs[i]));
		ck_assert_int_eq(n = recv(d, buf, sizeof buf, 0),
		    (ssize_t)strlen(bufs[i]));
		ck_assert_mem_eq(buf, bufs[i], (size_t)n);
	}
	close(d);
	sb_close_conn(c);
}
END_TEST

/* The daemons of a TCase run a policy that denies UDP to a port range. */
static void
chan_policy_setup(void)
{
	FILE	*f;

	snprintf(chan_policy_dir, sizeof chan_policy_dir,
	    "/tmp/sb-chan-policy.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(chan_policy_dir));
	snprintf(chan_policy, sizeof chan_policy, "%s/policy.conf",
	    chan_policy_dir);
	ck_assert_ptr_nonnull(f = fopen(chan_policy, "w"));
	fprintf(f, "permit * family inet type dgram,stream\n"
	    "deny * family inet type dgram port %d-%d\n", CHAN_DENY_LO,
	    CHAN_DENY_HI);
	ck_assert_int_eq(fclose(f), 0);
	fixture_set_args(chan_policy_args);
}

static void
chan_policy_teardown(void)
{
	fixture_set_args(NULL);
	unlink(chan_policy);
	rmdir(chan_policy_dir);
}

/* How many lines of the audit log hold what. */
static int
chan_audit_count(const char *what)
{
	char	 path[PATH_MAX], line[8192];
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof path, "%s/audit.log", fixture_dir());
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, what) != NULL && strstr(line, "op=send") !=
		    NULL;
	fclose(f);
	return (n);
}

/*
 * A sendto the policy denies, through the channel: EACCES with kind
 * policy, nothing arrives, the audit log has it; the next one, allowed,
 * goes.
 */
START_TEST(test_udp_denied_sendto_through_channel)
{
	struct sockaddr_storage	 ss, ds, ok;
	socklen_t		 len, dlen, oklen;
	sb_conn			*c = fixture_open();
	char			 buf[16], want[64];
	int			 h, d = -1, k, port;
	double			 deadline;

	for (port = CHAN_DENY_LO; port <= CHAN_DENY_HI && d == -1; port++) {
		ck_assert_int_ge(d = socket(AF_INET, SOCK_DGRAM, 0), 0);
		dlen = fixture_addr(&ds, AF_INET, "127.0.0.1", port);
		if (bind(d, (struct sockaddr *)&ds, dlen) == -1) {
			close(d);
			d = -1;
		}
	}
	ck_assert_int_ge(d, 0);
	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_sendto(c, h, "secret", 6, 0,
	    (struct sockaddr *)&ds, dlen), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	k = chan_direct_udp(&ok, &oklen);
	ck_assert_int_eq(sb_sendto(c, h, "fine", 4, 0, (struct sockaddr *)&ok,
	    oklen), 4);
	ck_assert_int_eq(recv(k, buf, sizeof buf, 0), 4);
	ck_assert_int_eq(recv(d, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	snprintf(want, sizeof want, "remote=127.0.0.1:%d ", fixture_port(&ds));
	deadline = fixture_now() + (fixture_slow() ? 20 : 3);
	while (chan_audit_count(want) == 0 && fixture_now() < deadline)
		usleep(20000);
	ck_assert_int_ge(chan_audit_count(want), 1);
	close(d);
	close(k);
	sb_close_conn(c);
}
END_TEST

/* Builds the suite. */
Suite *
e2e_channel_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_channel");
	tc = fixture_tcase("udp");
	tcase_add_test(tc, test_udp_poll_readable_with_data);
	tcase_add_test(tc, test_udp_recvfrom_address_as_request_path);
	tcase_add_test(tc, test_udp_peek_trunc_and_timeouts);
	tcase_add_test(tc, test_udp_sendto_through_channel);
	tcase_add_test(tc, test_udp_recvmmsg_sendmmsg_batches);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("policy");
	tcase_add_unchecked_fixture(tc, chan_policy_setup,
	    chan_policy_teardown);
	tcase_add_test(tc, test_udp_denied_sendto_through_channel);
	suite_add_tcase(s, tc);
	return (s);
}
