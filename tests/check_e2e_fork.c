/* SPDX-License-Identifier: ISC */
/*
 * sb_forget_conn, a forked child's copy of its parent's connection: in the
 * child it closes every descriptor of the connection (the stream, each
 * handle's channel) and says nothing, so that the parent's handles, its
 * channels and a call another thread has waiting at the fork go on as
 * before; without a fork it frees everything (run under valgrind) and the
 * daemon, whose stream then ends, closes the handles.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define FORK_MAX_FDS	256

/* The socket descriptors of this process, by inode. */
struct fork_set {
	ino_t	 ino[FORK_MAX_FDS];
	int	 n;
};

/* What fork_recv_cb runs in a thread. */
struct fork_call {
	sb_conn	*c;
	int	 h;
	ssize_t	 n;
	char	 buf[16];
};

static void	 fork_sockets(struct fork_set *);
static int	 fork_shared(const struct fork_set *, const struct fork_set *,
		     const struct fork_set *);
static int	 fork_child(sb_conn *, const struct fork_set *,
		     const struct fork_set *);
static void	*fork_recv_cb(void *);

/* Fills set with the inodes of the sockets this process has open. */
static void
fork_sockets(struct fork_set *set)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;

	set->n = 0;
	ck_assert_ptr_nonnull(d = opendir("/proc/self/fd"));
	while ((e = readdir(d)) != NULL && set->n < FORK_MAX_FDS) {
		if (e->d_name[0] == '.' || fstat(atoi(e->d_name), &st) == -1)
			continue;
		if (S_ISSOCK(st.st_mode))
			set->ino[set->n++] = st.st_ino;
	}
	closedir(d);
}

/* How many sockets of now are in after and not in before. */
static int
fork_shared(const struct fork_set *now, const struct fork_set *before,
    const struct fork_set *after)
{
	int	 i, j, k, in, n = 0;

	for (i = 0; i < now->n; i++) {
		in = 0;
		for (j = 0; j < after->n; j++)
			in |= now->ino[i] == after->ino[j];
		for (k = 0; k < before->n; k++)
			in &= now->ino[i] != before->ino[k];
		n += in;
	}
	return (n);
}

/*
 * Forks a child that forgets c and exits with the count of the broker's
 * sockets (those in after, not before) it still has; that count.
 */
static int
fork_child(sb_conn *c, const struct fork_set *before,
    const struct fork_set *after)
{
	struct fork_set	 now;
	pid_t		 pid;
	int		 status;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		sb_forget_conn(c);
		fork_sockets(&now);
		_exit(fork_shared(&now, before, after));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return (WEXITSTATUS(status));
}

/* sb_recv in a thread. */
static void *
fork_recv_cb(void *arg)
{
	struct fork_call	*a = arg;

	a->n = sb_recv(a->c, a->h, a->buf, sizeof a->buf, 0);
	return (NULL);
}

/*
 * A child that forgets the connection keeps none of its sockets (the
 * stream, the UDP and TCP handles' channels), and the parent's handles
 * and channels work on after it exited: the daemon saw nothing (as
 * sb_close_conn in the child would have closed the stream handles).
 */
START_TEST(test_forget_in_child_keeps_nothing_and_says_nothing)
{
	struct sockaddr_storage	 ss;
	struct fork_set		 before, after;
	socklen_t		 len;
	sb_conn			*c;
	char			 buf[16];
	int			 u, srv, cli, base;

	fork_sockets(&before);
	c = fixture_open();
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	u = fixture_bound(c, AF_INET, SOCK_DGRAM, &ss, &len);
	fixture_tcp_pair(c, c, AF_INET, &srv, &cli);
	ck_assert_int_ge(sb_fileno(c, u), 0);
	ck_assert_int_ge(sb_fileno(c, srv), 0);
	ck_assert_int_ge(sb_fileno(c, cli), 0);
	fork_sockets(&after);
	ck_assert_int_ge(after.n - before.n, 4);
	base = fixture_fd_baseline();

	ck_assert_int_eq(fork_child(c, &before, &after), 0);

	ck_assert_int_eq(fixture_fd_count(), base);
	len = sizeof ss;
	ck_assert_int_eq(sb_getsockname(c, srv, (struct sockaddr *)&ss, &len),
	    0);
	len = sizeof ss;
	ck_assert_int_eq(sb_getsockname(c, cli, (struct sockaddr *)&ss, &len),
	    0);
	len = sizeof ss;
	ck_assert_int_eq(sb_getsockname(c, u, (struct sockaddr *)&ss, &len),
	    0);
	ck_assert_int_eq(sb_send(c, cli, "after", 5, 0), 5);
	fixture_recv_all(c, srv, buf, 5);
	ck_assert_mem_eq(buf, "after", 5);
	ck_assert_int_eq(sb_sendto(c, u, "self", 4, 0, (struct sockaddr *)&ss,
	    len), 4);
	ck_assert_int_eq(sb_recv(c, u, buf, sizeof buf, 0), 4);
	ck_assert_mem_eq(buf, "self", 4);
	sb_close_conn(c);
}
END_TEST

/*
 * A thread of the parent waiting in sb_recv (a request, no channel) at the
 * fork gets its datagram after the child forgot the connection and
 * exited: the child took none of its answer.
 */
START_TEST(test_forget_in_child_leaves_a_waiting_call)
{
	struct sockaddr_storage	 ss;
	struct fork_set		 before, after;
	struct fork_call	 a;
	socklen_t		 len;
	pthread_t		 t;
	int			 d;

	fork_sockets(&before);
	memset(&a, 0, sizeof a);
	a.c = fixture_open();
	a.h = fixture_bound(a.c, AF_INET, SOCK_DGRAM, &ss, &len);
	fork_sockets(&after);
	ck_assert_int_eq(pthread_create(&t, NULL, fork_recv_cb, &a), 0);
	usleep(100000);		/* the thread's request is parked */

	ck_assert_int_eq(fork_child(a.c, &before, &after), 0);

	ck_assert_int_ge(d = socket(AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sendto(d, "late", 4, 0, (struct sockaddr *)&ss, len),
	    4);
	pthread_join(t, NULL);
	ck_assert_int_eq(a.n, 4);
	ck_assert_mem_eq(a.buf, "late", 4);
	close(d);
	sb_close_conn(a.c);
}
END_TEST

/*
 * Without a fork, sb_forget_conn closes the process's only copies: its
 * descriptors are back to where they were, and the daemon, whose stream
 * ended, closes the handles (its sockets back to the baseline).
 */
START_TEST(test_forget_without_fork_releases_everything)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 own, base, u, srv, cli;

	base = fixture_fd_baseline();
	own = fixture_own_fds();
	c = fixture_open();
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	u = fixture_bound(c, AF_INET, SOCK_DGRAM, &ss, &len);
	fixture_tcp_pair(c, c, AF_INET, &srv, &cli);
	ck_assert_int_ge(sb_fileno(c, u), 0);
	ck_assert_int_gt(fixture_own_fds(), own + 3);
	sb_forget_conn(c);
	sb_forget_conn(NULL);
	ck_assert_int_eq(fixture_own_fds(), own);
	ck_assert_int_le(fixture_fd_wait(base), base);
}
END_TEST

/* The suite of this file. */
Suite *
e2e_fork_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_fork");
	tc = fixture_tcase("forget");
	tcase_add_test(tc, test_forget_in_child_keeps_nothing_and_says_nothing);
	tcase_add_test(tc, test_forget_in_child_leaves_a_waiting_call);
	tcase_add_test(tc, test_forget_without_fork_releases_everything);
	suite_add_tcase(s, tc);
	return (s);
}
