/* SPDX-License-Identifier: ISC */
/*
 * The module functions the daemon answers: getaddrinfo, getnameinfo,
 * gethostname, gethostbyname(_ex), gethostbyaddr, getfqdn, getservbyname,
 * getservbyport, getprotobyname, if_nameindex, if_nametoindex and
 * if_indextoname, with the stdlib's arguments, results and exceptions.
 */

#include "sbpy.h"
#include "sbpy-doc.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A host argument: None is NULL, str is IDNA-encoded, bytes as they are. */
static int
sbpy_name_host(PyObject *o, PyObject **out)
{
	if (o == Py_None) {
		*out = NULL;
		return (0);
	}
	if (PyUnicode_Check(o))
		*out = PyUnicode_AsEncodedString(o, "idna", NULL);
	else if (PyBytes_Check(o) || PyByteArray_Check(o))
		*out = PyBytes_FromObject(o);
	else {
		PyErr_SetString(PyExc_TypeError, "getaddrinfo() argument 1 "
		    "must be string or None");
		return (-1);
	}
	return (*out == NULL ? -1 : 0);
}

/* A port argument: None, an int, or a str/bytes service name. */
static int
sbpy_name_port(PyObject *o, PyObject **out)
{
	if (o == Py_None) {
		*out = NULL;
		return (0);
	}
	if (PyLong_Check(o)) {
		long	 v = PyLong_AsLong(o);

		if (v == -1 && PyErr_Occurred())
			return (-1);
		*out = PyBytes_FromFormat("%ld", v);
	} else if (PyUnicode_Check(o))
		*out = PyUnicode_AsUTF8String(o);
	else if (PyBytes_Check(o))
		*out = Py_NewRef(o);
	else {
		PyErr_SetString(PyExc_OSError, "Int or String expected");
		return (-1);
	}
	return (*out == NULL ? -1 : 0);
}

/* getaddrinfo(host, port, family=0, type=0, proto=0, flags=0). */
static PyObject *
sbpy_name_getaddrinfo(PyObject *self, PyObject *args, PyObject *kwds)
{
	static char	*kwlist[] = { "host", "port", "family", "type",
			    "proto", "flags", NULL };
	PyObject	*hosto, *porto, *host = NULL, *port = NULL;
	PyObject	*list = NULL, *item, *addr;
	struct addrinfo	 hints, *res = NULL, *ai;
	sb_conn		*c;
	int		 family = 0, type = 0, proto = 0, flags = 0, rc;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|iiii:getaddrinfo",
	    kwlist, &hosto, &porto, &family, &type, &proto, &flags))
		return (NULL);
	if (sbpy_name_host(hosto, &host) == -1 ||
	    sbpy_name_port(porto, &port) == -1)
		goto out;
	if ((c = sbpy_conn_get(NULL)) == NULL)
		goto out;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = type;
	hints.ai_protocol = proto;
	hints.ai_flags = flags;
	SBPY_CALL(rc = sb_getaddrinfo(c, host ? PyBytes_AS_STRING(host) : NULL,
	    port ? PyBytes_AS_STRING(port) : NULL, &hints, &res));
	if (rc != 0) {
		sbpy_error_gai(rc);
		goto out;
	}
	if ((list = PyList_New(0)) == NULL)
		goto out;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((addr = sbpy_address_make(c, ai->ai_addr, ai->ai_addrlen,
		    ai->ai_protocol)) == NULL)
			goto bad;
		item = Py_BuildValue("iiisN", ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol, ai->ai_canonname ? ai->ai_canonname : "",
		    addr);
		if (item == NULL || PyList_Append(list, item) == -1) {
			Py_XDECREF(item);
			goto bad;
		}
		Py_DECREF(item);
	}
	goto out;
bad:
	Py_CLEAR(list);
out:
	sb_freeaddrinfo(res);
	Py_XDECREF(host);
	Py_XDECREF(port);
	return (list);
}

