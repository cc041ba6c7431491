/* SPDX-License-Identifier: ISC */
/*
 * sendmsg, sendmsg_afalg, recvmsg and recvmsg_into: scatter/gather buffers
 * and ancillary data as (level, type, data) items, through sb_sendmsg and
 * sb_recvmsg.
 */

#include "sbpy.h"
#include "sbpy-doc.h"

#include <linux/if_alg.h>

#include <errno.h>
#include <string.h>

#ifndef SOL_ALG
#define SOL_ALG	279
#endif

/* The buffers of a sendmsg or recvmsg_into call. */
struct sbpy_msg_bufs {
	Py_buffer	*views;
	struct iovec	*iov;
	Py_ssize_t	 n;
};

static void	sbpy_msg_bufs_free(struct sbpy_msg_bufs *);

/*
 * Takes the buffers of an iterable (readable, or writable for
 * recvmsg_into) into b. 0, or -1 with an exception.
 */
static int
sbpy_msg_bufs_get(PyObject *seq, int writable, struct sbpy_msg_bufs *b,
    const char *caller)
{
	PyObject	*fast;
	Py_ssize_t	 i;

	memset(b, 0, sizeof *b);
	if ((fast = PySequence_Fast(seq, writable ? "recvmsg_into() argument "
	    "1 must be an iterable" : "sendmsg() argument 1 must be an "
	    "iterable")) == NULL)
		return (-1);
	b->n = PySequence_Fast_GET_SIZE(fast);
	if (b->n > 1024) {
		Py_DECREF(fast);
		PyErr_Format(PyExc_OSError, "%s(): too many buffers", caller);
		return (-1);
	}
	b->views = PyMem_Calloc((size_t)b->n + 1, sizeof *b->views);
	b->iov = PyMem_Calloc((size_t)b->n + 1, sizeof *b->iov);
	if (b->views == NULL || b->iov == NULL) {
		Py_DECREF(fast);
		sbpy_msg_bufs_free(b);
		PyErr_NoMemory();
		return (-1);
	}
	for (i = 0; i < b->n; i++) {
		if (PyObject_GetBuffer(PySequence_Fast_GET_ITEM(fast, i),
		    &b->views[i], writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) ==
		    -1) {
			b->n = i;
			Py_DECREF(fast);
			sbpy_msg_bufs_free(b);
			return (-1);
		}
		b->iov[i].iov_base = b->views[i].buf;
		b->iov[i].iov_len = (size_t)b->views[i].len;
	}
	Py_DECREF(fast);
	return (0);
}

/* Releases the buffers of b. */
static void
sbpy_msg_bufs_free(struct sbpy_msg_bufs *b)
{
	Py_ssize_t	 i;

	if (b->views != NULL)
		for (i = 0; i < b->n; i++)
			PyBuffer_Release(&b->views[i]);
	PyMem_Free(b->views);
	PyMem_Free(b->iov);
	memset(b, 0, sizeof *b);
}

/*
 * Builds the control buffer of ancillary items (level, type, data) into
 * *ctl (PyMem, the caller frees it) and *ctllen. 0, or -1 with an exception.
 */
static int
sbpy_msg_cmsgs(PyObject *anc, void **ctl, size_t *ctllen)
{
	PyObject	*fast, *item;
	Py_buffer	 data;
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	Py_ssize_t	 i, n;
	size_t		 space = 0;
	int		 level, type;

	*ctl = NULL;
	*ctllen = 0;
	if (anc == NULL)
		return (0);
	if ((fast = PySequence_Fast(anc, "sendmsg() argument 2 must be an "
	    "iterable")) == NULL)
		return (-1);
	n = PySequence_Fast_GET_SIZE(fast);
	for (i = 0; i < n; i++) {
		item = PySequence_Fast_GET_ITEM(fast, i);
		if (!PyArg_ParseTuple(item, "iiy*:[sendmsg() ancillary data "
		    "items]", &level, &type, &data))
			goto bad;
		space += CMSG_SPACE((size_t)data.len);
		PyBuffer_Release(&data);
	}
	if (space == 0) {
		Py_DECREF(fast);
		return (0);
	}
	if ((*ctl = PyMem_Calloc(1, space)) == NULL) {
		PyErr_NoMemory();
		goto bad;
	}
	memset(&msg, 0, sizeof msg);
	msg.msg_control = *ctl;
	msg.msg_controllen = space;
	cm = CMSG_FIRSTHDR(&msg);
	for (i = 0; i < n && cm != NULL; i++) {
		item = PySequence_Fast_GET_ITEM(fast, i);
		if (!PyArg_ParseTuple(item, "iiy*", &level, &type, &data))
			goto bad;
		cm->cmsg_level = level;
		cm->cmsg_type = type;
		cm->cmsg_len = CMSG_LEN((size_t)data.len);
		memcpy(CMSG_DATA(cm), data.buf, (size_t)data.len);
		PyBuffer_Release(&data);
		cm = CMSG_NXTHDR(&msg, cm);
	}
	Py_DECREF(fast);
	*ctllen = space;
	return (0);
bad:
	Py_DECREF(fast);
	PyMem_Free(*ctl);
	*ctl = NULL;
	return (-1);
}

