/* SPDX-License-Identifier: ISC */
/*
 * The socket type (_sockbroker.socket, the base of sockbroker.socket as
 * _socket.socket is of socket.socket): its life, its handle and the control
 * operations. The I/O methods are in sbpy-io.c and sbpy-msg.c.
 *
 * A handle has no descriptor of its own, so what detach() and _accept()
 * return (and socket(fileno=) takes) is a token: the handle's data channel
 * descriptor when it has one, which is also what fileno() says, else minus
 * the handle minus one. The tokens of handles no socket owns are kept in
 * sbpy_socket_tokens until a socket takes them; sbpy_socket_live maps the
 * data channel of each open socket to its handle, for fromfd().
 */

#include "sbpy.h"
#include "sbpy-doc.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "structmember.h"

static PyObject	*sbpy_socket_tokens;	/* token -> (handle, gen, f, t, p) */
static PyObject	*sbpy_socket_live;	/* chanfd -> (handle, gen, f, t, p) */

static int	 sbpy_socket_init(PyObject *, PyObject *, PyObject *);
static void	 sbpy_socket_dealloc(PyObject *);
static void	 sbpy_socket_finalize(PyObject *);
static PyObject	*sbpy_socket_repr(PyObject *);
static int	 sbpy_socket_live_set(sbpy_sock *, int);
static int	 sbpy_socket_isopen(sbpy_sock *);
static PyObject	*sbpy_socket_nochannel(sbpy_sock *);
static PyObject	*sbpy_socket_new(PyTypeObject *, PyObject *, PyObject *);

/*
 * The connection of a socket that is open, or NULL with OSError EBADF: a
 * closed socket, or one of a connection gone since (the parent's, in a
 * child after fork).
 */
sb_conn *
sbpy_socket_conn(sbpy_sock *s)
{
	sb_conn		*c;
	unsigned long	 gen;

	if (s->handle == -1 || !sbpy_conn_current(s->gen)) {
		sbpy_error_errno(EBADF);
		return (NULL);
	}
	if ((c = sbpy_conn_get(&gen)) == NULL)
		return (NULL);
	if (gen != s->gen) {
		sbpy_error_errno(EBADF);
		return (NULL);
	}
	return (c);
}

/* Applies s->timeout to its handle (kept in the library, no request). */
static int
sbpy_socket_push_timeout(sb_conn *c, sbpy_sock *s)
{
	if (sb_settimeout(c, s->handle, s->timeout < 0 ? SB_TIMEOUT_NONE :
	    s->timeout) == -1) {
		sbpy_error();
		return (-1);
	}
	return (0);
}

/*
 * Takes a new handle h (with its family, type, protocol) into s, with the
 * data channel that came with it if one did (fileno() asks for one
 * otherwise; a handle without one still works, through requests), and sets
 * the module's default timeout.
 */
static int
sbpy_socket_adopt(sb_conn *c, unsigned long gen, sbpy_sock *s, int h,
    int family, int type, int proto)
{
	s->handle = h;
	s->gen = gen;
	s->family = family;
	s->type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	s->proto = proto;
	s->chanfd = sb_peekfileno(c, h);
	s->timeout = sbpy_module_defaulttimeout();
	if (type & SOCK_NONBLOCK)
		s->timeout = 0.0;
	if (sbpy_socket_live_set(s, 1) == -1)
		return (-1);
	return (sbpy_socket_push_timeout(c, s));
}

/* Whether s holds a handle of the connection open now. */
static int
sbpy_socket_isopen(sbpy_sock *s)
{
	return (s->handle != -1 && sbpy_conn_current(s->gen));
}

/* Enters s's data channel in sbpy_socket_live (on), or takes it out. */
static int
sbpy_socket_live_set(sbpy_sock *s, int on)
{
	PyObject	*key, *entry;
	int		 rc;

	/* A socket of a connection gone has no entry (sbpy_socket_forget). */
	if (s->chanfd == -1 || !sbpy_conn_current(s->gen))
		return (0);
	if ((key = PyLong_FromLong(s->chanfd)) == NULL)
		return (-1);
	if (!on) {
		rc = PyDict_DelItem(sbpy_socket_live, key);
		if (rc == -1 && PyErr_ExceptionMatches(PyExc_KeyError)) {
			PyErr_Clear();
			rc = 0;
		}
		Py_DECREF(key);
		return (rc);
	}
	entry = Py_BuildValue("ikiii", s->handle, s->gen, s->family, s->type,
	    s->proto);
	rc = entry == NULL ? -1 : PyDict_SetItem(sbpy_socket_live, key, entry);
	Py_XDECREF(entry);
	Py_DECREF(key);
	return (rc);
}

