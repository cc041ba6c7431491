/* SPDX-License-Identifier: ISC */
/*
 * Starts a real sockbrokerd for each e2e test and stops it afterwards.
 *
 * Check runs each test in a child process that ends with _exit() as soon as
 * an assertion fails, so the checked teardown never runs for a failed test.
 * The daemon is therefore started by a small monitor process: teardown asks
 * the monitor to stop the daemon and report its exit status; if the test
 * process is gone without asking (a failed assertion, a crash, a timeout),
 * the monitor stops the daemon itself, prints its log and removes the
 * temporary directory, so that a failed test still shows what the daemon
 * said. The monitor has its own process group so that Check's killpg() of
 * the test's group does not take it or the daemon down before that.
 */

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define FIXTURE_MAX_ARGS	64
#define FIXTURE_MAX_DIRARGS	4	/* "{dir}" arguments */

struct fixture {
	char	 dir[64];
	char	 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char	 log[128];
	char	*args;			/* storage for argv's strings */
	char	*argv[FIXTURE_MAX_ARGS];
	pid_t	 daemon;
	pid_t	 monitor;
	int	 ctl;			/* to the monitor: 'T' = stop now */
	int	 st;			/* from the monitor: pid, then status */
};

static struct fixture	fx = { .ctl = -1, .st = -1 };
static const char *const *fixture_extra;	/* fixture_set_args() */
static char	fixture_expanded[FIXTURE_MAX_DIRARGS][PATH_MAX]; /* "{dir}..." */

static void	fixture_setup(void);
static void	fixture_teardown(void);
static void	fixture_build_argv(void);
static void	fixture_monitor(void);
static void	fixture_exec(void);
static int	fixture_stop(pid_t);
static int	fixture_wait_ready(void);
static int	fixture_daemon_gone(void);
static void	fixture_print_log(const char *);
static void	fixture_rmdir(void);
static int	fixture_read_all(int, void *, size_t);

/* A TCase whose tests each run against their own daemon. */
TCase *
fixture_tcase(const char *name)
{
	TCase	*tc;

	tc = tcase_create(name);
	tcase_add_checked_fixture(tc, fixture_setup, fixture_teardown);
	tcase_set_timeout(tc, fixture_slow() ? 300 : 30);
	return (tc);
}

/* The daemon's socket path. */
const char *
fixture_path(void)
{
	return (fx.path);
}

/* The fixture's temporary directory. */
const char *
fixture_dir(void)
{
	return (fx.dir);
}

/* The daemon's process id. */
pid_t
fixture_pid(void)
{
	return (fx.daemon);
}

/* The daemon's resident memory in kB (VmRSS of /proc/PID/status). */
long
fixture_rss_kb(void)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)fx.daemon);
	f = fopen(path, "re");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	ck_assert_int_gt(kb, 0);
	return (kb);
}

/* poll() of one descriptor: its revents, 0 after ms (longer if slow). */
int
fixture_poll(int fd, short events, int ms)
{
	struct pollfd	 p = { .fd = fd, .events = events };
	int		 r;

	r = poll(&p, 1, fixture_slow() && ms > 0 ? ms * 10 : ms);
	ck_assert_int_ge(r, 0);
	return (r == 0 ? 0 : p.revents);
}

/* Extra daemon arguments for the daemons started from now on. */
void
fixture_set_args(const char *const *extra)
{
	fixture_extra = extra;
}

/* Counts the sockets among the daemon's descriptors; -1 if unreadable. */
int
fixture_fd_count(void)
{
	char		 dir[64], path[PATH_MAX], target[64];
	DIR		*d;
	struct dirent	*de;
	ssize_t		 len;
	int		 n = 0;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)fx.daemon);
	if ((d = opendir(dir)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		len = readlink(path, target, sizeof target - 1);
		if (len > 0 && strncmp(target, "socket:", 7) == 0)
			n++;
	}
	closedir(d);
	return (n);
}