/* Sends msg on s without the GIL: the byte count, or NULL with an error. */
static PyObject *
sbpy_msg_send(sbpy_sock *s, sb_conn *c, struct msghdr *msg, int flags)
{
	ssize_t	 n;

	SBPY_CALL(n = sb_sendmsg(c, s->handle, msg, flags));
	if (n == -1)
		return (sbpy_error());
	return (PyLong_FromSsize_t(n));
}

/* sendmsg(buffers[, ancdata[, flags[, address]]]) -> bytes sent. */
static PyObject *
sbpy_msg_sendmsg(PyObject *self, PyObject *args)
{
	sbpy_sock		*s = (sbpy_sock *)self;
	PyObject		*bufs, *anc = NULL, *addr = Py_None, *ret = NULL;
	struct sbpy_msg_bufs	 b;
	struct msghdr		 msg;
	sbpy_sockaddr		 ss;
	socklen_t		 len;
	sb_conn			*c;
	void			*ctl = NULL;
	size_t			 ctllen;
	int			 flags = 0;

	if (!PyArg_ParseTuple(args, "O|OiO:sendmsg", &bufs, &anc, &flags,
	    &addr))
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	memset(&msg, 0, sizeof msg);
	if (addr != Py_None) {
		if (sbpy_address_parse(c, s, addr, "sendmsg", &ss, &len) == -1)
			return (NULL);
		msg.msg_name = &ss;
		msg.msg_namelen = len;
	}
	if (sbpy_msg_cmsgs(anc, &ctl, &ctllen) == -1)
		return (NULL);
	if (sbpy_msg_bufs_get(bufs, 0, &b, "sendmsg") == -1)
		goto out;
	msg.msg_iov = b.iov;
	msg.msg_iovlen = (size_t)b.n;
	msg.msg_control = ctl;
	msg.msg_controllen = ctllen;
	ret = sbpy_msg_send(s, c, &msg, flags);
	sbpy_msg_bufs_free(&b);
out:
	PyMem_Free(ctl);
	return (ret);
}

/* Appends one ancillary item of SOL_ALG to the control buffer at *cm. */
static struct cmsghdr *
sbpy_msg_alg_item(struct msghdr *msg, struct cmsghdr *cm, int type,
    const void *data, size_t len)
{
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
	return (CMSG_NXTHDR(msg, cm));
}