/* getnameinfo(sockaddr, flags) -> (host, port); numeric hosts only. */
static PyObject *
sbpy_name_getnameinfo(PyObject *self, PyObject *args)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct sockaddr		*sa;
	socklen_t		 len;
	PyObject		*sockaddr;
	const char		*host;
	char			 hbuf[NI_MAXHOST], sbuf[NI_MAXSERV];
	sb_conn			*c;
	unsigned int		 flowinfo = 0, scope_id = 0;
	int			 port, flags, rc;

	if (!PyArg_ParseTuple(args, "Oi:getnameinfo", &sockaddr, &flags))
		return (NULL);
	if (!PyTuple_Check(sockaddr)) {
		PyErr_SetString(PyExc_TypeError, "getnameinfo() argument 1 "
		    "must be a tuple");
		return (NULL);
	}
	if (!PyArg_ParseTuple(sockaddr, "si|II;getnameinfo(): illegal "
	    "sockaddr argument", &host, &port, &flowinfo, &scope_id))
		return (NULL);
	if (flowinfo > 0xfffff) {
		PyErr_SetString(PyExc_OverflowError, "getnameinfo(): "
		    "flowinfo must be 0-1048575.");
		return (NULL);
	}
	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
		if (PyTuple_GET_SIZE(sockaddr) != 2) {
			PyErr_SetString(PyExc_OSError, "IPv4 sockaddr must "
			    "be 2 tuple");
			return (NULL);
		}
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&sin;
		len = sizeof sin;
	} else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		sin6.sin6_flowinfo = htonl(flowinfo);
		sin6.sin6_scope_id = scope_id;
		sa = (struct sockaddr *)&sin6;
		len = sizeof sin6;
	} else
		return (sbpy_error_gai(EAI_NONAME));
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(rc = sb_getnameinfo(c, sa, len, hbuf, sizeof hbuf, sbuf,
	    sizeof sbuf, flags));
	if (rc != 0)
		return (sbpy_error_gai(rc));
	return (Py_BuildValue("ss", hbuf, sbuf));
}

/* gethostname() -> the daemon's host name. */
static PyObject *
sbpy_name_gethostname(PyObject *self, PyObject *unused)
{
	char	 name[1024];
	sb_conn	*c;
	int	 rc;

	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(rc = sb_gethostname(c, name, sizeof name));
	if (rc == -1)
		return (sbpy_error());
	name[sizeof name - 1] = '\0';
	return (PyUnicode_DecodeFSDefault(name));
}

/* gethostbyname(name) -> the first IPv4 address, as text. */
static PyObject *
sbpy_name_gethostbyname(PyObject *self, PyObject *args)
{
	const char	*name;
	char		 buf[INET6_ADDRSTRLEN];
	sb_conn		*c;
	int		 rc;

	if (!PyArg_ParseTuple(args, "et:gethostbyname", "idna", &name))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL) {
		PyMem_Free((void *)name);
		return (NULL);
	}
	SBPY_CALL(rc = sb_gethostbyname(c, name, buf, sizeof buf));
	PyMem_Free((void *)name);
	if (rc == -1)
		return (sbpy_error());
	return (PyUnicode_FromString(buf));
}

/* A hostent as (name, aliases, addresses), freeing it. */
static PyObject *
sbpy_name_hostent(struct hostent *he)
{
	PyObject	*aliases, *addrs, *o;
	char		 buf[INET6_ADDRSTRLEN];
	size_t		 i;

	if (he == NULL)
		return (sbpy_error());
	aliases = PyList_New(0);
	addrs = PyList_New(0);
	if (aliases == NULL || addrs == NULL)
		goto bad;
	for (i = 0; he->h_aliases != NULL && he->h_aliases[i] != NULL; i++) {
		if ((o = PyUnicode_FromString(he->h_aliases[i])) == NULL ||
		    PyList_Append(aliases, o) == -1) {
			Py_XDECREF(o);
			goto bad;
		}
		Py_DECREF(o);
	}
	for (i = 0; he->h_addr_list != NULL && he->h_addr_list[i] != NULL;
	    i++) {
		if (inet_ntop(he->h_addrtype, he->h_addr_list[i], buf,
		    sizeof buf) == NULL)
			continue;
		if ((o = PyUnicode_FromString(buf)) == NULL ||
		    PyList_Append(addrs, o) == -1) {
			Py_XDECREF(o);
			goto bad;
		}
		Py_DECREF(o);
	}
	o = Py_BuildValue("sNN", he->h_name ? he->h_name : "", aliases, addrs);
	sb_freehostent(he);
	return (o);
bad:
	Py_XDECREF(aliases);
	Py_XDECREF(addrs);
	sb_freehostent(he);
	return (NULL);
}

