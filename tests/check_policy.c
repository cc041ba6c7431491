/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of policy/policy.c and policy/policy-parse.c: the language
 * (every example line, every class of syntax error with its file, line
 * and column), matching (last match wins, default deny, users and groups,
 * UNKNOWN criteria), the grants that must be explicit, CAN ids, and the
 * reasons explain prints.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/can.h>

#include "kernel.h"
#include "policy.h"
#include "check_main.h"

Suite	*policy_suite(void);

static const char *const test_groups[] = { "staff", "canbus", "capture" };
static const gid_t test_gids[] = { 50, 1001, 1002 };

/* Compiles text, which must be valid. */
static struct policy *
test_parse(const char *text)
{
	struct policy	*pol;
	char		*cause = NULL;

	pol = policy_parse(text, "t.conf", &cause);
	if (pol == NULL)
		ck_abort_msg("policy did not parse: %s", cause);
	return (pol);
}

/* Compiles text, which must be invalid, and checks the error. */
static void
test_parse_error(const char *text, const char *want)
{
	struct policy	*pol;
	char		*cause = NULL;

	pol = policy_parse(text, "t.conf", &cause);
	ck_assert_msg(pol == NULL, "'%s' parsed", text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_str_eq(cause, want);
	free(cause);
}

/* A context: alice (uid 1000, groups staff, canbus, capture) doing op. */
static struct policy_ctx
test_ctx(enum policy_op op, int family, int type, int protocol)
{
	struct policy_ctx	ctx;

	memset(&ctx, 0, sizeof ctx);
	ctx.user = "alice";
	ctx.uid = 1000;
	ctx.groups = test_groups;
	ctx.gids = test_gids;
	ctx.ngroups = 3;
	ctx.op = op;
	ctx.family = family;
	ctx.type = type;
	ctx.protocol = protocol;
	return (ctx);
}

/* Checks ctx against text; returns the verdict. */
static struct policy_verdict
test_check(const char *text, const struct policy_ctx *ctx)
{
	struct policy		*pol = test_parse(text);
	struct policy_verdict	 v;

	policy_check(pol, ctx, &v);
	policy_free(pol);
	return (v);
}

/* Asserts ctx is permitted (1) or denied (0) by text, with a reason. */
static void
test_expect(const char *text, const struct policy_ctx *ctx, int permit,
    const char *reason)
{
	struct policy_verdict	v = test_check(text, ctx);

	ck_assert_msg(v.permit == permit, "%s: %s (want %s)", text, v.reason,
	    permit ? "permit" : "deny");
	if (reason != NULL)
		ck_assert_str_eq(v.reason, reason);
}

/* Sets an IPv4 address and port in ctx (sin must outlive the check). */
static void
test_in(struct policy_ctx *ctx, struct sockaddr_in *sin, const char *a,
    int port)
{
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET, a, &sin->sin_addr), 1);
	ctx->addr = (struct sockaddr *)sin;
	ctx->addrlen = sizeof *sin;
}

/* Sets an IPv6 address and port in ctx. */
static void
test_in6(struct policy_ctx *ctx, struct sockaddr_in6 *sin6, const char *a,
    int port)
{
	memset(sin6, 0, sizeof *sin6);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
	ctx->addr = (struct sockaddr *)sin6;
	ctx->addrlen = sizeof *sin6;
}

/* Sets an AF_UNIX path ("@name": abstract; "": unnamed) in ctx. */
static void
test_un(struct policy_ctx *ctx, struct sockaddr_un *sun, const char *path)
{
	size_t	len = strlen(path);

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len);
	if (path[0] == '@')
		sun->sun_path[0] = '\0';
	ctx->addr = (struct sockaddr *)sun;
	ctx->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    len + (path[0] == '/'));
}

START_TEST(test_issue_examples_parse)
{
	struct policy	*pol;

	pol = test_parse("permit * family inet\n"
	    "permit :canbus family can iface vcan0,can0\n"
	    "permit alice family inet type raw proto icmp\n"
	    "deny * family inet port 1-1023\n"
	    "permit :capture family packet iface eth0 fd-pass\n");
	ck_assert_uint_eq(policy_nrules(pol), 5);
	ck_assert_str_eq(policy_rule_text(pol, 2),
	    "permit :canbus family can iface vcan0,can0");
	ck_assert_ptr_null(policy_rule_text(pol, 6));
	policy_free(pol);
}
END_TEST

START_TEST(test_every_criterion_parses)
{
	struct policy	*pol;

	pol = test_parse("permit 1000 family inet,inet6,unix,packet,netlink,"
	    "vsock,can,tipc,alg,bluetooth,qipcrtr,rds "
	    "type stream,dgram,raw,seqpacket,rdm proto tcp,udp,17,0x11 "
	    "iface eth*,lo port 1-1023,8080 local 127.0.0.1,::1,fe80::/10 "
	    "remote 10.0.0.0/8,0.0.0.0/0 path /run/foo/*.sock,@name "
	    "option so_bindtodevice,ip_hdrincl,packet_add_membership,so_mark "
	    "can-id 0x700-0x7ff,0x123,42 netlink-write fd-pass\n"
	    "deny :0 family netlink proto route,usersock,firewall,sock_diag,"
	    "nflog,xfrm,selinux,audit,netfilter,generic,kobject_uevent\n"
	    "permit * family can proto raw,bcm,isotp,j1939\n");
	ck_assert_uint_eq(policy_nrules(pol), 3);
	policy_free(pol);
}
END_TEST

START_TEST(test_comments_blanks_quotes_continuations)
{
	struct policy	*pol;

	pol = test_parse("# a comment\n\n   \t\n"
	    "permit  *\tfamily inet   # trailing comment\n"
	    "permit * family unix \\\n    path \"/run/my dir/*.sock\"\n"
	    "deny * family inet6");	/* no final newline */
	ck_assert_uint_eq(policy_nrules(pol), 3);
	ck_assert_str_eq(policy_rule_text(pol, 4), "permit * family inet");
	ck_assert_str_eq(policy_rule_text(pol, 5),
	    "permit * family unix path \"/run/my dir/*.sock\"");
	ck_assert_str_eq(policy_rule_text(pol, 7), "deny * family inet6");
	policy_free(pol);
}
END_TEST

