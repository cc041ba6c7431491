/* SPDX-License-Identifier: ISC */
/*
 * setsockopt and getsockopt. Only the options of the registry pass
 * (kernel/kernel-opt.c): each carries a plain value (an int, a struct of
 * integers and addresses, a name) whose size is checked here against the
 * registry's bounds.
 *
 * A few options take a NULL value and read only its length
 * (ALG_SET_AEAD_AUTHSIZE); the request says so with null_length, and only
 * those options accept it.
 */

#include <errno.h>
#include <string.h>

#include "sockbrokerd.h"

#define OPT_RAW_MAX	4096	/* largest option value we pass */

static int	opt_value(struct session *, const Sockbroker__Request *,
		    const struct kernel_opt *, int *, const void **, size_t *);

/* Answers ENOPROTOOPT for an option not on the list (or not settable). */
static void
opt_refuse(struct session *s, const Sockbroker__Request *req, int level,
    int name)
{
	reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOPROTOOPT,
	    "%s: option (level %d, name %d) is not brokered",
	    sbp_op_name(req), level, name);
}

/*
 * The value of a setsockopt request for option o, checked against its
 * bounds: an int (into *ival), raw bytes, or NULL with a length where o
 * takes that. Answers and returns -1 if it is not one o takes.
 */
static int
opt_value(struct session *s, const Sockbroker__Request *req,
    const struct kernel_opt *o, int *ival, const void **val, size_t *len)
{
	const Sockbroker__SetsockoptRequest *sr = req->setsockopt;

	switch (sr->value_case) {
	case SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_INT_VALUE:
		*ival = sr->int_value;
		*val = ival;
		*len = sizeof *ival;
		break;
	case SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_RAW_VALUE:
		*val = sr->raw_value.data;
		*len = sr->raw_value.len;
		break;
	case SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_NULL_LENGTH:
		/* The kernel would read a NULL value of another option. */
		if (!(o->access & KERNEL_OPT_NULL)) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EFAULT, "setsockopt: option (level %d, name %d) "
			    "takes a value, not NULL", sr->level, sr->optname);
			return (-1);
		}
		*val = NULL;
		*len = sr->null_length;
		break;
	default:
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "setsockopt: no value");
		return (-1);
	}
	if (*len < o->min || *len > o->max) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "setsockopt: value of %zu bytes, option takes %u to %u",
		    *len, o->min, o->max);
		return (-1);
	}
	return (0);
}

/* setsockopt with an int, a raw value of the option's size, or NULL. */
enum op_result
op_setsockopt(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SetsockoptRequest *sr = req->setsockopt;
	const struct kernel_opt *o = kernel_opt_find(sr->level,
				 sr->optname);
	struct handle		*h;
	const void		*val;
	size_t			 len;
	int			 ival;

	if ((h = op_handle(s, req, sr->handle)) == NULL)
		return (OP_DONE);
	if (o == NULL || !(o->access & KERNEL_OPT_SET)) {
		opt_refuse(s, req, sr->level, sr->optname);
		return (OP_DONE);
	}
	if (opt_value(s, req, o, &ival, &val, &len) == -1)
		return (OP_DONE);
	if (mediate_setsockopt(s, req, h, o, val, len) == -1)
		return (OP_DONE);
	if (setsockopt(h->fd, sr->level, sr->optname, val, len) == -1)
		reply_errno(s, req->id, errno, "setsockopt");
	else
		reply_empty(s, req->id);
	return (OP_DONE);
}

/* getsockopt: an int when buflen is 0 or absent, else up to buflen bytes. */
enum op_result
op_getsockopt(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetsockoptRequest *gr = req->getsockopt;
	const struct kernel_opt *o = kernel_opt_find(gr->level,
				 gr->optname);
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__SockoptReply sr = SOCKBROKER__SOCKOPT_REPLY__INIT;
	struct handle		*h;
	uint8_t			 buf[OPT_RAW_MAX];
	socklen_t		 len = sizeof(int);
	int			 ival = 0, raw = gr->has_buflen && gr->buflen > 0;

	if ((h = op_handle(s, req, gr->handle)) == NULL)
		return (OP_DONE);
	if (o == NULL || !(o->access & KERNEL_OPT_GET)) {
		opt_refuse(s, req, gr->level, gr->optname);
		return (OP_DONE);
	}
	if (raw) {
		if (gr->buflen > OPT_RAW_MAX) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EINVAL, "getsockopt: buflen over %d", OPT_RAW_MAX);
			return (OP_DONE);
		}
		len = gr->buflen;
		memset(buf, 0, len);
	}
	if (getsockopt(h->fd, gr->level, gr->optname, raw ? (void *)buf :
	    (void *)&ival, &len) == -1) {
		reply_errno(s, req->id, errno, "getsockopt");
		return (OP_DONE);
	}
	if (raw) {
		sr.value_case = SOCKBROKER__SOCKOPT_REPLY__VALUE_RAW_VALUE;
		sr.raw_value.data = buf;
		sr.raw_value.len = len;
	} else {
		sr.value_case = SOCKBROKER__SOCKOPT_REPLY__VALUE_INT_VALUE;
		sr.int_value = ival;
	}
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_SOCKOPT;
	resp.sockopt = &sr;
	reply_send(s, &resp);
	return (OP_DONE);
}