/*
 * Empties the token and channel tables, whose entries are all of a
 * connection gone (closed by connect(), forgotten after fork): their
 * descriptor numbers may come back for new channels.
 */
void
sbpy_socket_forget(void)
{
	if (sbpy_socket_tokens != NULL)
		PyDict_Clear(sbpy_socket_tokens);
	if (sbpy_socket_live != NULL)
		PyDict_Clear(sbpy_socket_live);
}

/*
 * The token of handle h (of generation gen, with its family, type and
 * protocol) that no socket owns yet, registered.
 */
static PyObject *
sbpy_socket_token_of(sb_conn *c, int h, unsigned long gen, int family,
    int type, int proto)
{
	PyObject	*token, *entry;
	int		 fd;

	fd = sb_peekfileno(c, h);
	token = PyLong_FromLong(fd != -1 ? fd : -h - 1);
	entry = Py_BuildValue("ikiii", h, gen, family, type, proto);
	if (token == NULL || entry == NULL ||
	    PyDict_SetItem(sbpy_socket_tokens, token, entry) == -1) {
		Py_XDECREF(token);
		Py_XDECREF(entry);
		return (NULL);
	}
	Py_DECREF(entry);
	return (token);
}

/* The token of a new handle h for s's socket (accept, dup). */
static PyObject *
sbpy_socket_token(sbpy_sock *s, sb_conn *c, int h)
{
	return (sbpy_socket_token_of(c, h, s->gen, s->family, s->type,
	    s->proto));
}

/*
 * _fromfd(fd): a token for a new handle of the socket whose data channel
 * is fd (what fileno() said), for fromfd().
 */
PyObject *
sbpy_socket_fromfd(PyObject *self, PyObject *fdobj)
{
	PyObject	*entry;
	sb_conn		*c;
	unsigned long	 gen, egen;
	int		 h, f, t, p, nh;

	entry = PyDict_GetItemWithError(sbpy_socket_live, fdobj);
	if (entry == NULL) {
		if (!PyErr_Occurred())
			sbpy_error_errno(EBADF);
		return (NULL);
	}
	if (!PyArg_ParseTuple(entry, "ikiii", &h, &egen, &f, &t, &p))
		return (NULL);
	if ((c = sbpy_conn_get(&gen)) == NULL)
		return (NULL);
	if (gen != egen)
		return (sbpy_error_errno(EBADF));
	SBPY_CALL(nh = sb_dup(c, h));
	if (nh == -1)
		return (sbpy_error());
	return (sbpy_socket_token_of(c, nh, gen, f, t, p));
}

/* socket(fileno=token): takes the handle a token stands for. */
static int
sbpy_socket_init_token(sbpy_sock *s, PyObject *token, int family, int type,
    int proto)
{
	PyObject	*entry;
	sb_conn		*c;
	unsigned long	 gen, tgen;
	int		 h, f, t, p;

	entry = PyDict_GetItemWithError(sbpy_socket_tokens, token);
	if (entry == NULL) {
		if (!PyErr_Occurred())
			sbpy_error_errno(EBADF);
		return (-1);
	}
	if (!PyArg_ParseTuple(entry, "ikiii", &h, &tgen, &f, &t, &p))
		return (-1);
	if ((c = sbpy_conn_get(&gen)) == NULL)
		return (-1);
	if (PyDict_DelItem(sbpy_socket_tokens, token) == -1)
		return (-1);
	if (gen != tgen) {
		sbpy_error_errno(EBADF);
		return (-1);
	}
	return (sbpy_socket_adopt(c, gen, s, h, family != -1 ? family : f,
	    type != -1 ? type : t, proto != -1 ? proto : p));
}

/* socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None). */
static int
sbpy_socket_init(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char	*kwlist[] = { "family", "type", "proto", "fileno",
			    NULL };
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*fileno = Py_None;
	sb_conn		*c;
	unsigned long	 gen;
	int		 family = -1, type = -1, proto = -1, h;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|iiiO:socket", kwlist,
	    &family, &type, &proto, &fileno))
		return (-1);
	if (s->handle != -1) {
		PyErr_SetString(PyExc_RuntimeError, "socket already open");
		return (-1);
	}
	if (fileno != Py_None)
		return (sbpy_socket_init_token(s, fileno, family, type, proto));
	if (family == -1)
		family = AF_INET;
	if (type == -1)
		type = SOCK_STREAM;
	if (proto == -1)
		proto = 0;
	if ((c = sbpy_conn_get(&gen)) == NULL)
		return (-1);
	SBPY_CALL(h = sb_socket(c, family, type & ~(SOCK_NONBLOCK |
	    SOCK_CLOEXEC), proto));
	if (h == -1) {
		sbpy_error();
		return (-1);
	}
	return (sbpy_socket_adopt(c, gen, s, h, family, type, proto));
}

/* A new socket object, closed until __init__ opens it. */
static PyObject *
sbpy_socket_new(PyTypeObject *tp, PyObject *args, PyObject *kwds)
{
	sbpy_sock	*s;

	if ((s = (sbpy_sock *)tp->tp_alloc(tp, 0)) == NULL)
		return (NULL);
	s->handle = -1;
	s->chanfd = -1;
	s->timeout = -1.0;
	s->family = AF_INET;
	s->type = SOCK_STREAM;
	pthread_mutex_init(&s->rlock, NULL);
	return ((PyObject *)s);
}

/* Closes the handle, if this connection still has it. */
static int
sbpy_socket_release(sbpy_sock *s)
{
	sb_conn	*c;
	int	 h = s->handle, rc;

	if (h != -1 && sbpy_socket_live_set(s, 0) == -1)
		PyErr_Clear();
	s->handle = -1;
	s->chanfd = -1;
	if (h == -1 || (c = sbpy_conn_peek(s->gen)) == NULL)
		return (0);
	SBPY_CALL(rc = sb_close(c, h));
	return (rc);
}

/* Warns about a socket that was never closed, as the stdlib does. */
static void
sbpy_socket_finalize(PyObject *self)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*type, *value, *tb;

	if (s->handle == -1)
		return;
	PyErr_Fetch(&type, &value, &tb);
	if (PyErr_ResourceWarning(self, 1, "unclosed %R", self) == -1 &&
	    PyErr_ExceptionMatches(PyExc_Warning))
		PyErr_WriteUnraisable(self);
	sbpy_socket_release(s);
	PyErr_Restore(type, value, tb);
}

/* Frees a socket object; its handle was closed by the finalizer. */
static void
sbpy_socket_dealloc(PyObject *self)
{
	if (PyObject_CallFinalizerFromDealloc(self) == -1)
		return;
	pthread_mutex_destroy(&((sbpy_sock *)self)->rlock);
	Py_TYPE(self)->tp_free(self);
}

/* The C-level repr, as _socket.socket's. */
static PyObject *
sbpy_socket_repr(PyObject *self)
{
	sbpy_sock	*s = (sbpy_sock *)self;

	return (PyUnicode_FromFormat("<socket object, fd=%d, family=%d, "
	    "type=%d, proto=%d>", sbpy_socket_isopen(s) ? s->chanfd : -1,
	    s->family, s->type, s->proto));
}

/* close(): closes the handle; closing a closed socket is no error. */
static PyObject *
sbpy_socket_close(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;

	if (sbpy_socket_release(s) == -1 && errno != ECONNRESET &&
	    errno != EBADF)
		return (sbpy_error());
	Py_RETURN_NONE;
}

/* detach(): gives up the handle and returns its token (socket(fileno=)). */
static PyObject *
sbpy_socket_detach(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*token;
	sb_conn		*c;
	int		 h = s->handle;

	if (h == -1 || !sbpy_conn_current(s->gen)) {
		s->handle = -1;
		return (PyLong_FromLong(-1));
	}
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	if ((token = sbpy_socket_token(s, c, h)) == NULL)
		return (NULL);
	if (sbpy_socket_live_set(s, 0) == -1)
		PyErr_Clear();
	s->handle = -1;
	s->chanfd = -1;
	return (token);
}

/* Raises fileno()'s OSError EOPNOTSUPP for a socket with no channel. */
static PyObject *
sbpy_socket_nochannel(sbpy_sock *s)
{
	char	 buf[160];

	PyOS_snprintf(buf, sizeof buf, "%s: no data channel for this socket "
	    "(type %d), so no fileno(); it works without one",
	    strerror(EOPNOTSUPP), s->type);
	return (sbpy_error_os(EOPNOTSUPP, buf));
}

