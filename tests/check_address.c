/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of proto/address.c: sockaddr to Address and back for every
 * variant, round trips over the wire, and hostile Addresses.
 */

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/can.h>
#include <linux/can/j1939.h>
#include <linux/if_alg.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/qrtr.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

#include "sbproto.h"
#include "sockbroker.h"
#include "check_main.h"

#define SUN_OFFSET	offsetof(struct sockaddr_un, sun_path)

/* Bluetooth protocols, as the kernel numbers them (no libbluetooth here). */
#define BTPROTO_L2CAP	0
#define BTPROTO_HCI	1
#define BTPROTO_SCO	2
#define BTPROTO_RFCOMM	3

/* An interface name that does not exist. */
#define NOSUCHIF	"nosuchif0"

Suite	*address_suite(void);

/* Calls of if_nametoindex(), the only system call address.c may make. */
static int	address_lookups;

/*
 * Counts interface lookups, then does the real one: this definition in the
 * test program comes before the C library's, so a test can tell that a
 * malformed address is refused before anything reaches the kernel.
 */
unsigned int
if_nametoindex(const char *name)
{
	static unsigned int	(*real)(const char *);
	void			*sym;

	address_lookups++;
	if (real == NULL) {
		sym = dlsym(RTLD_NEXT, "if_nametoindex");
		ck_assert_ptr_nonnull(sym);
		memcpy(&real, &sym, sizeof real);
	}
	return (real(name));
}

/*
 * Converts sa (of a socket of the given protocol) to an Address, packs it,
 * unpacks it and converts it back: the bytes must be the same.
 */
static void
address_round_trip_proto(const void *sa, socklen_t len, int protocol)
{
	struct sbp_address	 out;
	struct sockaddr_storage	 ss;
	Sockbroker__Address	*got;
	const char		*cause = NULL;
	uint8_t			*buf;
	size_t			 n;
	socklen_t		 sslen;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out, sa, len, protocol,
	    &cause), 0);
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

/* Round trip of a sockaddr whose form does not depend on the protocol. */
static void
address_round_trip(const void *sa, socklen_t len)
{
	address_round_trip_proto(sa, len, 0);
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

/* Makes a sockaddr_ll with a hardware address of halen bytes. */
static struct sockaddr_ll
address_sll(int ifindex, uint16_t protocol, const uint8_t *hw, uint8_t halen)
{
	struct sockaddr_ll	sll;

	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	sll.sll_protocol = htons(protocol);
	sll.sll_pkttype = PACKET_BROADCAST;
	sll.sll_hatype = 1;	/* ARPHRD_ETHER */
	sll.sll_halen = halen;
	memcpy(sll.sll_addr, hw, halen);
	return (sll);
}

/* Makes a sockaddr_can with an interface index only. */
static struct sockaddr_can
address_scan(int ifindex)
{
	struct sockaddr_can	scan;

	memset(&scan, 0, sizeof scan);
	scan.can_family = AF_CAN;
	scan.can_ifindex = ifindex;
	return (scan);
}

/* Makes a sockaddr_tipc of the given type and values (domain 0). */
static struct sockaddr_tipc
address_stipc(int addrtype, uint32_t v1, uint32_t v2, uint32_t v3, int scope)
{
	struct sockaddr_tipc	st;

	memset(&st, 0, sizeof st);
	st.family = AF_TIPC;
	st.addrtype = (unsigned char)addrtype;
	st.scope = (signed char)scope;
	switch (addrtype) {
	case TIPC_ADDR_NAMESEQ:
		st.addr.nameseq.type = v1;
		st.addr.nameseq.lower = v2;
		st.addr.nameseq.upper = v3;
		break;
	case TIPC_ADDR_NAME:
		st.addr.name.name.type = v1;
		st.addr.name.name.instance = v2;
		break;
	default:
		st.addr.id.node = v1;
		st.addr.id.ref = v2;
		break;
	}
	return (st);
}

/* Makes a sockaddr_alg. */
static struct sockaddr_alg
address_salg(const char *type, const char *name, uint32_t feat, uint32_t mask)
{
	struct sockaddr_alg	salg;

	memset(&salg, 0, sizeof salg);
	salg.salg_family = AF_ALG;
	memcpy(salg.salg_type, type, strlen(type));
	memcpy(salg.salg_name, name, strlen(name));
	salg.salg_feat = feat;
	salg.salg_mask = mask;
	return (salg);
}

/*
 * Bluetooth sockaddrs are written byte by byte, as the kernel lays them
 * out, so that the tests check address.c's own structs. The bdaddr is
 * stored least-significant byte first: these bytes are 11:22:33:44:55:66.
 */
static const uint8_t	address_bdaddr[6] = {
	0x66, 0x55, 0x44, 0x33, 0x22, 0x11
};

/* Zeroes ss and writes the family AF_BLUETOOTH; returns its bytes. */
static uint8_t *
address_bt(struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	ss->ss_family = AF_BLUETOOTH;
	return ((uint8_t *)ss);
}

/* Makes the 14 bytes of a sockaddr_l2 (psm and cid little-endian). */
static socklen_t
address_l2(struct sockaddr_storage *ss, uint16_t psm, uint16_t cid,
    uint8_t bdaddr_type)
{
	uint8_t	*p = address_bt(ss);

	p[2] = psm & 0xff;
	p[3] = psm >> 8;
	memcpy(p + 4, address_bdaddr, 6);
	p[10] = cid & 0xff;
	p[11] = cid >> 8;
	p[12] = bdaddr_type;
	return (14);
}

/* Makes the 10 bytes of a sockaddr_rc. */
static socklen_t
address_rc(struct sockaddr_storage *ss, uint8_t channel)
{
	uint8_t	*p = address_bt(ss);

	memcpy(p + 2, address_bdaddr, 6);
	p[8] = channel;
	return (10);
}

/* Makes the 6 bytes of a sockaddr_hci. */
static socklen_t
address_hci(struct sockaddr_storage *ss, uint16_t dev, uint16_t channel)
{
	uint8_t	*p = address_bt(ss);

	memcpy(p + 2, &dev, sizeof dev);
	memcpy(p + 4, &channel, sizeof channel);
	return (6);
}

/* Makes the 8 bytes of a sockaddr_sco. */
static socklen_t
address_sco(struct sockaddr_storage *ss)
{
	uint8_t	*p = address_bt(ss);

	memcpy(p + 2, address_bdaddr, 6);
	return (8);
}

/* Converts a and checks that it succeeds; returns the length. */
static socklen_t
address_to_ok(const Sockbroker__Address *a, struct sockaddr_storage *ss)
{
	socklen_t	 len = 0;
	const char	*cause = NULL;

	if (sbp_address_to_sockaddr(a, ss, &len, &cause) == -1)
		ck_abort_msg("conversion failed: %s", cause);
	return (len);
}

/* ---- sockaddr -> Address ------------------------------------------------ */

START_TEST(test_from_inet_gives_host_and_port)
{
	struct sockaddr_in	sin = address_sin("192.0.2.1", 8080);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, sizeof sin, 0, NULL), 0);
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
	    (struct sockaddr *)&sin6, sizeof sin6, 0, NULL), 0);
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
	    (struct sockaddr *)&sin6, sizeof sin6, 0, NULL), 0);
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
	    (struct sockaddr *)&sun, len, 0, NULL), 0);
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
	    (struct sockaddr *)&sun, SUN_OFFSET + 6, 0, NULL), 0);
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
	    (struct sockaddr *)&sun, sizeof sun, 0, NULL), 0);
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
	    (struct sockaddr *)&sun, len, 0, NULL), 0);
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
	    (struct sockaddr *)&sun, sizeof(sa_family_t), 0, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_UN);
	ck_assert_int_eq(out.addr.un->name_case,
	    SOCKBROKER__UNIX_ADDRESS__NAME__NOT_SET);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sun, SUN_OFFSET, 0, NULL), 0);
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
	    (struct sockaddr *)&sin, sizeof sin - 1, 0, &cause), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(cause);
	errno = 0;
	cause = NULL;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin6, sizeof sin6 - 4, 0, &cause), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(cause);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, 1, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sin, 0, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out, NULL, sizeof sin, 0,
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
	    (struct sockaddr *)&ss, sizeof ss, 0, &cause), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	ck_assert_ptr_nonnull(cause);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, sizeof ss, 0, NULL), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
}
END_TEST

