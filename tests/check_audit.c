/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the audit log's pure parts: the logfmt line of a decision
 * (fields, names, numeric addresses, quoting and escaping of what a client
 * chose) and the token bucket that bounds it, with the clock injected.
 */

#include <sys/ioctl.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/sockios.h>
#include <linux/tipc.h>

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockbrokerd.h"
#include "check_main.h"

static struct identity	 audit_id;
static char		*audit_groups[] = { "alice", "wheel", NULL };
static gid_t		 audit_gids[] = { 1000, 10 };

/* A record as op_bind would give it: alice binding 127.0.0.1:22. */
static void
record_bind(struct audit_record *r, struct sockaddr_in *sin)
{
	memset(&audit_id, 0, sizeof audit_id);
	audit_id.uid = 1000;
	audit_id.gid = 1000;
	audit_id.pid = 123;
	audit_id.user = "alice";
	audit_id.groups = audit_groups;
	audit_id.gids = audit_gids;
	audit_id.ngids = 2;
	audit_id.exe = "/usr/bin/foo";

	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(22);
	inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);

	memset(r, 0, sizeof *r);
	r->ts.tv_sec = 1795485600;	/* 2026-11-24T02:00:00Z */
	r->ts.tv_nsec = 123456789;
	r->client = 3;
	r->id = &audit_id;
	r->op = "bind";
	r->family = AF_INET;
	r->type = SOCK_STREAM;
	r->protocol = IPPROTO_TCP;
	r->local = (struct sockaddr *)sin;
	r->locallen = sizeof *sin;
	r->permit = 0;
	r->rule = 4;
	r->reason = "deny * family inet port 1-1023";
}

START_TEST(test_format_is_the_documented_line)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	char			 buf[1024];
	size_t			 n;

	record_bind(&r, &sin);
	n = audit_format(buf, sizeof buf, &r);
	ck_assert_uint_eq(n, strlen(buf));
	ck_assert_str_eq(buf, "ts=2026-11-24T02:00:00.123Z client=3 uid=1000 "
	    "user=alice gid=1000 group=alice pid=123 exe=/usr/bin/foo op=bind "
	    "family=inet type=stream proto=tcp iface=- local=127.0.0.1:22 "
	    "remote=- verdict=deny rule=4 "
	    "reason=\"deny * family inet port 1-1023\"");
}
END_TEST

START_TEST(test_format_permit_without_rule_says_none)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	char			 buf[1024];

	record_bind(&r, &sin);
	r.permit = 1;
	r.rule = 0;
	r.reason = NULL;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " verdict=permit rule=none reason=-") !=
	    NULL, "%s", buf);
}
END_TEST

START_TEST(test_format_names_the_option_of_a_setsockopt)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	char			 buf[1024];

	record_bind(&r, &sin);
	r.op = "setsockopt";
	r.local = NULL;
	r.option = kernel_opt_find(SOL_SOCKET, SO_MARK);
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " local=- remote=- option=so_mark "
	    "verdict=deny ") != NULL, "%s", buf);
	r.option = NULL;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, "option=") == NULL, "%s", buf);
}
END_TEST

/* An ioctl line names its request, by the registry's name; others do not. */
START_TEST(test_format_names_the_ioctl_of_an_ioctl)
{
	static const struct {
		unsigned long	 request;
		const char	*want;
	} t[] = {
		{ SIOCGIFINDEX, " remote=- ioctl=SIOCGIFINDEX verdict=deny " },
		{ SIOCINQ, " remote=- ioctl=FIONREAD verdict=deny " },
		{ SIOCGSTAMPNS, " remote=- ioctl=SIOCGSTAMPNS verdict=deny " },
	};
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	char			 buf[1024];
	size_t			 i;

	record_bind(&r, &sin);
	r.op = "ioctl";
	r.type = SOCK_DGRAM;
	r.protocol = 0;
	r.local = NULL;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_ptr_nonnull(r.ioctl = kernel_ioctl_find(t[i].request));
		audit_format(buf, sizeof buf, &r);
		ck_assert_msg(strstr(buf, t[i].want) != NULL, "%s", buf);
	}
	ck_assert_msg(strstr(buf, " op=ioctl family=inet type=dgram "
	    "proto=default iface=- local=- ") != NULL, "%s", buf);
	r.op = "bind";
	r.ioctl = NULL;
	audit_format(buf, sizeof buf, &r);
	ck_assert_ptr_null(strstr(buf, "ioctl"));
}
END_TEST

