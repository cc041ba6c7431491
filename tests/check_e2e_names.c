/* SPDX-License-Identifier: ISC */
/*
 * Names and interfaces end to end: the daemon answers getaddrinfo,
 * getnameinfo, gethostname and the if_* calls; the daemon runs on this host,
 * so its answers must equal the local calls' answers.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

START_TEST(test_getaddrinfo_localhost_gives_loopback)
{
	struct addrinfo	 hints, *res, *ai;
	sb_conn		*c;
	char		 host[INET6_ADDRSTRLEN];
	int		 n = 0;

	c = fixture_open();
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	ck_assert_int_eq(sb_getaddrinfo(c, "localhost", "80", &hints, &res),
	    0);
	ck_assert_ptr_nonnull(res);
	for (ai = res; ai != NULL; ai = ai->ai_next, n++) {
		ck_assert_int_eq(ai->ai_socktype, SOCK_STREAM);
		ck_assert_ptr_nonnull(ai->ai_addr);
		if (ai->ai_family == AF_INET) {
			ck_assert_int_eq(ai->ai_addrlen,
			    sizeof(struct sockaddr_in));
			inet_ntop(AF_INET, &((struct sockaddr_in *)
			    ai->ai_addr)->sin_addr, host, sizeof host);
			ck_assert_str_eq(host, "127.0.0.1");
		} else {
			ck_assert_int_eq(ai->ai_family, AF_INET6);
			ck_assert_int_eq(ai->ai_addrlen,
			    sizeof(struct sockaddr_in6));
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)
			    ai->ai_addr)->sin6_addr, host, sizeof host);
			ck_assert_str_eq(host, "::1");
		}
		ck_assert_int_eq(fixture_port((struct sockaddr_storage *)
		    ai->ai_addr), 80);
	}
	ck_assert_int_gt(n, 0);
	sb_freeaddrinfo(res);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getaddrinfo_numeric_host_and_port)
{
	struct addrinfo	 hints, *res;
	sb_conn		*c;
	struct sockaddr_in *sin;

	c = fixture_open();
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	ck_assert_int_eq(sb_getaddrinfo(c, "10.1.2.3", "5353", &hints, &res),
	    0);
	ck_assert_ptr_nonnull(res);
	ck_assert_ptr_null(res->ai_next);
	ck_assert_int_eq(res->ai_family, AF_INET);
	ck_assert_int_eq(res->ai_socktype, SOCK_DGRAM);
	ck_assert_int_eq(res->ai_protocol, IPPROTO_UDP);
	sin = (struct sockaddr_in *)res->ai_addr;
	ck_assert_int_eq(sin->sin_addr.s_addr, inet_addr("10.1.2.3"));
	ck_assert_int_eq(ntohs(sin->sin_port), 5353);
	sb_freeaddrinfo(res);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getaddrinfo_numerichost_with_a_name_is_eai_noname)
{
	struct addrinfo	 hints, *res = NULL;
	sb_conn		*c;

	c = fixture_open();
	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST;
	ck_assert_int_eq(sb_getaddrinfo(c, "localhost", NULL, &hints, &res),
	    EAI_NONAME);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_GAI);
	ck_assert_int_eq(sb_lasterror()->errnum, EAI_NONAME);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getnameinfo_numeric_host_of_loopback)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	char			 host[NI_MAXHOST], serv[NI_MAXSERV];

	c = fixture_open();
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 8080);
	ck_assert_int_eq(sb_getnameinfo(c, (struct sockaddr *)&ss, len, host,
	    sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV),
	    0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_str_eq(serv, "8080");
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostname_equals_local_gethostname)
{
	sb_conn	*c;
	char	 mine[HOST_NAME_MAX + 1], theirs[HOST_NAME_MAX + 1];

	c = fixture_open();
	ck_assert_int_eq(gethostname(mine, sizeof mine), 0);
	ck_assert_int_eq(sb_gethostname(c, theirs, sizeof theirs), 0);
	ck_assert_str_eq(theirs, mine);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_if_nametoindex_lo_equals_local_value)
{
	sb_conn		*c;
	unsigned int	 idx;

	c = fixture_open();
	idx = if_nametoindex("lo");
	ck_assert_uint_gt(idx, 0);
	ck_assert_uint_eq(sb_if_nametoindex(c, "lo"), idx);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_if_nametoindex_unknown_name_is_zero_with_enodev)
{
	sb_conn	*c;

	c = fixture_open();
	ck_assert_uint_eq(sb_if_nametoindex(c, "nosuchif0"), 0);
	ck_assert_int_eq(errno, ENODEV);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_if_indextoname_equals_local_value)
{
	sb_conn	*c;
	char	 name[IF_NAMESIZE];

	c = fixture_open();
	ck_assert_ptr_eq(sb_if_indextoname(c, if_nametoindex("lo"), name),
	    name);
	ck_assert_str_eq(name, "lo");
	ck_assert_ptr_null(sb_if_indextoname(c, 999999, name));
	ck_assert_int_eq(errno, ENXIO);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_if_nameindex_contains_lo)
{
	struct if_nameindex	*ifs, *p;
	sb_conn			*c;
	int			 found = 0;

	c = fixture_open();
	ifs = sb_if_nameindex(c);
	ck_assert_ptr_nonnull(ifs);
	for (p = ifs; p->if_index != 0; p++) {
		ck_assert_ptr_nonnull(p->if_name);
		if (strcmp(p->if_name, "lo") == 0) {
			ck_assert_uint_eq(p->if_index, if_nametoindex("lo"));
			found = 1;
		}
	}
	ck_assert_ptr_null(p->if_name);
	ck_assert_msg(found, "lo is not in sb_if_nameindex()");
	sb_if_freenameindex(ifs);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_info_tells_the_daemons_limits)
{
	const struct sb_info	*info;
	sb_conn			*c;

	c = fixture_open();
	info = sb_info(c);
	ck_assert_ptr_nonnull(info);
	ck_assert_uint_eq(info->version, 1);
	ck_assert_uint_ge(info->max_frame, 4096);
	ck_assert_uint_gt(info->max_handles, 0);
	ck_assert_uint_gt(info->max_data, 0);
	ck_assert_uint_lt(info->max_data, info->max_frame);
	ck_assert_uint_gt(info->nfamilies, 0);
	sb_close_conn(c);
}
END_TEST

/* The names suite. */
Suite *
e2e_names_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_names");

	tc = fixture_tcase("resolver");
	tcase_add_test(tc, test_getaddrinfo_localhost_gives_loopback);
	tcase_add_test(tc, test_getaddrinfo_numeric_host_and_port);
	tcase_add_test(tc,
	    test_getaddrinfo_numerichost_with_a_name_is_eai_noname);
	tcase_add_test(tc, test_getnameinfo_numeric_host_of_loopback);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("host");
	tcase_add_test(tc, test_gethostname_equals_local_gethostname);
	tcase_add_test(tc, test_if_nametoindex_lo_equals_local_value);
	tcase_add_test(tc,
	    test_if_nametoindex_unknown_name_is_zero_with_enodev);
	tcase_add_test(tc, test_if_indextoname_equals_local_value);
	tcase_add_test(tc, test_if_nameindex_contains_lo);
	tcase_add_test(tc, test_info_tells_the_daemons_limits);
	suite_add_tcase(s, tc);
	return (s);
}
