/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of daemon/priv.c against the option registry: every
 * privileged option the policy can grant needs a capability the daemon
 * keeps, so that it works once granted.
 */

#include <check.h>

#include "sockbrokerd.h"

Suite	*priv_suite(void);

START_TEST(test_every_privileged_option_needs_a_kept_capability)
{
	const struct kernel_opt	*o;
	size_t			 i, n = 0;

	for (i = 0; (o = kernel_opt_at(i)) != NULL; i++) {
		if (!o->privileged)
			continue;
		ck_assert_msg(o->cap != KERNEL_CAP_NONE && priv_keeps(
		    (unsigned int)o->cap), "%s needs capability %d, which "
		    "the daemon does not keep", o->name, o->cap);
		n++;
	}
	ck_assert_uint_gt(n, 0);
	ck_assert(!priv_keeps(0));	/* CAP_CHOWN */
}
END_TEST

/* The privilege suite. */
Suite *
priv_suite(void)
{
	Suite	*s = suite_create("priv");
	TCase	*tc = tcase_create("registry");

	tcase_add_test(tc, test_every_privileged_option_needs_a_kept_capability);
	suite_add_tcase(s, tc);
	return (s);
}
