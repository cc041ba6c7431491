/* SPDX-License-Identifier: ISC */
/*
 * sb_share and sb_import: a socket handed from one connection to another
 * of the same user and group (what a fork child or an exec'ed program of
 * `sockbroker run` needs). The token holds the socket after its handle
 * closes; it is spent by one import, refused to another uid or gid and
 * after its time; a bogus one is a clean error; tokens count as handles
 * and are bounded per user after their connection is gone.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define SHARE_HANDLES	4		/* --max-handles of the limit case */
#define SHARE_NOBODY	65534

static const char *const share_limit_args[] = {
	"--max-handles", "4", "--socket-mode", "0666", NULL,
};
static const char *const share_ttl_args[] = {
	"--share-ttl", "1", NULL,
};

static int	 share_import_as(const unsigned char *, uid_t, gid_t);
static void	 share_limit_setup(void);
static void	 share_ttl_setup(void);
static void	 share_args_teardown(void);

/*
 * In a child with uid and gid (connected after the change, so that the
 * daemon sees them): sb_import's errno, or 0 if it worked.
 */
static int
share_import_as(const unsigned char *tok, uid_t uid, gid_t gid)
{
	pid_t	 pid;
	int	 st, p[2], r = 100;
	sb_conn	*c;

	/*
	 * The answer comes through a pipe, not the exit status, which
	 * valgrind's --error-exitcode replaces in a child that leaks the
	 * parent's memory.
	 */
	ck_assert_int_eq(chmod(fixture_dir(), 0711), 0);
	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		close(p[0]);
		if (setgroups(0, NULL) == 0 && setresgid(gid, gid, gid) == 0 &&
		    setresuid(uid, uid, uid) == 0 &&
		    (c = sb_open(fixture_path())) != NULL)
			r = sb_import(c, tok) > 0 ? 0 : errno;
		_exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 1);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &r, sizeof r), sizeof r);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_int_ne(r, 100);
	return (r);
}

/*
 * A connected stream socket shared, its handle closed at once, is the
 * same socket on the importing connection, both ways; the daemon holds
 * nothing more once it is closed there.
 */
START_TEST(test_import_is_the_same_socket_after_the_handle_closed)
{
	sb_conn		*a = fixture_open(), *b = fixture_open();
	unsigned char	 tok[SB_TOKEN_LEN];
	char		 buf[8];
	int		 srv, cli, h, base;

	base = fixture_fd_baseline();
	fixture_tcp_pair(a, a, AF_INET, &srv, &cli);
	ck_assert_int_eq(sb_share(a, srv, tok), 0);
	ck_assert_int_eq(sb_close(a, srv), 0);
	ck_assert_msg((h = sb_import(b, tok)) > 0, "sb_import: %s",
	    strerror(errno));
	ck_assert_int_eq(sb_sendall(a, cli, "to-b", 4, 0), 0);
	fixture_recv_all(b, h, buf, 4);
	ck_assert_mem_eq(buf, "to-b", 4);
	ck_assert_int_eq(sb_sendall(b, h, "to-a", 4, 0), 0);
	fixture_recv_all(a, cli, buf, 4);
	ck_assert_mem_eq(buf, "to-a", 4);
	ck_assert_int_eq(sb_close(b, h), 0);
	ck_assert_int_eq(sb_recv(a, cli, buf, sizeof buf, 0), 0);
	ck_assert_int_eq(sb_close(a, cli), 0);
	ck_assert_int_le(fixture_fd_wait(base), base);
	sb_close_conn(a);
	sb_close_conn(b);
}
END_TEST

/*
 * A token is spent by its import; a made-up one, a short one and an
 * empty one are ENOENT, and the connection goes on.
 */
START_TEST(test_spent_and_bogus_tokens_are_enoent)
{
	sb_conn			*c = fixture_open();
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ImportRequest op = SOCKBROKER__IMPORT_REQUEST__INIT;
	Sockbroker__Response	*resp;
	unsigned char		 tok[SB_TOKEN_LEN], bogus[SB_TOKEN_LEN];
	int			 h, fd;
	size_t			 len;

	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_share(c, h, tok), 0);
	ck_assert_int_gt(sb_import(c, tok), 0);
	ck_assert_int_eq(sb_import(c, tok), -1);
	ck_assert_int_eq(errno, ENOENT);
	memcpy(bogus, tok, sizeof bogus);
	bogus[7] ^= 1;
	ck_assert_int_eq(sb_import(c, bogus), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sb_share(c, 0x7fff0000, tok), -1);
	ck_assert_int_eq(errno, EBADF);

	fd = rawconn_start(NULL);
	ck_assert_int_eq(sb_share(c, h, tok), 0);
	req.op_case = SOCKBROKER__REQUEST__OP_IMPORT;
	req.import = &op;
	for (len = 0; len < SB_TOKEN_LEN; len += 5) {
		op.token.data = tok;
		op.token.len = len;	/* a prefix of a live token */
		req.id = 100 + len;
		resp = rawconn_call(fd, &req);
		ck_assert_ptr_nonnull(resp->error);
		ck_assert_int_eq(resp->error->errnum, ENOENT);
		sockbroker__response__free_unpacked(resp, NULL);
	}
	ck_assert_int_gt(rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0), 0);
	close(fd);
	ck_assert_int_gt(sb_import(c, tok), 0);	/* not spent by those */
	ck_assert_int_gt(sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	sb_close_conn(c);
}
END_TEST

