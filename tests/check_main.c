/* SPDX-License-Identifier: ISC */
/*
 * The main() of every Check program: runs the suites the program lists in
 * check_program. Check's variables apply: CK_RUN_SUITE and CK_RUN_CASE pick
 * tests, CK_VERBOSITY=verbose lists each result, CK_FORK=no runs them in
 * one process (to run the program under valgrind). A run in which no test
 * ran is an error, not a pass.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"

static void	check_main_asan(void);
static void	check_main_timeout(void);

/*
 * Under ASan, freed memory sits in a quarantine of 256 MB that would look
 * like growth to the tests that measure a daemon: keep it small for the
 * daemons started here.
 */
static void
check_main_asan(void)
{
	const char	*asan = getenv("ASAN_OPTIONS");
	char		 opts[1024];

	snprintf(opts, sizeof opts, "%s%squarantine_size_mb=1",
	    asan != NULL ? asan : "", asan != NULL && *asan != '\0' ? ":" :
	    "");
	setenv("ASAN_OPTIONS", opts, 1);
}

/*
 * Under a wrapper (valgrind, and more so valgrind on the VM's emulated CPU)
 * a daemon may answer its first Hello after sb_open's default of 10 s:
 * unless the run chose a timeout, sb_open waits 300 s.
 */
static void
check_main_timeout(void)
{
	const char	*w = getenv("SB_DAEMON_WRAPPER");

	if (w != NULL && *w != '\0' && getenv("SOCKBROKER_TIMEOUT") == NULL)
		setenv("SOCKBROKER_TIMEOUT", "300", 1);
}

/*
 * Runs the program's suites; exits 0 if every test passed, 1 if one
 * failed, 99 (a hard error to the automake driver) if none ran or the
 * daemon to test was not named.
 */
int
main(void)
{
	SRunner	*sr;
	int	 failed, ran;
	size_t	 i;

	if (check_program.needs_daemon && getenv("SB_DAEMON") == NULL) {
		fprintf(stderr, "SB_DAEMON must name the sockbrokerd to test "
		    "(make check and tests/vm/init set it)\n");
		return (99);
	}
	check_main_asan();
	check_main_timeout();
	signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(check_program.suites[0]());
	for (i = 1; i < CHECK_MAX_SUITES && check_program.suites[i] != NULL;
	    i++)
		srunner_add_suite(sr, check_program.suites[i]());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	ran = srunner_ntests_run(sr);
	srunner_free(sr);
	if (ran == 0) {
		fprintf(stderr, "no test ran\n");
		return (99);
	}
	return (failed == 0 ? 0 : 1);
}