START_TEST(test_empty_policy_has_no_rules)
{
	struct policy	*pol = test_parse("# nothing\n");

	ck_assert_uint_eq(policy_nrules(pol), 0);
	policy_free(pol);
	policy_free(NULL);
	ck_assert_uint_eq(policy_nrules(NULL), 0);
}
END_TEST

START_TEST(test_error_unknown_family_names_line_and_column)
{
	test_parse_error("permit * family inet\n\npermit :x family inte\n",
	    "t.conf:3:18: unknown family 'inte'");
	test_parse_error("permit * family inet,inte",
	    "t.conf:1:22: unknown family 'inte'");
}
END_TEST

START_TEST(test_error_unknown_keyword)
{
	test_parse_error("permit * famly inet",
	    "t.conf:1:10: unknown keyword 'famly'");
	test_parse_error("allow * family inet", "t.conf:1:1: unknown "
	    "keyword 'allow' (a rule starts with permit or deny)");
	test_parse_error("permit * family inet family inet6",
	    "t.conf:1:22: 'family' given twice");
}
END_TEST

START_TEST(test_error_bad_range)
{
	test_parse_error("deny * port 1024-1",
	    "t.conf:1:13: bad range '1024-1': start above end");
	test_parse_error("deny * port 80,70000",
	    "t.conf:1:16: bad port '70000'");
	test_parse_error("deny * port 1-",
	    "t.conf:1:13: bad port '1-'");
	test_parse_error("deny * port -1",
	    "t.conf:1:13: bad port '-1'");
	test_parse_error("permit * can-id 0x20000000",
	    "t.conf:1:17: bad CAN id '0x20000000'");
	test_parse_error("permit * can-id 0x7ff-0x700",
	    "t.conf:1:17: bad range '0x7ff-0x700': start above end");
}
END_TEST

START_TEST(test_error_bad_cidr)
{
	test_parse_error("permit * remote 10.0.0.0/33",
	    "t.conf:1:17: bad prefix length in '10.0.0.0/33'");
	test_parse_error("permit * local fe80::/129",
	    "t.conf:1:16: bad prefix length in 'fe80::/129'");
	test_parse_error("permit * remote 10.0.0/8",
	    "t.conf:1:17: bad address '10.0.0/8'");
	test_parse_error("permit * remote 10.0.0.0/",
	    "t.conf:1:17: bad prefix length in '10.0.0.0/'");
	test_parse_error("permit * remote example.com",
	    "t.conf:1:17: bad address 'example.com'");
}
END_TEST

START_TEST(test_error_missing_who)
{
	test_parse_error("permit",
	    "t.conf:1:7: missing WHO (*, a user or :group) after 'permit'");
	test_parse_error("deny family inet",
	    "t.conf:1:6: missing WHO (*, a user or :group) before 'family'");
	test_parse_error("permit : family inet",
	    "t.conf:1:8: bad group name ''");
	test_parse_error("permit bad/name family inet",
	    "t.conf:1:8: bad user name 'bad/name'");
	test_parse_error("permit 99999999999 family inet",
	    "t.conf:1:8: bad user id '99999999999'");
}
END_TEST

START_TEST(test_error_empty_list_item)
{
	test_parse_error("permit * family inet,,inet6",
	    "t.conf:1:22: empty item in list");
	test_parse_error("permit * family inet,",
	    "t.conf:1:22: empty item in list");
	test_parse_error("permit * family ,inet",
	    "t.conf:1:17: empty item in list");
	test_parse_error("permit * path \"\"",
	    "t.conf:1:16: empty item in list");
}
END_TEST

START_TEST(test_error_unterminated)
{
	test_parse_error("permit * family",
	    "t.conf:1:16: unterminated rule: 'family' needs a value");
	test_parse_error("permit * family\n",
	    "t.conf:1:16: unterminated rule: 'family' needs a value");
	test_parse_error("permit * family inet \\",
	    "t.conf:1:22: unterminated line: backslash at the end of the file");
	test_parse_error("permit * path \"/tmp/x\nfoo\"",
	    "t.conf:1:15: unterminated quoted string");
	test_parse_error("permit * family type stream",
	    "t.conf:1:17: 'family' needs a value before 'type'");
}
END_TEST

START_TEST(test_error_position_after_continuation)
{
	test_parse_error("permit * \\\n   family inte\n",
	    "t.conf:2:11: unknown family 'inte'");
	test_parse_error("\n\n  permit * family inet \\ x",
	    "t.conf:3:24: unexpected '\\' (only a line continuation may "
	    "use it)");
}
END_TEST

START_TEST(test_error_other_values)
{
	test_parse_error("permit * family inet type strem",
	    "t.conf:1:27: unknown type 'strem'");
	test_parse_error("permit * family can proto tcp",
	    "t.conf:1:27: unknown protocol 'tcp' for the rule's families");
	test_parse_error("permit * proto nosuch",
	    "t.conf:1:16: unknown protocol 'nosuch'");
	test_parse_error("permit * option so_nosuch",
	    "t.conf:1:17: unknown option 'so_nosuch'");
	test_parse_error("permit * option SO_MARK",
	    "t.conf:1:17: unknown option 'SO_MARK'");
	test_parse_error("permit * path run/x.sock",
	    "t.conf:1:15: bad path 'run/x.sock' (a path starts with / or @)");
	test_parse_error("permit * iface averyveryverylongname",
	    "t.conf:1:16: interface name too long 'averyveryverylongname'");
	test_parse_error("permit * family inet\x01",
	    "t.conf:1:21: unexpected control character 0x01");
}
END_TEST