START_TEST(test_from_packet_gives_ifindex_and_host_order_protocol)
{
	static const uint8_t	hw[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct sockaddr_ll	sll = address_sll(3, 0x0800, hw, 6);
	struct sbp_address	out;
	const Sockbroker__PacketAddress *p;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sll, sizeof sll, 0, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_PACKET);
	p = out.addr.packet;
	ck_assert_ptr_null(p->ifname);
	ck_assert(p->has_ifindex);
	ck_assert_uint_eq(p->ifindex, 3);
	ck_assert_uint_eq(p->protocol, 0x0800);
	ck_assert_uint_eq(p->pkttype, PACKET_BROADCAST);
	ck_assert_uint_eq(p->hatype, 1);
	ck_assert_uint_eq(p->addr.len, 6);
	ck_assert_mem_eq(p->addr.data, hw, 6);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_PACKET);
}
END_TEST

START_TEST(test_from_packet_cuts_hardware_address_at_len)
{
	static const uint8_t	hw[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct sockaddr_ll	sll = address_sll(1, 3, hw, 8);
	struct sbp_address	out;

	/* The kernel may return only the used part of sll_addr. */
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sll, offsetof(struct sockaddr_ll, sll_addr) + 6,
	    0, NULL), 0);
	ck_assert_uint_eq(out.addr.packet->addr.len, 6);
	ck_assert_mem_eq(out.addr.packet->addr.data, hw, 6);
	sll.sll_halen = 200;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sll, sizeof sll, 0, NULL), 0);
	ck_assert_uint_eq(out.addr.packet->addr.len, 8);
}
END_TEST

START_TEST(test_from_can_form_follows_protocol)
{
	struct sockaddr_can	scan = address_scan(4);
	struct sbp_address	out;

	scan.can_addr.tp.rx_id = 0x123;
	scan.can_addr.tp.tx_id = 0x456;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&scan, sizeof scan, CAN_RAW, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_CAN);
	ck_assert_uint_eq(out.addr.can->ifindex, 4);
	ck_assert_ptr_null(out.addr.can->ifname);
	ck_assert_int_eq(out.addr.can->proto_case,
	    SOCKBROKER__CAN_ADDRESS__PROTO__NOT_SET);

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&scan, sizeof scan, CAN_ISOTP, NULL), 0);
	ck_assert_int_eq(out.addr.can->proto_case,
	    SOCKBROKER__CAN_ADDRESS__PROTO_ISOTP);
	ck_assert_uint_eq(out.addr.can->isotp->rx_id, 0x123);
	ck_assert_uint_eq(out.addr.can->isotp->tx_id, 0x456);

	memset(&scan.can_addr, 0, sizeof scan.can_addr);
	scan.can_addr.j1939.name = J1939_NO_NAME;
	scan.can_addr.j1939.pgn = J1939_NO_PGN;
	scan.can_addr.j1939.addr = J1939_NO_ADDR;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&scan, sizeof scan, CAN_J1939, NULL), 0);
	ck_assert_int_eq(out.addr.can->proto_case,
	    SOCKBROKER__CAN_ADDRESS__PROTO_J1939);
	ck_assert_uint_eq(out.addr.can->j1939->name, J1939_NO_NAME);
	ck_assert_uint_eq(out.addr.can->j1939->pgn, J1939_NO_PGN);
	ck_assert_uint_eq(out.addr.can->j1939->addr, J1939_NO_ADDR);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_CAN);
}
END_TEST

START_TEST(test_from_tipc_is_as_python)
{
	struct sockaddr_tipc		st;
	struct sbp_address		out;
	const Sockbroker__TipcAddress	*t;

	st = address_stipc(TIPC_ADDR_NAME, 1000, 7, 0, TIPC_NODE_SCOPE);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&st, sizeof st, 0, NULL), 0);
	t = out.addr.tipc;
	ck_assert_uint_eq(t->addr_type, TIPC_ADDR_NAME);
	ck_assert_uint_eq(t->v1, 1000);
	ck_assert_uint_eq(t->v2, 7);
	ck_assert_uint_eq(t->v3, 7);	/* the instance again, as Python */
	ck_assert(t->has_scope);
	ck_assert_uint_eq(t->scope, TIPC_NODE_SCOPE);

	st = address_stipc(TIPC_ADDR_ID, 0x1001001, 42, 0, TIPC_CLUSTER_SCOPE);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&st, sizeof st, 0, NULL), 0);
	ck_assert_uint_eq(t->v1, 0x1001001);	/* node */
	ck_assert_uint_eq(t->v2, 42);		/* ref */
	ck_assert_uint_eq(t->v3, 0);

	st = address_stipc(TIPC_ADDR_NAMESEQ, 1, 2, 3, TIPC_ZONE_SCOPE);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&st, sizeof st, 0, NULL), 0);
	ck_assert_uint_eq(t->v1, 1);
	ck_assert_uint_eq(t->v2, 2);
	ck_assert_uint_eq(t->v3, 3);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_TIPC);
}
END_TEST

