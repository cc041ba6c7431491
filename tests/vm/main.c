/* SPDX-License-Identifier: ISC */
/*
 * The main of every VM test program: runs its suite, vm_suite(). A run in
 * which no test ran (a CK_RUN_CASE naming nothing, say) fails.
 */

#include <stdio.h>
#include <stdlib.h>

#include "vm.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed, ran;

	if (getenv("SB_DAEMON") == NULL) {
		fprintf(stderr, "SB_DAEMON must name the sockbrokerd to test "
		    "(tests/vm/init sets it)\n");
		return (99);
	}
	sr = srunner_create(vm_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	ran = srunner_ntests_run(sr);
	srunner_free(sr);
	if (ran == 0) {
		fprintf(stderr, "no test ran\n");
		return (99);
	}
	return (failed > 63 ? 63 : failed);
}