/*
 * Every protocol of the registry is written by its registry name, in its
 * family, from the number socket() takes (an ethertype in network order);
 * one the registry does not name, by its number.
 */
START_TEST(test_format_names_every_protocol_of_the_registry)
{
	const struct kernel_proto	*p;
	struct audit_record		 r;
	struct sockaddr_in		 sin;
	char				 buf[1024], want[128];
	size_t				 i;

	record_bind(&r, &sin);
	r.local = NULL;
	for (i = 0; (p = kernel_proto_at(i)) != NULL; i++) {
		r.family = p->family;
		r.protocol = p->family == AF_PACKET ?
		    htons((uint16_t)p->protocol) : p->protocol;
		audit_format(buf, sizeof buf, &r);
		snprintf(want, sizeof want, " family=%s type=stream proto=%s ",
		    kernel_family_name(p->family), p->name);
		ck_assert_msg(strstr(buf, want) != NULL, "want %s in %s", want,
		    buf);
	}
	ck_assert_uint_gt(i, 40);
	r.family = AF_PACKET;
	r.protocol = htons(0x88b5);
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " proto=0x88b5 ") != NULL, "%s", buf);
	r.family = AF_NETLINK;
	r.protocol = 31;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " proto=31 ") != NULL, "%s", buf);
}
END_TEST

START_TEST(test_format_escapes_what_a_client_chose)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	struct sockaddr_un	 sun;
	char			 buf[1024];

	record_bind(&r, &sin);
	audit_id.exe = "/tmp/a b\"c\\d\ne";
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "/x y=1 verdict=permit");
	r.family = AF_UNIX;
	r.protocol = 0;
	r.local = NULL;
	r.remote = (struct sockaddr *)&sun;
	r.remotelen = sizeof sun;
	r.iface = "";
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " exe=\"/tmp/a b\\\"c\\\\d\\ne\" ") != NULL,
	    "%s", buf);
	ck_assert_msg(strstr(buf, " remote=\"/x y=1 verdict=permit\" ") !=
	    NULL, "%s", buf);
	ck_assert_msg(strstr(buf, " iface=\"\" ") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, " proto=default ") != NULL, "%s", buf);
	ck_assert_ptr_null(strchr(buf, '\n'));
}
END_TEST

START_TEST(test_format_abstract_unix_name_shows_every_byte)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	struct sockaddr_un	 sun;
	char			 buf[1024];

	record_bind(&r, &sin);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, "\0ab\0\x1b", 5);
	r.family = AF_UNIX;
	r.local = NULL;
	r.remote = (struct sockaddr *)&sun;
	r.remotelen = offsetof(struct sockaddr_un, sun_path) + 5;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " remote=\"@ab\\x00\\x1b\" ") != NULL, "%s",
	    buf);
}
END_TEST

START_TEST(test_format_inet6_and_unknown_numbers)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	char			 buf[1024];

	record_bind(&r, &sin);
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(443);
	sin6.sin6_scope_id = 2;
	inet_pton(AF_INET6, "fe80::1", &sin6.sin6_addr);
	r.family = AF_INET6;
	r.type = 77;
	r.protocol = 200;
	r.op = "connect";
	r.local = NULL;
	r.remote = (struct sockaddr *)&sin6;
	r.remotelen = sizeof sin6;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " family=inet6 type=77 proto=200 ") != NULL,
	    "%s", buf);
	ck_assert_msg(strstr(buf, " local=- remote=[fe80::1%2]:443 ") != NULL,
	    "%s", buf);
	r.family = 4242;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " family=4242 ") != NULL, "%s", buf);
}
END_TEST

