/* SPDX-License-Identifier: ISC */
/*
 * Socket options: setsockopt and getsockopt. An option of exactly the size
 * of an int travels as an integer, anything else as raw bytes.
 */

#include <errno.h>
#include <string.h>

#include "client.h"

static int	 sb_opt_copy(const Sockbroker__SockoptReply *, void *,
		     socklen_t *);

/* Sets an option of a handle. */
SB_EXPORT int
sb_setsockopt(sb_conn *c, int h, int level, int optname, const void *optval,
    socklen_t optlen)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest op = SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	Sockbroker__Response	*resp;

	if (conn_valid(c) == -1)
		return (-1);
	if (optval == NULL && optlen > 0)
		return (conn_oserror(EFAULT, "no option value"));
	op.handle = h;
	op.level = level;
	op.optname = optname;
	if (optlen == sizeof(int)) {
		op.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_INT_VALUE;
		memcpy(&op.int_value, optval, sizeof(int));
	} else {
		op.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_RAW_VALUE;
		op.raw_value.data = (uint8_t *)optval;
		op.raw_value.len = optlen;
	}
	req.op_case = SOCKBROKER__REQUEST__OP_SETSOCKOPT;
	req.setsockopt = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_EMPTY, &resp) == -1)
		return (-1);
	sockbroker__response__free_unpacked(resp, NULL);
	return (0);
}

/* Copies a SockoptReply into the caller's buffer, as getsockopt(2). */
static int
sb_opt_copy(const Sockbroker__SockoptReply *r, void *optval,
    socklen_t *optlen)
{
	const void	*src;
	size_t		 len;

	switch (r->value_case) {
	case SOCKBROKER__SOCKOPT_REPLY__VALUE_INT_VALUE:
		src = &r->int_value;
		len = sizeof r->int_value;
		break;
	case SOCKBROKER__SOCKOPT_REPLY__VALUE_RAW_VALUE:
		src = r->raw_value.data;
		len = r->raw_value.len;
		break;
	default:
		return (-1);
	}
	if (len > *optlen)
		len = *optlen;
	if (len > 0)
		memcpy(optval, src, len);
	*optlen = len;
	return (0);
}

/* Gets an option of a handle into optval, *optlen bytes at most. */
SB_EXPORT int
sb_getsockopt(sb_conn *c, int h, int level, int optname, void *optval,
    socklen_t *optlen)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetsockoptRequest op = SOCKBROKER__GETSOCKOPT_REQUEST__INIT;
	Sockbroker__Response	*resp;
	int			 r;

	if (conn_valid(c) == -1)
		return (-1);
	if (optlen == NULL || (optval == NULL && *optlen > 0))
		return (conn_oserror(EFAULT, "no option buffer"));
	op.handle = h;
	op.level = level;
	op.optname = optname;
	op.has_buflen = 1;
	op.buflen = *optlen;
	req.op_case = SOCKBROKER__REQUEST__OP_GETSOCKOPT;
	req.getsockopt = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_SOCKOPT,
	    &resp) == -1)
		return (-1);
	r = sb_opt_copy(resp->sockopt, optval, optlen);
	sockbroker__response__free_unpacked(resp, NULL);
	if (r == -1)
		return (conn_protoerror(c, "no value in sockopt response"));
	return (0);
}