/* gethostbyname_ex(name) -> (name, aliases, addresses). */
static PyObject *
sbpy_name_gethostbyname_ex(PyObject *self, PyObject *args)
{
	struct hostent	*he;
	const char	*name;
	sb_conn		*c;

	if (!PyArg_ParseTuple(args, "et:gethostbyname_ex", "idna", &name))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL) {
		PyMem_Free((void *)name);
		return (NULL);
	}
	SBPY_CALL(he = sb_gethostbyname_ex(c, name));
	PyMem_Free((void *)name);
	return (sbpy_name_hostent(he));
}

/* gethostbyaddr(ip) -> (name, aliases, addresses). */
static PyObject *
sbpy_name_gethostbyaddr(PyObject *self, PyObject *args)
{
	struct hostent	*he;
	const char	*name;
	sb_conn		*c;

	if (!PyArg_ParseTuple(args, "et:gethostbyaddr", "idna", &name))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL) {
		PyMem_Free((void *)name);
		return (NULL);
	}
	SBPY_CALL(he = sb_gethostbyaddr(c, name));
	PyMem_Free((void *)name);
	return (sbpy_name_hostent(he));
}

/* getfqdn(name='') -> the fully qualified name (the daemon's host for ''). */
static PyObject *
sbpy_name_getfqdn(PyObject *self, PyObject *args)
{
	const char	*name = "";
	char		 buf[1025];
	sb_conn		*c;
	int		 rc;

	if (!PyArg_ParseTuple(args, "|s:getfqdn", &name))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(rc = sb_getfqdn(c, name, buf, sizeof buf));
	if (rc == -1)
		return (sbpy_error());
	buf[sizeof buf - 1] = '\0';
	return (PyUnicode_FromString(buf));
}

/* getservbyname(name[, proto]) -> port. */
static PyObject *
sbpy_name_getservbyname(PyObject *self, PyObject *args)
{
	struct servent	*se;
	const char	*name, *proto = NULL;
	sb_conn		*c;
	int		 port;

	if (!PyArg_ParseTuple(args, "s|s:getservbyname", &name, &proto))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(se = sb_getservbyname(c, name, proto));
	if (se == NULL) {
		PyErr_SetString(PyExc_OSError, "service/proto not found");
		return (NULL);
	}
	port = se->s_port;
	sb_freeservent(se);
	return (PyLong_FromLong((long)ntohs((uint16_t)port)));
}

/* getservbyport(port[, proto]) -> name. */
static PyObject *
sbpy_name_getservbyport(PyObject *self, PyObject *args)
{
	struct servent	*se;
	PyObject	*name;
	const char	*proto = NULL;
	sb_conn		*c;
	int		 port;

	if (!PyArg_ParseTuple(args, "i|s:getservbyport", &port, &proto))
		return (NULL);
	if (port < 0 || port > 0xffff) {
		PyErr_SetString(PyExc_OverflowError, "getservbyport: port "
		    "must be 0-65535.");
		return (NULL);
	}
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(se = sb_getservbyport(c, port, proto));
	if (se == NULL) {
		PyErr_SetString(PyExc_OSError, "port/proto not found");
		return (NULL);
	}
	name = PyUnicode_FromString(se->s_name);
	sb_freeservent(se);
	return (name);
}

/* getprotobyname(name) -> number. */
static PyObject *
sbpy_name_getprotobyname(PyObject *self, PyObject *args)
{
	const char	*name;
	sb_conn		*c;
	int		 p;

	if (!PyArg_ParseTuple(args, "s:getprotobyname", &name))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(p = sb_getprotobyname(c, name));
	if (p == -1) {
		PyErr_SetString(PyExc_OSError, "protocol not found");
		return (NULL);
	}
	return (PyLong_FromLong(p));
}