/*
 * fileno(): the data channel's descriptor; -1 when closed (or of the
 * parent's connection, in a child after fork). A handle that did not get
 * its channel with its reply (AF_PACKET, whose channel binds it to every
 * interface; a dup of a socket that has one) gets it now; a socket type
 * that can have none (SOCK_PACKET, ...) is OSError EOPNOTSUPP.
 */
static PyObject *
sbpy_socket_fileno(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sb_conn		*c;
	int		 fd;

	if (!sbpy_socket_isopen(s))
		return (PyLong_FromLong(-1));
	if (s->chanfd == -1) {
		if ((c = sbpy_socket_conn(s)) == NULL)
			return (NULL);
		SBPY_CALL(fd = sb_fileno(c, s->handle));
		/* Over ssh:// no socket has one: the library says why. */
		if (fd == -1 && errno == EOPNOTSUPP && sb_info(c)->fd_passing)
			return (sbpy_socket_nochannel(s));
		if (fd == -1)
			return (sbpy_error_said());
		s->chanfd = fd;
		if (sbpy_socket_live_set(s, 1) == -1)
			return (NULL);
	}
	return (PyLong_FromLong(s->chanfd));
}

/* _peekfileno(): fileno() if that asks nothing of the daemon, else -1. */
static PyObject *
sbpy_socket_peekfileno(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;

	return (PyLong_FromLong(sbpy_socket_isopen(s) ? s->chanfd : -1));
}

/* _dup(): a new handle for the same socket, as a token. */
static PyObject *
sbpy_socket_dup(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sb_conn		*c;
	int		 h;

	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	SBPY_CALL(h = sb_dup(c, s->handle));
	if (h == -1)
		return (sbpy_error());
	return (sbpy_socket_token(s, c, h));
}

/* _accept(): (token, address) of a new connection. */
static PyObject *
sbpy_socket_accept(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sbpy_sockaddr	 ss;
	socklen_t	 len = sizeof ss;
	PyObject	*token, *addr;
	sb_conn		*c;
	int		 h;

	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	memset(&ss, 0, sizeof ss);
	SBPY_CALL(h = sb_accept(c, s->handle, (struct sockaddr *)&ss, &len));
	if (h == -1)
		return (sbpy_error());
	if ((token = sbpy_socket_token(s, c, h)) == NULL)
		return (NULL);
	if ((addr = sbpy_address_make(c, (struct sockaddr *)&ss, len,
	    s->proto)) == NULL) {
		Py_DECREF(token);
		return (NULL);
	}
	return (Py_BuildValue("NN", token, addr));
}

/*
 * What bind, connect and connect_ex share: address parsed for the call
 * named name, then fn (sb_bind, sb_connect, sb_connect_ex) without the
 * GIL. fn's result, or -1 with the exception set.
 */
static int
sbpy_socket_addrcall(sbpy_sock *s, PyObject *addr, const char *name,
    int (*fn)(sb_conn *, int, const struct sockaddr *, socklen_t))
{
	sbpy_sockaddr	 ss;
	socklen_t	 len;
	sb_conn		*c;
	int		 rc;

	if ((c = sbpy_socket_conn(s)) == NULL)
		return (-1);
	if (sbpy_address_parse(c, s, addr, name, &ss, &len) == -1)
		return (-1);
	SBPY_CALL(rc = fn(c, s->handle, (struct sockaddr *)&ss, len));
	if (rc == -1)
		sbpy_error();
	return (rc);
}

/* bind(address). */
static PyObject *
sbpy_socket_bind(PyObject *self, PyObject *addr)
{
	if (sbpy_socket_addrcall((sbpy_sock *)self, addr, "bind",
	    sb_bind) == -1)
		return (NULL);
	Py_RETURN_NONE;
}

/* connect(address): with timeout 0, BlockingIOError EINPROGRESS. */
static PyObject *
sbpy_socket_connect(PyObject *self, PyObject *addr)
{
	if (sbpy_socket_addrcall((sbpy_sock *)self, addr, "connect",
	    sb_connect) == -1)
		return (NULL);
	Py_RETURN_NONE;
}

