/* SPDX-License-Identifier: ISC */
/*
 * What every VM test program runs: its suite, vm_suite(), under the shared
 * main of tests/check_main.c.
 */

#include <stdio.h>
#include <stdlib.h>

#include "vm.h"
#include "check_main.h"

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	1, {
		vm_suite,
		NULL,
	},
};
