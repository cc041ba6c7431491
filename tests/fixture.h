/* SPDX-License-Identifier: ISC */
/*
 * The end-to-end fixture: every test of the e2e suites gets its own real
 * sockbrokerd on a socket in a fresh temporary directory, started before the
 * test and stopped after it. A daemon that does not exit cleanly on SIGTERM
 * (non-zero status, a signal, a leak report from valgrind or ASan, a socket
 * file left behind) fails the test.
 */

#ifndef FIXTURE_H
#define FIXTURE_H

#include <sys/types.h>
#include <sys/socket.h>

#include <check.h>

#include "sockbroker.h"

/* fixture.c */
/* A TCase whose tests each run against their own daemon. */
TCase		*fixture_tcase(const char *name);
/* The daemon's socket path. */
const char	*fixture_path(void);
/* The fixture's temporary directory (for AF_UNIX test sockets). */
const char	*fixture_dir(void);
/* The daemon's process id. */
pid_t		 fixture_pid(void);
/* The daemon's resident memory in kB (VmRSS). */
long		 fixture_rss_kb(void);
/*
 * poll() of one descriptor for events: its revents, or 0 after ms
 * milliseconds (ten times as long under a wrapper).
 */
int		 fixture_poll(int fd, short events, int ms);
/*
 * Extra daemon arguments (a NULL-terminated list, or NULL for none) for the
 * daemons started from now on; "{dir}" at the start of one stands for
 * fixture_dir(). Call it from an unchecked fixture (tcase_add_unchecked_
 * fixture), which runs before the tests of its TCase in the parent.
 */
void		 fixture_set_args(const char *const *extra);
/*
 * How many sockets the daemon has open now: the entries of /proc/PID/fd
 * that are sockets. (Its other descriptors are constant, and valgrind's
 * own, which are files and pipes, come and go.)
 */
int		 fixture_fd_count(void);
/* fixture_fd_count() once it has not changed for 200 ms (a baseline). */
int		 fixture_fd_baseline(void);
/* Polls up to 2 s (longer under a wrapper) for fixture_fd_count() <= n. */
int		 fixture_fd_wait(int n);
/* How many descriptors this process (the test) has open. */
int		 fixture_own_fds(void);
/* Lists the daemon's file descriptors on stderr (to explain a leak). */
void		 fixture_fd_dump(void);
/* A new connection to the daemon; fails the test if there is none. */
sb_conn		*fixture_open(void);
/*
 * Forks a child that opens its own connection, calls fn(c, arg) on it
 * (fn may _exit on failure) and waits to be killed; returns its pid once
 * fn is done.
 */
pid_t		 fixture_hold(void (*fn)(sb_conn *, void *), void *arg);
/* Whether the daemon runs under a wrapper such as valgrind (slower). */
int		 fixture_slow(void);
/* Monotonic time in seconds. */
double		 fixture_now(void);
/* Fills ss with a numeric host and port of family; returns its length. */
socklen_t	 fixture_addr(struct sockaddr_storage *ss, int family,
		     const char *host, int port);
/* The port of an AF_INET or AF_INET6 address. */
int		 fixture_port(const struct sockaddr_storage *ss);
/* Whether this host can bind ::1 (IPv6 loopback) at all. */
int		 fixture_have_ipv6(void);
/* A listening TCP handle on the loopback of family; its address in ss. */
int		 fixture_listener(sb_conn *c, int family,
		     struct sockaddr_storage *ss, socklen_t *len);
/* A handle of type bound to the loopback of family; its address in ss. */
int		 fixture_bound(sb_conn *c, int family, int type,
		     struct sockaddr_storage *ss, socklen_t *len);
/* How many lines of file (in fixture_dir()) hold a and b (b NULL: any). */
int		 fixture_file_count(const char *file, const char *a,
		     const char *b);
/*
 * A connected TCP pair over the loopback of family: *client is a handle on
 * cli, *server the accepted handle on srv (cli and srv may be the same).
 */
void		 fixture_tcp_pair(sb_conn *srv, sb_conn *cli, int family,
		     int *server, int *client);
/* Receives exactly len bytes (failing the test on error or early EOF). */
void		 fixture_recv_all(sb_conn *c, int h, void *buf, size_t len);

/* One Suite builder per file. */
Suite	*e2e_stream_suite(void);
Suite	*e2e_dgram_suite(void);
Suite	*e2e_timeout_suite(void);
Suite	*e2e_handles_suite(void);
Suite	*e2e_names_suite(void);
Suite	*e2e_host_suite(void);
Suite	*e2e_robust_suite(void);
Suite	*e2e_raw_suite(void);
Suite	*e2e_packet_suite(void);
Suite	*e2e_netlink_suite(void);
Suite	*e2e_msg_suite(void);
Suite	*e2e_limits_suite(void);
Suite	*e2e_audit_suite(void);
Suite	*e2e_passfd_suite(void);
Suite	*e2e_park_suite(void);
Suite	*e2e_peer_suite(void);
Suite	*e2e_privileged_suite(void);
Suite	*e2e_scale_suite(void);
Suite	*e2e_channel_suite(void);
Suite	*e2e_chanpoll_suite(void);
Suite	*e2e_attach_suite(void);
Suite	*e2e_fork_suite(void);
Suite	*e2e_share_suite(void);
Suite	*e2e_join_suite(void);

/* The daemon's CPU time so far, in seconds; fails if it died. */
double	 fixture_cpu_seconds(void);

#ifdef SBPROTO_H
/* rawconn.c: the raw protocol, for what the C API cannot say. */
int		 rawconn_open(void);		/* no Hello yet */
void		 rawconn_send(int, const void *, size_t);
void		 rawconn_send_request(int, Sockbroker__Request *);
Sockbroker__Response *rawconn_recv(int);
Sockbroker__Response *rawconn_call(int, Sockbroker__Request *);
uint32_t	 rawconn_hello(int);		/* the daemon's max_frame */
int		 rawconn_start(uint32_t *);	/* open + Hello */
int		 rawconn_is_closed(int);
void		 rawconn_gethostname(Sockbroker__Request *,
		     Sockbroker__GethostnameRequest *, uint64_t);
uint32_t	 rawconn_socket(int, int, int, int);
#endif

#endif /* FIXTURE_H */