START_TEST(test_from_tipc_unknown_addrtype_is_einval)
{
	struct sockaddr_tipc	st = address_stipc(4, 1, 2, 3, 2);
	struct sbp_address	out;
	const char		*cause = NULL;

	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&st, sizeof st, 0, &cause), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(cause);
}
END_TEST

START_TEST(test_from_alg_gives_type_name_feat_mask)
{
	struct sockaddr_alg	salg = address_salg("hash", "sha256", 1, 2);
	struct sbp_address	out;

	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&salg, sizeof salg, 0, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case, SOCKBROKER__ADDRESS__ADDR_ALG);
	ck_assert_str_eq(out.addr.alg->type, "hash");
	ck_assert_str_eq(out.addr.alg->name, "sha256");
	ck_assert_uint_eq(out.addr.alg->feat, 1);
	ck_assert_uint_eq(out.addr.alg->mask, 2);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_ALG);
}
END_TEST

START_TEST(test_from_alg_unterminated_is_einval)
{
	struct sockaddr_alg	salg = address_salg("hash", "sha256", 0, 0);
	struct sbp_address	out;

	memset(salg.salg_type, 'a', sizeof salg.salg_type);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&salg, sizeof salg, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	salg = address_salg("hash", "sha256", 0, 0);
	memset(salg.salg_name, 'n', sizeof salg.salg_name);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&salg, sizeof salg, 0, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_from_bluetooth_bdaddr_is_most_significant_first)
{
	struct sockaddr_storage			 ss;
	struct sbp_address			 out;
	const Sockbroker__BluetoothAddress	*b;
	socklen_t				 len;

	len = address_l2(&ss, 0x1001, 0x0040, 1);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, len, BTPROTO_L2CAP, NULL), 0);
	ck_assert_int_eq(out.addr.addr_case,
	    SOCKBROKER__ADDRESS__ADDR_BLUETOOTH);
	b = out.addr.bluetooth;
	ck_assert_int_eq(b->proto, SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__L2CAP);
	ck_assert_str_eq(b->bdaddr, "11:22:33:44:55:66");
	ck_assert_uint_eq(b->psm, 0x1001);
	ck_assert_uint_eq(b->cid, 0x0040);
	ck_assert_uint_eq(b->bdaddr_type, 1);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_BLUETOOTH);

	len = address_rc(&ss, 30);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, len, BTPROTO_RFCOMM, NULL), 0);
	ck_assert_int_eq(b->proto,
	    SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__RFCOMM);
	ck_assert_str_eq(b->bdaddr, "11:22:33:44:55:66");
	ck_assert_uint_eq(b->channel, 30);

	len = address_hci(&ss, 2, 1);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, len, BTPROTO_HCI, NULL), 0);
	ck_assert_int_eq(b->proto, SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__HCI);
	ck_assert_ptr_null(b->bdaddr);
	ck_assert_uint_eq(b->device_id, 2);
	ck_assert_uint_eq(b->channel, 1);

	len = address_sco(&ss);
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, len, BTPROTO_SCO, NULL), 0);
	ck_assert_int_eq(b->proto, SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__SCO);
	ck_assert_str_eq(b->bdaddr, "11:22:33:44:55:66");
}
END_TEST

START_TEST(test_from_bluetooth_other_protocol_is_eafnosupport)
{
	struct sockaddr_storage	ss;
	struct sbp_address	out;
	const char		*cause = NULL;

	address_l2(&ss, 1, 0, 0);
	errno = 0;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&ss, sizeof ss, 4 /* BNEP */, &cause), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	ck_assert_ptr_nonnull(cause);
}
END_TEST

START_TEST(test_from_netlink_vsock_qipcrtr_give_their_pair)
{
	struct sockaddr_nl	snl;
	struct sockaddr_vm	svm;
	struct sockaddr_qrtr	sq;
	struct sbp_address	out;

	memset(&snl, 0, sizeof snl);
	snl.nl_family = AF_NETLINK;
	snl.nl_pid = 1234;
	snl.nl_groups = 5;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&snl, sizeof snl, 0, NULL), 0);
	ck_assert_uint_eq(out.addr.netlink->pid, 1234);
	ck_assert_uint_eq(out.addr.netlink->groups, 5);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_NETLINK);

	memset(&svm, 0, sizeof svm);
	svm.svm_family = AF_VSOCK;
	svm.svm_cid = VMADDR_CID_HOST;
	svm.svm_port = 1024;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&svm, sizeof svm, 0, NULL), 0);
	ck_assert_uint_eq(out.addr.vsock->cid, VMADDR_CID_HOST);
	ck_assert_uint_eq(out.addr.vsock->port, 1024);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_VSOCK);

	memset(&sq, 0, sizeof sq);
	sq.sq_family = AF_QIPCRTR;
	sq.sq_node = 7;
	sq.sq_port = QRTR_PORT_CTRL;
	ck_assert_int_eq(sbp_address_from_sockaddr(&out,
	    (struct sockaddr *)&sq, sizeof sq, 0, NULL), 0);
	ck_assert_uint_eq(out.addr.qipcrtr->node, 7);
	ck_assert_uint_eq(out.addr.qipcrtr->port, QRTR_PORT_CTRL);
	ck_assert_int_eq(sbp_address_family(&out.addr), AF_QIPCRTR);
}
END_TEST

START_TEST(test_from_new_families_too_short_is_einval)
{
	static const struct {
		int		family;
		int		protocol;
		socklen_t	len;	/* the least that is accepted */
	} t[] = {
		{ AF_PACKET, 0, 12 },
		{ AF_CAN, CAN_RAW, 8 },
		{ AF_CAN, CAN_BCM, 8 },
		{ AF_CAN, CAN_ISOTP, 16 },
		{ AF_CAN, CAN_J1939, 24 },
		{ AF_NETLINK, 0, 12 },
		{ AF_VSOCK, 0, 16 },
		{ AF_TIPC, 0, 16 },
		{ AF_ALG, 0, 88 },
		{ AF_BLUETOOTH, BTPROTO_L2CAP, 14 },
		{ AF_BLUETOOTH, BTPROTO_HCI, 6 },
		{ AF_BLUETOOTH, BTPROTO_SCO, 8 },
		{ AF_BLUETOOTH, BTPROTO_RFCOMM, 10 },
		{ AF_QIPCRTR, 0, 12 },
	};
	struct sockaddr_storage	 ss;
	struct sbp_address	 out;
	const char		*cause;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&ss, 0, sizeof ss);
		ss.ss_family = (sa_family_t)t[i].family;
		/* A valid addrtype for TIPC; any byte for the others. */
		((uint8_t *)&ss)[2] = TIPC_ADDR_ID;
		ck_assert_msg(sbp_address_from_sockaddr(&out,
		    (struct sockaddr *)&ss, t[i].len, t[i].protocol,
		    NULL) == 0, "family %d proto %d len %u refused",
		    t[i].family, t[i].protocol, (unsigned)t[i].len);
		ck_assert_int_eq(sbp_address_family(&out.addr), t[i].family);
		errno = 0;
		cause = NULL;
		ck_assert_msg(sbp_address_from_sockaddr(&out,
		    (struct sockaddr *)&ss, t[i].len - 1, t[i].protocol,
		    &cause) == -1, "family %d proto %d len %u accepted",
		    t[i].family, t[i].protocol, (unsigned)t[i].len - 1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_ptr_nonnull(cause);
	}
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