/*
 * The addresses of the families the VM tests: CAN (ISO-TP's ids, J1939's
 * NAME, PGN and address), TIPC services and sockets, an AF_ALG algorithm
 * (whose name, the client's, is quoted and escaped like any other value).
 */
START_TEST(test_format_can_tipc_alg_addresses)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	struct sockaddr_can	 can;
	struct sockaddr_tipc	 tipc;
	struct sockaddr_alg	 alg;
	char			 buf[1024];

	record_bind(&r, &sin);
	memset(&can, 0, sizeof can);
	can.can_family = AF_CAN;
	can.can_ifindex = 3;
	can.can_addr.tp.tx_id = 0x7e0;
	can.can_addr.tp.rx_id = 0x7e8;
	r.family = AF_CAN;
	r.type = SOCK_DGRAM;
	r.protocol = CAN_ISOTP;
	r.local = (struct sockaddr *)&can;
	r.locallen = sizeof can;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " proto=isotp iface=- "
	    "local=ifindex:3/tx:0x7e0/rx:0x7e8 ") != NULL, "%s", buf);
	memset(&can.can_addr, 0, sizeof can.can_addr);
	can.can_addr.j1939.name = 0x1122334455667788ULL;
	can.can_addr.j1939.pgn = 0x12300;
	can.can_addr.j1939.addr = 0x20;
	r.protocol = CAN_J1939;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " local=ifindex:3/name:0x1122334455667788/"
	    "pgn:0x12300/addr:0x20 ") != NULL, "%s", buf);
	r.protocol = CAN_RAW;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " local=ifindex:3 ") != NULL, "%s", buf);

	memset(&tipc, 0, sizeof tipc);
	tipc.family = AF_TIPC;
	tipc.addrtype = TIPC_SERVICE_RANGE;
	tipc.addr.nameseq.type = 18888;
	tipc.addr.nameseq.lower = 10;
	tipc.addr.nameseq.upper = 20;
	r.family = AF_TIPC;
	r.type = SOCK_RDM;
	r.protocol = 0;
	r.local = (struct sockaddr *)&tipc;
	r.locallen = sizeof tipc;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " local=service:18888:10-20 ") != NULL, "%s",
	    buf);
	tipc.addrtype = TIPC_SOCKET_ADDR;
	tipc.addr.id.node = 0x1001;
	tipc.addr.id.ref = 77;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " local=socket:4097:77 ") != NULL, "%s", buf);

	memset(&alg, 0, sizeof alg);
	alg.salg_family = AF_ALG;
	memcpy(alg.salg_type, "hash", 4);
	memset(alg.salg_name, 'x', sizeof alg.salg_name);	/* no NUL */
	memcpy(alg.salg_name, "hmac(sha256) ", 13);
	r.family = AF_ALG;
	r.type = SOCK_SEQPACKET;
	r.local = (struct sockaddr *)&alg;
	r.locallen = sizeof alg;
	audit_format(buf, sizeof buf, &r);
	ck_assert_msg(strstr(buf, " local=\"hash:hmac(sha256) xxx") != NULL,
	    "%s", buf);
	ck_assert_msg(strstr(buf, "xxx\" remote=- ") != NULL, "%s", buf);
}
END_TEST

START_TEST(test_format_truncates_safely)
{
	struct audit_record	 r;
	struct sockaddr_in	 sin;
	char			 buf[40];
	char			 full[1024];
	size_t			 n;

	record_bind(&r, &sin);
	memset(buf, 'x', sizeof buf);
	n = audit_format(buf, sizeof buf, &r);
	ck_assert_uint_eq(n, audit_format(full, sizeof full, &r));
	ck_assert_uint_eq(strlen(buf), sizeof buf - 1);
	ck_assert_int_eq(strncmp(buf, full, sizeof buf - 1), 0);
}
END_TEST