/* sendmsg_afalg([msg, ]*, op[, iv[, assoclen[, flags]]]). */
static PyObject *
sbpy_msg_sendmsg_afalg(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char		*kwlist[] = { "msg", "op", "iv", "assoclen",
				    "flags", NULL };
	sbpy_sock		*s = (sbpy_sock *)self;
	PyObject		*bufs = NULL, *ivo = Py_None, *assoco = Py_None;
	PyObject		*ret = NULL;
	struct sbpy_msg_bufs	 b;
	struct af_alg_iv	*aiv;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	Py_buffer		 iv;
	sb_conn			*c;
	size_t			 space;
	char			*ctl;
	uint32_t		 op = 0, assoclen = 0;
	int			 flags = 0;

	memset(&iv, 0, sizeof iv);
	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$IOOi:sendmsg_afalg",
	    kwlist, &bufs, &op, &ivo, &assoco, &flags))
		return (NULL);
	if (kwds == NULL || PyDict_GetItemString(kwds, "op") == NULL) {
		PyErr_SetString(PyExc_TypeError, "Invalid or missing argument "
		    "'op'");
		return (NULL);
	}
	if (assoco != Py_None) {
		long	 v = PyLong_AsLong(assoco);

		if (v == -1 && PyErr_Occurred())
			return (NULL);
		if (v < 0 || v > 0xffffffffL) {
			PyErr_SetString(PyExc_TypeError, "assoclen must be "
			    "positive");
			return (NULL);
		}
		assoclen = (uint32_t)v;
	}
	if (ivo != Py_None && PyObject_GetBuffer(ivo, &iv, PyBUF_SIMPLE) == -1)
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		goto out;
	space = CMSG_SPACE(sizeof op) + (iv.buf != NULL ?
	    CMSG_SPACE(sizeof *aiv + (size_t)iv.len) : 0) +
	    (assoco != Py_None ? CMSG_SPACE(sizeof assoclen) : 0);
	if ((ctl = PyMem_Calloc(1, space)) == NULL) {
		PyErr_NoMemory();
		goto out;
	}
	memset(&msg, 0, sizeof msg);
	msg.msg_control = ctl;
	msg.msg_controllen = space;
	cm = sbpy_msg_alg_item(&msg, CMSG_FIRSTHDR(&msg), ALG_SET_OP, &op,
	    sizeof op);
	if (iv.buf != NULL) {
		cm->cmsg_level = SOL_ALG;
		cm->cmsg_type = ALG_SET_IV;
		cm->cmsg_len = CMSG_LEN(sizeof *aiv + (size_t)iv.len);
		aiv = (struct af_alg_iv *)CMSG_DATA(cm);
		aiv->ivlen = (uint32_t)iv.len;
		memcpy(aiv->iv, iv.buf, (size_t)iv.len);
		cm = CMSG_NXTHDR(&msg, cm);
	}
	if (assoco != Py_None)
		sbpy_msg_alg_item(&msg, cm, ALG_SET_AEAD_ASSOCLEN, &assoclen,
		    sizeof assoclen);
	memset(&b, 0, sizeof b);
	if (bufs == NULL || sbpy_msg_bufs_get(bufs, 0, &b,
	    "sendmsg_afalg") == 0) {
		msg.msg_iov = b.iov;
		msg.msg_iovlen = (size_t)b.n;
		ret = sbpy_msg_send(s, c, &msg, flags);
		sbpy_msg_bufs_free(&b);
	}
	PyMem_Free(ctl);
out:
	if (iv.buf != NULL)
		PyBuffer_Release(&iv);
	return (ret);
}

/* The ancillary items of a received msg as a list of (level, type, data). */
static PyObject *
sbpy_msg_ancdata(struct msghdr *msg)
{
	PyObject	*list, *item;
	struct cmsghdr	*cm;
	char		*end = (char *)msg->msg_control + msg->msg_controllen;
	size_t		 len;

	if ((list = PyList_New(0)) == NULL)
		return (NULL);
	if (msg->msg_controllen < sizeof(struct cmsghdr))
		return (list);
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_len < CMSG_LEN(0))
			break;
		len = cm->cmsg_len - CMSG_LEN(0);
		if ((char *)CMSG_DATA(cm) + len > end)
			len = (size_t)(end - (char *)CMSG_DATA(cm));
		item = Py_BuildValue("iiy#", cm->cmsg_level, cm->cmsg_type,
		    (char *)CMSG_DATA(cm), (Py_ssize_t)len);
		if (item == NULL || PyList_Append(list, item) == -1) {
			Py_XDECREF(item);
			Py_DECREF(list);
			return (NULL);
		}
		Py_DECREF(item);
	}
	return (list);
}

/*
 * Receives into msg (its iov set) with ancbufsize bytes for ancillary
 * data: (nbytes, ancdata, msg_flags, address), or NULL with an exception.
 */