START_TEST(test_error_without_cause_pointer)
{
	errno = 0;
	ck_assert_ptr_null(policy_parse("permit * family x", "t.conf", NULL));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Writes text (len bytes) into a new file with mode; returns its path. */
static char *
test_file(const char *text, size_t len, mode_t mode)
{
	char	*path;
	int	 fd;

	path = strdup("/tmp/check_policy.XXXXXX");
	ck_assert_ptr_nonnull(path);
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return (path);
}

START_TEST(test_load_file)
{
	struct policy	*pol;
	char		*path, *cause, want[128];

	path = test_file("permit * family inet\n", 21, 0644);
	pol = policy_load(path, &cause);
	ck_assert_ptr_nonnull(pol);
	ck_assert_uint_eq(policy_nrules(pol), 1);
	policy_free(pol);
	unlink(path);
	free(path);

	path = test_file("permit *\n family\0inet\n", 22, 0644);
	ck_assert_ptr_null(policy_load(path, &cause));
	snprintf(want, sizeof want, "%s:2:8: NUL byte in the policy", path);
	ck_assert_str_eq(cause, want);
	free(cause);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_load_refuses_world_writable_and_missing)
{
	char	*path, *cause, want[128];

	path = test_file("permit * family inet\n", 21, 0666);
	ck_assert_ptr_null(policy_load(path, &cause));
	snprintf(want, sizeof want, "%s: writable by anyone", path);
	ck_assert_str_eq(cause, want);
	free(cause);
	unlink(path);
	free(path);

	ck_assert_ptr_null(policy_load("/nonexistent/policy.conf", &cause));
	ck_assert_str_eq(cause,
	    "/nonexistent/policy.conf: No such file or directory");
	free(cause);
	ck_assert_ptr_null(policy_load("/tmp", &cause));
	ck_assert_str_eq(cause, "/tmp: not a regular file");
	free(cause);
}
END_TEST

START_TEST(test_example_policy_file_loads)
{
	struct policy	*pol;
	const char	*srcdir = getenv("srcdir");
	char		 path[4096], *cause = NULL;

	snprintf(path, sizeof path, "%s/systemd/policy.conf",
	    srcdir != NULL ? srcdir : ".");
	pol = policy_load(path, &cause);
	ck_assert_msg(pol != NULL, "%s", cause);
	ck_assert_uint_gt(policy_nrules(pol), 10);
	policy_free(pol);
}
END_TEST

START_TEST(test_default_deny)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_STREAM, 0);
	struct policy_verdict	v;

	test_expect("", &ctx, 0, "no rule matched");
	test_expect("permit * family inet6\npermit bob family inet\n",
	    &ctx, 0, "no rule matched");
	policy_check(NULL, &ctx, &v);
	ck_assert_int_eq(v.permit, 0);
	ck_assert_uint_eq(v.line, 0);
}
END_TEST

START_TEST(test_last_match_wins)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_STREAM, 0);
	struct policy_verdict	v;

	v = test_check("permit * family inet\ndeny * family inet\n", &ctx);
	ck_assert_int_eq(v.permit, 0);
	ck_assert_uint_eq(v.line, 2);
	ck_assert_str_eq(v.reason, "denied by rule at line 2");
	v = test_check("deny * family inet\n# x\npermit * family inet\n", &ctx);
	ck_assert_int_eq(v.permit, 1);
	ck_assert_uint_eq(v.line, 3);
	ck_assert_str_eq(v.reason, "permitted by rule at line 3");
	test_expect("permit * family inet\ndeny * family inet6\n", &ctx, 1,
	    "permitted by rule at line 1");
}
END_TEST

START_TEST(test_who_user_and_uid)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_DGRAM, 0);

	test_expect("permit alice family inet", &ctx, 1, NULL);
	test_expect("permit 1000 family inet", &ctx, 1, NULL);
	test_expect("permit bob family inet", &ctx, 0, NULL);
	test_expect("permit 1001 family inet", &ctx, 0, NULL);
	ctx.user = NULL;
	test_expect("permit alice family inet", &ctx, 0, NULL);
}
END_TEST

START_TEST(test_who_group_by_name_and_gid)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_DGRAM, 0);

	test_expect("permit :staff family inet", &ctx, 1, NULL);
	test_expect("permit :capture family inet", &ctx, 1, NULL);
	test_expect("permit :1001 family inet", &ctx, 1, NULL);
	test_expect("permit :wheel family inet", &ctx, 0, NULL);
	test_expect("permit :0 family inet", &ctx, 0, NULL);
	test_expect("permit * family inet\ndeny :canbus", &ctx, 0,
	    "denied by rule at line 2");
	ctx.ngroups = 0;
	test_expect("permit :staff family inet", &ctx, 0, NULL);
}
END_TEST

START_TEST(test_unknown_counts_for_permit)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_PACKET,
	    SOCK_RAW, htons(ETH_P_ALL));
	const char		*pol = "permit * family packet iface eth0";

	/* At creation the interface is not known: the rule could permit. */
	test_expect(pol, &ctx, 1, "permitted by rule at line 1");
	ctx.op = POLICY_BIND;
	ctx.iface = "eth0";
	test_expect(pol, &ctx, 1, NULL);
	ctx.iface = "eth1";
	test_expect(pol, &ctx, 0, "no rule matched");
	ctx.iface = "";		/* every interface: ifindex 0 */
	test_expect(pol, &ctx, 0, "no rule matched");
	test_expect("permit * family packet iface *", &ctx, 1, NULL);
}
END_TEST

START_TEST(test_unknown_does_not_count_for_deny)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_STREAM, 0);
	struct sockaddr_in	sin;
	const char		*pol = "permit * family inet port 1-65535\n"
	    "deny * family inet port 1-1023\n";

	/* No port at creation: the deny rule does not match. */
	test_expect(pol, &ctx, 1, "permitted by rule at line 1");
	ctx.op = POLICY_BIND;
	test_in(&ctx, &sin, "0.0.0.0", 80);
	test_expect(pol, &ctx, 0, "denied by rule at line 2");
	test_in(&ctx, &sin, "0.0.0.0", 8080);
	test_expect(pol, &ctx, 1, "permitted by rule at line 1");
	ctx.op = POLICY_SETSOCKOPT;
	ctx.addr = NULL;
	ctx.level = SOL_SOCKET;
	ctx.optname = SO_REUSEADDR;
	test_expect(pol, &ctx, 1, NULL);
	test_expect("permit * family inet\ndeny * iface eth0\n", &ctx, 1,
	    NULL);
}
END_TEST

