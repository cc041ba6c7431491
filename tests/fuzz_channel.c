/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the data channel's message decoder (proto/channel.c),
 * which both ends run on what the other wrote. The input is read twice: as
 * one datagram of a SOCK_SEQPACKET pair (sbc_decode of all of it), and as
 * the bytes of a SOCK_STREAM pair, cut into messages by sbc_header as the
 * daemon's relay cuts them. Each message is copied into a buffer of its
 * exact size, so that AddressSanitizer sees any read past it, and what the
 * decoder says is checked: lengths within their maxima, pointers inside the
 * message, nothing left over.
 */

#include <stdlib.h>
#include <string.h>

#include "channel.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_channel_check(const uint8_t *, size_t,
		    const struct sbc_msg *);
static void	fuzz_channel_one(const uint8_t *, size_t);

/* Aborts unless what sbc_decode said of buf (len bytes) holds. */
static void
fuzz_channel_check(const uint8_t *buf, size_t len, const struct sbc_msg *m)
{
	const struct sbc_hdr	*h = &m->hdr;
	volatile uint8_t	 sink = 0;
	size_t			 i;

	if (h->addrlen > SBC_MAX_ADDR || h->ctrllen > SBC_MAX_CTRL ||
	    h->datalen > SBC_MAX_DATA ||
	    (h->pad != 0 && h->type != SBC_SEND) ||
	    SBC_HDR_LEN + h->addrlen + h->ctrllen + h->datalen != len)
		abort();
	if ((h->addrlen > 0) != (m->addr != NULL) ||
	    (h->ctrllen > 0) != (m->ctrl != NULL) ||
	    (h->datalen > 0) != (m->data != NULL))
		abort();
	/* Touch every byte the decoder points at: ASan checks the bounds. */
	for (i = 0; i < h->addrlen; i++)
		sink ^= m->addr[i];
	for (i = 0; i < h->ctrllen; i++)
		sink ^= m->ctrl[i];
	for (i = 0; i < h->datalen; i++)
		sink ^= m->data[i];
	if (m->data != NULL && m->data + h->datalen != buf + len)
		abort();
	(void)sink;
}

/* Decodes buf as one whole message, from a copy of its exact size. */
static void
fuzz_channel_one(const uint8_t *buf, size_t len)
{
	struct sbc_msg	 m;
	uint8_t		*copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(copy, buf, len);
	if (sbc_decode(copy, len, &m) == 0)
		fuzz_channel_check(copy, len, &m);
	free(copy);
}

/* One input: a datagram, then a stream of messages. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbc_hdr	 hdr;
	ssize_t		 n;
	size_t		 off = 0;

	fuzz_channel_one(data, size);
	while (off < size) {
		n = sbc_header(data + off, size - off, &hdr);
		if (n <= 0 || (size_t)n > size - off)
			break;		/* malformed, or a message cut short */
		if ((size_t)n < SBC_HDR_LEN)
			abort();
		fuzz_channel_one(data + off, (size_t)n);
		off += (size_t)n;
	}
	return (0);
}