START_TEST(test_format_dropped_line)
{
	struct timespec	 ts = { 1795485600, 5000000 };
	char		 buf[256];

	audit_format_dropped(buf, sizeof buf, &ts, 42);
	ck_assert_str_eq(buf, "ts=2026-11-24T02:00:00.005Z "
	    "msg=\"audit: 42 lines dropped (rate limit)\" dropped=42");
}
END_TEST

START_TEST(test_bucket_allows_the_burst_then_drops)
{
	struct audit_bucket	 b;
	int			 i, ok = 0;

	audit_bucket_init(&b, 100, 200, 10.0);
	for (i = 0; i < 1000; i++)
		ok += audit_ratelimit(&b, 10.0);
	ck_assert_int_eq(ok, 200);
	ck_assert_uint_eq(b.dropped, 800);
}
END_TEST

START_TEST(test_bucket_refills_at_the_rate)
{
	struct audit_bucket	 b;
	int			 i, ok = 0;

	audit_bucket_init(&b, 100, 200, 0.0);
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(audit_ratelimit(&b, 0.0), 1);
	ck_assert_int_eq(audit_ratelimit(&b, 0.0), 0);
	/* Half a second later: 50 more lines, not 51. */
	for (i = 0; i < 100; i++)
		ok += audit_ratelimit(&b, 0.5);
	ck_assert_int_eq(ok, 50);
	/* Steady flood over 10 s: about rate lines a second. */
	ok = 0;
	for (i = 0; i < 100000; i++)
		ok += audit_ratelimit(&b, 0.5 + i * 0.0001);
	ck_assert_int_ge(ok, 990);
	ck_assert_int_le(ok, 1001);
}
END_TEST

START_TEST(test_bucket_never_holds_more_than_the_burst)
{
	struct audit_bucket	 b;
	int			 i, ok = 0;

	audit_bucket_init(&b, 100, 200, 0.0);
	for (i = 0; i < 1000; i++)
		ok += audit_ratelimit(&b, 3600.0);
	ck_assert_int_eq(ok, 200);
}
END_TEST

START_TEST(test_bucket_ignores_a_clock_that_goes_back)
{
	struct audit_bucket	 b;
	int			 i, ok = 0;

	audit_bucket_init(&b, 1, 2, 100.0);
	for (i = 0; i < 10; i++)
		ok += audit_ratelimit(&b, 100.0 - i);
	ck_assert_int_eq(ok, 2);
}
END_TEST

/* The audit suite. */
static Suite *
audit_suite(void)
{
	Suite	*s = suite_create("audit");
	TCase	*tc;

	tc = tcase_create("format");
	tcase_add_test(tc, test_format_is_the_documented_line);
	tcase_add_test(tc, test_format_permit_without_rule_says_none);
	tcase_add_test(tc, test_format_names_the_option_of_a_setsockopt);
	tcase_add_test(tc, test_format_names_the_ioctl_of_an_ioctl);
	tcase_add_test(tc, test_format_names_every_protocol_of_the_registry);
	tcase_add_test(tc, test_format_escapes_what_a_client_chose);
	tcase_add_test(tc, test_format_can_tipc_alg_addresses);
	tcase_add_test(tc, test_format_abstract_unix_name_shows_every_byte);
	tcase_add_test(tc, test_format_inet6_and_unknown_numbers);
	tcase_add_test(tc, test_format_truncates_safely);
	tcase_add_test(tc, test_format_dropped_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("ratelimit");
	tcase_add_test(tc, test_bucket_allows_the_burst_then_drops);
	tcase_add_test(tc, test_bucket_refills_at_the_rate);
	tcase_add_test(tc, test_bucket_never_holds_more_than_the_burst);
	tcase_add_test(tc, test_bucket_ignores_a_clock_that_goes_back);
	suite_add_tcase(s, tc);
	return (s);
}

Suite	*priv_suite(void);		/* check_priv.c */

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	0, {
		audit_suite,
		priv_suite,
		NULL,
	},
};
