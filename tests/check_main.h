/* SPDX-License-Identifier: ISC */
/*
 * The one main() of every Check program (tests/check_main.c): a program
 * names its suites in check_program and links check_main.c.
 */

#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>

#define CHECK_MAX_SUITES	32

/* What a test program runs. */
struct check_program {
	int	 needs_daemon;		/* SB_DAEMON must be set */
	Suite	*(*suites[CHECK_MAX_SUITES])(void);	/* NULL-terminated */
};

extern const struct check_program	check_program;

#endif /* CHECK_MAIN_H */