START_TEST(test_issue_examples_mean_what_they_say)
{
	const char		*pol = "permit * family inet\n"
	    "permit :canbus family can iface vcan0,can0\n"
	    "permit alice family inet type raw proto icmp\n"
	    "deny * family inet port 1-1023\n"
	    "permit :capture family packet iface eth0 fd-pass\n";
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in	sin;

	test_expect(pol, &ctx, 1, "permitted by rule at line 3");
	ctx.user = "bob";
	ctx.uid = 1001;
	test_expect(pol, &ctx, 0, "rule at line 1 does not grant a raw inet "
	    "socket (needs type raw)");
	ctx.op = POLICY_CONNECT;
	test_in(&ctx, &sin, "192.0.2.1", 22);
	test_expect(pol, &ctx, 0, "denied by rule at line 4");

	ctx = test_ctx(POLICY_BIND, AF_CAN, SOCK_RAW, CAN_RAW);
	ctx.iface = "vcan0";
	test_expect(pol, &ctx, 1, "permitted by rule at line 2");
	ctx.iface = "can1";
	test_expect(pol, &ctx, 0, "no rule matched");
	ctx.iface = "vcan0";
	ctx.ngroups = 1;
	test_expect(pol, &ctx, 0, "no rule matched");

	ctx = test_ctx(POLICY_FDPASS, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	test_expect(pol, &ctx, 1, "permitted by rule at line 5");
	ctx.op = POLICY_BIND;
	ctx.iface = "wlan0";
	test_expect(pol, &ctx, 0, "no rule matched");
}
END_TEST

START_TEST(test_type_and_default_protocol)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	test_expect("permit * family inet type stream proto tcp", &ctx, 1,
	    NULL);
	ctx.type = SOCK_DGRAM;
	test_expect("permit * family inet type stream proto tcp", &ctx, 0,
	    NULL);
	test_expect("permit * family inet proto udp", &ctx, 1, NULL);
	test_expect("permit * proto 17", &ctx, 1, NULL);
	ctx.type = SOCK_RAW;
	ctx.protocol = IPPROTO_RAW;
	test_expect("permit * family inet type raw proto raw", &ctx, 1, NULL);
	test_expect("permit * family can proto raw", &ctx, 0, NULL);
	ctx.family = AF_CAN;
	ctx.protocol = CAN_RAW;
	test_expect("permit * family can proto raw", &ctx, 1, NULL);
	test_expect("permit * family inet proto raw", &ctx, 0, NULL);
}
END_TEST

START_TEST(test_packet_protocol_in_host_order)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_PACKET,
	    SOCK_RAW, htons(ETH_P_ALL));

	test_expect("permit * family packet proto all", &ctx, 1, NULL);
	test_expect("permit * family packet proto 0x0003", &ctx, 1, NULL);
	test_expect("permit * family packet proto arp", &ctx, 0, NULL);
}
END_TEST

/* A rule naming protocol name of p matches a socket of p and no other. */
static void
test_proto_rule(const struct kernel_proto *p, const char *name)
{
	struct policy_ctx	ctx;
	struct policy_proto	got;
	char			rule[128];
	int			other = p->protocol + 1000;

	snprintf(rule, sizeof rule, "permit * family %s type raw proto %s\n",
	    kernel_family_name(p->family), name);
	ctx = test_ctx(POLICY_SOCKET, p->family, SOCK_RAW, p->family ==
	    AF_PACKET ? htons((uint16_t)p->protocol) : p->protocol);
	test_expect(rule, &ctx, 1, NULL);
	ctx.protocol = p->family == AF_PACKET ? htons((uint16_t)other) : other;
	test_expect(rule, &ctx, 0, "no rule matched");
	ck_assert_uint_eq(policy_proto_resolve(name, &p->family, 1, &got, 1),
	    1);
	ck_assert_int_eq(got.family, p->family);
	ck_assert_int_eq(got.proto, p->protocol);
}

/*
 * Every protocol of the registry, by its name and its alias, parses in its
 * family and matches its sockets; and every name the language had before
 * the registry held them is still there.
 */
START_TEST(test_every_protocol_of_the_registry_parses)
{
	static const char *const names[] = {
		"inet ip", "inet tcp", "inet udp", "inet udplite",
		"inet icmp", "inet icmpv6", "inet raw", "inet sctp",
		"inet mptcp", "inet6 tcp", "inet6 ip", "can raw", "can bcm",
		"can isotp", "can j1939", "netlink route", "netlink usersock",
		"netlink firewall", "netlink sock_diag", "netlink inet_diag",
		"netlink nflog", "netlink xfrm", "netlink selinux",
		"netlink iscsi", "netlink audit", "netlink fib_lookup",
		"netlink connector", "netlink netfilter", "netlink ip6_fw",
		"netlink dnrtmsg", "netlink kobject_uevent", "netlink generic",
		"netlink scsitransport", "netlink ecryptfs", "netlink rdma",
		"netlink crypto", "packet all", "packet ip", "packet ipv6",
		"packet arp", "bluetooth l2cap", "bluetooth hci",
		"bluetooth sco", "bluetooth rfcomm",
	};
	const struct kernel_proto	*p;
	struct policy			*pol;
	char				 rule[128], fam[32], name[32];
	size_t				 i, j;

	for (i = 0; (p = kernel_proto_at(i)) != NULL; i++) {
		test_proto_rule(p, p->name);
		if (p->alias != NULL)
			test_proto_rule(p, p->alias);
	}
	for (j = 0; j < sizeof names / sizeof names[0]; j++) {
		ck_assert_int_eq(sscanf(names[j], "%31s %31s", fam, name), 2);
		for (i = 0; (p = kernel_proto_at(i)) != NULL; i++) {
			if (strcmp(kernel_family_name(p->family), fam) == 0 &&
			    kernel_proto_named(p, name))
				break;
		}
		ck_assert_msg(p != NULL, "%s is not in the registry", names[j]);
		snprintf(rule, sizeof rule, "permit * family %s proto %s\n",
		    fam, name);
		pol = test_parse(rule);
		policy_free(pol);
	}
}
END_TEST

