/* SPDX-License-Identifier: ISC */
/*
 * Framing of the wire protocol: a 4-byte big-endian payload length, then one
 * protobuf message of that many bytes.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "sbproto.h"

/* Reads a frame header as a payload length. */
static size_t
frame_read_length(const uint8_t *buf)
{
	return ((size_t)buf[0] << 24) | ((size_t)buf[1] << 16) |
	    ((size_t)buf[2] << 8) | (size_t)buf[3];
}

/* Tells whether buf starts with a whole frame no longer than max. */
int
sbp_frame_check(const uint8_t *buf, size_t avail, size_t max, size_t *len)
{
	size_t	n;

	if (avail < SBP_FRAME_HEADER)
		return (0);
	n = frame_read_length(buf);
	if (n > max) {
		errno = EMSGSIZE;
		return (-1);
	}
	if (avail - SBP_FRAME_HEADER < n)
		return (0);
	*len = n;
	return (1);
}

/* Writes the big-endian header announcing a payload of len bytes. */
void
sbp_frame_header(uint8_t hdr[SBP_FRAME_HEADER], size_t len)
{
	hdr[0] = (len >> 24) & 0xff;
	hdr[1] = (len >> 16) & 0xff;
	hdr[2] = (len >> 8) & 0xff;
	hdr[3] = len & 0xff;
}

/* Packs msg into a newly allocated frame of at most max payload bytes. */
int
sbp_frame_pack(const ProtobufCMessage *msg, size_t max, uint8_t **out,
    size_t *outlen)
{
	uint8_t	*frame;
	size_t	 n;

	n = protobuf_c_message_get_packed_size(msg);
	if (n > max || n > UINT32_MAX) {
		errno = EMSGSIZE;
		return (-1);
	}
	if ((frame = malloc(SBP_FRAME_HEADER + n)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	sbp_frame_header(frame, n);
	if (protobuf_c_message_pack(msg, frame + SBP_FRAME_HEADER) != n) {
		free(frame);
		errno = EMSGSIZE;
		return (-1);
	}
	*out = frame;
	*outlen = SBP_FRAME_HEADER + n;
	return (0);
}

/* Unpacks a Request payload; protobuf-c refuses missing required fields. */
Sockbroker__Request *
sbp_request_unpack(const uint8_t *buf, size_t len)
{
	Sockbroker__Request	*req;

	req = sockbroker__request__unpack(NULL, len, buf);
	if (req == NULL)
		errno = EBADMSG;
	return (req);
}

/* Unpacks a Response payload; protobuf-c refuses missing required fields. */
Sockbroker__Response *
sbp_response_unpack(const uint8_t *buf, size_t len)
{
	Sockbroker__Response	*resp;

	resp = sockbroker__response__unpack(NULL, len, buf);
	if (resp == NULL)
		errno = EBADMSG;
	return (resp);
}

/*
 * Names the operation of a Request, for logs: the name of its op field in
 * sockbroker.proto ("bind", "recv", ...), or "unknown".
 */
const char *
sbp_op_name(const Sockbroker__Request *req)
{
	const ProtobufCFieldDescriptor	*f;

	if (req == NULL || req->op_case == SOCKBROKER__REQUEST__OP__NOT_SET)
		return ("unknown");
	f = protobuf_c_message_descriptor_get_field(
	    &sockbroker__request__descriptor, req->op_case);
	return (f != NULL ? f->name : "unknown");
}