START_TEST(test_packet_round_trips_byte_identical)
{
	static const uint8_t	hw[8] = {
		0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xf0, 0xf1
	};
	struct sockaddr_ll	sll;

	sll = address_sll(1, 0x0800, hw, 6);
	address_round_trip(&sll, sizeof sll);
	sll = address_sll(2, 3, hw, 8);		/* ETH_P_ALL */
	address_round_trip(&sll, sizeof sll);
	sll = address_sll(0, 0xffff, hw, 0);
	sll.sll_pkttype = 255;
	sll.sll_hatype = 0xffff;
	address_round_trip(&sll, sizeof sll);
}
END_TEST

START_TEST(test_can_raw_and_bcm_round_trip_byte_identical)
{
	struct sockaddr_can	scan = address_scan(5);

	address_round_trip_proto(&scan, sizeof scan, CAN_RAW);
	address_round_trip_proto(&scan, sizeof scan, CAN_BCM);
	scan = address_scan(0);
	address_round_trip_proto(&scan, sizeof scan, CAN_RAW);
}
END_TEST

START_TEST(test_can_isotp_round_trips_byte_identical)
{
	struct sockaddr_can	scan = address_scan(5);

	scan.can_addr.tp.rx_id = 0x7e8;
	scan.can_addr.tp.tx_id = 0x7e0;
	address_round_trip_proto(&scan, sizeof scan, CAN_ISOTP);
	scan.can_addr.tp.rx_id = CAN_EFF_FLAG | CAN_EFF_MASK;
	scan.can_addr.tp.tx_id = CAN_EFF_FLAG | 0x18da00f1;
	address_round_trip_proto(&scan, sizeof scan, CAN_ISOTP);
}
END_TEST

START_TEST(test_can_j1939_round_trips_byte_identical)
{
	struct sockaddr_can	scan = address_scan(6);

	scan.can_addr.j1939.name = 0x1122334455667788ULL;
	scan.can_addr.j1939.pgn = J1939_PGN_MAX;
	scan.can_addr.j1939.addr = 0x80;
	address_round_trip_proto(&scan, sizeof scan, CAN_J1939);
	scan.can_addr.j1939.name = J1939_NO_NAME;
	scan.can_addr.j1939.pgn = J1939_NO_PGN;
	scan.can_addr.j1939.addr = J1939_NO_ADDR;
	address_round_trip_proto(&scan, sizeof scan, CAN_J1939);
}
END_TEST

START_TEST(test_netlink_round_trips_byte_identical)
{
	struct sockaddr_nl	snl;

	memset(&snl, 0, sizeof snl);
	snl.nl_family = AF_NETLINK;
	address_round_trip(&snl, sizeof snl);
	snl.nl_pid = UINT32_MAX;
	snl.nl_groups = 0x80000001;
	address_round_trip(&snl, sizeof snl);
}
END_TEST

START_TEST(test_vsock_round_trips_byte_identical)
{
	struct sockaddr_vm	svm;

	memset(&svm, 0, sizeof svm);
	svm.svm_family = AF_VSOCK;
	svm.svm_cid = VMADDR_CID_LOCAL;
	svm.svm_port = 5000;
	address_round_trip(&svm, sizeof svm);
	svm.svm_cid = VMADDR_CID_ANY;
	svm.svm_port = VMADDR_PORT_ANY;
	address_round_trip(&svm, sizeof svm);
}
END_TEST

START_TEST(test_tipc_round_trips_byte_identical)
{
	struct sockaddr_tipc	st;

	st = address_stipc(TIPC_ADDR_NAMESEQ, 18888, 17, 0xffffffff,
	    TIPC_CLUSTER_SCOPE);
	address_round_trip(&st, sizeof st);
	st = address_stipc(TIPC_ADDR_NAME, 18888, 17, 0, TIPC_NODE_SCOPE);
	address_round_trip(&st, sizeof st);
	st = address_stipc(TIPC_ADDR_ID, 0x01001001, 12345, 0, 0);
	address_round_trip(&st, sizeof st);
	st = address_stipc(TIPC_ADDR_ID, 1, 2, 0, -1);
	address_round_trip(&st, sizeof st);
}
END_TEST

START_TEST(test_alg_round_trips_byte_identical)
{
	struct sockaddr_alg	salg;
	char			name[64];

	salg = address_salg("hash", "sha256", 0, 0);
	address_round_trip(&salg, sizeof salg);
	memset(name, 'n', sizeof name);
	name[63] = '\0';
	salg = address_salg("abcdefghijklm", name, UINT32_MAX, 0x80);
	address_round_trip(&salg, sizeof salg);
}
END_TEST

START_TEST(test_bluetooth_round_trips_byte_identical_for_each_proto)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	len = address_l2(&ss, 0x1001, 0x0040, 1);
	address_round_trip_proto(&ss, len, BTPROTO_L2CAP);
	len = address_l2(&ss, 0xffff, 0xffff, 255);
	address_round_trip_proto(&ss, len, BTPROTO_L2CAP);
	len = address_rc(&ss, 1);
	address_round_trip_proto(&ss, len, BTPROTO_RFCOMM);
	len = address_rc(&ss, 255);
	address_round_trip_proto(&ss, len, BTPROTO_RFCOMM);
	len = address_hci(&ss, 0, 0);
	address_round_trip_proto(&ss, len, BTPROTO_HCI);
	len = address_hci(&ss, 0xffff, 3);
	address_round_trip_proto(&ss, len, BTPROTO_HCI);
	len = address_sco(&ss);
	address_round_trip_proto(&ss, len, BTPROTO_SCO);
}
END_TEST

