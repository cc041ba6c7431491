/* SPDX-License-Identifier: ISC */
/*
 * Conversion between struct sockaddr and the protobuf Address, both ways.
 * From a sockaddr the Address points into struct sbp_address, so nothing is
 * allocated; to a sockaddr every field of the (hostile) Address is checked.
 * One function per family each way: address_<family>_from, _to.
 */

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

#define ADDRESS_SUN_PATH	sizeof(((struct sockaddr_un *)0)->sun_path)
#define ADDRESS_SUN_OFFSET	offsetof(struct sockaddr_un, sun_path)
#define ADDRESS_MAX_FLOWINFO	0xfffffU

/* Bytes of a sockaddr_can that CAN_RAW/BCM, ISO-TP and J1939 need. */
#define ADDRESS_CAN_LEN_RAW \
	(offsetof(struct sockaddr_can, can_ifindex) + sizeof(int))
#define ADDRESS_CAN_LEN_ISOTP \
	(offsetof(struct sockaddr_can, can_addr) + 2 * sizeof(canid_t))
#define ADDRESS_CAN_LEN_J1939 \
	(offsetof(struct sockaddr_can, can_addr) + \
	sizeof(((struct sockaddr_can *)0)->can_addr.j1939))

/*
 * Bluetooth, as the kernel defines it: Debian has no libbluetooth-dev here.
 * bdaddr_t is stored least-significant byte first; 16-bit fields of L2CAP
 * are little-endian.
 */
#define ADDRESS_BTPROTO_L2CAP	0
#define ADDRESS_BTPROTO_HCI	1
#define ADDRESS_BTPROTO_SCO	2
#define ADDRESS_BTPROTO_RFCOMM	3
#define ADDRESS_BDADDR_TEXT	17	/* "XX:XX:XX:XX:XX:XX" */

struct address_bdaddr {
	uint8_t			b[6];
} __attribute__((packed));

struct address_sockaddr_l2 {
	sa_family_t		l2_family;
	uint16_t		l2_psm;
	struct address_bdaddr	l2_bdaddr;
	uint16_t		l2_cid;
	uint8_t			l2_bdaddr_type;
};

struct address_sockaddr_rc {
	sa_family_t		rc_family;
	struct address_bdaddr	rc_bdaddr;
	uint8_t			rc_channel;
};

struct address_sockaddr_hci {
	sa_family_t		hci_family;
	unsigned short		hci_dev;
	unsigned short		hci_channel;
};

struct address_sockaddr_sco {
	sa_family_t		sco_family;
	struct address_bdaddr	sco_bdaddr;
};

_Static_assert(sizeof(struct address_bdaddr) == 6, "bdaddr_t is 6 bytes");
_Static_assert(sizeof(struct address_sockaddr_l2) == 14, "sockaddr_l2");
_Static_assert(offsetof(struct address_sockaddr_l2, l2_bdaddr) == 4,
    "sockaddr_l2 bdaddr");
_Static_assert(offsetof(struct address_sockaddr_l2, l2_cid) == 10,
    "sockaddr_l2 cid");
_Static_assert(offsetof(struct address_sockaddr_l2, l2_bdaddr_type) == 12,
    "sockaddr_l2 bdaddr_type");
_Static_assert(sizeof(struct address_sockaddr_rc) == 10, "sockaddr_rc");
_Static_assert(offsetof(struct address_sockaddr_rc, rc_channel) == 8,
    "sockaddr_rc channel");
_Static_assert(sizeof(struct address_sockaddr_hci) == 6, "sockaddr_hci");
_Static_assert(sizeof(struct address_sockaddr_sco) == 8, "sockaddr_sco");
_Static_assert(sizeof(struct sockaddr_alg) <= sizeof(struct sockaddr_storage),
    "sockaddr_alg fits sockaddr_storage");

static int	address_fail(const char **, int, const char *);
static void	address_copy(void *, size_t, const struct sockaddr *,
		    socklen_t);
static int	address_ifindex_to(protobuf_c_boolean, uint32_t, const char *,
		    int *, const char **);
static void	address_bdaddr_from(const struct address_bdaddr *,
		    char [ADDRESS_BDADDR_TEXT + 1]);
static int	address_hex(char);
static int	address_bdaddr_to(const char *, struct address_bdaddr *,
		    const char **);

