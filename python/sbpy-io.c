/* SPDX-License-Identifier: ISC */
/*
 * Sending and receiving: recv, recvfrom, recv_into, recvfrom_into, send,
 * sendall and sendto, each one libsockbroker call without the GIL (a
 * receive on a handle with a data channel reads the channel, waiting for
 * the handle's timeout locally).
 */

#include "sbpy.h"
#include "sbpy-doc.h"

#include <errno.h>
#include <string.h>

/* recv(bufsize[, flags]) -> bytes. */
static PyObject *
sbpy_io_recv(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*buf;
	Py_ssize_t	 size;
	ssize_t		 n;
	sb_conn		*c;
	int		 flags = 0;

	if (!PyArg_ParseTuple(args, "n|i:recv", &size, &flags))
		return (NULL);
	if (size < 0) {
		PyErr_SetString(PyExc_ValueError, "negative buffersize in recv");
		return (NULL);
	}
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	if ((buf = PyBytes_FromStringAndSize(NULL, size)) == NULL)
		return (NULL);
	SBPY_RECV(s, n = sb_recv(c, s->handle, PyBytes_AS_STRING(buf),
	    (size_t)size, flags));
	if (n == -1) {
		Py_DECREF(buf);
		return (sbpy_error());
	}
	if (n != size)
		_PyBytes_Resize(&buf, n);
	return (buf);
}

/* recvfrom into buf; the address in *addr (None without one). */
static ssize_t
sbpy_io_recvfrom_buf(sbpy_sock *s, char *buf, size_t size, int flags,
    PyObject **addr)
{
	sbpy_sockaddr	 ss;
	socklen_t	 len = sizeof ss;
	sb_conn		*c;
	ssize_t		 n;

	if ((c = sbpy_socket_conn(s)) == NULL)
		return (-1);
	memset(&ss, 0, sizeof ss);
	SBPY_RECV(s, n = sb_recvfrom(c, s->handle, buf, size, flags,
	    (struct sockaddr *)&ss, &len));
	if (n == -1) {
		sbpy_error();
		return (-1);
	}
	if (len > sizeof ss)
		len = sizeof ss;
	if ((*addr = sbpy_address_make(c, (struct sockaddr *)&ss, len,
	    s->proto)) == NULL)
		return (-1);
	return (n);
}

/* recvfrom(bufsize[, flags]) -> (bytes, address). */
static PyObject *
sbpy_io_recvfrom(PyObject *self, PyObject *args)
{
	PyObject	*buf, *addr = NULL;
	Py_ssize_t	 size;
	ssize_t		 n;
	int		 flags = 0;

	if (!PyArg_ParseTuple(args, "n|i:recvfrom", &size, &flags))
		return (NULL);
	if (size < 0) {
		PyErr_SetString(PyExc_ValueError,
		    "negative buffersize in recvfrom");
		return (NULL);
	}
	if ((buf = PyBytes_FromStringAndSize(NULL, size)) == NULL)
		return (NULL);
	n = sbpy_io_recvfrom_buf((sbpy_sock *)self, PyBytes_AS_STRING(buf),
	    (size_t)size, flags, &addr);
	if (n == -1) {
		Py_DECREF(buf);
		return (NULL);
	}
	if (n != size)
		_PyBytes_Resize(&buf, n);
	return (Py_BuildValue("NN", buf, addr));
}

/*
 * The writable buffer and byte count of recv_into and recvfrom_into:
 * nbytes 0 is the whole buffer. 0, or -1 with an exception (the buffer
 * released).
 */
static int
sbpy_io_into(Py_buffer *view, Py_ssize_t *nbytes, const char *caller)
{
	if (*nbytes < 0) {
		PyErr_Format(PyExc_ValueError, "negative buffersize in %s",
		    caller);
		goto bad;
	}
	if (*nbytes == 0)
		*nbytes = view->len;
	if (*nbytes > view->len) {
		PyErr_Format(PyExc_ValueError, "buffer too small for "
		    "requested bytes");
		goto bad;
	}
	return (0);
bad:
	PyBuffer_Release(view);
	return (-1);
}

/* recv_into(buffer[, nbytes[, flags]]) -> nbytes received. */
static PyObject *
sbpy_io_recv_into(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char	*kwlist[] = { "buffer", "nbytes", "flags", NULL };
	sbpy_sock	*s = (sbpy_sock *)self;
	Py_buffer	 view;
	Py_ssize_t	 nbytes = 0;
	ssize_t		 n;
	sb_conn		*c;
	int		 flags = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "w*|ni:recv_into",
	    kwlist, &view, &nbytes, &flags))
		return (NULL);
	if (sbpy_io_into(&view, &nbytes, "recv_into") == -1)
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL) {
		PyBuffer_Release(&view);
		return (NULL);
	}
	SBPY_RECV(s, n = sb_recv(c, s->handle, view.buf, (size_t)nbytes,
	    flags));
	PyBuffer_Release(&view);
	if (n == -1)
		return (sbpy_error());
	return (PyLong_FromSsize_t(n));
}