/* connect_ex(address): 0 or the errno value of the failed connection. */
static PyObject *
sbpy_socket_connect_ex(PyObject *self, PyObject *addr)
{
	int	 rc;

	if ((rc = sbpy_socket_addrcall((sbpy_sock *)self, addr, "connect_ex",
	    sb_connect_ex)) == -1)
		return (NULL);
	return (PyLong_FromLong(rc));
}

/* listen([backlog]): the default backlog is the stdlib's, min(128, 128). */
static PyObject *
sbpy_socket_listen(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sb_conn		*c;
	int		 backlog = 128, rc;

	if (!PyArg_ParseTuple(args, "|i:listen", &backlog))
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	if (backlog < 0)
		backlog = 0;
	SBPY_CALL(rc = sb_listen(c, s->handle, backlog));
	if (rc == -1)
		return (sbpy_error());
	Py_RETURN_NONE;
}

/* shutdown(how). */
static PyObject *
sbpy_socket_shutdown(PyObject *self, PyObject *arg)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sb_conn		*c;
	int		 how, rc;

	how = _PyLong_AsInt(arg);
	if (how == -1 && PyErr_Occurred())
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	SBPY_CALL(rc = sb_shutdown(c, s->handle, how));
	if (rc == -1)
		return (sbpy_error());
	Py_RETURN_NONE;
}

/* getsockname() or getpeername(), by which. */
static PyObject *
sbpy_socket_name(sbpy_sock *s, int peer)
{
	sbpy_sockaddr	 ss;
	socklen_t	 len = sizeof ss;
	sb_conn		*c;
	int		 rc;

	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	memset(&ss, 0, sizeof ss);
	if (peer)
		SBPY_CALL(rc = sb_getpeername(c, s->handle,
		    (struct sockaddr *)&ss, &len));
	else
		SBPY_CALL(rc = sb_getsockname(c, s->handle,
		    (struct sockaddr *)&ss, &len));
	if (rc == -1)
		return (sbpy_error());
	if (len > sizeof ss)
		len = sizeof ss;
	return (sbpy_address_make(c, (struct sockaddr *)&ss, len, s->proto));
}

/* getsockname(). */
static PyObject *
sbpy_socket_getsockname(PyObject *self, PyObject *unused)
{
	return (sbpy_socket_name((sbpy_sock *)self, 0));
}

/* getpeername(). */
static PyObject *
sbpy_socket_getpeername(PyObject *self, PyObject *unused)
{
	return (sbpy_socket_name((sbpy_sock *)self, 1));
}

/* getsockopt(level, optname[, buflen]): an int, or buflen bytes. */
static PyObject *
sbpy_socket_getsockopt(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*buf;
	sb_conn		*c;
	socklen_t	 len;
	int		 level, optname, buflen = 0, value = 0, rc;

	if (!PyArg_ParseTuple(args, "ii|i:getsockopt", &level, &optname,
	    &buflen))
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	if (buflen == 0) {
		len = sizeof value;
		SBPY_CALL(rc = sb_getsockopt(c, s->handle, level, optname,
		    &value, &len));
		if (rc == -1)
			return (sbpy_error());
		return (PyLong_FromLong(value));
	}
	if (buflen < 0 || buflen > 1024) {
		PyErr_SetString(PyExc_OSError, "getsockopt buflen out of "
		    "range");
		return (NULL);
	}
	if ((buf = PyBytes_FromStringAndSize(NULL, buflen)) == NULL)
		return (NULL);
	len = (socklen_t)buflen;
	SBPY_CALL(rc = sb_getsockopt(c, s->handle, level, optname,
	    PyBytes_AS_STRING(buf), &len));
	if (rc == -1) {
		Py_DECREF(buf);
		return (sbpy_error());
	}
	if ((int)len < buflen)
		_PyBytes_Resize(&buf, (Py_ssize_t)len);
	return (buf);
}

/*
 * setsockopt(level, optname, value: int | buffer) or
 * setsockopt(level, optname, None, optlen).
 */