static PyObject *
sbpy_msg_recv(sbpy_sock *s, struct msghdr *msg, Py_ssize_t ancbufsize,
    int flags, ssize_t *nread)
{
	sbpy_sockaddr	 ss;
	PyObject	*anc, *addr;
	sb_conn		*c;
	void		*ctl = NULL;
	ssize_t		 n;

	if (ancbufsize < 0 || ancbufsize > 1 << 20) {
		PyErr_SetString(PyExc_ValueError, "negative buffer size in "
		    "recvmsg()");
		return (NULL);
	}
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	if (ancbufsize > 0 && (ctl = PyMem_Calloc(1, (size_t)ancbufsize)) ==
	    NULL)
		return (PyErr_NoMemory());
	memset(&ss, 0, sizeof ss);
	msg->msg_name = &ss;
	msg->msg_namelen = sizeof ss;
	msg->msg_control = ctl;
	msg->msg_controllen = (size_t)ancbufsize;
	SBPY_RECV(s, n = sb_recvmsg(c, s->handle, msg, flags));
	if (n == -1) {
		PyMem_Free(ctl);
		return (sbpy_error());
	}
	*nread = n;
	if (msg->msg_namelen > sizeof ss)
		msg->msg_namelen = sizeof ss;
	anc = sbpy_msg_ancdata(msg);
	PyMem_Free(ctl);
	if (anc == NULL)
		return (NULL);
	if ((addr = sbpy_address_make(c, (struct sockaddr *)&ss,
	    msg->msg_namelen, s->proto)) == NULL) {
		Py_DECREF(anc);
		return (NULL);
	}
	return (Py_BuildValue("nNiN", (Py_ssize_t)n, anc, msg->msg_flags,
	    addr));
}

/* recvmsg(bufsize[, ancbufsize[, flags]]) -> (data, ancdata, flags, addr). */
static PyObject *
sbpy_msg_recvmsg(PyObject *self, PyObject *args)
{
	PyObject	*buf, *res, *out;
	struct msghdr	 msg;
	struct iovec	 iov;
	Py_ssize_t	 size, ancbufsize = 0;
	ssize_t		 n;
	int		 flags = 0;

	if (!PyArg_ParseTuple(args, "n|ni:recvmsg", &size, &ancbufsize,
	    &flags))
		return (NULL);
	if (size < 0) {
		PyErr_SetString(PyExc_ValueError, "negative buffer size in "
		    "recvmsg()");
		return (NULL);
	}
	if ((buf = PyBytes_FromStringAndSize(NULL, size)) == NULL)
		return (NULL);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = PyBytes_AS_STRING(buf);
	iov.iov_len = (size_t)size;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if ((res = sbpy_msg_recv((sbpy_sock *)self, &msg, ancbufsize, flags,
	    &n)) == NULL) {
		Py_DECREF(buf);
		return (NULL);
	}
	if (n < size && _PyBytes_Resize(&buf, n) == -1) {
		Py_DECREF(res);
		return (NULL);
	}
	out = Py_BuildValue("NOOO", buf, PyTuple_GET_ITEM(res, 1),
	    PyTuple_GET_ITEM(res, 2), PyTuple_GET_ITEM(res, 3));
	Py_DECREF(res);
	return (out);
}

/* recvmsg_into(buffers[, ancbufsize[, flags]]) -> (nbytes, ...). */
static PyObject *
sbpy_msg_recvmsg_into(PyObject *self, PyObject *args)
{
	PyObject		*bufs, *res;
	struct sbpy_msg_bufs	 b;
	struct msghdr		 msg;
	Py_ssize_t		 ancbufsize = 0;
	ssize_t			 n;
	int			 flags = 0;

	if (!PyArg_ParseTuple(args, "O|ni:recvmsg_into", &bufs, &ancbufsize,
	    &flags))
		return (NULL);
	if (sbpy_msg_bufs_get(bufs, 1, &b, "recvmsg_into") == -1)
		return (NULL);
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = b.iov;
	msg.msg_iovlen = (size_t)b.n;
	res = sbpy_msg_recv((sbpy_sock *)self, &msg, ancbufsize, flags, &n);
	sbpy_msg_bufs_free(&b);
	return (res);
}

PyMethodDef sbpy_msg_methods[] = {
	{ "sendmsg", sbpy_msg_sendmsg, METH_VARARGS,
	  sbpy_doc_sendmsg },
	{ "sendmsg_afalg", (PyCFunction)(void (*)(void))sbpy_msg_sendmsg_afalg,
	  METH_VARARGS | METH_KEYWORDS,
	  sbpy_doc_sendmsg_afalg },
	{ "recvmsg", sbpy_msg_recvmsg, METH_VARARGS,
	  sbpy_doc_recvmsg },
	{ "recvmsg_into", sbpy_msg_recvmsg_into, METH_VARARGS,
	  sbpy_doc_recvmsg_into },
	{ NULL, NULL, 0, NULL }
};
