/* SPDX-License-Identifier: ISC */
/*
 * Host, service and protocol functions end to end: the daemon runs on this
 * host, so its answers must equal what the local C library says. Nothing
 * here may send traffic off the machine: names are localhost, 127.0.0.1,
 * numeric addresses and names in /etc/hosts; a name that must not resolve
 * has a label of 64 bytes, which the resolver refuses before any query.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

/* A label over 63 bytes: no DNS query can even be built for it. */
#define HOST_NOSUCH	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
			"aaaa.invalid"

static void	 host_assert_same(const struct hostent *,
		     const struct hostent *);
static void	 host_assert_error(int, int, int);
static int	 host_in_etc_hosts(const char *);
static void	 host_fqdn_local(const char *, char *, size_t);
static char	*host_long(size_t);
static void	 host_raw_send(int, Sockbroker__Request *);

/* Asserts two host entries are equal: name, aliases, family, addresses. */
static void
host_assert_same(const struct hostent *he, const struct hostent *want)
{
	size_t	 i;

	ck_assert_str_eq(he->h_name, want->h_name);
	ck_assert_int_eq(he->h_addrtype, want->h_addrtype);
	ck_assert_int_eq(he->h_length, want->h_length);
	for (i = 0; want->h_aliases[i] != NULL; i++) {
		ck_assert_ptr_nonnull(he->h_aliases[i]);
		ck_assert_str_eq(he->h_aliases[i], want->h_aliases[i]);
	}
	ck_assert_ptr_null(he->h_aliases[i]);
	for (i = 0; want->h_addr_list[i] != NULL; i++) {
		ck_assert_ptr_nonnull(he->h_addr_list[i]);
		ck_assert_mem_eq(he->h_addr_list[i], want->h_addr_list[i],
		    (size_t)want->h_length);
	}
	ck_assert_ptr_null(he->h_addr_list[i]);
}

/* Asserts the last call failed with errno and the last error's kind, code. */
static void
host_assert_error(int err, int kind, int errnum)
{
	const struct sb_error	*e;

	ck_assert_int_eq(errno, err);
	e = sb_lasterror();
	ck_assert_int_eq(e->kind, kind);
	ck_assert_int_eq(e->errnum, errnum);
}

/* Whether name is a word of /etc/hosts (so looking it up stays local). */
static int
host_in_etc_hosts(const char *name)
{
	FILE	*f;
	char	 line[1024], *w, *save;
	int	 found = 0;

	if ((f = fopen("/etc/hosts", "r")) == NULL)
		return (0);
	while (!found && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "#")] = '\0';
		for (w = strtok_r(line, " \t\r\n", &save); w != NULL;
		    w = strtok_r(NULL, " \t\r\n", &save))
			if (strcasecmp(w, name) == 0)
				found = 1;
	}
	fclose(f);
	return (found);
}

/*
 * socket.py's getfqdn(name) with the local C library: the host name or
 * first alias with a dot from gethostbyaddr(name), else that host name; the
 * name itself if it does not resolve.
 */
static void
host_fqdn_local(const char *name, char *out, size_t len)
{
	struct addrinfo	 hints, *res;
	struct hostent	*he;
	const void	*addr;
	socklen_t	 alen;
	char		 **a;

	snprintf(out, len, "%s", name);
	if (*out == '\0')
		ck_assert_int_eq(gethostname(out, len), 0);
	memset(&hints, 0, sizeof hints);
	if (getaddrinfo(out, NULL, &hints, &res) != 0)
		return;
	if (res->ai_family == AF_INET) {
		addr = &((struct sockaddr_in *)res->ai_addr)->sin_addr;
		alen = sizeof(struct in_addr);
	} else {
		addr = &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
		alen = sizeof(struct in6_addr);
	}
	he = gethostbyaddr(addr, alen, res->ai_family);
	freeaddrinfo(res);
	if (he == NULL)
		return;
	snprintf(out, len, "%s", he->h_name);
	if (strchr(he->h_name, '.') != NULL)
		return;
	for (a = he->h_aliases; *a != NULL; a++) {
		if (strchr(*a, '.') != NULL) {
			snprintf(out, len, "%s", *a);
			return;
		}
	}
}

