/* SPDX-License-Identifier: ISC */
/*
 * The code the daemon and the client library share: framing of the wire
 * protocol, conversion between struct sockaddr and the protobuf Address, and
 * names for error kinds. Nothing here allocates behind the caller's back
 * except sbp_frame_pack(), and nothing here logs.
 */

#ifndef SBPROTO_H
#define SBPROTO_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>

#include "sockbroker.pb-c.h"

#define SBP_VERSION		1
#define SBP_FRAME_HEADER	4		/* big-endian payload length */
#define SBP_MAX_FRAME		(1024 * 1024)	/* default maximum payload */
#define SBP_MIN_FRAME		4096		/* no peer may announce less */
/* An Error's message: the daemon writes at most this, NUL included. */
#define SBP_MAX_MESSAGE		256
/* Room kept in a frame for everything of a reply but the payload bytes. */
#define SBP_FRAME_OVERHEAD	1024

/* frame.c */
/*
 * Looks at the first avail bytes of a stream. Returns 1 when they start with
 * a whole frame (its payload length in *len, the payload at buf + 4), 0 when
 * more bytes are needed, -1 with errno EMSGSIZE when the announced length is
 * over max: the caller must drop the stream, before allocating anything.
 */
int	 sbp_frame_check(const uint8_t *buf, size_t avail, size_t max,
	     size_t *len);
/* Writes the 4-byte header announcing a payload of len bytes. */
void	 sbp_frame_header(uint8_t hdr[SBP_FRAME_HEADER], size_t len);
/*
 * Packs msg into a newly allocated frame (header + payload) of *outlen bytes.
 * Returns 0, or -1 with errno EMSGSIZE (payload over max) or ENOMEM.
 */
int	 sbp_frame_pack(const ProtobufCMessage *msg, size_t max, uint8_t **out,
	     size_t *outlen);
/* Unpacks a Request / Response payload; NULL with errno EBADMSG if malformed. */
Sockbroker__Request	*sbp_request_unpack(const uint8_t *buf, size_t len);
Sockbroker__Response	*sbp_response_unpack(const uint8_t *buf, size_t len);
/* Name of a Request's op, for logs: "bind", "recv", ..., "unknown". */
const char	*sbp_op_name(const Sockbroker__Request *req);

/* address.c */
/*
 * An Address together with the storage its fields point into, so that
 * converting a sockaddr needs no allocation. Fill with
 * sbp_address_from_sockaddr(); use .addr; it stays valid as long as the
 * struct does and must not be freed with protobuf_c_message_free_unpacked().
 */
struct sbp_address {
	Sockbroker__Address		addr;
	union {
		Sockbroker__InetAddress	inet;
		Sockbroker__Inet6Address inet6;
		Sockbroker__UnixAddress	un;
		Sockbroker__PacketAddress packet;
		Sockbroker__CanAddress	can;
		Sockbroker__NetlinkAddress netlink;
		Sockbroker__VsockAddress vsock;
		Sockbroker__TipcAddress	tipc;
		Sockbroker__AlgAddress	alg;
		Sockbroker__BluetoothAddress bluetooth;
		Sockbroker__QipcrtrAddress qipcrtr;
	} u;
	union {
		Sockbroker__CanIsotp	isotp;
		Sockbroker__CanJ1939	j1939;
	} sub;
	char				host[INET6_ADDRSTRLEN];
	char				path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char				name[64];	/* alg name */
	char				bdaddr[18];	/* bluetooth "XX:XX:..." */
	char				type[16];	/* alg type */
	uint8_t				hwaddr[8];	/* packet addr */
};

/*
 * Converts sa (len bytes) to an Address. protocol is the socket's protocol:
 * it tells the CAN (CAN_ISOTP, CAN_J1939) and Bluetooth (BTPROTO_*) address
 * forms apart and is ignored for other families. Interface indexes are
 * converted as they are (ifindex); no name is looked up. Returns 0, or -1
 * with errno EAFNOSUPPORT (family without an Address variant) or EINVAL
 * (len too short for the family), and *cause (when cause is not NULL) set to
 * a static message that says why.
 */
int	 sbp_address_from_sockaddr(struct sbp_address *out,
	     const struct sockaddr *sa, socklen_t len, int protocol,
	     const char **cause);
/*
 * Converts a (hostile) Address to a sockaddr in ss, its length in *len.
 * Every field is checked: a port over 65535, a host that is not a numeric
 * literal of the family, a unix path that does not fit sun_path (with its
 * NUL), an abstract name over 107 bytes, a missing variant are all -1 with
 * errno EINVAL (EAFNOSUPPORT for an unknown variant) and a static message in
 * *cause. protobuf-c cuts a string field at its first NUL when unpacking, so
 * a path or host with an embedded NUL arrives shortened, never longer; the
 * daemon checks and uses that same shortened string.
 *
 * Packet and CAN addresses: ifindex is used when present; otherwise a
 * non-empty ifname is resolved with if_nametoindex() in the caller's network
 * namespace (an unknown one is ENODEV, one of IFNAMSIZ bytes or more EINVAL).
 * The checks, all EINVAL: packet protocol over 0xffff, pkttype over 255,
 * hatype over 0xffff, hardware address over 8 bytes; CAN J1939 addr over
 * 255 or pgn over 0x3ffff other than J1939_NO_PGN; ISO-TP ids with bits above CAN_EFF_FLAG's
 * 29-bit id space other than CAN_EFF_FLAG itself; TIPC addr_type not 1-3 or
 * scope over 255 (absent scope: TIPC_CLUSTER_SCOPE); ALG type over 13 or
 * name over 63 bytes, or empty; Bluetooth bdaddr not "XX:XX:XX:XX:XX:XX",
 * psm or channel over their field (16 / 8 bits).
 */
int	 sbp_address_to_sockaddr(const Sockbroker__Address *a,
	     struct sockaddr_storage *ss, socklen_t *len, const char **cause);
/* The AF_* family an Address denotes, or AF_UNSPEC. */
int	 sbp_address_family(const Sockbroker__Address *a);

/* error.c */
/* "os", "gai", "herror", "timeout", "protocol", "policy" or "unknown". */
const char	*sbp_error_kind_name(int kind);

#endif /* SBPROTO_H */
