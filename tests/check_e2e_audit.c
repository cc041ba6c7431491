/* SPDX-License-Identifier: ISC */
/*
 * Peer identity and the audit log, end to end: the daemon names the peer
 * the kernel reports (pid, executable, uid, groups), writes one structured
 * line per decision to the --audit-file (and to stderr in the foreground),
 * ioctls included, and a flood of decisions is cut to --audit-rate with a
 * summary of what was dropped.
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <net/if.h>

#include "fixture.h"

static const char *const audit_args[] = {
	"--audit-file", "{dir}/audit.log", NULL,
};
static const char *const audit_rate_args[] = {
	"--audit-file", "{dir}/audit.log", "--audit-rate", "5", NULL,
};

/* A policy of our own, which a test may change and reload (SIGHUP). */
static char		 audit_policy_dir[64];
static char		 audit_policy[PATH_MAX];
static const char *const audit_policy_args[] = {
	"--audit-file", "{dir}/audit.log", "--policy", audit_policy, NULL,
};

static void	 audit_setup(void);
static void	 audit_rate_setup(void);
static void	 audit_teardown(void);
static void	 audit_policy_setup(void);
static void	 audit_policy_teardown(void);
static void	 audit_policy_write(const char *);
static void	 audit_policy_reload(const char *);
static int	 audit_count(const char *, const char *, const char *);
static void	 audit_line(const char *, const char *, char *, size_t);
static int	 audit_under_valgrind(void);

/* Unchecked fixtures: the daemons of a TCase get an audit file. */
static void
audit_setup(void)
{
	fixture_set_args(audit_args);
}

static void
audit_rate_setup(void)
{
	fixture_set_args(audit_rate_args);
}

static void
audit_teardown(void)
{
	fixture_set_args(NULL);
}

/* Writes the policy file (atomically: a new file renamed over it). */
static void
audit_policy_write(const char *text)
{
	char	 tmp[PATH_MAX + 8];
	FILE	*f;

	snprintf(tmp, sizeof tmp, "%s.new", audit_policy);
	ck_assert_msg((f = fopen(tmp, "w")) != NULL, "%s: %s", tmp,
	    strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, audit_policy), 0);
}

/* The daemons of a TCase load a policy that permits inet datagrams. */
static void
audit_policy_setup(void)
{
	snprintf(audit_policy_dir, sizeof audit_policy_dir,
	    "/tmp/sb-audit-policy.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(audit_policy_dir));
	snprintf(audit_policy, sizeof audit_policy, "%s/policy.conf",
	    audit_policy_dir);
	audit_policy_write("permit * family inet type dgram\n");
	fixture_set_args(audit_policy_args);
}

static void
audit_policy_teardown(void)
{
	fixture_set_args(NULL);
	unlink(audit_policy);
	rmdir(audit_policy_dir);
}

/* Replaces the daemon's policy with text and waits for it to take it. */
static void
audit_policy_reload(const char *text)
{
	double	 deadline = fixture_now() + (fixture_slow() ? 30 : 5);
	int	 before = audit_count("daemon.log", " reloaded: ", NULL);

	audit_policy_write(text);
	ck_assert_int_eq(kill(fixture_pid(), SIGHUP), 0);
	while (audit_count("daemon.log", " reloaded: ", NULL) == before) {
		ck_assert_msg(fixture_now() < deadline, "no policy reload");
		usleep(20000);
	}
}

/* How many lines of file (in the fixture's directory) hold a and b. */
static int
audit_count(const char *file, const char *a, const char *b)
{
	char	 path[PATH_MAX], line[8192];
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof path, "%s/%s", fixture_dir(), file);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, a) != NULL && (b == NULL ||
		    strstr(line, b) != NULL))
			n++;
	}
	fclose(f);
	return (n);
}

/* The last line of the audit file holding what, into buf; "" if none. */
static void
audit_line(const char *what, const char *also, char *buf, size_t len)
{
	char	 path[PATH_MAX], line[8192];
	FILE	*f;

	buf[0] = '\0';
	snprintf(path, sizeof path, "%s/audit.log", fixture_dir());
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s: %s", path,
	    strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, what) != NULL && strstr(line, also) != NULL)
			snprintf(buf, len, "%s", line);
	}
	fclose(f);
}

/*
 * Whether this test program runs under valgrind (CK_FORK=no in CI): its
 * /proc/self/exe then names our program, but the daemon sees valgrind's.
 */
static int
audit_under_valgrind(void)
{
	const char	*preload = getenv("LD_PRELOAD");

	return (preload != NULL && strstr(preload, "valgrind") != NULL);
}