START_TEST(test_local_and_remote)
{
	struct policy_ctx	ctx = test_ctx(POLICY_BIND, AF_INET,
	    SOCK_DGRAM, 0);
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	const char		*pol = "permit * family inet,inet6 local "
	    "127.0.0.0/8,::1 remote 192.0.2.0/24,2001:db8::/32";

	test_in(&ctx, &sin, "127.0.0.1", 5000);
	test_expect(pol, &ctx, 1, NULL);
	test_in(&ctx, &sin, "10.0.0.1", 5000);
	test_expect(pol, &ctx, 0, NULL);
	ctx.op = POLICY_CONNECT;	/* local is not about a connect */
	test_expect(pol, &ctx, 0, NULL);
	test_in(&ctx, &sin, "192.0.2.200", 53);
	test_expect(pol, &ctx, 1, NULL);
	sin.sin_family = AF_UNSPEC;	/* dissolving an association */
	test_expect(pol, &ctx, 1, NULL);
	test_expect("permit * family inet\ndeny * remote 0.0.0.0/0", &ctx,
	    1, NULL);
	sin.sin_family = AF_INET;
	ctx.op = POLICY_SEND;
	test_expect(pol, &ctx, 1, NULL);
	ctx.family = AF_INET6;
	test_in6(&ctx, &sin6, "2001:db8::1", 53);
	test_expect(pol, &ctx, 1, NULL);
	test_in6(&ctx, &sin6, "2001:db9::1", 53);
	test_expect(pol, &ctx, 0, NULL);
	ctx.op = POLICY_BIND;
	test_in6(&ctx, &sin6, "::1", 5353);
	test_expect(pol, &ctx, 1, NULL);
}
END_TEST

START_TEST(test_v4_mapped_address_is_ipv4)
{
	struct policy_ctx	ctx = test_ctx(POLICY_CONNECT, AF_INET6,
	    SOCK_STREAM, 0);
	struct sockaddr_in6	sin6;
	const char		*pol = "permit * family inet6\n"
	    "deny * remote 10.0.0.0/8\n";

	test_in6(&ctx, &sin6, "::ffff:10.1.2.3", 80);
	test_expect(pol, &ctx, 0, "denied by rule at line 2");
	test_in6(&ctx, &sin6, "::ffff:192.0.2.1", 80);
	test_expect(pol, &ctx, 1, NULL);
}
END_TEST

START_TEST(test_low_port_bind_needs_port)
{
	struct policy_ctx	ctx = test_ctx(POLICY_BIND, AF_INET,
	    SOCK_STREAM, 0);
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct policy_verdict	v;

	test_in(&ctx, &sin, "0.0.0.0", 22);
	v = test_check("deny * family inet6\n\n\npermit * family inet\n", &ctx);
	ck_assert_int_eq(v.permit, 0);
	ck_assert_uint_eq(v.line, 4);
	ck_assert_str_eq(v.reason, "rule at line 4 does not grant binding "
	    "port 22 (needs a port criterion)");
	test_expect("permit * family inet port 22", &ctx, 1, NULL);
	test_expect("permit * family inet port 1-1023", &ctx, 1, NULL);
	test_expect("permit * family inet port 23-1023", &ctx, 0,
	    "no rule matched");
	test_in(&ctx, &sin, "0.0.0.0", 0);
	test_expect("permit * family inet", &ctx, 1, NULL);
	test_in(&ctx, &sin, "0.0.0.0", 1024);
	test_expect("permit * family inet", &ctx, 1, NULL);
	ctx.op = POLICY_CONNECT;
	test_in(&ctx, &sin, "192.0.2.1", 22);
	test_expect("permit * family inet", &ctx, 1, NULL);
	ctx.op = POLICY_BIND;
	ctx.family = AF_INET6;
	test_in6(&ctx, &sin6, "::", 443);
	test_expect("permit * family inet6", &ctx, 0, "rule at line 1 does "
	    "not grant binding port 443 (needs a port criterion)");
}
END_TEST

START_TEST(test_unix_names_need_path)
{
	struct policy_ctx	ctx = test_ctx(POLICY_CONNECT, AF_UNIX,
	    SOCK_STREAM, 0);
	struct sockaddr_un	sun;
	const char		*grant = "permit * family unix\n"
	    "permit * family unix path /run/foo/*.sock,@foo*\n";

	test_un(&ctx, &sun, "/run/docker.sock");
	test_expect("permit * family unix", &ctx, 0, "rule at line 1 does "
	    "not grant connecting to /run/docker.sock (needs a path "
	    "criterion)");
	test_expect(grant, &ctx, 0, "rule at line 1 does not grant "
	    "connecting to /run/docker.sock (needs a path criterion)");
	test_un(&ctx, &sun, "/run/foo/a.sock");
	test_expect(grant, &ctx, 1, "permitted by rule at line 2");
	test_un(&ctx, &sun, "/run/foo/sub/a.sock");	/* * is not / */
	test_expect(grant, &ctx, 0, NULL);
	test_un(&ctx, &sun, "@foobar");
	test_expect(grant, &ctx, 1, NULL);
	test_un(&ctx, &sun, "@bar");
	ctx.op = POLICY_BIND;
	test_expect(grant, &ctx, 0, "rule at line 1 does not grant binding "
	    "@bar (needs a path criterion)");
	ctx.op = POLICY_SEND;
	test_expect(grant, &ctx, 0, "rule at line 1 does not grant sending "
	    "to @bar (needs a path criterion)");
	/* socketpair-like use: creation and an unnamed (autobind) address */
	ctx.op = POLICY_SOCKET;
	ctx.addr = NULL;
	test_expect("permit * family unix", &ctx, 1, NULL);
	ctx.op = POLICY_BIND;
	test_un(&ctx, &sun, "");
	ctx.addrlen = sizeof(sa_family_t);
	test_expect("permit * family unix", &ctx, 1, NULL);
}
END_TEST

START_TEST(test_unix_abstract_name_with_nul_never_matches)
{
	struct policy_ctx	ctx = test_ctx(POLICY_CONNECT, AF_UNIX,
	    SOCK_STREAM, 0);
	struct sockaddr_un	sun;

	test_un(&ctx, &sun, "@foo");
	ctx.addrlen += 4;	/* "foo\0\0\0\0": another name */
	test_expect("permit * family unix path @foo*", &ctx, 0, NULL);
	test_expect("permit * family unix path @*", &ctx, 0, NULL);
}
END_TEST

START_TEST(test_netlink_write_needs_grant)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SEND, AF_NETLINK,
	    SOCK_RAW, NETLINK_ROUTE);
	const char		*grant = "permit * family netlink proto route "
	    "netlink-write\n";

	test_expect("permit * family netlink proto route", &ctx, 1, NULL);
	ctx.netlink_write = 1;
	test_expect("permit * family netlink proto route", &ctx, 0,
	    "rule at line 1 does not grant netlink messages that change "
	    "state (needs netlink-write)");
	test_expect(grant, &ctx, 1, NULL);
	test_expect("permit * family netlink proto generic netlink-write",
	    &ctx, 0, "no rule matched");
	/* As a deny condition it is about writes only. */
	test_expect("permit * family netlink\ndeny * netlink-write", &ctx, 0,
	    "denied by rule at line 2");
	ctx.netlink_write = 0;
	test_expect("permit * family netlink\ndeny * netlink-write", &ctx, 1,
	    NULL);
	ctx.op = POLICY_SOCKET;
	test_expect(grant, &ctx, 1, NULL);
}
END_TEST

