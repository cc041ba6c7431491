/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of proto/address.c: sockaddr to Address and back for every
 * variant, round trips over the wire, and hostile Addresses.
 */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbproto.h"

#define SUN_OFFSET	offsetof(struct sockaddr_un, sun_path)

Suite	*address_suite(void);

/* Converts sa to an Address, packs it, unpacks it and converts it back. */
static void
address_round_trip(const void *sa, socklen_t len)
{
	struct sbp_address	 out;
	struct sockaddr_storage	 ss;
	Sockbroker__Address	*got;
	const char		*cause = NULL;
	uint8_t			*buf;
	size_t			 n;
	socklen_t		 sslen;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out, sa, len, &cause), 0);
	n = sockbroker__address__get_packed_size(&out.addr);
	buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(sockbroker__address__pack(&out.addr, buf), n);
	got = sockbroker__address__unpack(NULL, n, buf);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(sbp_address_to_sockaddr(got, &ss, &sslen, &cause), 0);
	ck_assert_uint_eq(sslen, len);
	ck_assert_mem_eq(&ss, sa, len);
	sockbroker__address__free_unpacked(got, NULL);
	free(buf);
}

/* Checks that a converts to -1 with errno error and the given cause. */
static void
address_refused(const Sockbroker__Address *a, int error, const char *why)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	const char		*cause = NULL;

	errno = 0;
	ck_assert_int_eq(sbp_address_to_sockaddr(a, &ss, &len, &cause), -1);
	ck_assert_int_eq(errno, error);
	ck_assert_ptr_nonnull(cause);
	if (why != NULL)
		ck_assert_str_eq(cause, why);
	errno = 0;
	ck_assert_int_eq(sbp_address_to_sockaddr(a, &ss, &len, NULL), -1);
	ck_assert_int_eq(errno, error);
}

/* Makes a sockaddr_in. */
static struct sockaddr_in
address_sin(const char *host, uint16_t port)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, host, &sin.sin_addr), 1);
	return (sin);
}

/* Makes a sockaddr_in6. */
static struct sockaddr_in6
address_sin6(const char *host, uint16_t port, uint32_t flowinfo,
    uint32_t scope_id)
{
	struct sockaddr_in6	sin6;

	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_flowinfo = htonl(flowinfo);
	sin6.sin6_scope_id = scope_id;
	ck_assert_int_eq(inet_pton(AF_INET6, host, &sin6.sin6_addr), 1);
	return (sin6);
}

/* Makes a sockaddr_un of n name bytes, its length in *len. */
static struct sockaddr_un
address_sun(const char *name, size_t n, socklen_t *len)
{
	struct sockaddr_un	sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, name, n);
	*len = SUN_OFFSET + n;
	return (sun);
}

/* ---- sockaddr -> Address ------------------------------------------------ */

START_TEST(test_from_inet_gives_host_and_port)
{
	struct sockaddr_in	sin = address_sin("192.0.2.1", 8080);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, sizeof sin, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_INET);
	ck_assert_ptr_eq(out.addr.inet, &out.u.inet);
	ck_assert_str_eq(out.addr.inet->host, "192.0.2.1");
	ck_assert_uint_eq(out.addr.inet->port, 8080);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_INET);
}
END_TEST

START_TEST(test_from_inet6_gives_flowinfo_and_scope_id)
{
	struct sockaddr_in6	sin6 = address_sin6("fe80::1", 443, 0x12345, 3);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin6, sizeof sin6, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_INET6);
	ck_assert_str_eq(out.addr.inet6->host, "fe80::1");
	ck_assert_uint_eq(out.addr.inet6->port, 443);
	ck_assert(out.addr.inet6->has_flowinfo);
	ck_assert_uint_eq(out.addr.inet6->flowinfo, 0x12345);
	ck_assert(out.addr.inet6->has_scope_id);
	ck_assert_uint_eq(out.addr.inet6->scope_id, 3);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_INET6);
}
END_TEST

START_TEST(test_from_inet6_sets_has_flags_even_for_zero)
{
	struct sockaddr_in6	sin6 = address_sin6("::1", 1, 0, 0);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin6, sizeof sin6, NULL), 0);
	ck_assert(out.addr.inet6->has_flowinfo);
	ck_assert(out.addr.inet6->has_scope_id);
}
END_TEST