START_TEST(test_connect_log_names_the_peer)
{
	char	 exe[PATH_MAX], want[PATH_MAX + 128];
	ssize_t	 n;
	sb_conn	*c;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	c = fixture_open();
	if (audit_under_valgrind())	/* valgrind is what the kernel runs */
		snprintf(want, sizeof want, "connected, pid %ld (",
		    (long)getpid());
	else
		snprintf(want, sizeof want, "connected, pid %ld (%s) uid %lu (",
		    (long)getpid(), exe, (unsigned long)getuid());
	/* The fixture's probe for readiness came from this pid too. */
	ck_assert_msg(audit_count("daemon.log", want, NULL) >= 1,
	    "no \"%s\" in the daemon's log", want);
	snprintf(want, sizeof want, " gid %lu (", (unsigned long)getgid());
	ck_assert_int_ge(audit_count("daemon.log", "connected, pid", want), 1);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_socket_decision_is_one_audit_line)
{
	char	 exe[PATH_MAX], line[8192], want[PATH_MAX + 64];
	ssize_t	 n;
	sb_conn	*c;
	int	 h;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);

	audit_line(" op=socket ", " family=inet type=dgram ", line,
	    sizeof line);
	ck_assert_msg(line[0] != '\0', "no audit line for socket()");
	ck_assert_msg(strncmp(line, "ts=", 3) == 0, "%s", line);
	ck_assert_msg(line[strlen(line) - 1] == '\n', "%s", line);
	snprintf(want, sizeof want, " uid=%lu ", (unsigned long)getuid());
	ck_assert_msg(strstr(line, want) != NULL, "%s", line);
	if (audit_under_valgrind())
		snprintf(want, sizeof want, " pid=%ld exe=", (long)getpid());
	else
		snprintf(want, sizeof want, " pid=%ld exe=%s ", (long)getpid(),
		    exe);
	ck_assert_msg(strstr(line, want) != NULL, "want %s in %s", want, line);
	ck_assert_msg(strstr(line, h > 0 ? " verdict=permit " :
	    " verdict=deny ") != NULL, "%s", line);
	ck_assert_msg(strstr(line, " rule=") != NULL, "%s", line);
	ck_assert_msg(strstr(line, " reason=") != NULL, "%s", line);
	/* In the foreground the same line goes to stderr too. */
	ck_assert_int_ge(audit_count("daemon.log", "audit: ts=",
	    " op=socket "), 1);
	if (h > 0)
		ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

/*
 * An ioctl about an interface is audited with its name, permitted or
 * denied (here by a policy tightened under an open socket); one about
 * the socket's own queue only when denied.
 */
START_TEST(test_ioctl_decisions_are_audited_with_their_name)
{
	struct ifreq	 ifr;
	char		 line[8192];
	sb_conn		*c;
	int		 h, n;

	c = fixture_open();
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	ck_assert_msg(sb_ioctl(c, h, SIOCGIFINDEX, &ifr) == 0,
	    "SIOCGIFINDEX: %s", strerror(errno));
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	audit_line(" op=ioctl ", " ioctl=SIOCGIFINDEX ", line, sizeof line);
	ck_assert_msg(line[0] != '\0', "no audit line for a permitted ioctl");
	ck_assert_msg(strstr(line, " family=inet type=dgram proto=default "
	    "iface=- local=- remote=- ioctl=SIOCGIFINDEX verdict=permit "
	    "rule=1 reason=\"permitted by rule at line 1\"") != NULL, "%s",
	    line);
	ck_assert_int_eq(audit_count("audit.log", " ioctl=FIONREAD ", NULL),
	    0);

	audit_policy_reload("deny * family inet\n");
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFINDEX, &ifr), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), -1);
	ck_assert_int_eq(errno, EACCES);
	audit_line(" ioctl=SIOCGIFINDEX ", " verdict=deny ", line,
	    sizeof line);
	ck_assert_msg(strstr(line, " op=ioctl family=inet type=dgram ") !=
	    NULL && strstr(line, " rule=1 reason=\"denied by rule at line "
	    "1\"") != NULL, "no denial of SIOCGIFINDEX audited: %s", line);
	ck_assert_int_eq(audit_count("audit.log", " ioctl=FIONREAD ",
	    " verdict=deny "), 1);
	ck_assert_int_eq(audit_count("audit.log", " op=ioctl ", NULL), 3);
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_audit_flood_is_rate_limited_with_a_summary)
{
	double	 t0, elapsed;
	sb_conn	*c;
	int	 i, h, lines, most, summaries;

	c = fixture_open();
	t0 = fixture_now();
	for (i = 0; i < 100; i++) {
		if ((h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) > 0)
			sb_close(c, h);
	}
	elapsed = fixture_now() - t0;
	lines = audit_count("audit.log", " op=socket ", NULL);
	if (lines == 100 && elapsed > 17)
		return;		/* too slow a run (valgrind) to flood */
	most = 10 + (int)(5 * elapsed) + 2;	/* burst, rate, rounding */
	ck_assert_msg(lines >= 10 && lines <= most, "%d lines in %.2f s",
	    lines, elapsed);

	/*
	 * Once tokens are back, the next line is preceded by a summary of
	 * what was dropped since the last line written. A slow run (valgrind
	 * on a busy machine) may already have written one during the flood,
	 * when a token came back between drops.
	 */
	summaries = audit_count("audit.log", "lines dropped (rate limit)",
	    " dropped=");
	usleep(1200000);
	if ((h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) > 0)
		sb_close(c, h);
	ck_assert_int_eq(audit_count("audit.log",
	    "lines dropped (rate limit)", " dropped="), summaries + 1);
	ck_assert_int_eq(audit_count("audit.log", " op=socket ", NULL),
	    lines + 1);
	sb_close_conn(c);
}
END_TEST

/* The audit suite. */
Suite *
e2e_audit_suite(void)
{
	Suite	*s = suite_create("e2e_audit");
	TCase	*tc;

	tc = fixture_tcase("audit");
	tcase_add_unchecked_fixture(tc, audit_setup, audit_teardown);
	tcase_add_test(tc, test_connect_log_names_the_peer);
	tcase_add_test(tc, test_socket_decision_is_one_audit_line);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("ioctl");
	tcase_add_unchecked_fixture(tc, audit_policy_setup,
	    audit_policy_teardown);
	tcase_add_test(tc, test_ioctl_decisions_are_audited_with_their_name);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("rate");
	tcase_add_unchecked_fixture(tc, audit_rate_setup, audit_teardown);
	tcase_add_test(tc, test_audit_flood_is_rate_limited_with_a_summary);
	suite_add_tcase(s, tc);
	return (s);
}