static PyObject *
sbpy_socket_setsockopt(PyObject *self, PyObject *args)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	PyObject	*value;
	Py_buffer	 view;
	sb_conn		*c;
	unsigned int	 optlen = 0;
	int		 level, optname, flag, rc;

	if (PyTuple_GET_SIZE(args) == 4) {
		if (!PyArg_ParseTuple(args, "iiO!I:setsockopt", &level,
		    &optname, Py_TYPE(Py_None), &value, &optlen))
			return (NULL);
		if ((c = sbpy_socket_conn(s)) == NULL)
			return (NULL);
		SBPY_CALL(rc = sb_setsockopt(c, s->handle, level, optname,
		    NULL, optlen));
	} else {
		if (!PyArg_ParseTuple(args, "iiO:setsockopt", &level,
		    &optname, &value))
			return (NULL);
		if ((c = sbpy_socket_conn(s)) == NULL)
			return (NULL);
		if (PyLong_Check(value)) {
			flag = _PyLong_AsInt(value);
			if (flag == -1 && PyErr_Occurred())
				return (NULL);
			SBPY_CALL(rc = sb_setsockopt(c, s->handle, level,
			    optname, &flag, sizeof flag));
		} else {
			if (PyObject_GetBuffer(value, &view,
			    PyBUF_SIMPLE) == -1)
				return (NULL);
			SBPY_CALL(rc = sb_setsockopt(c, s->handle, level,
			    optname, view.buf, (socklen_t)view.len));
			PyBuffer_Release(&view);
		}
	}
	if (rc == -1)
		return (sbpy_error());
	Py_RETURN_NONE;
}

/*
 * A timeout argument as the stdlib takes it: None is -1 (blocking), else
 * a non-negative number of seconds. 0, or -1 with an exception.
 */
int
sbpy_socket_parse_timeout(PyObject *arg, double *timeout)
{
	double	 t;

	if (arg == Py_None) {
		*timeout = -1.0;
		return (0);
	}
	t = PyFloat_AsDouble(arg);
	if (t == -1.0 && PyErr_Occurred()) {
		if (PyErr_ExceptionMatches(PyExc_TypeError)) {
			PyErr_Clear();
			PyErr_SetString(PyExc_TypeError, "Timeout value "
			    "must be int, float or None");
		}
		return (-1);
	}
	if (isnan(t)) {
		PyErr_SetString(PyExc_ValueError, "Invalid value NaN (not a "
		    "number)");
		return (-1);
	}
	if (t < 0) {
		PyErr_SetString(PyExc_ValueError, "Timeout value out of range");
		return (-1);
	}
	*timeout = t;
	return (0);
}

/* settimeout(value). */
static PyObject *
sbpy_socket_settimeout(PyObject *self, PyObject *arg)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sb_conn		*c;
	double		 t;

	if (sbpy_socket_parse_timeout(arg, &t) == -1)
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	s->timeout = t;
	if (sbpy_socket_push_timeout(c, s) == -1)
		return (NULL);
	Py_RETURN_NONE;
}

/* gettimeout(): None or seconds. */
static PyObject *
sbpy_socket_gettimeout(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;

	if (s->timeout < 0)
		Py_RETURN_NONE;
	return (PyFloat_FromDouble(s->timeout));
}

/* setblocking(flag): True is timeout None, False timeout 0. */
static PyObject *
sbpy_socket_setblocking(PyObject *self, PyObject *arg)
{
	sbpy_sock	*s = (sbpy_sock *)self;
	sb_conn		*c;
	long		 flag;

	flag = PyLong_AsLong(arg);
	if (flag == -1 && PyErr_Occurred())
		return (NULL);
	if ((c = sbpy_socket_conn(s)) == NULL)
		return (NULL);
	s->timeout = flag ? -1.0 : 0.0;
	if (sbpy_socket_push_timeout(c, s) == -1)
		return (NULL);
	Py_RETURN_NONE;
}

/* getblocking(): False only for timeout 0, as the stdlib. */
static PyObject *
sbpy_socket_getblocking(PyObject *self, PyObject *unused)
{
	sbpy_sock	*s = (sbpy_sock *)self;

	return (PyBool_FromLong(s->timeout != 0.0));
}

/* The timeout attribute. */
static PyObject *
sbpy_socket_get_timeout(PyObject *self, void *closure)
{
	return (sbpy_socket_gettimeout(self, NULL));
}

/* _handle: the daemon's handle value (-1 when closed), for tests and repr. */
static PyObject *
sbpy_socket_get_handle(PyObject *self, void *closure)
{
	return (PyLong_FromLong(((sbpy_sock *)self)->handle));
}