/*
 * libsockbroker's sb_btaddr_* (the Python binding's Bluetooth layouts) make
 * the bytes this table makes and read them back: L2CAP psm, RFCOMM
 * channel, HCI device, SCO bdaddr; a number over its field is EINVAL.
 */
START_TEST(test_public_btaddr_helpers_are_this_table)
{
	struct sockaddr_storage	 ss, want;
	struct sb_btaddr	 bt = { "11:22:33:44:55:66", 0x1001 }, back;
	socklen_t		 len, wlen;

	ck_assert_int_eq(sb_btaddr_to_sockaddr(BTPROTO_L2CAP, &bt, &ss, &len),
	    0);
	wlen = address_l2(&want, 0x1001, 0, 0);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(&ss, &want, wlen);
	ck_assert_int_eq(sb_btaddr_from_sockaddr(BTPROTO_L2CAP,
	    (struct sockaddr *)&ss, len, &back), 0);
	ck_assert_str_eq(back.bdaddr, bt.bdaddr);
	ck_assert_uint_eq(back.num, 0x1001);
	bt.num = 255;
	ck_assert_int_eq(sb_btaddr_to_sockaddr(BTPROTO_RFCOMM, &bt, &ss,
	    &len), 0);
	wlen = address_rc(&want, 255);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(&ss, &want, wlen);
	ck_assert_int_eq(sb_btaddr_from_sockaddr(BTPROTO_RFCOMM,
	    (struct sockaddr *)&ss, len, &back), 0);
	ck_assert_uint_eq(back.num, 255);
	bt.num = 256;
	ck_assert_int_eq(sb_btaddr_to_sockaddr(BTPROTO_RFCOMM, &bt, &ss,
	    &len), -1);
	ck_assert_int_eq(errno, EINVAL);
	bt.num = 2;
	ck_assert_int_eq(sb_btaddr_to_sockaddr(BTPROTO_HCI, &bt, &ss, &len),
	    0);
	wlen = address_hci(&want, 2, 0);
	ck_assert_mem_eq(&ss, &want, wlen);
	ck_assert_int_eq(sb_btaddr_to_sockaddr(BTPROTO_SCO, &bt, &ss, &len),
	    0);
	wlen = address_sco(&want);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(&ss, &want, wlen);
	ck_assert_int_eq(sb_btaddr_from_sockaddr(BTPROTO_SCO,
	    (struct sockaddr *)&ss, len - 1, &back), -1);
	ck_assert_int_eq(errno, EINVAL);
	memcpy(bt.bdaddr, "11:22", 6);
	ck_assert_int_eq(sb_btaddr_to_sockaddr(BTPROTO_SCO, &bt, &ss, &len),
	    -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_qipcrtr_round_trips_byte_identical)
{
	struct sockaddr_qrtr	sq;

	memset(&sq, 0, sizeof sq);
	sq.sq_family = AF_QIPCRTR;
	sq.sq_node = QRTR_NODE_BCAST;
	sq.sq_port = QRTR_PORT_CTRL;
	address_round_trip(&sq, sizeof sq);
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

	a.addr_case = (Sockbroker__Address__AddrCase)99;
	address_refused(&a, EAFNOSUPPORT, NULL);
	ck_assert_int_eq(sbp_address_family(&a), AF_UNSPEC);
	ck_assert_int_eq(sbp_address_family(NULL), AF_UNSPEC);
}
END_TEST

START_TEST(test_wire_address_of_a_later_family_has_no_family)
{
	/* Field 15 (a family of a later version) with an empty message. */
	static const uint8_t	 later[] = { 0x7a, 0x00 };
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

START_TEST(test_to_packet_out_of_range_fields_are_einval)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;
	struct sockaddr_storage	  ss;
	uint8_t			  hw[9] = { 0 };

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.has_protocol = p.has_pkttype = p.has_hatype = p.has_addr = 1;
	p.protocol = 0xffff;
	p.pkttype = 255;
	p.hatype = 0xffff;
	p.addr.data = hw;
	p.addr.len = 8;
	ck_assert_uint_eq(address_to_ok(&a, &ss), sizeof(struct sockaddr_ll));
	p.protocol = 0x10000;
	address_refused(&a, EINVAL, "packet protocol out of range (0-65535)");
	p.protocol = 3;
	p.pkttype = 256;
	address_refused(&a, EINVAL, "packet pkttype out of range (0-255)");
	p.pkttype = 0;
	p.hatype = 0x10000;
	address_refused(&a, EINVAL, "packet hatype out of range (0-65535)");
	p.hatype = 1;
	p.addr.len = 9;
	address_refused(&a, EINVAL,
	    "packet hardware address too long (max 8 bytes)");
	p.addr.len = 6;
	p.has_ifindex = 1;
	p.ifindex = (uint32_t)INT32_MAX + 1;
	address_refused(&a, EINVAL, "interface index out of range");
}
END_TEST

START_TEST(test_to_packet_gives_network_order_protocol)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;
	struct sockaddr_storage	  ss;
	struct sockaddr_ll	 *sll = (struct sockaddr_ll *)&ss;
	uint8_t			  hw[6] = { 1, 2, 3, 4, 5, 6 };

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.has_ifindex = p.has_protocol = p.has_addr = 1;
	p.ifindex = 9;
	p.protocol = 0x86dd;
	p.addr.data = hw;
	p.addr.len = sizeof hw;
	ck_assert_uint_eq(address_to_ok(&a, &ss), sizeof *sll);
	ck_assert_int_eq(sll->sll_family, AF_PACKET);
	ck_assert_int_eq(sll->sll_ifindex, 9);
	ck_assert_uint_eq(sll->sll_protocol, htons(0x86dd));
	ck_assert_uint_eq(sll->sll_halen, 6);
	ck_assert_mem_eq(sll->sll_addr, hw, 6);
	ck_assert_int_eq(sbp_address_family(&a), AF_PACKET);
}
END_TEST

START_TEST(test_to_packet_ifname_lo_resolves)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;
	struct sockaddr_storage	  ss;
	struct sockaddr_ll	 *sll = (struct sockaddr_ll *)&ss;
	unsigned int		  lo = if_nametoindex("lo");

	ck_assert_uint_ne(lo, 0);
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.ifname = (char *)"lo";
	address_lookups = 0;
	address_to_ok(&a, &ss);
	ck_assert_int_eq(sll->sll_ifindex, (int)lo);
	ck_assert_int_eq(address_lookups, 1);
}
END_TEST