/*
 * The type and family words of a rule that matches a socket o applies to,
 * naming type raw when it is raw (inet raw sockets need it).
 */
static void
test_opt_rule(const struct kernel_opt *o, char *buf, size_t size,
    struct policy_ctx *ctx, const char *extra)
{
	int	family = o->family != AF_UNSPEC ? o->family : AF_INET;
	int	type = o->type != 0 ? o->type : SOCK_DGRAM;

	*ctx = test_ctx(POLICY_SETSOCKOPT, family, type, o->protocol);
	ctx->level = o->level;
	ctx->optname = o->optname;
	snprintf(buf, size, "permit * family %s type %s%s",
	    kernel_family_name(family), kernel_type_name(type), extra);
}

/* Every privileged option of the registry is closed unless named. */
START_TEST(test_privileged_options_need_option)
{
	const struct kernel_opt	*o;
	struct policy_ctx	 ctx;
	char			 want[256], rule[256], name[64], extra[80];
	size_t			 i, n = 0;

	for (i = 0; (o = kernel_opt_at(i)) != NULL; i++) {
		if (!o->privileged)
			continue;
		n++;
		kernel_opt_lower(o, name, sizeof name);
		test_opt_rule(o, rule, sizeof rule, &ctx, "");
		snprintf(want, sizeof want, "rule at line 1 does not grant "
		    "option %s (needs an option criterion)", name);
		test_expect(rule, &ctx, 0, want);
		snprintf(extra, sizeof extra, " option %s", name);
		test_opt_rule(o, rule, sizeof rule, &ctx, extra);
		test_expect(rule, &ctx, 1, NULL);
	}
	ck_assert_uint_ge(n, 15);
}
END_TEST

/*
 * The option names the policy language takes are the registry's, one
 * source: each registry name parses (and means that option), a name not
 * in it (or not in lowercase) is refused, and README's list of privileged
 * options is the registry's.
 */
START_TEST(test_option_names_are_the_registry)
{
	const struct kernel_opt	*o;
	struct policy		*pol;
	struct policy_ctx	 ctx;
	struct policy_verdict	 v;
	char			 rule[128], name[64], readme[256 * 1024];
	char			*list, *end, *p;
	const char		*srcdir = getenv("srcdir");
	size_t			 i, n = 0, named = 0;
	ssize_t			 len;
	int			 fd;

	for (i = 0; (o = kernel_opt_at(i)) != NULL; i++) {
		kernel_opt_lower(o, name, sizeof name);
		ck_assert_ptr_eq(kernel_opt_by_name(name), o);
		ck_assert_ptr_eq(kernel_opt_find(o->level, o->optname), o);
		snprintf(rule, sizeof rule, "permit *\ndeny * option %s", name);
		pol = test_parse(rule);
		ctx = test_ctx(POLICY_SETSOCKOPT, AF_UNIX, SOCK_DGRAM, 0);
		ctx.level = o->level;
		ctx.optname = o->optname;
		policy_check(pol, &ctx, &v);
		ck_assert_msg(!v.permit && v.line == 2, "%s: %s", name,
		    v.reason);
		ctx.optname = -1;
		policy_check(pol, &ctx, &v);
		ck_assert(v.permit);
		policy_free(pol);
		n += o->privileged;
	}
	test_parse_error("permit * option so_attach_bpf",
	    "t.conf:1:17: unknown option 'so_attach_bpf'");
	test_parse_error("permit * option SO_MARK",
	    "t.conf:1:17: unknown option 'SO_MARK'");

	snprintf(rule, sizeof rule, "%s/README.md", srcdir != NULL ? srcdir :
	    ".");
	ck_assert_int_ne(fd = open(rule, O_RDONLY), -1);
	ck_assert_int_gt(len = read(fd, readme, sizeof readme - 1), 0);
	close(fd);
	readme[len] = '\0';
	ck_assert_ptr_nonnull(list = strstr(readme,
	    "| privileged socket options: "));
	ck_assert_ptr_nonnull(end = strstr(list + 1, " | "));
	*end = '\0';
	for (p = list; (p = strchr(p, '`')) != NULL; p = end + 1) {
		ck_assert_ptr_nonnull(end = strchr(p + 1, '`'));
		*end = '\0';
		o = kernel_opt_by_name(p + 1);
		ck_assert_msg(o != NULL && o->privileged, "README names %s",
		    p + 1);
		named++;
	}
	ck_assert_uint_eq(named, n);
}
END_TEST