static PyMethodDef sbpy_socket_methods[] = {
	{ "_accept", sbpy_socket_accept, METH_NOARGS,
	  sbpy_doc_accept },
	{ "bind", sbpy_socket_bind, METH_O,
	  sbpy_doc_bind },
	{ "close", sbpy_socket_close, METH_NOARGS,
	  sbpy_doc_close },
	{ "connect", sbpy_socket_connect, METH_O,
	  sbpy_doc_connect },
	{ "connect_ex", sbpy_socket_connect_ex, METH_O,
	  sbpy_doc_connect_ex },
	{ "detach", sbpy_socket_detach, METH_NOARGS,
	  sbpy_doc_detach },
	{ "_dup", sbpy_socket_dup, METH_NOARGS,
	  sbpy_doc_dup },
	{ "fileno", sbpy_socket_fileno, METH_NOARGS,
	  sbpy_doc_fileno },
	{ "_peekfileno", sbpy_socket_peekfileno, METH_NOARGS,
	  sbpy_doc_peekfileno },
	{ "getblocking", sbpy_socket_getblocking, METH_NOARGS,
	  sbpy_doc_getblocking },
	{ "getpeername", sbpy_socket_getpeername, METH_NOARGS,
	  sbpy_doc_getpeername },
	{ "getsockname", sbpy_socket_getsockname, METH_NOARGS,
	  sbpy_doc_getsockname },
	{ "getsockopt", sbpy_socket_getsockopt, METH_VARARGS,
	  sbpy_doc_getsockopt },
	{ "gettimeout", sbpy_socket_gettimeout, METH_NOARGS,
	  sbpy_doc_gettimeout },
	{ "listen", sbpy_socket_listen, METH_VARARGS,
	  sbpy_doc_listen },
	{ "setblocking", sbpy_socket_setblocking, METH_O,
	  sbpy_doc_setblocking },
	{ "setsockopt", sbpy_socket_setsockopt, METH_VARARGS,
	  sbpy_doc_setsockopt },
	{ "settimeout", sbpy_socket_settimeout, METH_O,
	  sbpy_doc_settimeout },
	{ "shutdown", sbpy_socket_shutdown, METH_O,
	  sbpy_doc_shutdown },
	{ NULL, NULL, 0, NULL }
};

static PyMemberDef sbpy_socket_members[] = {
	{ "family", T_INT, offsetof(sbpy_sock, family), READONLY,
	  "the socket family" },
	{ "type", T_INT, offsetof(sbpy_sock, type), READONLY,
	  "the socket type" },
	{ "proto", T_INT, offsetof(sbpy_sock, proto), READONLY,
	  "the socket protocol" },
	{ NULL, 0, 0, 0, NULL }
};

static PyGetSetDef sbpy_socket_getset[] = {
	{ "timeout", sbpy_socket_get_timeout, NULL,
	  "the timeout in seconds, or None", NULL },
	{ "_handle", sbpy_socket_get_handle, NULL,
	  "the daemon's handle", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

PyTypeObject sbpy_socket_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "_sockbroker.socket",
	.tp_doc = sbpy_doc_socket,
	.tp_basicsize = sizeof(sbpy_sock),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_new = sbpy_socket_new,
	.tp_init = sbpy_socket_init,
	.tp_dealloc = sbpy_socket_dealloc,
	.tp_finalize = sbpy_socket_finalize,
	.tp_repr = sbpy_socket_repr,
	.tp_members = sbpy_socket_members,
	.tp_getset = sbpy_socket_getset,
};

/*
 * Readies the type with its methods from this file, sbpy-io.c and
 * sbpy-msg.c, and the token table. 0, or -1 with an exception.
 */
int
sbpy_socket_ready(void)
{
	static PyMethodDef	*all;
	PyMethodDef		*tables[] = { sbpy_socket_methods,
				    sbpy_io_methods, sbpy_msg_methods };
	size_t			 i, n = 0, k;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (k = 0; tables[i][k].ml_name != NULL; k++)
			n++;
	if ((all = PyMem_Calloc(n + 1, sizeof *all)) == NULL) {
		PyErr_NoMemory();
		return (-1);
	}
	n = 0;
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		for (k = 0; tables[i][k].ml_name != NULL; k++)
			all[n++] = tables[i][k];
	sbpy_socket_type.tp_methods = all;
	if ((sbpy_socket_tokens = PyDict_New()) == NULL ||
	    (sbpy_socket_live = PyDict_New()) == NULL)
		return (-1);
	return (PyType_Ready(&sbpy_socket_type));
}