/* if_nameindex() -> [(index, name), ...]. */
static PyObject *
sbpy_name_if_nameindex(PyObject *self, PyObject *unused)
{
	struct if_nameindex	*ni;
	PyObject		*list, *item;
	sb_conn			*c;
	size_t			 i;

	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(ni = sb_if_nameindex(c));
	if (ni == NULL)
		return (sbpy_error());
	if ((list = PyList_New(0)) == NULL)
		goto out;
	for (i = 0; ni[i].if_index != 0; i++) {
		item = Py_BuildValue("IN", ni[i].if_index,
		    PyUnicode_DecodeFSDefault(ni[i].if_name));
		if (item == NULL || PyList_Append(list, item) == -1) {
			Py_XDECREF(item);
			Py_CLEAR(list);
			goto out;
		}
		Py_DECREF(item);
	}
out:
	sb_if_freenameindex(ni);
	return (list);
}

/* if_nametoindex(name) -> index. */
static PyObject *
sbpy_name_if_nametoindex(PyObject *self, PyObject *arg)
{
	PyObject	*b;
	sb_conn		*c;
	unsigned int	 i;

	if (!PyUnicode_FSConverter(arg, &b))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL) {
		Py_DECREF(b);
		return (NULL);
	}
	SBPY_CALL(i = sb_if_nametoindex(c, PyBytes_AS_STRING(b)));
	Py_DECREF(b);
	if (i == 0) {
		PyErr_SetString(PyExc_OSError, "no interface with this name");
		return (NULL);
	}
	return (PyLong_FromUnsignedLong(i));
}

/* if_indextoname(index) -> name. */
static PyObject *
sbpy_name_if_indextoname(PyObject *self, PyObject *arg)
{
	char		 name[IF_NAMESIZE];
	char		*p;
	sb_conn		*c;
	unsigned long	 i;

	if (!PyLong_Check(arg)) {
		PyErr_SetString(PyExc_TypeError, "an integer is required");
		return (NULL);
	}
	i = PyLong_AsUnsignedLong(arg);
	if (i == (unsigned long)-1 && PyErr_Occurred())
		return (NULL);
	if (i > 0xffffffffUL) {
		PyErr_SetString(PyExc_OverflowError, "index is too large");
		return (NULL);
	}
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	SBPY_CALL(p = sb_if_indextoname(c, (unsigned int)i, name));
	if (p == NULL)
		return (sbpy_error());
	return (PyUnicode_DecodeFSDefault(name));
}

PyMethodDef sbpy_name_methods[] = {
	{ "getaddrinfo", (PyCFunction)(void (*)(void))sbpy_name_getaddrinfo,
	  METH_VARARGS | METH_KEYWORDS,
	  sbpy_doc_getaddrinfo },
	{ "getnameinfo", sbpy_name_getnameinfo, METH_VARARGS,
	  sbpy_doc_getnameinfo },
	{ "gethostname", sbpy_name_gethostname, METH_NOARGS,
	  sbpy_doc_gethostname },
	{ "gethostbyname", sbpy_name_gethostbyname, METH_VARARGS,
	  sbpy_doc_gethostbyname },
	{ "gethostbyname_ex", sbpy_name_gethostbyname_ex, METH_VARARGS,
	  sbpy_doc_gethostbyname_ex },
	{ "gethostbyaddr", sbpy_name_gethostbyaddr, METH_VARARGS,
	  sbpy_doc_gethostbyaddr },
	{ "getfqdn", sbpy_name_getfqdn, METH_VARARGS,
	  sbpy_doc_getfqdn },
	{ "getservbyname", sbpy_name_getservbyname, METH_VARARGS,
	  sbpy_doc_getservbyname },
	{ "getservbyport", sbpy_name_getservbyport, METH_VARARGS,
	  sbpy_doc_getservbyport },
	{ "getprotobyname", sbpy_name_getprotobyname, METH_VARARGS,
	  sbpy_doc_getprotobyname },
	{ "if_nameindex", sbpy_name_if_nameindex, METH_NOARGS,
	  sbpy_doc_if_nameindex },
	{ "if_nametoindex", sbpy_name_if_nametoindex, METH_O,
	  sbpy_doc_if_nametoindex },
	{ "if_indextoname", sbpy_name_if_indextoname, METH_O,
	  sbpy_doc_if_indextoname },
	{ NULL, NULL, 0, NULL }
};