START_TEST(test_from_unix_path_gives_path)
{
	socklen_t		len;
	struct sockaddr_un	sun = address_sun("/run/x.sock", 12, &len);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, len, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_UN);
	ck_assert_int_eq(out.addr.un->name_case,
	    SOCKBROKER__UNIX_ADDRESS__NAME_PATH);
	ck_assert_str_eq(out.addr.un->path, "/run/x.sock");
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_UNIX);
}
END_TEST

START_TEST(test_from_unix_path_without_nul_is_cut_at_len)
{
	socklen_t		len;
	struct sockaddr_un	sun = address_sun("/tmp/abcdef", 11, &len);
	struct sbp_address	out;

	/* The kernel may return a path without its NUL; len bounds it. */
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, SUN_OFFSET + 6, NULL), 0);
	ck_assert_str_eq(out.addr.un->path, "/tmp/a");
}
END_TEST

START_TEST(test_from_unix_path_filling_sun_path_is_terminated)
{
	struct sockaddr_un	sun;
	struct sbp_address	out;
	char			name[sizeof sun.sun_path];

	memset(name, 'p', sizeof name);
	name[0] = '/';
	sun = address_sun(name, sizeof name, &(socklen_t){ 0 });
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, sizeof sun, NULL), 0);
	ck_assert_uint_eq(strlen(out.addr.un->path), sizeof sun.sun_path);
	ck_assert_mem_eq(out.addr.un->path, name, sizeof name);
}
END_TEST

START_TEST(test_from_unix_abstract_drops_leading_nul)
{
	socklen_t		len;
	struct sockaddr_un	sun = address_sun("\0ab\0cd", 6, &len);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, len, NULL), 0);
	ck_assert_int_eq(out.addr.un->name_case,
	    SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT);
	ck_assert_uint_eq(out.addr.un->abstract.len, 5);
	ck_assert_mem_eq(out.addr.un->abstract.data, "ab\0cd", 5);
}
END_TEST

START_TEST(test_from_unix_unnamed_has_no_name)
{
	struct sockaddr_un	sun;
	struct sbp_address	out;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, sizeof(sa_family_t), NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_UN);
	ck_assert_int_eq(out.addr.un->name_case,
	    SOCKBROKER__UNIX_ADDRESS__NAME__NOT_SET);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, SUN_OFFSET, NULL), 0);
	ck_assert_int_eq(out.addr.un->name_case,
	    SOCKBROKER__UNIX_ADDRESS__NAME__NOT_SET);
}
END_TEST

START_TEST(test_from_sockaddr_too_short_is_einval)
{
	struct sockaddr_in	sin = address_sin("192.0.2.1", 80);
	struct sockaddr_in6	sin6 = address_sin6("::1", 80, 0, 0);
	struct sbp_address	out;
	const char		*cause = NULL;

	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, sizeof sin - 1, &cause), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(cause);
	errno = 0;
	cause = NULL;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin6, sizeof sin6 - 4, &cause), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(cause);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, 1, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out, NULL, sizeof sin,
	    NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_from_unsupported_family_is_eafnosupport)
{
	struct sockaddr_storage	ss;
	struct sbp_address	out;
	const char		*cause = NULL;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = AF_APPLETALK;
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, sizeof ss, &cause), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	ck_assert_ptr_nonnull(cause);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, sizeof ss, NULL), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
}
END_TEST

/* ---- round trips over the wire ------------------------------------------ */

START_TEST(test_inet_round_trips_byte_identical)
{
	struct sockaddr_in	sin = address_sin("192.0.2.1", 8080);

	address_round_trip(&sin, sizeof sin);
	sin = address_sin("0.0.0.0", 0);
	address_round_trip(&sin, sizeof sin);
	sin = address_sin("255.255.255.255", 65535);
	address_round_trip(&sin, sizeof sin);
}
END_TEST

START_TEST(test_inet6_round_trips_byte_identical)
{
	struct sockaddr_in6	sin6;

	sin6 = address_sin6("fe80::1:2:3", 8080, 0xfffff, 7);
	address_round_trip(&sin6, sizeof sin6);
	sin6 = address_sin6("::", 0, 0, 0);
	address_round_trip(&sin6, sizeof sin6);
	sin6 = address_sin6("::ffff:192.0.2.1", 53, 1, UINT32_MAX);
	address_round_trip(&sin6, sizeof sin6);
}
END_TEST

START_TEST(test_unix_path_round_trips_byte_identical)
{
	socklen_t		len;
	struct sockaddr_un	sun = address_sun("/run/x.sock", 12, &len);

	address_round_trip(&sun, len);
}
END_TEST