START_TEST(test_to_packet_empty_ifname_is_any_without_lookup)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;
	struct sockaddr_storage	  ss;
	struct sockaddr_ll	 *sll = (struct sockaddr_ll *)&ss;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	address_lookups = 0;
	p.ifname = (char *)"";
	address_to_ok(&a, &ss);
	ck_assert_int_eq(sll->sll_ifindex, 0);
	p.ifname = NULL;
	address_to_ok(&a, &ss);
	ck_assert_int_eq(sll->sll_ifindex, 0);
	ck_assert_int_eq(address_lookups, 0);
}
END_TEST

START_TEST(test_to_packet_ifindex_wins_over_ifname)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;
	struct sockaddr_storage	  ss;
	struct sockaddr_ll	 *sll = (struct sockaddr_ll *)&ss;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.ifname = (char *)NOSUCHIF;
	p.has_ifindex = 1;
	p.ifindex = 7;
	address_lookups = 0;
	address_to_ok(&a, &ss);
	ck_assert_int_eq(sll->sll_ifindex, 7);
	ck_assert_int_eq(address_lookups, 0);
}
END_TEST

START_TEST(test_to_packet_unknown_ifname_is_enodev)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.ifname = (char *)NOSUCHIF;
	address_refused(&a, ENODEV, "unknown interface");
	p.ifname = (char *)"abcdefghijklmno";	/* 15 bytes: fits */
	address_refused(&a, ENODEV, "unknown interface");
}
END_TEST

START_TEST(test_to_packet_long_ifname_is_einval_without_lookup)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;
	char			  name[300];

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.ifname = (char *)"abcdefghijklmnop";	/* IFNAMSIZ bytes */
	address_lookups = 0;
	address_refused(&a, EINVAL, "interface name too long");
	memset(name, 'x', sizeof name);
	name[sizeof name - 1] = '\0';
	p.ifname = name;
	address_refused(&a, EINVAL, "interface name too long");
	ck_assert_int_eq(address_lookups, 0);
}
END_TEST

START_TEST(test_to_packet_checks_fields_before_interface_lookup)
{
	Sockbroker__Address	  a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	p.ifname = (char *)NOSUCHIF;
	p.has_protocol = 1;
	p.protocol = 0x10000;
	address_lookups = 0;
	address_refused(&a, EINVAL, "packet protocol out of range (0-65535)");
	ck_assert_int_eq(address_lookups, 0);
}
END_TEST

START_TEST(test_to_can_is_full_sockaddr_can)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__CanAddress	 c = SOCKBROKER__CAN_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_can	*scan = (struct sockaddr_can *)&ss;
	static const uint8_t	 zero[sizeof scan->can_addr];

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_CAN;
	a.can = &c;
	c.ifname = (char *)"lo";
	ck_assert_uint_eq(address_to_ok(&a, &ss), sizeof *scan);
	ck_assert_int_eq(scan->can_family, AF_CAN);
	ck_assert_int_eq(scan->can_ifindex, (int)if_nametoindex("lo"));
	ck_assert_mem_eq(&scan->can_addr, zero, sizeof zero);
	c.ifname = (char *)"";
	ck_assert_uint_eq(address_to_ok(&a, &ss), sizeof *scan);
	ck_assert_int_eq(scan->can_ifindex, 0);
	ck_assert_int_eq(sbp_address_family(&a), AF_CAN);
}
END_TEST

START_TEST(test_to_can_bad_ifname_is_enodev_or_einval)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__CanAddress	c = SOCKBROKER__CAN_ADDRESS__INIT;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_CAN;
	a.can = &c;
	c.ifname = (char *)NOSUCHIF;
	address_refused(&a, ENODEV, "unknown interface");
	c.ifname = (char *)"vcan-name-too-long";
	address_lookups = 0;
	address_refused(&a, EINVAL, "interface name too long");
	ck_assert_int_eq(address_lookups, 0);
}
END_TEST

START_TEST(test_to_can_j1939_out_of_range_is_einval)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__CanAddress	c = SOCKBROKER__CAN_ADDRESS__INIT;
	Sockbroker__CanJ1939	j = SOCKBROKER__CAN_J1939__INIT;
	struct sockaddr_storage	ss;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_CAN;
	a.can = &c;
	c.ifname = (char *)NOSUCHIF;
	c.proto_case = SOCKBROKER__CAN_ADDRESS__PROTO_J1939;
	c.j1939 = &j;
	j.addr = 256;
	address_lookups = 0;
	address_refused(&a, EINVAL, "can j1939 addr out of range (0-255)");
	j.addr = 255;
	j.pgn = J1939_NO_PGN + 1;
	address_refused(&a, EINVAL, NULL);
	j.pgn = UINT32_MAX;
	address_refused(&a, EINVAL, NULL);
	ck_assert_int_eq(address_lookups, 0);
	c.ifname = NULL;
	j.pgn = J1939_PGN_MAX;
	address_to_ok(&a, &ss);
	j.pgn = J1939_NO_PGN;
	address_to_ok(&a, &ss);
	c.j1939 = NULL;
	address_refused(&a, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_can_isotp_ids_over_29_bits_are_einval)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__CanAddress	c = SOCKBROKER__CAN_ADDRESS__INIT;
	Sockbroker__CanIsotp	tp = SOCKBROKER__CAN_ISOTP__INIT;
	struct sockaddr_storage	ss;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_CAN;
	a.can = &c;
	c.ifname = (char *)NOSUCHIF;
	c.proto_case = SOCKBROKER__CAN_ADDRESS__PROTO_ISOTP;
	c.isotp = &tp;
	address_lookups = 0;
	tp.rx_id = CAN_ERR_FLAG | 1;
	address_refused(&a, EINVAL, "can isotp id out of range");
	tp.rx_id = 1;
	tp.tx_id = CAN_RTR_FLAG | CAN_EFF_FLAG | 2;
	address_refused(&a, EINVAL, "can isotp id out of range");
	ck_assert_int_eq(address_lookups, 0);
	c.ifname = NULL;
	tp.tx_id = CAN_EFF_FLAG | CAN_EFF_MASK;
	address_to_ok(&a, &ss);
	c.isotp = NULL;
	address_refused(&a, EINVAL, NULL);
	c.proto_case = (Sockbroker__CanAddress__ProtoCase)9;
	address_refused(&a, EINVAL, NULL);
}
END_TEST

START_TEST(test_to_tipc_addr_type_and_scope_are_checked)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__TipcAddress	t = SOCKBROKER__TIPC_ADDRESS__INIT;
	static const uint32_t	bad[] = { 0, 4, 255, UINT32_MAX };
	size_t			i;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_TIPC;
	a.tipc = &t;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t.addr_type = bad[i];
		address_refused(&a, EINVAL,
		    "tipc addr_type out of range (1-3)");
	}
	t.addr_type = TIPC_ADDR_ID;
	t.has_scope = 1;
	t.scope = 256;
	address_refused(&a, EINVAL, "tipc scope out of range (0-255)");
}
END_TEST

