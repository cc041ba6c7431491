/* SPDX-License-Identifier: ISC */
/*
 * Channel messages: the fixed header and the checks both ends (and the
 * fuzzer) apply to what they read. Everything is a length checked against
 * what is there before it is used.
 */

#include <errno.h>
#include <string.h>

#include "channel.h"

/* Whether a message of type may carry an address, ancillary data, data. */
static int
sbc_body_ok(const struct sbc_hdr *h)
{
	switch (h->type) {
	case SBC_DATA:
	case SBC_SEND:
		return (1);
	case SBC_ERROR:
	case SBC_READY:
	case SBC_FILL:
	case SBC_SHUT:
		return (h->addrlen == 0 && h->ctrllen == 0 && h->datalen == 0);
	default:
		return (0);
	}
}

/* Checks the header at buf; the message's whole length, 0, or -1. */
ssize_t
sbc_header(const uint8_t *buf, size_t len, struct sbc_hdr *hdr)
{
	if (len < SBC_HDR_LEN)
		return (0);
	memcpy(hdr, buf, sizeof *hdr);	/* buf may be unaligned */
	if ((hdr->pad != 0 && hdr->type != SBC_SEND) ||
	    hdr->addrlen > SBC_MAX_ADDR ||
	    hdr->ctrllen > SBC_MAX_CTRL || hdr->datalen > SBC_MAX_DATA ||
	    !sbc_body_ok(hdr)) {
		errno = EBADMSG;
		return (-1);
	}
	return ((ssize_t)(SBC_HDR_LEN + hdr->addrlen + hdr->ctrllen +
	    hdr->datalen));
}

/* Decodes one whole message of exactly len bytes into m. */
int
sbc_decode(const uint8_t *buf, size_t len, struct sbc_msg *m)
{
	ssize_t	 total;
	size_t	 off = SBC_HDR_LEN;

	memset(m, 0, sizeof *m);
	if ((total = sbc_header(buf, len, &m->hdr)) <= 0 ||
	    (size_t)total != len) {
		errno = EBADMSG;
		return (-1);
	}
	if (m->hdr.addrlen > 0)
		m->addr = buf + off;
	off += m->hdr.addrlen;
	if (m->hdr.ctrllen > 0)
		m->ctrl = buf + off;
	off += m->hdr.ctrllen;
	if (m->hdr.datalen > 0)
		m->data = buf + off;
	return (0);
}

/* Fills a header. */
void
sbc_encode(struct sbc_hdr *hdr, int type, uint32_t seq, int32_t result,
    uint32_t flags, size_t addrlen, size_t ctrllen, size_t datalen)
{
	memset(hdr, 0, sizeof *hdr);
	hdr->type = (uint8_t)type;
	hdr->addrlen = (uint16_t)addrlen;
	hdr->seq = seq;
	hdr->result = result;
	hdr->flags = flags;
	hdr->datalen = (uint32_t)datalen;
	hdr->ctrllen = (uint32_t)ctrllen;
}