/* A string of len letters a (one label: never a DNS query), to be freed. */
static char *
host_long(size_t len)
{
	char	*s;
	size_t	 i;

	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < len; i++)
		s[i] = 'a';
	s[len] = '\0';
	return (s);
}

/* Sends a request as one frame on a raw connection to the daemon. */
static void
host_raw_send(int fd, Sockbroker__Request *req)
{
	uint8_t	*buf;
	size_t	 len;

	ck_assert_int_eq(sbp_frame_pack(&req->base, SBP_MAX_FRAME, &buf, &len),
	    0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	free(buf);
}

START_TEST(test_gethostbyname_localhost_is_127_0_0_1)
{
	sb_conn	*c;
	char	 buf[INET_ADDRSTRLEN];

	c = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c, "localhost", buf, sizeof buf),
	    0);
	ck_assert_str_eq(buf, "127.0.0.1");
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyname_numeric_empty_and_broadcast)
{
	sb_conn	*c;
	char	 buf[INET_ADDRSTRLEN];

	c = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c, "10.1.2.3", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "10.1.2.3");
	ck_assert_int_eq(sb_gethostbyname(c, "", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "0.0.0.0");
	ck_assert_int_eq(sb_gethostbyname(c, "<broadcast>", buf, sizeof buf),
	    0);
	ck_assert_str_eq(buf, "255.255.255.255");
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyname_small_buffer_is_enametoolong)
{
	sb_conn	*c;
	char	 buf[4];

	c = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c, "localhost", buf, sizeof buf),
	    -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyname_unknown_is_enoent_eai_noname)
{
	sb_conn	*c;
	char	 buf[INET_ADDRSTRLEN];

	c = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c, HOST_NOSUCH, buf, sizeof buf),
	    -1);
	host_assert_error(ENOENT, SB_ERR_GAI, EAI_NONAME);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyname_ex_localhost_equals_local)
{
	struct hostent	 lhe, *want, *he;
	sb_conn		*c;
	char		 buf[8192];
	int		 herr;

	ck_assert_int_eq(gethostbyname2_r("localhost", AF_INET, &lhe, buf,
	    sizeof buf, &want, &herr), 0);
	ck_assert_ptr_nonnull(want);
	c = fixture_open();
	he = sb_gethostbyname_ex(c, "localhost");
	ck_assert_ptr_nonnull(he);
	host_assert_same(he, want);
	ck_assert_int_eq(he->h_addrtype, AF_INET);
	sb_freehostent(he);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyname_ex_unknown_is_enoent)
{
	sb_conn		*c;

	c = fixture_open();
	ck_assert_ptr_null(sb_gethostbyname_ex(c, HOST_NOSUCH));
	host_assert_error(ENOENT, SB_ERR_GAI, EAI_NONAME);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyaddr_loopback_equals_local)
{
	struct hostent	 lhe, *want, *he;
	struct in_addr	 in;
	sb_conn		*c;
	char		 buf[8192];
	int		 herr;

	in.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(gethostbyaddr_r(&in, sizeof in, AF_INET, &lhe, buf,
	    sizeof buf, &want, &herr), 0);
	ck_assert_ptr_nonnull(want);
	c = fixture_open();
	he = sb_gethostbyaddr(c, "127.0.0.1");
	ck_assert_ptr_nonnull(he);
	host_assert_same(he, want);
	ck_assert_int_eq(he->h_length, 4);
	sb_freehostent(he);
	/* A name is resolved first, as Python does. */
	he = sb_gethostbyaddr(c, "localhost");
	ck_assert_ptr_nonnull(he);
	ck_assert_str_eq(he->h_name, want->h_name);
	sb_freehostent(he);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_gethostbyaddr_unknown_name_is_enoent)
{
	sb_conn		*c;

	c = fixture_open();
	ck_assert_ptr_null(sb_gethostbyaddr(c, HOST_NOSUCH));
	host_assert_error(ENOENT, SB_ERR_GAI, EAI_NONAME);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getfqdn_of_names_equals_local_algorithm)
{
	static const char *names[] = { "localhost", "127.0.0.1" };
	sb_conn		*c;
	char		 want[NI_MAXHOST], got[NI_MAXHOST];
	size_t		 i;

	c = fixture_open();
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		host_fqdn_local(names[i], want, sizeof want);
		ck_assert_int_eq(sb_getfqdn(c, names[i], got, sizeof got), 0);
		ck_assert_str_eq(got, want);
	}
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getfqdn_of_the_host_equals_local_algorithm)
{
	sb_conn		*c;
	char		 host[HOST_NAME_MAX + 1];
	char		 want[NI_MAXHOST], got[NI_MAXHOST];

	ck_assert_int_eq(gethostname(host, sizeof host), 0);
	if (!host_in_etc_hosts(host))
		return;		/* would ask DNS: not from a test */
	host_fqdn_local("", want, sizeof want);
	c = fixture_open();
	ck_assert_int_eq(sb_getfqdn(c, NULL, got, sizeof got), 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(sb_getfqdn(c, "", got, sizeof got), 0);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(sb_getfqdn(c, " 0.0.0.0\t", got, sizeof got), 0);
	ck_assert_str_eq(got, want);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getfqdn_of_unknown_name_is_the_stripped_name)
{
	sb_conn		*c;
	char		 got[NI_MAXHOST];

	c = fixture_open();
	ck_assert_int_eq(sb_getfqdn(c, "  " HOST_NOSUCH "\n", got, sizeof got),
	    0);
	ck_assert_str_eq(got, HOST_NOSUCH);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getservbyname_http_tcp_equals_local)
{
	struct servent	*want, *se;
	sb_conn		*c;

	c = fixture_open();
	want = getservbyname("http", "tcp");
	se = sb_getservbyname(c, "http", "tcp");
	if (want == NULL) {	/* no /etc/services (netbase) */
		ck_assert_ptr_null(se);
		ck_assert_int_eq(errno, ENOENT);
		sb_close_conn(c);
		return;
	}
	ck_assert_ptr_nonnull(se);
	ck_assert_int_eq(ntohs(se->s_port), 80);
	ck_assert_int_eq(se->s_port, want->s_port);
	ck_assert_str_eq(se->s_name, want->s_name);
	ck_assert_str_eq(se->s_proto, "tcp");
	sb_freeservent(se);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getservbyport_22_tcp_is_ssh)
{
	struct servent	*want, *se;
	sb_conn		*c;
	size_t		 i;

	c = fixture_open();
	want = getservbyport(htons(22), "tcp");
	se = sb_getservbyport(c, 22, "tcp");
	if (want == NULL) {	/* no /etc/services (netbase) */
		ck_assert_ptr_null(se);
		ck_assert_int_eq(errno, ENOENT);
		sb_close_conn(c);
		return;
	}
	ck_assert_ptr_nonnull(se);
	ck_assert_str_eq(se->s_name, "ssh");
	ck_assert_int_eq(ntohs(se->s_port), 22);
	for (i = 0; want->s_aliases[i] != NULL; i++)
		ck_assert_str_eq(se->s_aliases[i], want->s_aliases[i]);
	ck_assert_ptr_null(se->s_aliases[i]);
	sb_freeservent(se);
	/* No protocol matches any. */
	se = sb_getservbyport(c, 22, NULL);
	ck_assert_ptr_nonnull(se);
	ck_assert_str_eq(se->s_name, "ssh");
	sb_freeservent(se);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getserv_not_found_is_enoent_with_pythons_message)
{
	sb_conn		*c;

	c = fixture_open();
	ck_assert_ptr_null(sb_getservbyname(c, "no-such-service", "tcp"));
	host_assert_error(ENOENT, SB_ERR_OS, ENOENT);
	ck_assert_str_eq(sb_lasterror()->message, "service/proto not found");
	ck_assert_ptr_null(sb_getservbyport(c, 22, "no-such-proto"));
	host_assert_error(ENOENT, SB_ERR_OS, ENOENT);
	ck_assert_str_eq(sb_lasterror()->message, "port/proto not found");
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getservbyport_out_of_range_is_einval)
{
	sb_conn		*c;

	c = fixture_open();
	ck_assert_ptr_null(sb_getservbyport(c, 65536, "tcp"));
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_ptr_null(sb_getservbyport(c, -1, "tcp"));
	ck_assert_int_eq(errno, EINVAL);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getprotobyname_icmp_is_1_unknown_is_enoent)
{
	sb_conn		*c;

	c = fixture_open();
	if (getprotobyname("icmp") == NULL) {	/* no /etc/protocols */
		ck_assert_int_eq(sb_getprotobyname(c, "icmp"), -1);
		host_assert_error(ENOENT, SB_ERR_OS, ENOENT);
		sb_close_conn(c);
		return;
	}
	ck_assert_int_eq(sb_getprotobyname(c, "icmp"), 1);
	ck_assert_int_eq(sb_getprotobyname(c, "tcp"), IPPROTO_TCP);
	ck_assert_int_eq(sb_getprotobyname(c, "no-such-protocol"), -1);
	host_assert_error(ENOENT, SB_ERR_OS, ENOENT);
	ck_assert_str_eq(sb_lasterror()->message, "protocol not found");
	sb_close_conn(c);
}
END_TEST

START_TEST(test_overlong_host_names_are_einval)
{
	sb_conn		*c;
	char		*name, buf[NI_MAXHOST];

	c = fixture_open();
	name = host_long(NI_MAXHOST);
	ck_assert_int_eq(sb_gethostbyname(c, name, buf, sizeof buf), -1);
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_ptr_null(sb_gethostbyname_ex(c, name));
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_ptr_null(sb_gethostbyaddr(c, name));
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_int_eq(sb_getfqdn(c, name, buf, sizeof buf), -1);
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	/* One byte less is looked up (and found nowhere, locally). */
	name[NI_MAXHOST - 1] = '\0';
	ck_assert_int_eq(sb_gethostbyname(c, name, buf, sizeof buf), -1);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_GAI);
	free(name);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_overlong_service_and_protocol_names_are_einval)
{
	sb_conn		*c;
	char		 name[33];

	memset(name, 'x', 32);
	name[32] = '\0';
	c = fixture_open();
	ck_assert_ptr_null(sb_getservbyname(c, name, "tcp"));
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_ptr_null(sb_getservbyname(c, "http", name));
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_ptr_null(sb_getservbyport(c, 80, name));
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	ck_assert_int_eq(sb_getprotobyname(c, name), -1);
	host_assert_error(EINVAL, SB_ERR_OS, EINVAL);
	/* 31 bytes pass the check and are simply not found. */
	name[31] = '\0';
	ck_assert_int_eq(sb_getprotobyname(c, name), -1);
	host_assert_error(ENOENT, SB_ERR_OS, ENOENT);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_null_arguments_are_efault_and_free_null_is_ok)
{
	sb_conn		*c;
	char		 buf[64];

	c = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c, NULL, buf, sizeof buf), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_ptr_null(sb_gethostbyname_ex(c, NULL));
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_ptr_null(sb_gethostbyaddr(c, NULL));
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(sb_getfqdn(c, "localhost", NULL, 0), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_ptr_null(sb_getservbyname(c, NULL, NULL));
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_int_eq(sb_getprotobyname(c, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	sb_freehostent(NULL);
	sb_freeservent(NULL);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_many_lookups_then_close_leaves_the_daemon_serving)
{
	struct hostent	*he;
	sb_conn		*c, *c2;
	char		 buf[INET_ADDRSTRLEN];
	int		 i;

	c = fixture_open();
	for (i = 0; i < 50; i++) {
		he = sb_gethostbyname_ex(c, "localhost");
		ck_assert_ptr_nonnull(he);
		sb_freehostent(he);
	}
	sb_close_conn(c);
	c2 = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c2, "localhost", buf, sizeof buf),
	    0);
	ck_assert_str_eq(buf, "127.0.0.1");
	sb_close_conn(c2);
}
END_TEST