/* fixture_fd_count() once it has not changed for 200 ms. */
int
fixture_fd_baseline(void)
{
	double	deadline, since;
	int	last, now;

	deadline = fixture_now() + (fixture_slow() ? 20 : 5);
	last = fixture_fd_count();
	since = fixture_now();
	while (fixture_now() < deadline && fixture_now() - since < 0.2) {
		usleep(10000);
		if ((now = fixture_fd_count()) != last) {
			last = now;
			since = fixture_now();
		}
	}
	return (last);
}

/* Polls until the daemon has at most n sockets; lists them if it has not. */
int
fixture_fd_wait(int n)
{
	double	deadline;
	int	now;

	deadline = fixture_now() + (fixture_slow() ? 20 : 2);
	while ((now = fixture_fd_count()) > n && fixture_now() < deadline)
		usleep(10000);
	if (now > n)
		fixture_fd_dump();
	return (now);
}

/* How many descriptors this process has open. */
int
fixture_own_fds(void)
{
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir("/proc/self/fd"));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return (n - 1);		/* opendir's own */
}

/* Lists the daemon's file descriptors and what they are on stderr. */
void
fixture_fd_dump(void)
{
	char		 dir[64], path[PATH_MAX], target[256];
	DIR		*d;
	struct dirent	*de;
	ssize_t		 n;

	snprintf(dir, sizeof dir, "/proc/%ld/fd", (long)fx.daemon);
	if ((d = opendir(dir)) == NULL)
		return;
	dprintf(STDERR_FILENO, "---- sockbrokerd's file descriptors\n");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((n = readlink(path, target, sizeof target - 1)) == -1)
			n = 0;
		target[n] = '\0';
		dprintf(STDERR_FILENO, "%s -> %s\n", de->d_name, target);
	}
	closedir(d);
}

/*
 * A child process holding a connection of its own, set up by fn, waiting
 * to be killed; returns once fn is done (fails the test if the child died).
 */
pid_t
fixture_hold(void (*fn)(sb_conn *, void *), void *arg)
{
	sb_conn	*c;
	pid_t	 pid;
	char	 x;
	int	 p[2];

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if ((c = sb_open(fixture_path())) == NULL)
			_exit(1);
		fn(c, arg);
		(void)write(p[1], "r", 1);
		for (;;)
			pause();
	}
	ck_assert_int_gt(pid, 0);
	close(p[1]);
	ck_assert_msg(read(p[0], &x, 1) == 1, "the holding child died");
	close(p[0]);
	return (pid);
}

/* A new connection to the daemon; fails the test if there is none. */
sb_conn *
fixture_open(void)
{
	sb_conn	*c;

	c = sb_open(fx.path);
	ck_assert_msg(c != NULL, "sb_open(%s): %s", fx.path, strerror(errno));
	return (c);
}

/* Whether the daemon runs under a wrapper such as valgrind. */
int
fixture_slow(void)
{
	const char	*w = getenv("SB_DAEMON_WRAPPER");

	return (w != NULL && *w != '\0');
}

/* Monotonic time in seconds. */
double
fixture_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Fills ss with a numeric host and port of family; returns its length. */
socklen_t
fixture_addr(struct sockaddr_storage *ss, int family, const char *host,
    int port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ck_assert_int_eq(inet_pton(AF_INET, host, &sin->sin_addr), 1);
		return (sizeof *sin);
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, host, &sin6->sin6_addr), 1);
	return (sizeof *sin6);
}

/* The port of an AF_INET or AF_INET6 address. */
int
fixture_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohs(((const struct sockaddr_in *)ss)->sin_port));
	if (ss->ss_family == AF_INET6)
		return (ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	return (-1);
}

/* Whether this host can bind ::1 at all (some containers have no IPv6). */
int
fixture_have_ipv6(void)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			fd, ok;

	if ((fd = socket(AF_INET6, SOCK_DGRAM, 0)) == -1)
		return (0);
	len = fixture_addr(&ss, AF_INET6, "::1", 0);
	ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return (ok);
}

