/* SPDX-License-Identifier: ISC */
/*
 * Privileged socket options and raw sockets through the real daemon. Every
 * privileged option of the registry, on every family this kernel has that
 * takes it, is refused (EACCES, kind policy) by a daemon whose policy names
 * none and set by one whose policy names them all (optwalk.c; the VM walks
 * the families this kernel lacks). A raw inet or inet6 socket is refused
 * when `permit * family inet,inet6` decides, and opened when the deciding
 * rule names type raw.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "optwalk.h"

static char		 priv_policy[PATH_MAX];
static const char	*priv_args[] = { "--policy", priv_policy, NULL };

static void	 priv_write(const char *);
static void	 priv_raw_setup(void);
static void	 priv_teardown(void);
static void	 priv_walk(int);
static void	 priv_expect_raw_refused(sb_conn *, int, int);

/* Writes text as the policy of the daemons started from now on. */
static void
priv_write(const char *text)
{
	FILE	*fp;
	int	 fd;

	snprintf(priv_policy, sizeof priv_policy, "/tmp/sbpriv.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(priv_policy), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs(text, fp);
	ck_assert_int_eq(fclose(fp), 0);
	fixture_set_args(priv_args);
}

/*
 * Unchecked fixture: raw UDP sockets granted by name, every other inet and
 * inet6 socket by family alone.
 */
static void
priv_raw_setup(void)
{
	priv_write("permit * family inet,inet6\n"
	    "permit * family inet,inet6 type raw proto udp\n");
}

/* Unchecked teardown: the policy file goes, the default arguments return. */
static void
priv_teardown(void)
{
	unlink(priv_policy);
	fixture_set_args(NULL);
}

/*
 * Walks the registry over the families of the daemon's Hello; every
 * privileged option that one of them (or any socket) takes must be proved.
 */
static void
priv_walk(int grant)
{
	const struct kernel_opt	*o;
	const struct sb_info	*info;
	sb_conn			*c = fixture_open();
	unsigned long long	 covered;
	size_t			 i, j, k = 0, proved;
	int			 here;

	info = sb_info(c);
	proved = optwalk_run(c, grant, info->families, info->nfamilies,
	    &covered);
	for (i = 0; (o = kernel_opt_at(i)) != NULL; i++) {
		if (!o->privileged)
			continue;
		here = o->family == AF_UNSPEC;
		for (j = 0; j < info->nfamilies; j++)
			here |= info->families[j] == o->family;
		if (here)
			ck_assert_msg(covered & (1ULL << k), "%s not proved",
			    o->name);
		else
			fprintf(stderr, "%s: family %d not in this kernel, "
			    "left to the VM\n", o->name, o->family);
		k++;
	}
	ck_assert_uint_ge(proved, k);
	fprintf(stderr, "%s: %zu privileged options, %zu (option, socket) "
	    "pairs proved over %zu families\n", grant ? "granted" : "refused",
	    k, proved, info->nfamilies);
	sb_close_conn(c);
}

START_TEST(test_privileged_options_refused_without_a_naming_rule)
{
	priv_walk(0);
}
END_TEST

START_TEST(test_privileged_options_set_with_a_naming_rule)
{
	priv_walk(1);
}
END_TEST

/* Fails unless a raw socket of family is refused by the policy. */
static void
priv_expect_raw_refused(sb_conn *c, int family, int protocol)
{
	const struct sb_error	*e;

	ck_assert_int_eq(sb_socket(c, family, SOCK_RAW, protocol), -1);
	e = sb_lasterror();
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(e->kind, SB_ERR_POLICY);
	ck_assert_msg(strstr(e->message, "needs type raw") != NULL, "%s",
	    e->message);
}

/*
 * `permit * family inet,inet6` decides raw ICMP sockets and refuses them;
 * the rule that names type raw (for UDP) grants its raw sockets.
 */
START_TEST(test_family_inet_grants_no_raw_socket_type_raw_does)
{
	sb_conn	*c = fixture_open();
	int	 h;

	priv_expect_raw_refused(c, AF_INET, IPPROTO_ICMP);
	priv_expect_raw_refused(c, AF_INET, IPPROTO_RAW);
	priv_expect_raw_refused(c, AF_INET6, IPPROTO_ICMPV6);
	ck_assert_int_eq(sb_socket(c, AF_INET, SOCK_PACKET, htons(3)), -1);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	ck_assert_int_ne(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(sb_close(c, h), 0);

	ck_assert_int_ne(h = sb_socket(c, AF_INET, SOCK_RAW, IPPROTO_UDP), -1);
	ck_assert_int_eq(sb_close(c, h), 0);
	if (fixture_have_ipv6()) {
		ck_assert_int_ne(h = sb_socket(c, AF_INET6, SOCK_RAW,
		    IPPROTO_UDP), -1);
		ck_assert_int_eq(sb_close(c, h), 0);
	}
	sb_close_conn(c);
}
END_TEST

/* The privileged options and raw sockets suite: a TCase per policy. */
Suite *
e2e_privileged_suite(void)
{
	Suite	*s = suite_create("e2e_privileged");
	TCase	*tc;

	optwalk_tcases(s, test_privileged_options_refused_without_a_naming_rule,
	    test_privileged_options_set_with_a_naming_rule);
	tc = fixture_tcase("raw");
	tcase_add_unchecked_fixture(tc, priv_raw_setup, priv_teardown);
	tcase_add_test(tc, test_family_inet_grants_no_raw_socket_type_raw_does);
	suite_add_tcase(s, tc);
	return (s);
}