/*
 * Another uid, or the same uid in another group, cannot import a token
 * (and does not spend it); the same uid and gid can.
 */
START_TEST(test_another_user_or_group_cannot_import)
{
	sb_conn		*c = fixture_open();
	unsigned char	 tok[SB_TOKEN_LEN];
	int		 h;

	if (geteuid() != 0) {
		fprintf(stderr, "not root: another uid not tried\n");
		return;
	}
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_share(c, h, tok), 0);
	ck_assert_int_eq(share_import_as(tok, SHARE_NOBODY, SHARE_NOBODY),
	    ENOENT);
	ck_assert_int_eq(share_import_as(tok, getuid(), SHARE_NOBODY),
	    ENOENT);
	ck_assert_int_eq(share_import_as(tok, SHARE_NOBODY, getgid()),
	    ENOENT);
	ck_assert_int_eq(fixture_file_count("daemon.log",
	    "token refused: another user or group", NULL), 3);
	ck_assert_int_eq(share_import_as(tok, getuid(), getgid()), 0);
	sb_close_conn(c);
}
END_TEST

/* A token not imported within --share-ttl is gone, and its socket. */
START_TEST(test_token_expires_and_its_socket_closes)
{
	sb_conn		*c = fixture_open();
	unsigned char	 tok[SB_TOKEN_LEN];
	int		 h, base;

	base = fixture_fd_baseline();
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_share(c, h, tok), 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	ck_assert_int_eq(fixture_fd_count(), base + 1);
	usleep(fixture_slow() ? 3000000 : 1300000);
	ck_assert_int_le(fixture_fd_wait(base), base);
	ck_assert_int_eq(sb_import(c, tok), -1);
	ck_assert_int_eq(errno, ENOENT);
	sb_close_conn(c);
}
END_TEST

/*
 * Tokens count as the connection's handles, and outlive it bounded: a
 * user holds at most --max-handles of them across connections.
 */
START_TEST(test_tokens_count_as_handles_and_per_user)
{
	sb_conn		*c;
	unsigned char	 tok[3][SB_TOKEN_LEN];
	int		 h[2], i;

	c = fixture_open();
	for (i = 0; i < 2; i++)
		ck_assert_int_gt(h[i] = sb_socket(c, AF_INET, SOCK_DGRAM, 0),
		    0);
	ck_assert_int_eq(sb_share(c, h[0], tok[0]), 0);
	ck_assert_int_eq(sb_share(c, h[1], tok[1]), 0);
	ck_assert_int_eq(sb_share(c, h[1], tok[2]), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_eq(sb_socket(c, AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(errno, EMFILE);
	sb_close_conn(c);		/* its two tokens stay */

	c = fixture_open();
	for (i = 0; i < 2; i++)
		ck_assert_int_gt(h[i] = sb_socket(c, AF_INET, SOCK_DGRAM, 0),
		    0);
	ck_assert_int_eq(sb_share(c, h[0], tok[2]), 0);
	ck_assert_int_eq(sb_share(c, h[1], tok[2]), 0);	/* four waiting */
	sb_close_conn(c);

	c = fixture_open();
	ck_assert_int_gt(h[0] = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_share(c, h[0], tok[2]), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_gt(sb_import(c, tok[0]), 0);	/* three waiting */
	ck_assert_int_eq(sb_share(c, h[0], tok[2]), 0);
	sb_close_conn(c);
}
END_TEST

static void
share_limit_setup(void)
{
	fixture_set_args(share_limit_args);
}

static void
share_ttl_setup(void)
{
	fixture_set_args(share_ttl_args);
}

static void
share_args_teardown(void)
{
	fixture_set_args(NULL);
}

/* The suite of this file. */
Suite *
e2e_share_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_share");
	tc = fixture_tcase("share");
	tcase_add_test(tc, test_import_is_the_same_socket_after_the_handle_closed);
	tcase_add_test(tc, test_spent_and_bogus_tokens_are_enoent);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("share_limits");
	tcase_add_unchecked_fixture(tc, share_limit_setup,
	    share_args_teardown);
	tcase_add_test(tc, test_another_user_or_group_cannot_import);
	tcase_add_test(tc, test_tokens_count_as_handles_and_per_user);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("share_ttl");
	tcase_add_unchecked_fixture(tc, share_ttl_setup, share_args_teardown);
	tcase_add_test(tc, test_token_expires_and_its_socket_closes);
	suite_add_tcase(s, tc);
	return (s);
}