/* A listening TCP handle on the loopback of family; its address in ss. */
int
fixture_listener(sb_conn *c, int family, struct sockaddr_storage *ss,
    socklen_t *len)
{
	const char	*host = family == AF_INET6 ? "::1" : "127.0.0.1";
	int		 h, one = 1;

	h = sb_socket(c, family, SOCK_STREAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof one), 0);
	*len = fixture_addr(ss, family, host, 0);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)ss, *len) == 0,
	    "sb_bind %s: %s", host, strerror(errno));
	ck_assert_msg(sb_listen(c, h, 16) == 0, "sb_listen: %s",
	    strerror(errno));
	*len = sizeof *ss;
	ck_assert_msg(sb_getsockname(c, h, (struct sockaddr *)ss, len) == 0,
	    "sb_getsockname: %s", strerror(errno));
	ck_assert_int_eq(ss->ss_family, family);
	ck_assert_int_gt(fixture_port(ss), 0);
	return (h);
}

/* A handle of type bound to the loopback of family; its address in ss. */
int
fixture_bound(sb_conn *c, int family, int type, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int	 h;

	ck_assert_msg((h = sb_socket(c, family, type, 0)) > 0,
	    "sb_socket: %s", strerror(errno));
	*len = fixture_addr(ss, family, family == AF_INET6 ? "::1" :
	    "127.0.0.1", 0);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)ss, *len) == 0,
	    "sb_bind: %s", strerror(errno));
	*len = sizeof *ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)ss, len), 0);
	return (h);
}

/* How many lines of file (in the fixture's directory) hold a and b. */
int
fixture_file_count(const char *file, const char *a, const char *b)
{
	char	 path[PATH_MAX], *line = NULL;
	size_t	 size = 0;
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof path, "%s/%s", fixture_dir(), file);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (getline(&line, &size, f) != -1)
		n += strstr(line, a) != NULL && (b == NULL ||
		    strstr(line, b) != NULL);
	free(line);
	fclose(f);
	return (n);
}

/*
 * A connected TCP pair over the loopback. The kernel completes the
 * handshake before accept(), so one thread can connect, then accept.
 */
void
fixture_tcp_pair(sb_conn *srv, sb_conn *cli, int family, int *server,
    int *client)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			l;

	l = fixture_listener(srv, family, &ss, &len);
	*client = sb_socket(cli, family, SOCK_STREAM, 0);
	ck_assert_msg(*client > 0, "sb_socket: %s", strerror(errno));
	ck_assert_msg(sb_connect(cli, *client, (struct sockaddr *)&ss,
	    len) == 0, "sb_connect: %s", strerror(errno));
	*server = sb_accept(srv, l, NULL, NULL);
	ck_assert_msg(*server > 0, "sb_accept: %s", strerror(errno));
	ck_assert_int_eq(sb_close(srv, l), 0);
}

/* Receives exactly len bytes (failing the test on error or early EOF). */
void
fixture_recv_all(sb_conn *c, int h, void *buf, size_t len)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = sb_recv(c, h, p, len, 0);
		ck_assert_msg(n > 0, "sb_recv: %zd (%s)", n,
		    n == 0 ? "EOF" : strerror(errno));
		p += n;
		len -= n;
	}
}