START_TEST(test_unix_path_of_107_bytes_round_trips)
{
	struct sockaddr_un	sun;
	char			name[sizeof sun.sun_path];
	socklen_t		len;

	memset(name, 'p', sizeof name);
	name[0] = '/';
	name[sizeof name - 1] = '\0';
	sun = address_sun(name, sizeof name, &len);
	ck_assert_uint_eq(len, sizeof sun);
	address_round_trip(&sun, len);
}
END_TEST

START_TEST(test_unix_abstract_with_nul_round_trips_byte_identical)
{
	socklen_t		len;
	struct sockaddr_un	sun = address_sun("\0ab\0cd\0", 7, &len);

	address_round_trip(&sun, len);
}
END_TEST

START_TEST(test_unix_abstract_of_107_bytes_round_trips)
{
	struct sockaddr_un	sun;
	char			name[sizeof sun.sun_path];
	socklen_t		len;

	memset(name, 'a', sizeof name);
	name[0] = '\0';
	name[50] = '\0';
	sun = address_sun(name, sizeof name, &len);
	address_round_trip(&sun, len);
}
END_TEST

START_TEST(test_unix_unnamed_round_trips_byte_identical)
{
	struct sockaddr_un	sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	address_round_trip(&sun, sizeof(sa_family_t));
}
END_TEST

/* ---- Address -> sockaddr ------------------------------------------------ */

START_TEST(test_to_inet_empty_host_is_any)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress	 in = SOCKBROKER__INET_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	socklen_t		 len;

	in.host = (char *)"";
	in.port = 80;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = &in;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(len, sizeof *sin);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 80);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));
}
END_TEST

START_TEST(test_to_inet_broadcast_host_is_inaddr_broadcast)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress	 in = SOCKBROKER__INET_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	socklen_t		 len;

	in.host = (char *)"<broadcast>";
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = &in;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_BROADCAST));
}
END_TEST

START_TEST(test_to_inet_hostname_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress	 in = SOCKBROKER__INET_ADDRESS__INIT;
	static const char	*bad[] = { "localhost", "example.com", "1.2.3",
				     "192.0.2.256", "::1", " 192.0.2.1" };
	size_t			 i;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = &in;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in.host = (char *)bad[i];
		address_refused(&a, EINVAL,
		    "inet host is not a numeric IPv4 address");
	}
}
END_TEST

START_TEST(test_to_inet_port_65536_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress	 in = SOCKBROKER__INET_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	in.host = (char *)"127.0.0.1";
	in.port = 65535;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = &in;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	in.port = 65536;
	address_refused(&a, EINVAL, "port out of range (0-65535)");
	in.port = UINT32_MAX;
	address_refused(&a, EINVAL, "port out of range (0-65535)");
}
END_TEST

START_TEST(test_to_inet6_empty_host_is_any)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__Inet6Address in6 = SOCKBROKER__INET6_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;

	in6.host = (char *)"";
	in6.port = 22;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = &in6;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(len, sizeof *sin6);
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 22);
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
	ck_assert_uint_eq(sin6->sin6_flowinfo, 0);
	ck_assert_uint_eq(sin6->sin6_scope_id, 0);
}
END_TEST

START_TEST(test_to_inet6_bad_text_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__Inet6Address in6 = SOCKBROKER__INET6_ADDRESS__INIT;
	static const char	*bad[] = { "fe80::zz", "1::2::3", "localhost",
				     "192.0.2.1", "fe80::1%eth0", "::1 " };
	size_t			 i;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = &in6;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in6.host = (char *)bad[i];
		address_refused(&a, EINVAL,
		    "inet6 host is not a numeric IPv6 address");
	}
}
END_TEST

START_TEST(test_to_inet6_port_65536_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__Inet6Address in6 = SOCKBROKER__INET6_ADDRESS__INIT;

	in6.host = (char *)"::1";
	in6.port = 65536;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = &in6;
	address_refused(&a, EINVAL, "port out of range (0-65535)");
}
END_TEST

START_TEST(test_to_inet6_flowinfo_over_20_bits_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__Inet6Address in6 = SOCKBROKER__INET6_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;

	in6.host = (char *)"::1";
	in6.has_flowinfo = 1;
	in6.flowinfo = 0xfffff;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = &in6;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(ntohl(sin6->sin6_flowinfo), 0xfffff);
	in6.flowinfo = 0x100000;
	address_refused(&a, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_inet6_scope_id_is_kept_as_given)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__Inet6Address in6 = SOCKBROKER__INET6_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;

	in6.host = (char *)"fe80::1";
	in6.has_scope_id = 1;
	in6.scope_id = UINT32_MAX;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = &in6;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(sin6->sin6_scope_id, UINT32_MAX);
}
END_TEST