/* Raw inet and inet6 sockets (and SOCK_PACKET) need `type raw` named. */
START_TEST(test_inet_raw_needs_type_raw)
{
	struct policy_ctx	 ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_RAW, IPPROTO_ICMP);

	test_expect("permit * family inet", &ctx, 0, "rule at line 1 does "
	    "not grant a raw inet socket (needs type raw)");
	test_expect("permit *", &ctx, 0, "rule at line 1 does not grant a "
	    "raw inet socket (needs type raw)");
	test_expect("permit * family inet type raw", &ctx, 1, NULL);
	test_expect("permit * type dgram,raw proto icmp", &ctx, 1, NULL);
	test_expect("permit * family inet type raw\npermit * family inet",
	    &ctx, 0, "rule at line 2 does not grant a raw inet socket "
	    "(needs type raw)");
	ctx.type = SOCK_RAW | SOCK_NONBLOCK;
	test_expect("permit * family inet", &ctx, 0, NULL);
	ctx.type = SOCK_PACKET;
	test_expect("permit * family inet", &ctx, 0, NULL);
	test_expect("permit * family inet type raw", &ctx, 1, NULL);
	ctx.type = SOCK_DGRAM;		/* an ICMP datagram (ping) socket */
	test_expect("permit * family inet", &ctx, 1, NULL);

	ctx = test_ctx(POLICY_SOCKET, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	test_expect("permit * family inet6", &ctx, 0, "rule at line 1 does "
	    "not grant a raw inet6 socket (needs type raw)");
	test_expect("permit * family inet6 type raw", &ctx, 1, NULL);
	ctx.op = POLICY_SETSOCKOPT;	/* every operation, not only socket */
	test_expect("permit * family inet6", &ctx, 0, NULL);

	/* Raw by nature: their own family is the grant. */
	ctx = test_ctx(POLICY_SOCKET, AF_CAN, SOCK_RAW, CAN_RAW);
	test_expect("permit * family can", &ctx, 1, NULL);
	ctx = test_ctx(POLICY_SOCKET, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	test_expect("permit * family netlink", &ctx, 1, NULL);
	ctx = test_ctx(POLICY_SOCKET, AF_PACKET, SOCK_RAW, 0);
	test_expect("permit * family packet", &ctx, 1, NULL);

	test_parse_error("permit * type packet", "t.conf:1:15: type "
	    "'packet': SOCK_PACKET sockets are raw ones, say 'raw'");
}
END_TEST

START_TEST(test_option_list_grants_privileged_options)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SETSOCKOPT, AF_INET,
	    SOCK_STREAM, 0);
	const char		*pol = "permit * family inet option so_mark";

	ctx.level = SOL_SOCKET;
	ctx.optname = SO_REUSEADDR;	/* ordinary: any permit rule will do */
	test_expect("permit * family inet", &ctx, 1, NULL);
	test_expect(pol, &ctx, 1, NULL);
	test_expect("permit * family inet\n"
	    "deny * family inet option so_reuseaddr", &ctx, 0,
	    "denied by rule at line 2");
	ctx.optname = SO_MARK;		/* privileged: must be named */
	test_expect("permit * family inet", &ctx, 0, "rule at line 1 does "
	    "not grant option so_mark (needs an option criterion)");
	test_expect(pol, &ctx, 1, NULL);
	ctx.op = POLICY_CONNECT;	/* not about options: unknown */
	test_expect(pol, &ctx, 1, NULL);
}
END_TEST

START_TEST(test_bindtodevice_is_also_iface)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SETSOCKOPT, AF_INET,
	    SOCK_DGRAM, 0);
	const char		*pol = "permit * family inet iface eth0 "
	    "option so_bindtodevice";

	ctx.level = SOL_SOCKET;
	ctx.optname = SO_BINDTODEVICE;
	ctx.iface = "eth0";
	test_expect(pol, &ctx, 1, NULL);
	ctx.iface = "eth1";
	test_expect(pol, &ctx, 0, "no rule matched");
	ctx.iface = "";		/* unbinding: every interface */
	test_expect(pol, &ctx, 0, "no rule matched");
	test_expect("permit * family inet iface * option so_bindtodevice",
	    &ctx, 1, NULL);
}
END_TEST

START_TEST(test_fd_pass_needs_grant)
{
	struct policy_ctx	ctx = test_ctx(POLICY_FDPASS, AF_INET,
	    SOCK_STREAM, 0);

	test_expect("permit * family inet", &ctx, 0, "rule at line 1 does "
	    "not grant passing the real descriptor (needs fd-pass)");
	test_expect("permit * family inet fd-pass", &ctx, 1, NULL);
	test_expect("permit * family inet fd-pass\ndeny alice fd-pass", &ctx,
	    0, "denied by rule at line 2");
	ctx.op = POLICY_SOCKET;
	test_expect("permit * family inet fd-pass\ndeny alice fd-pass", &ctx,
	    1, "permitted by rule at line 1");
}
END_TEST

START_TEST(test_can_id_ranges)
{
	struct policy_ctx	ctx = test_ctx(POLICY_CAN_SEND, AF_CAN,
	    SOCK_RAW, CAN_RAW);
	const char		*pol = "permit :canbus family can "
	    "can-id 0x700-0x7ff,0x123\n";

	ctx.has_can_id = 1;
	ctx.can_id = 0x7ff;
	test_expect(pol, &ctx, 1, NULL);
	ctx.can_id = 0x123;
	test_expect(pol, &ctx, 1, NULL);
	ctx.can_id = 0x124;
	test_expect(pol, &ctx, 0, "no rule matched");
	ctx.op = POLICY_CAN_RECV;
	test_expect(pol, &ctx, 0, "no rule matched");
	ctx.can_id = 0x700 | CAN_EFF_FLAG;	/* flags are not the id */
	test_expect(pol, &ctx, 1, NULL);
	ctx.can_id = 0x1000700 | CAN_EFF_FLAG;
	test_expect(pol, &ctx, 0, NULL);
	ctx.can_id = 0x124;
	test_expect("permit * family can", &ctx, 1, NULL);
	test_expect("permit * family can\ndeny * can-id 0x100-0x1ff", &ctx, 0,
	    "denied by rule at line 2");
	ctx.op = POLICY_SOCKET;
	ctx.has_can_id = 0;
	test_expect(pol, &ctx, 1, NULL);
	test_expect("permit * family can\ndeny * can-id 0x100-0x1ff", &ctx, 1,
	    NULL);
}
END_TEST

/*
 * J1939 makes its CAN ids itself, so a rule with can-id can neither
 * permit its sockets nor fail to deny them; BCM and ISO-TP sockets are
 * opened (the ids come later) and their ids checked like CAN_RAW's.
 */
START_TEST(test_can_id_other_protocols)
{
	struct policy_ctx	ctx = test_ctx(POLICY_SOCKET, AF_CAN,
	    SOCK_DGRAM, CAN_J1939);
	const char		*ids = "permit * family can can-id 0x700-0x7ff";

	test_expect(ids, &ctx, 0, "no rule matched");
	test_expect("permit * family can", &ctx, 1, NULL);
	test_expect("permit * family can\ndeny * family can can-id 0x100",
	    &ctx, 0, "denied by rule at line 2");
	test_expect("permit * family can proto j1939\n"
	    "permit * family can can-id 0x700-0x7ff", &ctx, 1,
	    "permitted by rule at line 1");
	ctx.op = POLICY_BIND;
	test_expect(ids, &ctx, 0, "no rule matched");

	ctx = test_ctx(POLICY_SOCKET, AF_CAN, SOCK_DGRAM, CAN_BCM);
	test_expect(ids, &ctx, 1, NULL);
	ctx.op = POLICY_CAN_SEND;
	ctx.has_can_id = 1;
	ctx.can_id = 0x123;
	test_expect(ids, &ctx, 0, "no rule matched");
	ctx.can_id = 0x7a0;
	test_expect(ids, &ctx, 1, NULL);
	ctx = test_ctx(POLICY_CAN_RECV, AF_CAN, SOCK_DGRAM, CAN_ISOTP);
	ctx.has_can_id = 1;
	ctx.can_id = 0x7e8;
	test_expect(ids, &ctx, 1, NULL);
	ctx.can_id = 0x7e8 | CAN_EFF_FLAG | 0x10000;
	test_expect(ids, &ctx, 0, NULL);
}
END_TEST