/* Checked setup: a fresh directory, the monitor, the daemon, its socket. */
static void
fixture_setup(void)
{
	int	ctl[2], st[2];

	snprintf(fx.dir, sizeof fx.dir, "/tmp/sbtest.XXXXXX");
	ck_assert_msg(mkdtemp(fx.dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(fx.path, sizeof fx.path, "%s/sb.sock", fx.dir);
	snprintf(fx.log, sizeof fx.log, "%s/daemon.log", fx.dir);
	fixture_build_argv();

	ck_assert_int_eq(pipe2(ctl, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(st, O_CLOEXEC), 0);
	fflush(NULL);
	fx.monitor = fork();
	ck_assert_msg(fx.monitor != -1, "fork: %s", strerror(errno));
	if (fx.monitor == 0) {
		close(ctl[1]);
		close(st[0]);
		fx.ctl = ctl[0];
		fx.st = st[1];
		fixture_monitor();
		_exit(0);
	}
	close(ctl[0]);
	close(st[1]);
	fx.ctl = ctl[1];
	fx.st = st[0];

	ck_assert_msg(fixture_read_all(fx.st, &fx.daemon,
	    sizeof fx.daemon) == 0, "no daemon pid from the monitor");
	ck_assert_msg(fixture_wait_ready() == 0,
	    "sockbrokerd (%s) did not come up on %s; see its log above",
	    fx.argv[0], fx.path);
}

/*
 * Checked teardown: SIGTERM, and the daemon must exit with status 0 and
 * remove its socket file.
 */
static void
fixture_teardown(void)
{
	char	c = 'T';
	int	status = -1, got, gone;

	if (write(fx.ctl, &c, 1) != 1)
		ck_abort_msg("cannot reach the monitor: %s", strerror(errno));
	got = fixture_read_all(fx.st, &status, sizeof status) == 0;
	waitpid(fx.monitor, NULL, 0);
	close(fx.ctl);
	close(fx.st);
	fx.ctl = fx.st = -1;

	gone = access(fx.path, F_OK) == -1 && errno == ENOENT;
	if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !gone)
		fixture_print_log("after SIGTERM");
	fixture_rmdir();
	free(fx.args);
	fx.args = NULL;

	ck_assert_msg(got, "the monitor reported no exit status");
	ck_assert_msg(!WIFSIGNALED(status),
	    "sockbrokerd died by signal %d (9: no exit after SIGTERM)",
	    WTERMSIG(status));
	ck_assert_msg(WEXITSTATUS(status) == 0,
	    "sockbrokerd exited with status %d after SIGTERM",
	    WEXITSTATUS(status));
	ck_assert_msg(gone, "sockbrokerd left its socket %s behind", fx.path);
}

/* Builds the daemon's argv: the wrapper's words, then the daemon's. */
static void
fixture_build_argv(void)
{
	const char	*daemon = getenv("SB_DAEMON");
	const char	*wrapper = getenv("SB_DAEMON_WRAPPER");
	char		*p, *word;
	size_t		 i, len;
	int		 n = 0, nd = 0;

	ck_assert_msg(daemon != NULL && *daemon != '\0',
	    "SB_DAEMON must name the sockbrokerd to test");
	free(fx.args);
	fx.args = strdup(wrapper != NULL ? wrapper : "");
	ck_assert_ptr_nonnull(fx.args);
	for (p = fx.args; (word = strsep(&p, " \t")) != NULL;) {
		if (*word != '\0' && n < FIXTURE_MAX_ARGS - 8)
			fx.argv[n++] = word;
	}
	fx.argv[n++] = (char *)daemon;
	fx.argv[n++] = "--listen";
	fx.argv[n++] = fx.path;
	fx.argv[n++] = "--foreground";
	fx.argv[n++] = "--verbose";
	fx.argv[n++] = "--no-privdrop";	/* tests: no sockbroker user */
	if (getenv("SB_POLICY") != NULL) {	/* a later --policy wins */
		fx.argv[n++] = "--policy";
		fx.argv[n++] = getenv("SB_POLICY");
	}
	for (i = 0; fixture_extra != NULL && fixture_extra[i] != NULL &&
	    n < FIXTURE_MAX_ARGS - 1; i++) {
		if (strncmp(fixture_extra[i], "{dir}", 5) != 0) {
			fx.argv[n++] = (char *)fixture_extra[i];
			continue;
		}
		len = strlen(fx.dir) + strlen(fixture_extra[i]);
		ck_assert_uint_lt(len, sizeof fixture_expanded[0]);
		ck_assert_int_lt(nd, FIXTURE_MAX_DIRARGS);
		snprintf(fixture_expanded[nd], sizeof fixture_expanded[0],
		    "%s%s", fx.dir, fixture_extra[i] + 5);
		fx.argv[n++] = fixture_expanded[nd++];
	}
	fx.argv[n] = NULL;
}

/*
 * The monitor: starts the daemon, sends its pid, then waits for teardown
 * ('T') or for the test process to vanish (EOF) and stops the daemon.
 */
static void
fixture_monitor(void)
{
	pid_t	pid;
	char	c;
	ssize_t	n;
	int	status;

	setpgid(0, 0);
	if ((pid = fork()) == -1)
		_exit(1);
	if (pid == 0)
		fixture_exec();
	signal(SIGPIPE, SIG_IGN);	/* a closed stderr must not stop cleanup */
	if (write(fx.st, &pid, sizeof pid) != sizeof pid)
		_exit(1);
	do
		n = read(fx.ctl, &c, 1);
	while (n == -1 && errno == EINTR);
	status = fixture_stop(pid);
	if (n == 1) {
		if (write(fx.st, &status, sizeof status) != sizeof status)
			_exit(1);
		return;
	}
	fixture_print_log("the test ended without teardown (failed?)");
	fixture_rmdir();
}

/* In the daemon's process: log to the directory, then exec. */
static void
fixture_exec(void)
{
	int	fd;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	fd = open(fx.log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	if (fd != -1) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, STDIN_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Nothing of the test's (Check's result file, ...) leaks in. */
	if (close_range(STDERR_FILENO + 1, ~0U, 0) == -1) {
		for (fd = STDERR_FILENO + 1; fd < 1024; fd++)
			close(fd);
	}
	execvp(fx.argv[0], fx.argv);
	dprintf(STDERR_FILENO, "exec %s: %s\n", fx.argv[0], strerror(errno));
	_exit(127);
}

/*
 * Sends SIGTERM and waits for the daemon; one that lingers is killed, which
 * shows as death by SIGKILL. Returns the wait status.
 */
static int
fixture_stop(pid_t pid)
{
	double	deadline;
	int	status;
	pid_t	r;

	kill(pid, SIGTERM);
	deadline = fixture_now() + (fixture_slow() ? 120 : 10);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return (status);
		if (r == -1 && errno != EINTR)
			return (0);
		if (fixture_now() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return (status);
		}
		usleep(10000);
	}
}

/* Waits until the socket accepts a connection; -1 if the daemon died. */
static int
fixture_wait_ready(void)
{
	struct sockaddr_un	sun;
	double			deadline;
	int			fd, ok;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, fx.path, sizeof sun.sun_path);
	deadline = fixture_now() + (fixture_slow() ? 180 : 10);
	while (fixture_now() < deadline) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return (-1);
		ok = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
		close(fd);
		if (ok)
			return (0);
		if (fixture_daemon_gone())
			return (-1);
		usleep(10000);
	}
	return (-1);
}