static int	address_inet_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_inet6_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_unix_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_packet_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_can_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, int, const char **);
static int	address_netlink_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_vsock_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_tipc_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_alg_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_bluetooth_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, int, const char **);
static int	address_l2cap_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_rfcomm_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_hci_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_sco_from(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_qipcrtr_from(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);

static int	address_inet_to(const Sockbroker__InetAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_inet6_to(const Sockbroker__Inet6Address *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_unix_to(const Sockbroker__UnixAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_unix_to_path(const char *, struct sockaddr_un *,
		    socklen_t *, const char **);
static int	address_unix_to_abstract(const ProtobufCBinaryData *,
		    struct sockaddr_un *, socklen_t *, const char **);
static int	address_packet_to(const Sockbroker__PacketAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_can_to(const Sockbroker__CanAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_can_to_isotp(const Sockbroker__CanIsotp *,
		    struct sockaddr_can *, const char **);
static int	address_can_to_j1939(const Sockbroker__CanJ1939 *,
		    struct sockaddr_can *, const char **);
static int	address_netlink_to(const Sockbroker__NetlinkAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_vsock_to(const Sockbroker__VsockAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_tipc_to(const Sockbroker__TipcAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_alg_to(const Sockbroker__AlgAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_bluetooth_to(const Sockbroker__BluetoothAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_l2cap_to(const Sockbroker__BluetoothAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_rfcomm_to(const Sockbroker__BluetoothAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_hci_to(const Sockbroker__BluetoothAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_sco_to(const Sockbroker__BluetoothAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_qipcrtr_to(const Sockbroker__QipcrtrAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_to(const Sockbroker__Address *,
		    struct sockaddr_storage *, socklen_t *, const char **);

/* Sets errno and *cause, and returns -1. */
static int
address_fail(const char **cause, int error, const char *why)
{
	if (cause != NULL)
		*cause = why;
	errno = error;
	return (-1);
}

/* Copies the first len bytes of sa, at most size, into a zeroed dst. */
static void
address_copy(void *dst, size_t size, const struct sockaddr *sa,
    socklen_t len)
{
	memset(dst, 0, size);
	memcpy(dst, sa, len < size ? len : size);
}

/*
 * Gives the interface index of a packet or CAN address: ifindex when
 * present, else ifname looked up in this network namespace; an absent or
 * empty ifname is 0 (any interface).
 */
static int
address_ifindex_to(protobuf_c_boolean has_ifindex, uint32_t ifindex,
    const char *ifname, int *out, const char **cause)
{
	unsigned int	index;

	*out = 0;
	if (has_ifindex) {
		if (ifindex > INT_MAX)
			return (address_fail(cause, EINVAL,
			    "interface index out of range"));
		*out = (int)ifindex;
		return (0);
	}
	if (ifname == NULL || *ifname == '\0')
		return (0);
	if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return (address_fail(cause, EINVAL,
		    "interface name too long"));
	errno = 0;
	if ((index = if_nametoindex(ifname)) == 0) {
		if (errno == 0 || errno == ENODEV || errno == ENXIO)
			return (address_fail(cause, ENODEV,
			    "unknown interface"));
		return (address_fail(cause, errno,
		    "interface lookup failed"));
	}
	if (index > INT_MAX)
		return (address_fail(cause, EINVAL,
		    "interface index out of range"));
	*out = (int)index;
	return (0);
}

/* Writes a bdaddr as text, most-significant byte first (BlueZ ba2str). */
static void
address_bdaddr_from(const struct address_bdaddr *ba,
    char text[ADDRESS_BDADDR_TEXT + 1])
{
	snprintf(text, ADDRESS_BDADDR_TEXT + 1,
	    "%02X:%02X:%02X:%02X:%02X:%02X", ba->b[5], ba->b[4], ba->b[3],
	    ba->b[2], ba->b[1], ba->b[0]);
}

/* Returns the value of a hexadecimal digit, or -1. */
static int
address_hex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Parses "XX:XX:XX:XX:XX:XX" (exactly) into a bdaddr. */
static int
address_bdaddr_to(const char *text, struct address_bdaddr *ba,
    const char **cause)
{
	const char	*p;
	int		 i, hi, lo;

	if (text == NULL ||
	    strnlen(text, ADDRESS_BDADDR_TEXT + 1) != ADDRESS_BDADDR_TEXT)
		goto bad;
	for (i = 0; i < 6; i++) {
		p = text + 3 * i;
		hi = address_hex(p[0]);
		lo = address_hex(p[1]);
		if (hi == -1 || lo == -1 || (i < 5 && p[2] != ':'))
			goto bad;
		ba->b[5 - i] = (uint8_t)(hi << 4 | lo);
	}
	return (0);
bad:
	return (address_fail(cause, EINVAL,
	    "bluetooth bdaddr is not XX:XX:XX:XX:XX:XX"));
}

/* ---- sockaddr -> Address ------------------------------------------------ */

/* Fills out from an AF_INET sockaddr. */
static int
address_inet_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_in			 sin;
	static const Sockbroker__InetAddress	 init =
	    SOCKBROKER__INET_ADDRESS__INIT;

	if (len < sizeof sin)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for inet"));
	memcpy(&sin, sa, sizeof sin);
	if (inet_ntop(AF_INET, &sin.sin_addr, out->host,
	    sizeof out->host) == NULL)
		return (address_fail(cause, EINVAL,
		    "inet address not printable"));
	out->u.inet = init;
	out->u.inet.host = out->host;
	out->u.inet.port = ntohs(sin.sin_port);
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	out->addr.inet = &out->u.inet;
	return (0);
}

/* Fills out from an AF_INET6 sockaddr. */
static int
address_inet6_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_in6			 sin6;
	static const Sockbroker__Inet6Address	 init =
	    SOCKBROKER__INET6_ADDRESS__INIT;

	if (len < sizeof sin6)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for inet6"));
	memcpy(&sin6, sa, sizeof sin6);
	if (inet_ntop(AF_INET6, &sin6.sin6_addr, out->host,
	    sizeof out->host) == NULL)
		return (address_fail(cause, EINVAL,
		    "inet6 address not printable"));
	out->u.inet6 = init;
	out->u.inet6.host = out->host;
	out->u.inet6.port = ntohs(sin6.sin6_port);
	out->u.inet6.has_flowinfo = 1;
	out->u.inet6.flowinfo = ntohl(sin6.sin6_flowinfo);
	out->u.inet6.has_scope_id = 1;
	out->u.inet6.scope_id = sin6.sin6_scope_id;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	out->addr.inet6 = &out->u.inet6;
	return (0);
}

/*
 * Fills out from an AF_UNIX sockaddr: a path, an abstract name or an unnamed
 * socket. The kernel may return a path that fills sun_path without a NUL.
 */
static int
address_unix_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	const char				*sun_path;
	size_t					 n;
	static const Sockbroker__UnixAddress	 init =
	    SOCKBROKER__UNIX_ADDRESS__INIT;

	out->u.un = init;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	out->addr.un = &out->u.un;
	if (len <= ADDRESS_SUN_OFFSET)
		return (0);

	sun_path = (const char *)sa + ADDRESS_SUN_OFFSET;
	n = len - ADDRESS_SUN_OFFSET;
	if (n > ADDRESS_SUN_PATH)
		n = ADDRESS_SUN_PATH;
	if (sun_path[0] == '\0') {
		memcpy(out->path, sun_path + 1, n - 1);
		out->u.un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT;
		out->u.un.abstract.data = (uint8_t *)out->path;
		out->u.un.abstract.len = n - 1;
		return (0);
	}
	n = strnlen(sun_path, n);
	memcpy(out->path, sun_path, n);
	out->path[n] = '\0';
	out->u.un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_PATH;
	out->u.un.path = out->path;
	return (0);
}

/*
 * Fills out from an AF_PACKET sockaddr_ll; the kernel may leave out the
 * unused tail of sll_addr, so the hardware address is cut at len.
 */
static int
address_packet_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_ll			 sll;
	Sockbroker__PacketAddress		*p = &out->u.packet;
	size_t					 halen;
	static const Sockbroker__PacketAddress	 init =
	    SOCKBROKER__PACKET_ADDRESS__INIT;

	if (len < offsetof(struct sockaddr_ll, sll_addr))
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for packet"));
	address_copy(&sll, sizeof sll, sa, len);
	halen = sll.sll_halen;
	if (halen > sizeof sll.sll_addr)
		halen = sizeof sll.sll_addr;
	if (halen > len - offsetof(struct sockaddr_ll, sll_addr))
		halen = len - offsetof(struct sockaddr_ll, sll_addr);
	memcpy(out->hwaddr, sll.sll_addr, halen);

	*p = init;
	p->has_ifindex = 1;
	p->ifindex = (uint32_t)sll.sll_ifindex;
	p->has_protocol = 1;
	p->protocol = ntohs(sll.sll_protocol);
	p->has_pkttype = 1;
	p->pkttype = sll.sll_pkttype;
	p->has_hatype = 1;
	p->hatype = sll.sll_hatype;
	p->has_addr = 1;
	p->addr.data = out->hwaddr;
	p->addr.len = halen;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	out->addr.packet = p;
	return (0);
}

/*
 * Fills out from an AF_CAN sockaddr_can: the interface, and the ISO-TP ids
 * or the J1939 name, PGN and address when the socket's protocol uses them.
 */
static int
address_can_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, int protocol, const char **cause)
{
	struct sockaddr_can			 scan;
	Sockbroker__CanAddress			*c = &out->u.can;
	size_t					 need;
	static const Sockbroker__CanAddress	 init =
	    SOCKBROKER__CAN_ADDRESS__INIT;
	static const Sockbroker__CanIsotp	 isotp =
	    SOCKBROKER__CAN_ISOTP__INIT;
	static const Sockbroker__CanJ1939	 j1939 =
	    SOCKBROKER__CAN_J1939__INIT;

	if (protocol == CAN_ISOTP)
		need = ADDRESS_CAN_LEN_ISOTP;
	else if (protocol == CAN_J1939)
		need = ADDRESS_CAN_LEN_J1939;
	else
		need = ADDRESS_CAN_LEN_RAW;
	if (len < need)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for can"));
	address_copy(&scan, sizeof scan, sa, len);

	*c = init;
	c->has_ifindex = 1;
	c->ifindex = (uint32_t)scan.can_ifindex;
	if (protocol == CAN_ISOTP) {
		out->sub.isotp = isotp;
		out->sub.isotp.rx_id = scan.can_addr.tp.rx_id;
		out->sub.isotp.tx_id = scan.can_addr.tp.tx_id;
		c->proto_case = SOCKBROKER__CAN_ADDRESS__PROTO_ISOTP;
		c->isotp = &out->sub.isotp;
	} else if (protocol == CAN_J1939) {
		out->sub.j1939 = j1939;
		out->sub.j1939.name = scan.can_addr.j1939.name;
		out->sub.j1939.pgn = scan.can_addr.j1939.pgn;
		out->sub.j1939.addr = scan.can_addr.j1939.addr;
		c->proto_case = SOCKBROKER__CAN_ADDRESS__PROTO_J1939;
		c->j1939 = &out->sub.j1939;
	}
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_CAN;
	out->addr.can = c;
	return (0);
}

/* Fills out from an AF_NETLINK sockaddr_nl. */
static int
address_netlink_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_nl			 snl;
	static const Sockbroker__NetlinkAddress	 init =
	    SOCKBROKER__NETLINK_ADDRESS__INIT;

	if (len < sizeof snl)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for netlink"));
	address_copy(&snl, sizeof snl, sa, len);
	out->u.netlink = init;
	out->u.netlink.pid = snl.nl_pid;
	out->u.netlink.groups = snl.nl_groups;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_NETLINK;
	out->addr.netlink = &out->u.netlink;
	return (0);
}

/* Fills out from an AF_VSOCK sockaddr_vm. */
static int
address_vsock_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_vm			 svm;
	static const Sockbroker__VsockAddress	 init =
	    SOCKBROKER__VSOCK_ADDRESS__INIT;

	if (len < sizeof svm)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for vsock"));
	address_copy(&svm, sizeof svm, sa, len);
	out->u.vsock = init;
	out->u.vsock.cid = svm.svm_cid;
	out->u.vsock.port = svm.svm_port;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_VSOCK;
	out->addr.vsock = &out->u.vsock;
	return (0);
}

/*
 * Fills out from an AF_TIPC sockaddr_tipc, as Python's makesockaddr: v1-v3
 * are (type, lower, upper), (type, instance, instance) or (node, ref, 0).
 */
static int
address_tipc_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_tipc			 st;
	Sockbroker__TipcAddress			*t = &out->u.tipc;
	static const Sockbroker__TipcAddress	 init =
	    SOCKBROKER__TIPC_ADDRESS__INIT;

	if (len < sizeof st)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for tipc"));
	address_copy(&st, sizeof st, sa, len);
	*t = init;
	t->addr_type = st.addrtype;
	t->has_scope = 1;
	t->scope = (uint8_t)st.scope;
	switch (st.addrtype) {
	case TIPC_ADDR_NAMESEQ:
		t->v1 = st.addr.nameseq.type;
		t->v2 = st.addr.nameseq.lower;
		t->v3 = st.addr.nameseq.upper;
		break;
	case TIPC_ADDR_NAME:
		t->v1 = st.addr.name.name.type;
		t->v2 = st.addr.name.name.instance;
		t->v3 = st.addr.name.name.instance;
		break;
	case TIPC_ADDR_ID:
		t->v1 = st.addr.id.node;
		t->v2 = st.addr.id.ref;
		t->v3 = 0;
		break;
	default:
		return (address_fail(cause, EINVAL,
		    "tipc address type unknown"));
	}
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_TIPC;
	out->addr.tipc = t;
	return (0);
}

/* Fills out from an AF_ALG sockaddr_alg; type and name must be terminated. */
static int
address_alg_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_alg			 salg;
	size_t					 n;
	static const Sockbroker__AlgAddress	 init =
	    SOCKBROKER__ALG_ADDRESS__INIT;

	if (len < sizeof salg)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for alg"));
	address_copy(&salg, sizeof salg, sa, len);
	n = strnlen((const char *)salg.salg_type, sizeof salg.salg_type);
	if (n == sizeof salg.salg_type || n >= sizeof out->type)
		return (address_fail(cause, EINVAL,
		    "alg type is not terminated"));
	memcpy(out->type, salg.salg_type, n);
	out->type[n] = '\0';
	n = strnlen((const char *)salg.salg_name, sizeof salg.salg_name);
	if (n == sizeof salg.salg_name || n >= sizeof out->name)
		return (address_fail(cause, EINVAL,
		    "alg name is not terminated"));
	memcpy(out->name, salg.salg_name, n);
	out->name[n] = '\0';

	out->u.alg = init;
	out->u.alg.type = out->type;
	out->u.alg.name = out->name;
	out->u.alg.has_feat = 1;
	out->u.alg.feat = salg.salg_feat;
	out->u.alg.has_mask = 1;
	out->u.alg.mask = salg.salg_mask;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_ALG;
	out->addr.alg = &out->u.alg;
	return (0);
}

/* Fills the Bluetooth variant from a sockaddr_l2: bdaddr, psm, cid, type. */
static int
address_l2cap_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct address_sockaddr_l2	 l2;
	Sockbroker__BluetoothAddress	*b = &out->u.bluetooth;

	if (len < sizeof l2)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for bluetooth l2cap"));
	address_copy(&l2, sizeof l2, sa, len);
	address_bdaddr_from(&l2.l2_bdaddr, out->bdaddr);
	b->proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__L2CAP;
	b->bdaddr = out->bdaddr;
	b->has_psm = 1;
	b->psm = le16toh(l2.l2_psm);
	b->has_cid = 1;
	b->cid = le16toh(l2.l2_cid);
	b->has_bdaddr_type = 1;
	b->bdaddr_type = l2.l2_bdaddr_type;
	return (0);
}

/* Fills the Bluetooth variant from a sockaddr_rc: bdaddr, channel. */
static int
address_rfcomm_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct address_sockaddr_rc	 rc;
	Sockbroker__BluetoothAddress	*b = &out->u.bluetooth;

	if (len < sizeof rc)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for bluetooth rfcomm"));
	address_copy(&rc, sizeof rc, sa, len);
	address_bdaddr_from(&rc.rc_bdaddr, out->bdaddr);
	b->proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__RFCOMM;
	b->bdaddr = out->bdaddr;
	b->has_channel = 1;
	b->channel = rc.rc_channel;
	return (0);
}

/* Fills the Bluetooth variant from a sockaddr_hci: device_id, channel. */
static int
address_hci_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct address_sockaddr_hci	 hci;
	Sockbroker__BluetoothAddress	*b = &out->u.bluetooth;

	if (len < sizeof hci)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for bluetooth hci"));
	address_copy(&hci, sizeof hci, sa, len);
	b->proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__HCI;
	b->has_device_id = 1;
	b->device_id = hci.hci_dev;
	b->has_channel = 1;
	b->channel = hci.hci_channel;
	return (0);
}

/* Fills the Bluetooth variant from a sockaddr_sco: bdaddr. */
static int
address_sco_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct address_sockaddr_sco	 sco;
	Sockbroker__BluetoothAddress	*b = &out->u.bluetooth;

	if (len < sizeof sco)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for bluetooth sco"));
	address_copy(&sco, sizeof sco, sa, len);
	address_bdaddr_from(&sco.sco_bdaddr, out->bdaddr);
	b->proto = SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__SCO;
	b->bdaddr = out->bdaddr;
	return (0);
}

/* Fills out from an AF_BLUETOOTH sockaddr of the socket's BTPROTO_*. */
static int
address_bluetooth_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, int protocol, const char **cause)
{
	static const Sockbroker__BluetoothAddress	init =
	    SOCKBROKER__BLUETOOTH_ADDRESS__INIT;
	int						rc;

	out->u.bluetooth = init;
	switch (protocol) {
	case ADDRESS_BTPROTO_L2CAP:
		rc = address_l2cap_from(out, sa, len, cause);
		break;
	case ADDRESS_BTPROTO_HCI:
		rc = address_hci_from(out, sa, len, cause);
		break;
	case ADDRESS_BTPROTO_SCO:
		rc = address_sco_from(out, sa, len, cause);
		break;
	case ADDRESS_BTPROTO_RFCOMM:
		rc = address_rfcomm_from(out, sa, len, cause);
		break;
	default:
		return (address_fail(cause, EAFNOSUPPORT,
		    "bluetooth protocol has no address form"));
	}
	if (rc == -1)
		return (-1);
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_BLUETOOTH;
	out->addr.bluetooth = &out->u.bluetooth;
	return (0);
}

/* Fills out from an AF_QIPCRTR sockaddr_qrtr. */
static int
address_qipcrtr_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_qrtr			 sq;
	static const Sockbroker__QipcrtrAddress	 init =
	    SOCKBROKER__QIPCRTR_ADDRESS__INIT;

	if (len < sizeof sq)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for qipcrtr"));
	address_copy(&sq, sizeof sq, sa, len);
	out->u.qipcrtr = init;
	out->u.qipcrtr.node = sq.sq_node;
	out->u.qipcrtr.port = sq.sq_port;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_QIPCRTR;
	out->addr.qipcrtr = &out->u.qipcrtr;
	return (0);
}

/* Converts sa (len bytes) to an Address stored in out. */
int
sbp_address_from_sockaddr(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, int protocol, const char **cause)
{
	static const Sockbroker__Address	init =
	    SOCKBROKER__ADDRESS__INIT;

	out->addr = init;
	if (sa == NULL || len < sizeof(sa_family_t))
		return (address_fail(cause, EINVAL, "sockaddr too short"));
	switch (sa->sa_family) {
	case AF_INET:
		return (address_inet_from(out, sa, len, cause));
	case AF_INET6:
		return (address_inet6_from(out, sa, len, cause));
	case AF_UNIX:
		return (address_unix_from(out, sa, len, cause));
	case AF_PACKET:
		return (address_packet_from(out, sa, len, cause));
	case AF_CAN:
		return (address_can_from(out, sa, len, protocol, cause));
	case AF_NETLINK:
		return (address_netlink_from(out, sa, len, cause));
	case AF_VSOCK:
		return (address_vsock_from(out, sa, len, cause));
	case AF_TIPC:
		return (address_tipc_from(out, sa, len, cause));
	case AF_ALG:
		return (address_alg_from(out, sa, len, cause));
	case AF_BLUETOOTH:
		return (address_bluetooth_from(out, sa, len, protocol, cause));
	case AF_QIPCRTR:
		return (address_qipcrtr_from(out, sa, len, cause));
	default:
		return (address_fail(cause, EAFNOSUPPORT,
		    "address family not supported"));
	}
}

/* ---- Address -> sockaddr ------------------------------------------------ */

/* Converts an InetAddress to a sockaddr_in. */
static int
address_inet_to(const Sockbroker__InetAddress *in, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	if (in == NULL || in->host == NULL)
		return (address_fail(cause, EINVAL, "inet address is missing"));
	if (in->port > 65535)
		return (address_fail(cause, EINVAL,
		    "port out of range (0-65535)"));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(in->port);
	if (*in->host == '\0')
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(in->host, "<broadcast>") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
	else if (inet_pton(AF_INET, in->host, &sin->sin_addr) != 1) {
		return (address_fail(cause, EINVAL,
		    "inet host is not a numeric IPv4 address"));
	}
	*len = sizeof *sin;
	return (0);
}

/* Converts an Inet6Address to a sockaddr_in6. */
static int
address_inet6_to(const Sockbroker__Inet6Address *in6,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	if (in6 == NULL || in6->host == NULL)
		return (address_fail(cause, EINVAL,
		    "inet6 address is missing"));
	if (in6->port > 65535)
		return (address_fail(cause, EINVAL,
		    "port out of range (0-65535)"));
	if (in6->has_flowinfo && in6->flowinfo > ADDRESS_MAX_FLOWINFO) {
		return (address_fail(cause, EINVAL,
		    "flowinfo out of range (0-1048575)"));
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(in6->port);
	if (in6->has_flowinfo)
		sin6->sin6_flowinfo = htonl(in6->flowinfo);
	if (in6->has_scope_id)
		sin6->sin6_scope_id = in6->scope_id;
	if (*in6->host == '\0')
		sin6->sin6_addr = in6addr_any;
	else if (inet_pton(AF_INET6, in6->host, &sin6->sin6_addr) != 1) {
		return (address_fail(cause, EINVAL,
		    "inet6 host is not a numeric IPv6 address"));
	}
	*len = sizeof *sin6;
	return (0);
}

/* Fills sun with a filesystem path, which must fit with its NUL. */
static int
address_unix_to_path(const char *path, struct sockaddr_un *sun,
    socklen_t *len, const char **cause)
{
	size_t	n;

	if (path == NULL)
		return (address_fail(cause, EINVAL, "unix path is missing"));
	n = strnlen(path, ADDRESS_SUN_PATH);
	if (n == 0)
		return (address_fail(cause, EINVAL, "unix path is empty"));
	if (n >= ADDRESS_SUN_PATH) {
		return (address_fail(cause, EINVAL,
		    "unix path too long (max 107 bytes)"));
	}
	memcpy(sun->sun_path, path, n);
	*len = ADDRESS_SUN_OFFSET + n + 1;
	return (0);
}

/* Fills sun with an abstract name: a NUL, then 1 to 107 bytes of any kind. */
static int
address_unix_to_abstract(const ProtobufCBinaryData *name,
    struct sockaddr_un *sun, socklen_t *len, const char **cause)
{
	if (name->len == 0) {
		return (address_fail(cause, EINVAL,
		    "unix abstract name is empty"));
	}
	if (name->len >= ADDRESS_SUN_PATH) {
		return (address_fail(cause, EINVAL,
		    "unix abstract name too long (max 107 bytes)"));
	}
	if (name->data == NULL) {
		return (address_fail(cause, EINVAL,
		    "unix abstract name is missing"));
	}
	sun->sun_path[0] = '\0';
	memcpy(sun->sun_path + 1, name->data, name->len);
	*len = ADDRESS_SUN_OFFSET + 1 + name->len;
	return (0);
}

/* Converts a UnixAddress to a sockaddr_un: path, abstract or unnamed. */
static int
address_unix_to(const Sockbroker__UnixAddress *un, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;

	if (un == NULL)
		return (address_fail(cause, EINVAL, "unix address is missing"));
	sun->sun_family = AF_UNIX;
	switch (un->name_case) {
	case SOCKBROKER__UNIX_ADDRESS__NAME_PATH:
		return (address_unix_to_path(un->path, sun, len, cause));
	case SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT:
		return (address_unix_to_abstract(&un->abstract, sun, len,
		    cause));
	case SOCKBROKER__UNIX_ADDRESS__NAME__NOT_SET:
		*len = sizeof(sa_family_t);
		return (0);
	default:
		return (address_fail(cause, EINVAL,
		    "unix address has an unknown name kind"));
	}
}

/* Converts a PacketAddress to a sockaddr_ll, checking every field first. */
static int
address_packet_to(const Sockbroker__PacketAddress *p,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct sockaddr_ll	*sll = (struct sockaddr_ll *)ss;
	int			 ifindex;

	if (p == NULL)
		return (address_fail(cause, EINVAL,
		    "packet address is missing"));
	if (p->has_protocol && p->protocol > 0xffff)
		return (address_fail(cause, EINVAL,
		    "packet protocol out of range (0-65535)"));
	if (p->has_pkttype && p->pkttype > 255)
		return (address_fail(cause, EINVAL,
		    "packet pkttype out of range (0-255)"));
	if (p->has_hatype && p->hatype > 0xffff)
		return (address_fail(cause, EINVAL,
		    "packet hatype out of range (0-65535)"));
	if (p->has_addr && p->addr.len > sizeof sll->sll_addr)
		return (address_fail(cause, EINVAL,
		    "packet hardware address too long (max 8 bytes)"));
	if (p->has_addr && p->addr.len != 0 && p->addr.data == NULL)
		return (address_fail(cause, EINVAL,
		    "packet hardware address is missing"));
	if (address_ifindex_to(p->has_ifindex, p->ifindex, p->ifname,
	    &ifindex, cause) == -1)
		return (-1);

	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = ifindex;
	sll->sll_protocol = htons((uint16_t)p->protocol);
	sll->sll_pkttype = (unsigned char)p->pkttype;
	sll->sll_hatype = (unsigned short)p->hatype;
	if (p->has_addr && p->addr.len != 0) {
		sll->sll_halen = (unsigned char)p->addr.len;
		memcpy(sll->sll_addr, p->addr.data, p->addr.len);
	}
	*len = sizeof *sll;
	return (0);
}

/* Checks and fills the ISO-TP ids: 29-bit ids, CAN_EFF_FLAG allowed. */
static int
address_can_to_isotp(const Sockbroker__CanIsotp *tp, struct sockaddr_can *scan,
    const char **cause)
{
	const uint32_t	bad = ~(uint32_t)(CAN_EFF_FLAG | CAN_EFF_MASK);

	if (tp == NULL)
		return (address_fail(cause, EINVAL,
		    "can isotp address is missing"));
	if ((tp->rx_id & bad) != 0 || (tp->tx_id & bad) != 0)
		return (address_fail(cause, EINVAL,
		    "can isotp id out of range"));
	scan->can_addr.tp.rx_id = tp->rx_id;
	scan->can_addr.tp.tx_id = tp->tx_id;
	return (0);
}

/* Checks and fills the J1939 name, PGN (or J1939_NO_PGN) and address. */
static int
address_can_to_j1939(const Sockbroker__CanJ1939 *j, struct sockaddr_can *scan,
    const char **cause)
{
	if (j == NULL)
		return (address_fail(cause, EINVAL,
		    "can j1939 address is missing"));
	if (j->addr > 255)
		return (address_fail(cause, EINVAL,
		    "can j1939 addr out of range (0-255)"));
	if (j->pgn > J1939_PGN_MAX && j->pgn != J1939_NO_PGN)
		return (address_fail(cause, EINVAL,
		    "can j1939 pgn out of range (0-0x3ffff or J1939_NO_PGN)"));
	scan->can_addr.j1939.name = j->name;
	scan->can_addr.j1939.pgn = j->pgn;
	scan->can_addr.j1939.addr = (uint8_t)j->addr;
	return (0);
}

/* Converts a CanAddress to a sockaddr_can, checking every field first. */
static int
address_can_to(const Sockbroker__CanAddress *c, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_can	*scan = (struct sockaddr_can *)ss;
	int			 rc, ifindex;

	if (c == NULL)
		return (address_fail(cause, EINVAL, "can address is missing"));
	switch (c->proto_case) {
	case SOCKBROKER__CAN_ADDRESS__PROTO__NOT_SET:
		rc = 0;
		break;
	case SOCKBROKER__CAN_ADDRESS__PROTO_ISOTP:
		rc = address_can_to_isotp(c->isotp, scan, cause);
		break;
	case SOCKBROKER__CAN_ADDRESS__PROTO_J1939:
		rc = address_can_to_j1939(c->j1939, scan, cause);
		break;
	default:
		return (address_fail(cause, EINVAL,
		    "can address has an unknown protocol form"));
	}
	if (rc == -1)
		return (-1);
	if (address_ifindex_to(c->has_ifindex, c->ifindex, c->ifname,
	    &ifindex, cause) == -1)
		return (-1);
	scan->can_family = AF_CAN;
	scan->can_ifindex = ifindex;
	*len = sizeof *scan;
	return (0);
}

/* Converts a NetlinkAddress to a sockaddr_nl. */
static int
address_netlink_to(const Sockbroker__NetlinkAddress *nl,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct sockaddr_nl	*snl = (struct sockaddr_nl *)ss;

	if (nl == NULL)
		return (address_fail(cause, EINVAL,
		    "netlink address is missing"));
	snl->nl_family = AF_NETLINK;
	snl->nl_pid = nl->pid;
	snl->nl_groups = nl->groups;
	*len = sizeof *snl;
	return (0);
}

/* Converts a VsockAddress to a sockaddr_vm. */
static int
address_vsock_to(const Sockbroker__VsockAddress *vm,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct sockaddr_vm	*svm = (struct sockaddr_vm *)ss;

	if (vm == NULL)
		return (address_fail(cause, EINVAL,
		    "vsock address is missing"));
	svm->svm_family = AF_VSOCK;
	svm->svm_cid = vm->cid;
	svm->svm_port = vm->port;
	*len = sizeof *svm;
	return (0);
}

/*
 * Converts a TipcAddress to a sockaddr_tipc as Python's getsockaddrarg:
 * v3 is unused for TIPC_ADDR_NAME and TIPC_ADDR_ID, the domain is 0.
 */
static int
address_tipc_to(const Sockbroker__TipcAddress *t, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_tipc	*st = (struct sockaddr_tipc *)ss;

	if (t == NULL)
		return (address_fail(cause, EINVAL, "tipc address is missing"));
	if (t->has_scope && t->scope > 255)
		return (address_fail(cause, EINVAL,
		    "tipc scope out of range (0-255)"));
	switch (t->addr_type) {
	case TIPC_ADDR_NAMESEQ:
		st->addr.nameseq.type = t->v1;
		st->addr.nameseq.lower = t->v2;
		st->addr.nameseq.upper = t->v3;
		break;
	case TIPC_ADDR_NAME:
		st->addr.name.name.type = t->v1;
		st->addr.name.name.instance = t->v2;
		break;
	case TIPC_ADDR_ID:
		st->addr.id.node = t->v1;
		st->addr.id.ref = t->v2;
		break;
	default:
		return (address_fail(cause, EINVAL,
		    "tipc addr_type out of range (1-3)"));
	}
	st->family = AF_TIPC;
	st->addrtype = (unsigned char)t->addr_type;
	st->scope = (signed char)(t->has_scope ? t->scope :
	    TIPC_CLUSTER_SCOPE);
	*len = sizeof *st;
	return (0);
}

/* Converts an AlgAddress to a sockaddr_alg: type 1-13, name 1-63 bytes. */
static int
address_alg_to(const Sockbroker__AlgAddress *alg, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_alg	*salg = (struct sockaddr_alg *)ss;
	size_t			 tlen, nlen;

	if (alg == NULL || alg->type == NULL || alg->name == NULL)
		return (address_fail(cause, EINVAL, "alg address is missing"));
	tlen = strnlen(alg->type, sizeof salg->salg_type);
	if (tlen == 0)
		return (address_fail(cause, EINVAL, "alg type is empty"));
	if (tlen >= sizeof salg->salg_type)
		return (address_fail(cause, EINVAL,
		    "alg type too long (max 13 bytes)"));
	nlen = strnlen(alg->name, sizeof salg->salg_name);
	if (nlen == 0)
		return (address_fail(cause, EINVAL, "alg name is empty"));
	if (nlen >= sizeof salg->salg_name)
		return (address_fail(cause, EINVAL,
		    "alg name too long (max 63 bytes)"));
	salg->salg_family = AF_ALG;
	memcpy(salg->salg_type, alg->type, tlen);
	memcpy(salg->salg_name, alg->name, nlen);
	salg->salg_feat = alg->feat;
	salg->salg_mask = alg->mask;
	*len = sizeof *salg;
	return (0);
}

/* Converts an L2CAP BluetoothAddress to a sockaddr_l2. */
static int
address_l2cap_to(const Sockbroker__BluetoothAddress *b,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct address_sockaddr_l2	l2;

	if (b->has_psm && b->psm > 0xffff)
		return (address_fail(cause, EINVAL,
		    "bluetooth psm out of range (0-65535)"));
	if (b->has_cid && b->cid > 0xffff)
		return (address_fail(cause, EINVAL,
		    "bluetooth cid out of range (0-65535)"));
	if (b->has_bdaddr_type && b->bdaddr_type > 255)
		return (address_fail(cause, EINVAL,
		    "bluetooth bdaddr_type out of range (0-255)"));
	memset(&l2, 0, sizeof l2);
	if (address_bdaddr_to(b->bdaddr, &l2.l2_bdaddr, cause) == -1)
		return (-1);
	l2.l2_family = AF_BLUETOOTH;
	l2.l2_psm = htole16((uint16_t)b->psm);
	l2.l2_cid = htole16((uint16_t)b->cid);
	l2.l2_bdaddr_type = (uint8_t)b->bdaddr_type;
	memcpy(ss, &l2, sizeof l2);
	*len = sizeof l2;
	return (0);
}

/* Converts an RFCOMM BluetoothAddress to a sockaddr_rc. */
static int
address_rfcomm_to(const Sockbroker__BluetoothAddress *b,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct address_sockaddr_rc	rc;

	if (b->has_channel && b->channel > 255)
		return (address_fail(cause, EINVAL,
		    "bluetooth channel out of range (0-255)"));
	memset(&rc, 0, sizeof rc);
	if (address_bdaddr_to(b->bdaddr, &rc.rc_bdaddr, cause) == -1)
		return (-1);
	rc.rc_family = AF_BLUETOOTH;
	rc.rc_channel = (uint8_t)b->channel;
	memcpy(ss, &rc, sizeof rc);
	*len = sizeof rc;
	return (0);
}

/* Converts an HCI BluetoothAddress to a sockaddr_hci. */
static int
address_hci_to(const Sockbroker__BluetoothAddress *b,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct address_sockaddr_hci	hci;

	if (b->has_device_id && b->device_id > 0xffff)
		return (address_fail(cause, EINVAL,
		    "bluetooth device_id out of range (0-65535)"));
	if (b->has_channel && b->channel > 0xffff)
		return (address_fail(cause, EINVAL,
		    "bluetooth hci channel out of range (0-65535)"));
	memset(&hci, 0, sizeof hci);
	hci.hci_family = AF_BLUETOOTH;
	hci.hci_dev = (unsigned short)b->device_id;
	hci.hci_channel = (unsigned short)b->channel;
	memcpy(ss, &hci, sizeof hci);
	*len = sizeof hci;
	return (0);
}

/* Converts an SCO BluetoothAddress to a sockaddr_sco. */
static int
address_sco_to(const Sockbroker__BluetoothAddress *b,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct address_sockaddr_sco	sco;

	memset(&sco, 0, sizeof sco);
	if (address_bdaddr_to(b->bdaddr, &sco.sco_bdaddr, cause) == -1)
		return (-1);
	sco.sco_family = AF_BLUETOOTH;
	memcpy(ss, &sco, sizeof sco);
	*len = sizeof sco;
	return (0);
}

/* Converts a BluetoothAddress to the sockaddr of its protocol. */
static int
address_bluetooth_to(const Sockbroker__BluetoothAddress *b,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	if (b == NULL)
		return (address_fail(cause, EINVAL,
		    "bluetooth address is missing"));
	switch (b->proto) {
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__L2CAP:
		return (address_l2cap_to(b, ss, len, cause));
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__HCI:
		return (address_hci_to(b, ss, len, cause));
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__SCO:
		return (address_sco_to(b, ss, len, cause));
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__RFCOMM:
		return (address_rfcomm_to(b, ss, len, cause));
	default:
		return (address_fail(cause, EINVAL,
		    "bluetooth proto unknown"));
	}
}

/* Converts a QipcrtrAddress to a sockaddr_qrtr. */
static int
address_qipcrtr_to(const Sockbroker__QipcrtrAddress *q,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct sockaddr_qrtr	*sq = (struct sockaddr_qrtr *)ss;

	if (q == NULL)
		return (address_fail(cause, EINVAL,
		    "qipcrtr address is missing"));
	sq->sq_family = AF_QIPCRTR;
	sq->sq_node = q->node;
	sq->sq_port = q->port;
	*len = sizeof *sq;
	return (0);
}

/* Dispatches an Address to the conversion of its variant. */
static int
address_to(const Sockbroker__Address *a, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	switch (a->addr_case) {
	case SOCKBROKER__ADDRESS__ADDR__NOT_SET:
		return (address_fail(cause, EINVAL, "address has no family"));
	case SOCKBROKER__ADDRESS__ADDR_INET:
		return (address_inet_to(a->inet, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_INET6:
		return (address_inet6_to(a->inet6, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_UN:
		return (address_unix_to(a->un, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_PACKET:
		return (address_packet_to(a->packet, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_CAN:
		return (address_can_to(a->can, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_NETLINK:
		return (address_netlink_to(a->netlink, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_VSOCK:
		return (address_vsock_to(a->vsock, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_TIPC:
		return (address_tipc_to(a->tipc, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_ALG:
		return (address_alg_to(a->alg, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_BLUETOOTH:
		return (address_bluetooth_to(a->bluetooth, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_QIPCRTR:
		return (address_qipcrtr_to(a->qipcrtr, ss, len, cause));
	default:
		return (address_fail(cause, EAFNOSUPPORT,
		    "address family not supported"));
	}
}

/*
 * Converts a (hostile) Address to a sockaddr in ss, its length in *len. On
 * failure ss is left all zero and *len 0, whatever was filled in before.
 */
int
sbp_address_to_sockaddr(const Sockbroker__Address *a,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	memset(ss, 0, sizeof *ss);
	*len = 0;
	if (a == NULL)
		return (address_fail(cause, EINVAL, "address is missing"));
	if (address_to(a, ss, len, cause) == -1) {
		memset(ss, 0, sizeof *ss);
		*len = 0;
		return (-1);
	}
	return (0);
}

/* Returns the AF_* family an Address denotes, or AF_UNSPEC. */
int
sbp_address_family(const Sockbroker__Address *a)
{
	if (a == NULL)
		return (AF_UNSPEC);
	switch (a->addr_case) {
	case SOCKBROKER__ADDRESS__ADDR_INET:
		return (AF_INET);
	case SOCKBROKER__ADDRESS__ADDR_INET6:
		return (AF_INET6);
	case SOCKBROKER__ADDRESS__ADDR_UN:
		return (AF_UNIX);
	case SOCKBROKER__ADDRESS__ADDR_PACKET:
		return (AF_PACKET);
	case SOCKBROKER__ADDRESS__ADDR_CAN:
		return (AF_CAN);
	case SOCKBROKER__ADDRESS__ADDR_NETLINK:
		return (AF_NETLINK);
	case SOCKBROKER__ADDRESS__ADDR_VSOCK:
		return (AF_VSOCK);
	case SOCKBROKER__ADDRESS__ADDR_TIPC:
		return (AF_TIPC);
	case SOCKBROKER__ADDRESS__ADDR_ALG:
		return (AF_ALG);
	case SOCKBROKER__ADDRESS__ADDR_BLUETOOTH:
		return (AF_BLUETOOTH);
	case SOCKBROKER__ADDRESS__ADDR_QIPCRTR:
		return (AF_QIPCRTR);
	default:
		return (AF_UNSPEC);
	}
}