START_TEST(test_vsock_port)
{
	struct policy_ctx	ctx = test_ctx(POLICY_BIND, AF_VSOCK,
	    SOCK_STREAM, 0);
	struct sockaddr_storage	ss;
	unsigned int		port = 1023;

	memset(&ss, 0, sizeof ss);
	ss.ss_family = AF_VSOCK;
	/* struct sockaddr_vm: family, reserved, port, cid */
	memcpy((char *)&ss + 4, &port, sizeof port);
	ctx.addr = (struct sockaddr *)&ss;
	ctx.addrlen = 16;
	test_expect("permit * family vsock", &ctx, 0, "rule at line 1 does "
	    "not grant binding port 1023 (needs a port criterion)");
	test_expect("permit * family vsock port 1023", &ctx, 1, NULL);
}
END_TEST

START_TEST(test_names_tables)
{
	char	buf[64];

	ck_assert_int_eq(kernel_family_by_name("inet6")->af, AF_INET6);
	ck_assert_ptr_null(kernel_family_by_name("inte"));
	ck_assert_str_eq(kernel_family_name(AF_CAN), "can");
	ck_assert_str_eq(kernel_family_cname(AF_CAN), "AF_CAN");
	ck_assert_int_eq(kernel_type_by_name("seqpacket"), SOCK_SEQPACKET);
	ck_assert_str_eq(kernel_type_name(SOCK_DGRAM), "dgram");
	ck_assert_int_eq(kernel_opt_by_name("so_mark")->level, SOL_SOCKET);
	ck_assert_int_eq(kernel_opt_by_name("so_mark")->optname, SO_MARK);
	ck_assert_str_eq(kernel_opt_describe(SOL_SOCKET, SO_MARK, buf,
	    sizeof buf), "so_mark");
	ck_assert_str_eq(kernel_opt_describe(9999, 1, buf, sizeof buf),
	    "(level 9999, name 1)");
	ck_assert(!kernel_opt_privileged(SOL_SOCKET, SO_REUSEADDR));
	ck_assert_str_eq(policy_op_name(POLICY_CAN_RECV), "can-recv");
}
END_TEST

START_TEST(test_many_rules)
{
	struct policy_ctx	 ctx = test_ctx(POLICY_SOCKET, AF_INET,
	    SOCK_STREAM, 0);
	struct policy		*pol;
	struct policy_verdict	 v;
	char			*text;
	size_t			 i, n = 5000, len = 0;

	text = malloc(n * 32);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "permit user%zu family "
		    "inet\n", i);
	pol = test_parse(text);
	ck_assert_uint_eq(policy_nrules(pol), n);
	for (i = 0; i < 1000; i++)
		policy_check(pol, &ctx, &v);
	ck_assert_int_eq(v.permit, 0);
	policy_free(pol);
	free(text);
}
END_TEST

/* The policy suite. */
Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_issue_examples_parse);
	tcase_add_test(tc, test_every_criterion_parses);
	tcase_add_test(tc, test_comments_blanks_quotes_continuations);
	tcase_add_test(tc, test_empty_policy_has_no_rules);
	tcase_add_test(tc, test_error_unknown_family_names_line_and_column);
	tcase_add_test(tc, test_error_unknown_keyword);
	tcase_add_test(tc, test_error_bad_range);
	tcase_add_test(tc, test_error_bad_cidr);
	tcase_add_test(tc, test_error_missing_who);
	tcase_add_test(tc, test_error_empty_list_item);
	tcase_add_test(tc, test_error_unterminated);
	tcase_add_test(tc, test_error_position_after_continuation);
	tcase_add_test(tc, test_error_other_values);
	tcase_add_test(tc, test_error_without_cause_pointer);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_load_refuses_world_writable_and_missing);
	tcase_add_test(tc, test_example_policy_file_loads);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_test(tc, test_default_deny);
	tcase_add_test(tc, test_last_match_wins);
	tcase_add_test(tc, test_who_user_and_uid);
	tcase_add_test(tc, test_who_group_by_name_and_gid);
	tcase_add_test(tc, test_unknown_counts_for_permit);
	tcase_add_test(tc, test_unknown_does_not_count_for_deny);
	tcase_add_test(tc, test_issue_examples_mean_what_they_say);
	tcase_add_test(tc, test_type_and_default_protocol);
	tcase_add_test(tc, test_packet_protocol_in_host_order);
	tcase_add_test(tc, test_every_protocol_of_the_registry_parses);
	tcase_add_test(tc, test_local_and_remote);
	tcase_add_test(tc, test_v4_mapped_address_is_ipv4);
	tcase_add_test(tc, test_vsock_port);
	tcase_add_test(tc, test_names_tables);
	tcase_add_test(tc, test_many_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("explicit");
	tcase_add_test(tc, test_low_port_bind_needs_port);
	tcase_add_test(tc, test_unix_names_need_path);
	tcase_add_test(tc, test_unix_abstract_name_with_nul_never_matches);
	tcase_add_test(tc, test_netlink_write_needs_grant);
	tcase_add_test(tc, test_privileged_options_need_option);
	tcase_add_test(tc, test_option_names_are_the_registry);
	tcase_add_test(tc, test_inet_raw_needs_type_raw);
	tcase_add_test(tc, test_option_list_grants_privileged_options);
	tcase_add_test(tc, test_bindtodevice_is_also_iface);
	tcase_add_test(tc, test_fd_pass_needs_grant);
	tcase_add_test(tc, test_can_id_ranges);
	tcase_add_test(tc, test_can_id_other_protocols);
	suite_add_tcase(s, tc);
	return (s);
}

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	0, {
		policy_suite,
		NULL,
	},
};