START_TEST(test_to_tipc_is_as_python)
{
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__TipcAddress	 t = SOCKBROKER__TIPC_ADDRESS__INIT;
	struct sockaddr_storage	 ss;
	struct sockaddr_tipc	*st = (struct sockaddr_tipc *)&ss;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_TIPC;
	a.tipc = &t;
	t.addr_type = TIPC_ADDR_NAME;
	t.v1 = 18888;
	t.v2 = 17;
	t.v3 = 99;	/* unused */
	ck_assert_uint_eq(address_to_ok(&a, &ss), sizeof *st);
	ck_assert_int_eq(st->family, AF_TIPC);
	ck_assert_int_eq(st->scope, TIPC_CLUSTER_SCOPE);	/* default */
	ck_assert_uint_eq(st->addr.name.name.type, 18888);
	ck_assert_uint_eq(st->addr.name.name.instance, 17);
	ck_assert_uint_eq(st->addr.name.domain, 0);
	t.addr_type = TIPC_ADDR_ID;
	t.has_scope = 1;
	t.scope = TIPC_NODE_SCOPE;
	address_to_ok(&a, &ss);
	ck_assert_int_eq(st->scope, TIPC_NODE_SCOPE);
	ck_assert_uint_eq(st->addr.id.node, 18888);
	ck_assert_uint_eq(st->addr.id.ref, 17);
	ck_assert_int_eq(sbp_address_family(&a), AF_TIPC);
}
END_TEST

START_TEST(test_to_alg_type_and_name_lengths_are_checked)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__AlgAddress	alg = SOCKBROKER__ALG_ADDRESS__INIT;
	struct sockaddr_storage	ss;
	char			name[65];

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_ALG;
	a.alg = &alg;
	memset(name, 'n', sizeof name);
	name[63] = '\0';
	alg.type = (char *)"abcdefghijklm";
	alg.name = name;
	ck_assert_uint_eq(address_to_ok(&a, &ss), sizeof(struct sockaddr_alg));
	alg.type = (char *)"abcdefghijklmn";
	address_refused(&a, EINVAL, "alg type too long (max 13 bytes)");
	alg.type = (char *)"";
	address_refused(&a, EINVAL, "alg type is empty");
	alg.type = NULL;
	address_refused(&a, EINVAL, NULL);
	alg.type = (char *)"hash";
	name[63] = 'n';
	name[64] = '\0';
	address_refused(&a, EINVAL, "alg name too long (max 63 bytes)");
	alg.name = (char *)"";
	address_refused(&a, EINVAL, "alg name is empty");
	alg.name = NULL;
	address_refused(&a, EINVAL, NULL);
	ck_assert_int_eq(sbp_address_family(&a), AF_ALG);
}
END_TEST

START_TEST(test_to_bluetooth_bad_bdaddr_is_einval)
{
	Sockbroker__Address		a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__BluetoothAddress	b =
	    SOCKBROKER__BLUETOOTH_ADDRESS__INIT;
	static const char		*bad[] = { "", "11:22:33:44:55",
					    "11:22:33:44:55:66:",
					    "11:22:33:44:55:666",
					    "1:22:33:44:55:66",
					    "11-22-33-44-55-66",
					    "G1:22:33:44:55:66",
					    " 11:22:33:44:55:6",
					    "11:22:33:44:55:6x",
					    "112233445566" };
	static const int		protos[] = {
		SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__L2CAP,
		SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__RFCOMM,
		SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__SCO,
	};
	size_t				i, j;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_BLUETOOTH;
	a.bluetooth = &b;
	for (j = 0; j < sizeof protos / sizeof protos[0]; j++) {
		b.proto = (Sockbroker__BluetoothAddress__Proto)protos[j];
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			b.bdaddr = (char *)bad[i];
			address_refused(&a, EINVAL,
			    "bluetooth bdaddr is not XX:XX:XX:XX:XX:XX");
		}
		b.bdaddr = NULL;
		address_refused(&a, EINVAL, NULL);
	}
}
END_TEST

START_TEST(test_to_bluetooth_bdaddr_takes_either_case)
{
	Sockbroker__Address		a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__BluetoothAddress	b =
	    SOCKBROKER__BLUETOOTH_ADDRESS__INIT;
	struct sockaddr_storage		ss;
	static const uint8_t		want[6] = { 0xff, 0xee, 0xdd, 0xcc,
					    0xbb, 0xaa };

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_BLUETOOTH;
	a.bluetooth = &b;
	b.proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__SCO;
	b.bdaddr = (char *)"aa:BB:cc:DD:ee:FF";
	ck_assert_uint_eq(address_to_ok(&a, &ss), 8);
	ck_assert_int_eq(ss.ss_family, AF_BLUETOOTH);
	ck_assert_mem_eq((uint8_t *)&ss + 2, want, 6);
	ck_assert_int_eq(sbp_address_family(&a), AF_BLUETOOTH);
}
END_TEST

START_TEST(test_to_bluetooth_fields_over_their_width_are_einval)
{
	Sockbroker__Address		a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__BluetoothAddress	b =
	    SOCKBROKER__BLUETOOTH_ADDRESS__INIT;
	struct sockaddr_storage		ss;

	a.addr_case = SOCKBROKER__ADDRESS__ADDR_BLUETOOTH;
	a.bluetooth = &b;
	b.bdaddr = (char *)"11:22:33:44:55:66";
	b.proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__L2CAP;
	b.has_psm = b.has_cid = b.has_bdaddr_type = 1;
	b.psm = 0xffff;
	b.cid = 0xffff;
	b.bdaddr_type = 255;
	ck_assert_uint_eq(address_to_ok(&a, &ss), 14);
	b.psm = 0x10000;
	address_refused(&a, EINVAL, "bluetooth psm out of range (0-65535)");
	b.psm = 1;
	b.cid = 0x10000;
	address_refused(&a, EINVAL, NULL);
	b.cid = 0;
	b.bdaddr_type = 256;
	address_refused(&a, EINVAL, NULL);

	b.proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__RFCOMM;
	b.has_channel = 1;
	b.channel = 255;
	ck_assert_uint_eq(address_to_ok(&a, &ss), 10);
	b.channel = 256;
	address_refused(&a, EINVAL, "bluetooth channel out of range (0-255)");

	b.proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__HCI;
	b.bdaddr = NULL;
	b.has_device_id = 1;
	b.device_id = 0xffff;
	b.channel = 0xffff;
	ck_assert_uint_eq(address_to_ok(&a, &ss), 6);
	b.device_id = 0x10000;
	address_refused(&a, EINVAL, NULL);
	b.device_id = 0;
	b.channel = 0x10000;
	address_refused(&a, EINVAL, NULL);

	b.proto = (Sockbroker__BluetoothAddress__Proto)4;
	address_refused(&a, EINVAL, "bluetooth proto unknown");
}
END_TEST