START_TEST(test_to_unix_path_is_nul_terminated)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress	 un = SOCKBROKER__UNIX_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&ss;
	socklen_t		 len;

	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_PATH;
	un.path = (char *)"/tmp/s";
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_int_eq(sun->sun_family, AF_UNIX);
	ck_assert_uint_eq(len, SUN_OFFSET + 7);
	ck_assert_str_eq(sun->sun_path, "/tmp/s");
}
END_TEST

START_TEST(test_to_unix_path_of_108_bytes_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress	 un = SOCKBROKER__UNIX_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 path[200];

	memset(path, 'p', sizeof path);
	path[107] = '\0';
	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_PATH;
	un.path = path;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_un));
	path[107] = 'p';
	path[108] = '\0';
	address_refused(&a, EINVAL, "unix path too long (max 107 bytes)");
	path[108] = 'p';
	path[199] = '\0';
	address_refused(&a, EINVAL, "unix path too long (max 107 bytes)");
}
END_TEST

START_TEST(test_to_unix_empty_path_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress	 un = SOCKBROKER__UNIX_ADDRESS__INIT;

	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_PATH;
	un.path = (char *)"";
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	address_refused(&a, EINVAL, NULL);
	un.path = NULL;
	address_refused(&a, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_unix_abstract_of_108_bytes_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress	 un = SOCKBROKER__UNIX_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&ss;
	socklen_t		 len;
	uint8_t			 name[108];

	memset(name, 0, sizeof name);
	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT;
	un.abstract.data = name;
	un.abstract.len = 107;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(len, sizeof(struct sockaddr_un));
	ck_assert_int_eq(sun->sun_path[0], '\0');
	un.abstract.len = 108;
	address_refused(&a, EINVAL,
	    "unix abstract name too long (max 107 bytes)");
}
END_TEST

START_TEST(test_to_unix_empty_abstract_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress	 un = SOCKBROKER__UNIX_ADDRESS__INIT;

	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	address_refused(&a, EINVAL, NULL);
	un.abstract.len = 3;
	address_refused(&a, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_unix_without_name_is_unnamed)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress	 un = SOCKBROKER__UNIX_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	socklen_t		 len;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_uint_eq(len, sizeof(sa_family_t));
	ck_assert_int_eq(ss.ss_family, AF_UNIX);
}
END_TEST

START_TEST(test_to_sockaddr_missing_sub_message_is_einval)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = NULL;
	address_refused(&a, EINVAL, NULL);
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = NULL;
	address_refused(&a, EINVAL, NULL);
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = NULL;
	address_refused(&a, EINVAL, NULL);
	address_refused(NULL, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_sockaddr_missing_host_is_einval)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress	 in = SOCKBROKER__INET_ADDRESS__INIT;
	Sockbroker__Inet6Address in6 = SOCKBROKER__INET6_ADDRESS__INIT;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = &in;
	address_refused(&a, EINVAL, NULL);
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	a.inet6 = &in6;
	address_refused(&a, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_sockaddr_without_variant_is_einval)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;

	address_refused(&a, EINVAL, "address has no family");
	ck_assert_int_eq(sbp_address_family(&a), AF_UNSPEC);
}
END_TEST

START_TEST(test_to_sockaddr_unknown_variant_is_eafnosupport)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;

	a.addr_case = (Sockbroker__Address__AddrCase)4;
	address_refused(&a, EAFNOSUPPORT, NULL);
	ck_assert_int_eq(sbp_address_family(&a), AF_UNSPEC);
	ck_assert_int_eq(sbp_address_family(NULL), AF_UNSPEC);
}
END_TEST

START_TEST(test_wire_address_of_a_later_family_has_no_family)
{
	/* Field 4 (packet, in a later version) with an empty message. */
	static const uint8_t	 later[] = { 0x22, 0x00 };
	Sockbroker__Address	*a;

	a = sockbroker__address__unpack(NULL, sizeof later, later);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->addr_case, SOCKBROKER__ADDRESS__ADDR__NOT_SET);
	address_refused(a, EINVAL, "address has no family");
	sockbroker__address__free_unpacked(a, NULL);
}
END_TEST

