/* SPDX-License-Identifier: ISC */
/*
 * The data channel of a handle: one end of an AF_UNIX socketpair the
 * daemon passes to the client (sb_fileno), the other end in the daemon's
 * loop, which relays between it and the real socket. No protobuf on this
 * path: every message is a fixed header in host byte order (both ends run
 * on the same host), then addrlen bytes of sockaddr, ctrllen bytes of
 * ancillary data (struct cmsghdr items, as the kernel lays them out) and
 * datalen bytes of data. Datagram sockets get a SOCK_SEQPACKET pair, one
 * message per datagram; stream sockets a SOCK_STREAM pair carrying the same
 * messages back to back.
 *
 * Daemon to client: DATA (a datagram or a stream chunk; flags = msg_flags,
 * result = the datagram's real length, more than datalen after a cut; on
 * a datagram channel seq = how many more messages of the same batch the
 * daemon is writing right behind it, a hint the client may wait for),
 * ERROR (result = -errno of the real socket), READY (a listener has a
 * connection waiting, a non-blocking connect finished). Client to daemon:
 * SEND (flags = send flags, address, ancillary items, data; a non-zero seq
 * is the id of the client's call that the daemon answers on the control
 * connection, as it answers a send request; result = a datagram's timeout
 * in milliseconds, 0 for none: while the socket has no room the daemon
 * keeps it that long from when it read it, then answers EAGAIN with kind
 * TIMEOUT; MSG_DONTWAIT in flags answers EAGAIN at once), FILL (padding
 * the client writes while a connect is in progress, discarded by the
 * daemon), SHUT (stream: shut the socket for writing, after the data
 * before it went).
 *
 * A channel may be shared by several handles, of several connections (an
 * import with join: a fork child, a program exec'ed), as one open file
 * description is after fork: each sharer has a slot (0 the handle that
 * made the channel), and a SEND carries its writer's slot in pad, so that
 * the daemon answers its call id on that sharer's connection.
 *
 * EOF of the real socket is the pair's own: the daemon shuts its end for
 * writing, so that recv() returns 0 and poll() reports it readable from
 * then on. The client's EOF only ends what it writes: a close request for
 * a stream handle waits (within a bound) until all it wrote went to the
 * socket, as a local close lets the kernel deliver what was sent, but it
 * shuts nothing down (another handle, or a passed descriptor, may share
 * the socket); sb_shutdown writes SHUT, then shuts its end.
 */

#ifndef SBP_CHANNEL_H
#define SBP_CHANNEL_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

enum sbc_type {
	SBC_DATA = 1,
	/* 2: reserved (EOF is the pair's own, see above) */
	SBC_ERROR = 3,
	SBC_READY = 4,
	SBC_SEND = 5,
	SBC_FILL = 6,
	SBC_SHUT = 7,
};

/* The header every channel message starts with. */
struct sbc_hdr {
	uint8_t		 type;		/* enum sbc_type */
	uint8_t		 pad;		/* SEND: the writer's sharer slot;
					   else 0 */
	uint16_t	 addrlen;	/* sockaddr bytes that follow */
	uint32_t	 seq;		/* SEND: call id to answer, 0 none;
					   DATA: messages of its batch after it */
	int32_t		 result;	/* DATA: real length; ERROR: -errno;
					   SEND: timeout in ms, 0 none */
	uint32_t	 flags;		/* DATA: msg_flags; SEND: send flags */
	uint32_t	 datalen;	/* data bytes, after address and ctrl */
	uint32_t	 ctrllen;	/* ancillary bytes, after the address */
};

#define SBC_HDR_LEN	((size_t)sizeof(struct sbc_hdr))	/* 24 */
#define SBC_MAX_ADDR	128		/* sizeof(struct sockaddr_storage) */
#define SBC_MAX_CTRL	8192		/* ancillary bytes of one message */
#define SBC_MAX_DATA	65536		/* data bytes of one message */
#define SBC_MAX_MSG	(SBC_HDR_LEN + SBC_MAX_ADDR + SBC_MAX_CTRL + \
			    SBC_MAX_DATA)

/* A decoded message: the header and pointers into the buffer it came in. */
struct sbc_msg {
	struct sbc_hdr	 hdr;
	const uint8_t	*addr;		/* NULL when addrlen is 0 */
	const uint8_t	*ctrl;		/* NULL when ctrllen is 0 */
	const uint8_t	*data;		/* NULL when datalen is 0 */
};

/*
 * Checks the header at the start of buf (len bytes): a known type, pad 0
 * but on SEND,
 * every length within its maximum, a body only on DATA and SEND. Returns
 * the whole message's length (header and body), 0 when len is shorter
 * than a header, or -1 with errno EBADMSG.
 */
ssize_t	 sbc_header(const uint8_t *buf, size_t len, struct sbc_hdr *hdr);
/*
 * Decodes one whole message of exactly len bytes (a datagram of the pair,
 * or a message cut from the stream by sbc_header's length). Returns 0, or
 * -1 with errno EBADMSG for anything malformed, including trailing bytes.
 * Never reads outside buf.
 */
int	 sbc_decode(const uint8_t *buf, size_t len, struct sbc_msg *m);
/* Fills a header; lengths as given, pad 0. */
void	 sbc_encode(struct sbc_hdr *hdr, int type, uint32_t seq,
	     int32_t result, uint32_t flags, size_t addrlen, size_t ctrllen,
	     size_t datalen);

#endif /* SBP_CHANNEL_H */
