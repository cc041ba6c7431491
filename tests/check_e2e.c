/* SPDX-License-Identifier: ISC */
/*
 * End-to-end tests: the real libsockbroker against a real sockbrokerd
 * ($SB_DAEMON, optionally under $SB_DAEMON_WRAPPER such as valgrind), one
 * daemon per test. Check's variables apply: CK_RUN_SUITE=e2e_robust and
 * CK_RUN_CASE=frames pick tests, CK_VERBOSITY=verbose lists each result,
 * CK_FORK=no runs them in one process (to run this program under valgrind).
 */

#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"

/*
 * Runs every e2e suite; the exit status is the number of failures, capped
 * below 77 (which the automake test driver reads as "skipped").
 */
int
main(void)
{
	SRunner	*sr;
	int	 failed;

	if (getenv("SB_DAEMON") == NULL) {
		fprintf(stderr, "SB_DAEMON must name the sockbrokerd to test "
		    "(make check sets it)\n");
		return (99);
	}
	sr = srunner_create(e2e_stream_suite());
	srunner_add_suite(sr, e2e_dgram_suite());
	srunner_add_suite(sr, e2e_timeout_suite());
	srunner_add_suite(sr, e2e_handles_suite());
	srunner_add_suite(sr, e2e_names_suite());
	srunner_add_suite(sr, e2e_host_suite());
	srunner_add_suite(sr, e2e_robust_suite());
	srunner_add_suite(sr, e2e_raw_suite());
	srunner_add_suite(sr, e2e_packet_suite());
	srunner_add_suite(sr, e2e_netlink_suite());
	srunner_add_suite(sr, e2e_msg_suite());
	srunner_add_suite(sr, e2e_limits_suite());
	srunner_add_suite(sr, e2e_audit_suite());
	srunner_add_suite(sr, e2e_passfd_suite());
	srunner_add_suite(sr, e2e_scale_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed > 63 ? 63 : failed);
}