START_TEST(test_to_new_variants_missing_sub_message_is_einval)
{
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	static const int	cases[] = {
		SOCKBROKER__ADDRESS__ADDR_PACKET,
		SOCKBROKER__ADDRESS__ADDR_CAN,
		SOCKBROKER__ADDRESS__ADDR_NETLINK,
		SOCKBROKER__ADDRESS__ADDR_VSOCK,
		SOCKBROKER__ADDRESS__ADDR_TIPC,
		SOCKBROKER__ADDRESS__ADDR_ALG,
		SOCKBROKER__ADDRESS__ADDR_BLUETOOTH,
		SOCKBROKER__ADDRESS__ADDR_QIPCRTR,
	};
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		a.addr_case = (Sockbroker__Address__AddrCase)cases[i];
		a.packet = NULL;	/* the oneof's union: all NULL */
		address_refused(&a, EINVAL, NULL);
	}
}
END_TEST

START_TEST(test_family_of_every_variant)
{
	static const struct {
		int	addr_case;
		int	family;
	} t[] = {
		{ SOCKBROKER__ADDRESS__ADDR_INET, AF_INET },
		{ SOCKBROKER__ADDRESS__ADDR_INET6, AF_INET6 },
		{ SOCKBROKER__ADDRESS__ADDR_UN, AF_UNIX },
		{ SOCKBROKER__ADDRESS__ADDR_PACKET, AF_PACKET },
		{ SOCKBROKER__ADDRESS__ADDR_CAN, AF_CAN },
		{ SOCKBROKER__ADDRESS__ADDR_NETLINK, AF_NETLINK },
		{ SOCKBROKER__ADDRESS__ADDR_VSOCK, AF_VSOCK },
		{ SOCKBROKER__ADDRESS__ADDR_TIPC, AF_TIPC },
		{ SOCKBROKER__ADDRESS__ADDR_ALG, AF_ALG },
		{ SOCKBROKER__ADDRESS__ADDR_BLUETOOTH, AF_BLUETOOTH },
		{ SOCKBROKER__ADDRESS__ADDR_QIPCRTR, AF_QIPCRTR },
		{ SOCKBROKER__ADDRESS__ADDR__NOT_SET, AF_UNSPEC },
	};
	Sockbroker__Address	a = SOCKBROKER__ADDRESS__INIT;
	size_t			i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		a.addr_case = (Sockbroker__Address__AddrCase)t[i].addr_case;
		ck_assert_int_eq(sbp_address_family(&a), t[i].family);
	}
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
	tcase_add_test(tc,
	    test_from_packet_gives_ifindex_and_host_order_protocol);
	tcase_add_test(tc, test_from_packet_cuts_hardware_address_at_len);
	tcase_add_test(tc, test_from_can_form_follows_protocol);
	tcase_add_test(tc, test_from_tipc_is_as_python);
	tcase_add_test(tc, test_from_tipc_unknown_addrtype_is_einval);
	tcase_add_test(tc, test_from_alg_gives_type_name_feat_mask);
	tcase_add_test(tc, test_from_alg_unterminated_is_einval);
	tcase_add_test(tc,
	    test_from_bluetooth_bdaddr_is_most_significant_first);
	tcase_add_test(tc, test_from_bluetooth_other_protocol_is_eafnosupport);
	tcase_add_test(tc, test_from_netlink_vsock_qipcrtr_give_their_pair);
	tcase_add_test(tc, test_from_new_families_too_short_is_einval);
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
	tcase_add_test(tc, test_packet_round_trips_byte_identical);
	tcase_add_test(tc, test_can_raw_and_bcm_round_trip_byte_identical);
	tcase_add_test(tc, test_can_isotp_round_trips_byte_identical);
	tcase_add_test(tc, test_can_j1939_round_trips_byte_identical);
	tcase_add_test(tc, test_netlink_round_trips_byte_identical);
	tcase_add_test(tc, test_vsock_round_trips_byte_identical);
	tcase_add_test(tc, test_tipc_round_trips_byte_identical);
	tcase_add_test(tc, test_alg_round_trips_byte_identical);
	tcase_add_test(tc,
	    test_bluetooth_round_trips_byte_identical_for_each_proto);
	tcase_add_test(tc, test_qipcrtr_round_trips_byte_identical);
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
	tcase_add_test(tc, test_to_packet_out_of_range_fields_are_einval);
	tcase_add_test(tc, test_to_packet_gives_network_order_protocol);
	tcase_add_test(tc, test_to_packet_ifname_lo_resolves);
	tcase_add_test(tc, test_to_packet_empty_ifname_is_any_without_lookup);
	tcase_add_test(tc, test_to_packet_ifindex_wins_over_ifname);
	tcase_add_test(tc, test_to_packet_unknown_ifname_is_enodev);
	tcase_add_test(tc, test_to_packet_long_ifname_is_einval_without_lookup);
	tcase_add_test(tc,
	    test_to_packet_checks_fields_before_interface_lookup);
	tcase_add_test(tc, test_to_can_is_full_sockaddr_can);
	tcase_add_test(tc, test_to_can_bad_ifname_is_enodev_or_einval);
	tcase_add_test(tc, test_to_can_j1939_out_of_range_is_einval);
	tcase_add_test(tc, test_to_can_isotp_ids_over_29_bits_are_einval);
	tcase_add_test(tc, test_to_tipc_addr_type_and_scope_are_checked);
	tcase_add_test(tc, test_to_tipc_is_as_python);
	tcase_add_test(tc, test_to_alg_type_and_name_lengths_are_checked);
	tcase_add_test(tc, test_to_bluetooth_bad_bdaddr_is_einval);
	tcase_add_test(tc, test_to_bluetooth_bdaddr_takes_either_case);
	tcase_add_test(tc, test_public_btaddr_helpers_are_this_table);
	tcase_add_test(tc,
	    test_to_bluetooth_fields_over_their_width_are_einval);
	tcase_add_test(tc, test_to_new_variants_missing_sub_message_is_einval);
	tcase_add_test(tc, test_family_of_every_variant);
	suite_add_tcase(s, tc);

	return (s);
}

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	0, {
		address_suite,
		NULL,
	},
};