/* Whether the daemon has exited (a zombie of the monitor, or no more). */
static int
fixture_daemon_gone(void)
{
	char	 path[64], buf[512], *p;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)fx.daemon);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (1);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return (0);
	return (p[2] == 'Z' || p[2] == 'X');
}

/* Copies the daemon's log to stderr, saying why. */
static void
fixture_print_log(const char *why)
{
	char	buf[4096];
	ssize_t	n;
	int	fd;

	dprintf(STDERR_FILENO, "---- sockbrokerd log (%s): %s\n", why, fx.log);
	if ((fd = open(fx.log, O_RDONLY | O_CLOEXEC)) != -1) {
		while ((n = read(fd, buf, sizeof buf)) > 0) {
			if (write(STDERR_FILENO, buf, n) != n)
				break;
		}
		close(fd);
	}
	dprintf(STDERR_FILENO, "---- end of sockbrokerd log\n");
}

/* Removes the temporary directory and what the tests left in it. */
static void
fixture_rmdir(void)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(fx.dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", fx.dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(fx.dir);
}

/* Reads exactly len bytes; 0, or -1 on EOF or error. */
static int
fixture_read_all(int fd, void *buf, size_t len)
{
	char	*p = buf;
	ssize_t	 n;

	while (len > 0) {
		n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		p += n;
		len -= n;
	}
	return (0);
}

/*
 * The daemon's CPU time so far (user + system), in seconds; fails the test
 * if the daemon is gone or a zombie.
 */
double
fixture_cpu_seconds(void)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)fixture_pid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "%s: %s (did the daemon die?)", path,
	    strerror(errno));
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	/* After "(comm)": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime. */
	p = strrchr(buf, ')');
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %lu %lu", &ut, &st), 2);
	ck_assert_msg(p[2] != 'Z' && p[2] != 'X', "the daemon died");
	return ((double)(ut + st) / (double)sysconf(_SC_CLK_TCK));
}
