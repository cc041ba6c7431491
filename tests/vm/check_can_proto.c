/* SPDX-License-Identifier: ISC */
/* Not written yet: fails until it is. */

#include "vm.h"

START_TEST(test_unwritten)
{
	ck_abort_msg("check_can_proto is not written yet");
}
END_TEST

Suite *
vm_suite(void)
{
	Suite	*s = suite_create("check_can_proto");
	TCase	*tc = fixture_tcase("unwritten");

	tcase_add_test(tc, test_unwritten);
	suite_add_tcase(s, tc);
	return (s);
}