START_TEST(test_client_gone_with_lookups_pending_is_cleaned_up)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest hello = SOCKBROKER__HELLO_REQUEST__INIT;
	Sockbroker__GethostbynameRequest op =
	    SOCKBROKER__GETHOSTBYNAME_REQUEST__INIT;
	struct sockaddr_un	 sun;
	sb_conn			*c;
	char			 buf[INET_ADDRSTRLEN];
	int			 fd, i;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fixture_path());
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	hello.version = SBP_VERSION;
	req.id = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &hello;
	host_raw_send(fd, &req);
	op.name = "localhost";
	op.has_ex = 1;
	op.ex = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTBYNAME;
	req.gethostbyname = &op;
	for (i = 0; i < 200; i++) {
		req.id = 2 + i;
		op.ex = i % 2;
		host_raw_send(fd, &req);
	}
	close(fd);		/* gone, its lookups in flight */
	c = fixture_open();
	ck_assert_int_eq(sb_gethostbyname(c, "localhost", buf, sizeof buf),
	    0);
	ck_assert_str_eq(buf, "127.0.0.1");
	sb_close_conn(c);
}
END_TEST

/* The host suite. */
Suite *
e2e_host_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_host");

	tc = fixture_tcase("hosts");
	tcase_add_test(tc, test_gethostbyname_localhost_is_127_0_0_1);
	tcase_add_test(tc, test_gethostbyname_numeric_empty_and_broadcast);
	tcase_add_test(tc, test_gethostbyname_small_buffer_is_enametoolong);
	tcase_add_test(tc, test_gethostbyname_unknown_is_enoent_eai_noname);
	tcase_add_test(tc, test_gethostbyname_ex_localhost_equals_local);
	tcase_add_test(tc, test_gethostbyname_ex_unknown_is_enoent);
	tcase_add_test(tc, test_gethostbyaddr_loopback_equals_local);
	tcase_add_test(tc, test_gethostbyaddr_unknown_name_is_enoent);
	tcase_add_test(tc, test_getfqdn_of_names_equals_local_algorithm);
	tcase_add_test(tc, test_getfqdn_of_the_host_equals_local_algorithm);
	tcase_add_test(tc, test_getfqdn_of_unknown_name_is_the_stripped_name);
	tcase_add_test(tc, test_many_lookups_then_close_leaves_the_daemon_serving);
	tcase_add_test(tc,
	    test_client_gone_with_lookups_pending_is_cleaned_up);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("services");
	tcase_add_test(tc, test_getservbyname_http_tcp_equals_local);
	tcase_add_test(tc, test_getservbyport_22_tcp_is_ssh);
	tcase_add_test(tc, test_getserv_not_found_is_enoent_with_pythons_message);
	tcase_add_test(tc, test_getservbyport_out_of_range_is_einval);
	tcase_add_test(tc, test_getprotobyname_icmp_is_1_unknown_is_enoent);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("checks");
	tcase_add_test(tc, test_overlong_host_names_are_einval);
	tcase_add_test(tc, test_overlong_service_and_protocol_names_are_einval);
	tcase_add_test(tc, test_null_arguments_are_efault_and_free_null_is_ok);
	suite_add_tcase(s, tc);
	return (s);
}
