/* SPDX-License-Identifier: ISC */
/*
 * Socket options and ioctl: setsockopt, getsockopt and the brokered ioctl
 * requests. An option of exactly the size of an int travels as an integer,
 * anything else as raw bytes, and a NULL value with a length (Python's
 * setsockopt(level, optname, None, optlen)) as that length; an ioctl
 * argument travels as its bytes.
 */

#include <sys/ioctl.h>
#include <sys/time.h>

#include <linux/sockios.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "kernel.h"

static int	 sb_opt_copy(const Sockbroker__SockoptReply *, void *,
		     socklen_t *);

/*
 * Sets an option of a handle. A NULL optval with a non-zero optlen is sent
 * as such: the daemon passes it on for the options that take it
 * (ALG_SET_AEAD_AUTHSIZE) and refuses it with EFAULT for the others.
 */
SB_EXPORT int
sb_setsockopt(sb_conn *c, int h, int level, int optname, const void *optval,
    socklen_t optlen)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest op = SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	Sockbroker__Response	*resp;

	if (conn_valid(c) == -1)
		return (-1);
	op.handle = h;
	op.level = level;
	op.optname = optname;
	if (optval == NULL && optlen > 0) {
		op.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_NULL_LENGTH;
		op.null_length = optlen;
	} else if (optlen == sizeof(int)) {
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

/* ioctl() on a handle for a brokered request; the daemon's result. */
SB_EXPORT int
sb_ioctl(sb_conn *c, int h, unsigned long request, void *arg)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__IoctlRequest op = SOCKBROKER__IOCTL_REQUEST__INIT;
	Sockbroker__Response	*resp;
	Sockbroker__IoctlReply	*r;
	const struct kernel_ioctl *io;
	size_t			 size, len;
	int			 result;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1)
		return (-1);
	if (request == FIONREAD && arg != NULL &&
	    conn_handle_chan(c, h, &ch) == 1)
		return (sb_channel_fionread(&ch, arg));
	if ((io = kernel_ioctl_find(request)) == NULL || request > UINT32_MAX)
		return (conn_oserror(EINVAL, "ioctl request is not brokered"));
	if (arg == NULL)
		return (conn_oserror(EFAULT, "no ioctl argument"));
	size = io->size;
	op.handle = h;
	op.request = request;
	/* Only a struct ifreq goes in; the others are written by the kernel. */
	if (io->arg == KERNEL_IOCTL_IFREQ) {
		op.has_arg = 1;
		op.arg.data = arg;
		op.arg.len = size;
	}
	req.op_case = SOCKBROKER__REQUEST__OP_IOCTL;
	req.ioctl = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_IOCTL, &resp) == -1)
		return (-1);
	r = resp->ioctl;
	if (r->has_arg) {
		len = r->arg.len < size ? r->arg.len : size;
		if (len > 0)
			memcpy(arg, r->arg.data, len);
	}
	result = r->result;
	sockbroker__response__free_unpacked(resp, NULL);
	return (result);
}
