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
#include "check_main.h"

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	1, {
		e2e_stream_suite,
		e2e_dgram_suite,
		e2e_timeout_suite,
		e2e_handles_suite,
		e2e_names_suite,
		e2e_host_suite,
		e2e_robust_suite,
		e2e_raw_suite,
		e2e_packet_suite,
		e2e_netlink_suite,
		e2e_msg_suite,
		e2e_limits_suite,
		e2e_audit_suite,
		e2e_passfd_suite,
		e2e_park_suite,
		e2e_peer_suite,
		e2e_privileged_suite,
		e2e_scale_suite,
		e2e_channel_suite,
		e2e_chanpoll_suite,
		e2e_attach_suite,
		e2e_fork_suite,
		e2e_share_suite,
		e2e_join_suite,
		NULL,
	},
};