START_TEST(test_to_sockaddr_zeroes_storage_first)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress	 in = SOCKBROKER__INET_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	static const uint8_t	 zero[sizeof ss];
	socklen_t		 len;

	memset(&ss, 0xaa, sizeof ss);
	in.host = (char *)"192.0.2.1";
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a.inet = &in;
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), 0);
	ck_assert_mem_eq(sin->sin_zero, zero, sizeof sin->sin_zero);
	ck_assert_mem_eq((uint8_t *)&ss + len, zero, sizeof ss - len);
	in.port = 70000;
	memset(&ss, 0xaa, sizeof ss);
	ck_assert_int_eq(sbp_address_to_sockaddr(&a, &ss, &len, NULL), -1);
	ck_assert_mem_eq(&ss, zero, sizeof ss);
}
END_TEST

/* Builds the suite of address conversion tests. */
Suite *
address_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("address");

	tc = tcase_create("from_sockaddr");
	tcase_add_test(tc, test_from_inet_gives_host_and_port);
	tcase_add_test(tc, test_from_inet6_gives_flowinfo_and_scope_id);
	tcase_add_test(tc, test_from_inet6_sets_has_flags_even_for_zero);
	tcase_add_test(tc, test_from_unix_path_gives_path);
	tcase_add_test(tc, test_from_unix_path_without_nul_is_cut_at_len);
	tcase_add_test(tc, test_from_unix_path_filling_sun_path_is_terminated);
	tcase_add_test(tc, test_from_unix_abstract_drops_leading_nul);
	tcase_add_test(tc, test_from_unix_unnamed_has_no_name);
	tcase_add_test(tc, test_from_sockaddr_too_short_is_einval);
	tcase_add_test(tc, test_from_unsupported_family_is_eafnosupport);
	suite_add_tcase(s, tc);

	tc = tcase_create("round_trip");
	tcase_add_test(tc, test_inet_round_trips_byte_identical);
	tcase_add_test(tc, test_inet6_round_trips_byte_identical);
	tcase_add_test(tc, test_unix_path_round_trips_byte_identical);
	tcase_add_test(tc, test_unix_path_of_107_bytes_round_trips);
	tcase_add_test(tc,
	    test_unix_abstract_with_nul_round_trips_byte_identical);
	tcase_add_test(tc, test_unix_abstract_of_107_bytes_round_trips);
	tcase_add_test(tc, test_unix_unnamed_round_trips_byte_identical);
	suite_add_tcase(s, tc);

	tc = tcase_create("to_sockaddr");
	tcase_add_test(tc, test_to_inet_empty_host_is_any);
	tcase_add_test(tc, test_to_inet_broadcast_host_is_inaddr_broadcast);
	tcase_add_test(tc, test_to_inet_hostname_is_einval);
	tcase_add_test(tc, test_to_inet_port_65536_is_einval);
	tcase_add_test(tc, test_to_inet6_empty_host_is_any);
	tcase_add_test(tc, test_to_inet6_bad_text_is_einval);
	tcase_add_test(tc, test_to_inet6_port_65536_is_einval);
	tcase_add_test(tc, test_to_inet6_flowinfo_over_20_bits_is_einval);
	tcase_add_test(tc, test_to_inet6_scope_id_is_kept_as_given);
	tcase_add_test(tc, test_to_unix_path_is_nul_terminated);
	tcase_add_test(tc, test_to_unix_path_of_108_bytes_is_einval);
	tcase_add_test(tc, test_to_unix_empty_path_is_einval);
	tcase_add_test(tc, test_to_unix_abstract_of_108_bytes_is_einval);
	tcase_add_test(tc, test_to_unix_empty_abstract_is_einval);
	tcase_add_test(tc, test_to_unix_without_name_is_unnamed);
	tcase_add_test(tc, test_to_sockaddr_missing_sub_message_is_einval);
	tcase_add_test(tc, test_to_sockaddr_missing_host_is_einval);
	tcase_add_test(tc, test_to_sockaddr_without_variant_is_einval);
	tcase_add_test(tc, test_to_sockaddr_unknown_variant_is_eafnosupport);
	tcase_add_test(tc, test_wire_address_of_a_later_family_has_no_family);
	tcase_add_test(tc, test_to_sockaddr_zeroes_storage_first);
	suite_add_tcase(s, tc);

	return (s);
}

/* Runs the address suite. */
int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(address_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