/* recvfrom_into(buffer[, nbytes[, flags]]) -> (nbytes, address). */
static PyObject *
sbpy_io_recvfrom_into(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char	*kwlist[] = { "buffer", "nbytes", "flags", NULL };
	PyObject	*addr = NULL;
	Py_buffer	 view;
	Py_ssize_t	 nbytes = 0;
	ssize_t		 n;
	int		 flags = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "w*|ni:recvfrom_into",
	    kwlist, &view, &nbytes, &flags))
		return (NULL);
	if (sbpy_io_into(&view, &nbytes, "recvfrom_into") == -1)
		return (NULL);
	n = sbpy_io_recvfrom_buf((sbpy_sock *)self, view.buf, (size_t)nbytes,
	    flags, &addr);
	PyBuffer_Release(&view);
	if (n == -1)
		return (NULL);
	return (Py_BuildValue("nN", (Py_ssize_t)n, addr));
}

/* send(data[, flags]) -> bytes sent. */
static PyObject *
sbpy_io_send(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	Py_buffer	 view;
	ssize_t		 n;
	sb_conn		*c;
	int		 flags = 0;

	if (!PyArg_ParseTuple(args, "y*|i:send", &view, &flags))
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL) {
		PyBuffer_Release(&view);
		return (NULL);
	}
	SBPY_CALL(n = sb_send(c, s->handle, view.buf, (size_t)view.len,
	    flags));
	PyBuffer_Release(&view);
	if (n == -1)
		return (sbpy_error());
	return (PyLong_FromSsize_t(n));
}

/* sendall(data[, flags]): every byte, or an exception. */
static PyObject *
sbpy_io_sendall(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	Py_buffer	 view;
	sb_conn		*c;
	int		 flags = 0, rc;

	if (!PyArg_ParseTuple(args, "y*|i:sendall", &view, &flags))
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL) {
		PyBuffer_Release(&view);
		return (NULL);
	}
	SBPY_CALL(rc = sb_sendall(c, s->handle, view.buf, (size_t)view.len,
	    flags));
	PyBuffer_Release(&view);
	if (rc == -1)
		return (sbpy_error());
	Py_RETURN_NONE;
}

/* sendto(data[, flags], address) -> bytes sent. */
static PyObject *
sbpy_io_sendto(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*addr;
	Py_buffer	 view;
	sbpy_sockaddr	 ss;
	socklen_t	 len;
	ssize_t		 n;
	sb_conn		*c;
	int		 flags = 0;

	if (PyTuple_GET_SIZE(args) == 2) {
		if (!PyArg_ParseTuple(args, "y*O:sendto", &view, &addr))
			return (NULL);
	} else if (PyTuple_GET_SIZE(args) == 3) {
		if (!PyArg_ParseTuple(args, "y*iO:sendto", &view, &flags,
		    &addr))
			return (NULL);
	} else {
		PyErr_Format(PyExc_TypeError, "sendto() takes 2 or 3 "
		    "arguments (%zd given)", PyTuple_GET_SIZE(args));
		return (NULL);
	}
	if ((c = sbpy_socket_conn(s)) == NULL ||
	    sbpy_address_parse(c, s, addr, "sendto", &ss, &len) == -1) {
		PyBuffer_Release(&view);
		return (NULL);
	}
	SBPY_CALL(n = sb_sendto(c, s->handle, view.buf, (size_t)view.len,
	    flags, (struct sockaddr *)&ss, len));
	PyBuffer_Release(&view);
	if (n == -1)
		return (sbpy_error());
	return (PyLong_FromSsize_t(n));
}

PyMethodDef sbpy_io_methods[] = {
	{ "recv", sbpy_io_recv, METH_VARARGS,
	  sbpy_doc_recv },
	{ "recvfrom", sbpy_io_recvfrom, METH_VARARGS,
	  sbpy_doc_recvfrom },
	{ "recv_into", (PyCFunction)(void (*)(void))sbpy_io_recv_into,
	  METH_VARARGS | METH_KEYWORDS,
	  sbpy_doc_recv_into },
	{ "recvfrom_into", (PyCFunction)(void (*)(void))sbpy_io_recvfrom_into,
	  METH_VARARGS | METH_KEYWORDS,
	  sbpy_doc_recvfrom_into },
	{ "send", sbpy_io_send, METH_VARARGS,
	  sbpy_doc_send },
	{ "sendall", sbpy_io_sendall, METH_VARARGS,
	  sbpy_doc_sendall },
	{ "sendto", sbpy_io_sendto, METH_VARARGS,
	  sbpy_doc_sendto },
	{ NULL, NULL, 0, NULL }
};
