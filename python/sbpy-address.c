/* SPDX-License-Identifier: ISC */
/*
 * Addresses between the socket module's Python forms and struct sockaddr:
 * (host, port), (host, port, flowinfo, scope_id), str or bytes for AF_UNIX,
 * (ifname, proto, pkttype, hatype, addr), (pid, groups), (cid, port),
 * (ifname,) and its ISO-TP and J1939 forms, (type, name) for AF_ALG, the
 * TIPC tuples and (node, port) for AF_QIPCRTR (AF_BLUETOOTH's forms are in
 * sbpy-bluetooth.c). Host names and interface
 * names are resolved by the daemon, in its namespace, as the sockets are
 * its own.
 */

#include "sbpy.h"

#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <linux/can.h>
#include <linux/can/j1939.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/qrtr.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

static int	 sbpy_address_port(PyObject *, const char *, uint16_t *);
static int	 sbpy_address_ifindex(sb_conn *, const char *, int *);
static PyObject	*sbpy_address_ifname(sb_conn *, int);
static int	 sbpy_address_inet(sb_conn *, PyObject *, const char *,
		     sbpy_sockaddr *, socklen_t *);
static int	 sbpy_address_inet6(sb_conn *, PyObject *, const char *,
		     sbpy_sockaddr *, socklen_t *);
static int	 sbpy_address_unix(PyObject *, const char *, sbpy_sockaddr *,
		     socklen_t *);
static int	 sbpy_address_packet(sb_conn *, PyObject *, const char *,
		     sbpy_sockaddr *, socklen_t *);
static int	 sbpy_address_can(sb_conn *, int, PyObject *, const char *,
		     sbpy_sockaddr *, socklen_t *);
static int	 sbpy_address_alg(PyObject *, const char *, sbpy_sockaddr *,
		     socklen_t *);
static int	 sbpy_address_tipc(PyObject *, const char *, sbpy_sockaddr *,
		     socklen_t *);
static PyObject	*sbpy_address_make_unix(const struct sockaddr_un *,
		     socklen_t);
static PyObject	*sbpy_address_make_packet(sb_conn *,
		     const struct sockaddr_ll *);
static PyObject	*sbpy_address_make_can(sb_conn *, const struct sockaddr_can *,
		     int);
static PyObject	*sbpy_address_make_tipc(const struct sockaddr_tipc *);

/* Fails with the TypeError the stdlib gives for a malformed address. */
static int
sbpy_address_type(const char *caller, const char *what, PyObject *addr)
{
	PyErr_Format(PyExc_TypeError, "%s(): %s, not %.500s", caller, what,
	    Py_TYPE(addr)->tp_name);
	return (-1);
}

/* A port number: an int of 0-65535 (OverflowError otherwise). */
static int
sbpy_address_port(PyObject *o, const char *caller, uint16_t *port)
{
	long	 v;

	if (!PyLong_Check(o)) {
		PyErr_Format(PyExc_TypeError, "'%.200s' object cannot be "
		    "interpreted as an integer", Py_TYPE(o)->tp_name);
		return (-1);
	}
	v = PyLong_AsLong(o);
	if (v == -1 && PyErr_Occurred())
		return (-1);
	if (v < 0 || v > 0xffff) {
		PyErr_Format(PyExc_OverflowError, "%s(): port must be 0-65535.",
		    caller);
		return (-1);
	}
	*port = (uint16_t)v;
	return (0);
}

/*
 * Host to address of family (AF_INET or AF_INET6) in ss, as the stdlib's
 * setipaddr(): "" is the wildcard, "<broadcast>" INADDR_BROADCAST, a
 * numeric address is taken as it is, any other name goes to the daemon's
 * resolver (gaierror when it fails). str hosts are IDNA-encoded.
 */
int
sbpy_address_host(sb_conn *c, PyObject *host, int family, int unused,
    sbpy_sockaddr *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	struct addrinfo		 hints, *res = NULL;
	PyObject		*b;
	const char		*name;
	int			 rc;

	if (PyUnicode_Check(host)) {
		if (PyUnicode_IS_ASCII(host))
			b = PyUnicode_AsASCIIString(host);
		else
			b = PyUnicode_AsEncodedString(host, "idna", NULL);
	} else if (PyBytes_Check(host) || PyByteArray_Check(host)) {
		b = PyBytes_FromObject(host);
	} else {
		PyErr_Format(PyExc_TypeError, "str, bytes or bytearray "
		    "expected, not %s", Py_TYPE(host)->tp_name);
		return (-1);
	}
	if (b == NULL)
		return (-1);
	name = PyBytes_AS_STRING(b);
	if (strlen(name) != (size_t)PyBytes_GET_SIZE(b)) {
		Py_DECREF(b);
		PyErr_SetString(PyExc_ValueError, "embedded null character");
		return (-1);
	}
	memset(ss, 0, sizeof *ss);
	sin->sin_family = (sa_family_t)family;
	rc = 1;
	if (*name == '\0') {
		if (family == AF_INET)
			sin->sin_addr.s_addr = htonl(INADDR_ANY);
		else
			sin6->sin6_addr = in6addr_any;
	} else if (strcmp(name, "<broadcast>") == 0 ||
	    strcmp(name, "255.255.255.255") == 0) {
		if (family != AF_INET) {
			Py_DECREF(b);
			return (sbpy_error_gai(EAI_FAMILY) == NULL ? -1 : -1);
		}
		sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
	} else if (family == AF_INET)
		rc = inet_pton(AF_INET, name, &sin->sin_addr);
	else
		rc = inet_pton(AF_INET6, name, &sin6->sin6_addr);
	if (rc == 1) {
		Py_DECREF(b);
		return (0);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	SBPY_CALL(rc = sb_getaddrinfo(c, name, NULL, &hints, &res));
	Py_DECREF(b);
	if (rc != 0)
		return (sbpy_error_gai(rc) == NULL ? -1 : -1);
	if (res == NULL || res->ai_addr == NULL ||
	    res->ai_addrlen > sizeof *ss) {
		sb_freeaddrinfo(res);
		return (sbpy_error_gai(EAI_NONAME) == NULL ? -1 : -1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	sb_freeaddrinfo(res);
	return (0);
}

/* An interface name's index in the daemon's namespace; "" is 0 (any). */
static int
sbpy_address_ifindex(sb_conn *c, const char *ifname, int *ifindex)
{
	unsigned int	 i;

	if (*ifname == '\0') {
		*ifindex = 0;
		return (0);
	}
	SBPY_CALL(i = sb_if_nametoindex(c, ifname));
	if (i == 0) {
		sbpy_error();
		return (-1);
	}
	*ifindex = (int)i;
	return (0);
}

/* The name of an interface index in the daemon's namespace; 0 is "". */
static PyObject *
sbpy_address_ifname(sb_conn *c, int ifindex)
{
	char	 name[IF_NAMESIZE];
	char	*p;

	if (ifindex == 0)
		return (PyUnicode_FromString(""));
	SBPY_CALL(p = sb_if_indextoname(c, (unsigned int)ifindex, name));
	if (p == NULL)
		return (sbpy_error());
	return (PyUnicode_DecodeFSDefault(name));
}

/* (host, port) to a sockaddr_in. */
static int
sbpy_address_inet(sb_conn *c, PyObject *addr, const char *caller,
    sbpy_sockaddr *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	PyObject		*host, *port;
	uint16_t		 p;

	if (!PyTuple_Check(addr))
		return (sbpy_address_type(caller,
		    "AF_INET address must be tuple", addr));
	if (!PyArg_ParseTuple(addr, "OO;AF_INET address must be a pair "
	    "(host, port)", &host, &port))
		return (-1);
	if (sbpy_address_port(port, caller, &p) == -1)
		return (-1);
	if (sbpy_address_host(c, host, AF_INET, 0, ss) == -1)
		return (-1);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(p);
	*len = sizeof *sin;
	return (0);
}

/* (host, port[, flowinfo[, scope_id]]) to a sockaddr_in6. */
static int
sbpy_address_inet6(sb_conn *c, PyObject *addr, const char *caller,
    sbpy_sockaddr *ss, socklen_t *len)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	PyObject		*host, *port;
	unsigned int		 flowinfo = 0, scope_id = 0;
	uint16_t		 p;

	if (!PyTuple_Check(addr))
		return (sbpy_address_type(caller,
		    "AF_INET6 address must be tuple", addr));
	if (!PyArg_ParseTuple(addr, "OO|II;AF_INET6 address must be a tuple "
	    "(host, port[, flowinfo[, scopeid]])", &host, &port, &flowinfo,
	    &scope_id))
		return (-1);
	if (sbpy_address_port(port, caller, &p) == -1)
		return (-1);
	if (flowinfo > 0xfffff) {
		PyErr_Format(PyExc_OverflowError,
		    "%s(): flowinfo must be 0-1048575.", caller);
		return (-1);
	}
	if (sbpy_address_host(c, host, AF_INET6, 0, ss) == -1)
		return (-1);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(p);
	sin6->sin6_flowinfo = htonl(flowinfo);
	sin6->sin6_scope_id = scope_id;
	*len = sizeof *sin6;
	return (0);
}

/* A path (str, bytes or path-like; a leading NUL: abstract) to sockaddr_un. */
static int
sbpy_address_unix(PyObject *addr, const char *caller, sbpy_sockaddr *ss,
    socklen_t *len)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;
	PyObject		*b = NULL;
	Py_buffer		 view;
	int			 rc = -1, abstract;

	/* str and path-likes as the stdlib takes them: a NUL may lead. */
	if (!PyUnicode_Check(addr) && !PyBytes_Check(addr) &&
	    PyObject_HasAttrString(addr, "__fspath__")) {
		if ((b = PyOS_FSPath(addr)) == NULL)
			return (-1);
		addr = b;
	}
	if (PyUnicode_Check(addr)) {
		PyObject	*e;

		if ((e = PyUnicode_EncodeFSDefault(addr)) == NULL) {
			Py_XDECREF(b);
			return (-1);
		}
		Py_XDECREF(b);
		addr = b = e;
	}
	if (PyObject_GetBuffer(addr, &view, PyBUF_SIMPLE) == -1) {
		PyErr_Clear();
		Py_XDECREF(b);
		return (sbpy_address_type(caller,
		    "a bytes-like object is required", addr));
	}
	abstract = view.len == 0 || *(const char *)view.buf == '\0';
	if ((size_t)view.len > sizeof sun->sun_path - (abstract ? 0 : 1)) {
		PyErr_SetString(PyExc_OSError, "AF_UNIX path too long");
		goto out;
	}
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, view.buf, (size_t)view.len);
	/* A path counts its NUL, as the stdlib's does; a name does not. */
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + view.len +
	    (abstract ? 0 : 1));
	rc = 0;
out:
	PyBuffer_Release(&view);
	Py_XDECREF(b);
	return (rc);
}

/* (ifname, proto[, pkttype[, hatype[, addr]]]) to a sockaddr_ll. */
static int
sbpy_address_packet(sb_conn *c, PyObject *addr, const char *caller,
    sbpy_sockaddr *ss, socklen_t *len)
{
	struct sockaddr_ll	*sll = (struct sockaddr_ll *)ss;
	const char		*ifname;
	int			 proto, pkttype = 0, hatype = 0, ifindex;
	Py_buffer		 ha;

	memset(&ha, 0, sizeof ha);
	if (!PyTuple_Check(addr))
		return (sbpy_address_type(caller,
		    "AF_PACKET address must be tuple", addr));
	if (!PyArg_ParseTuple(addr, "si|iiy*;AF_PACKET address must be a "
	    "tuple of two to five elements", &ifname, &proto, &pkttype,
	    &hatype, &ha))
		return (-1);
	if (proto < 0 || proto > 0xffff) {
		PyErr_Format(PyExc_OverflowError, "%s(): proto must be "
		    "0-65535.", caller);
		goto bad;
	}
	if (ha.buf != NULL && (size_t)ha.len > sizeof sll->sll_addr) {
		PyErr_SetString(PyExc_ValueError, "Hardware address must be "
		    "8 bytes or less");
		goto bad;
	}
	if (sbpy_address_ifindex(c, ifname, &ifindex) == -1)
		goto bad;
	memset(sll, 0, sizeof *sll);
	sll->sll_family = AF_PACKET;
	sll->sll_protocol = htons((uint16_t)proto);
	sll->sll_ifindex = ifindex;
	sll->sll_pkttype = (unsigned char)pkttype;
	sll->sll_hatype = (unsigned short)hatype;
	if (ha.buf != NULL) {
		memcpy(sll->sll_addr, ha.buf, (size_t)ha.len);
		sll->sll_halen = (unsigned char)ha.len;
		PyBuffer_Release(&ha);
	}
	*len = sizeof *sll;
	return (0);
bad:
	if (ha.buf != NULL)
		PyBuffer_Release(&ha);
	return (-1);
}

/* (ifname,), (ifname, rx_id, tx_id) or (ifname, name, pgn, addr). */
static int
sbpy_address_can(sb_conn *c, int proto, PyObject *addr, const char *caller,
    sbpy_sockaddr *ss, socklen_t *len)
{
	struct sockaddr_can	*can = (struct sockaddr_can *)ss;
	PyObject		*ifo;
	unsigned long		 rx, tx;
	unsigned long long	 name;
	unsigned int		 pgn;
	unsigned char		 a;
	int			 ifindex;

	if (!PyTuple_Check(addr))
		return (sbpy_address_type(caller,
		    "AF_CAN address must be tuple", addr));
	memset(can, 0, sizeof *can);
	can->can_family = AF_CAN;
	*len = sizeof *can;
	switch (proto) {
	case CAN_ISOTP:
		if (!PyArg_ParseTuple(addr, "O&kk;AF_CAN address must be a "
		    "tuple (interface, rx_addr, tx_addr)",
		    PyUnicode_FSConverter, &ifo, &rx, &tx))
			return (-1);
		can->can_addr.tp.rx_id = (canid_t)rx;
		can->can_addr.tp.tx_id = (canid_t)tx;
		break;
	case CAN_J1939:
		if (!PyArg_ParseTuple(addr, "O&KIb;AF_CAN address must be a "
		    "tuple (interface, name, pgn, addr)",
		    PyUnicode_FSConverter, &ifo, &name, &pgn, &a))
			return (-1);
		can->can_addr.j1939.name = (uint64_t)name;
		can->can_addr.j1939.pgn = pgn;
		can->can_addr.j1939.addr = a;
		break;
	default:
		if (!PyArg_ParseTuple(addr, "O&;AF_CAN address must be a "
		    "tuple (interface, )", PyUnicode_FSConverter, &ifo))
			return (-1);
		break;
	}
	if (PyBytes_GET_SIZE(ifo) >= IF_NAMESIZE) {
		Py_DECREF(ifo);
		PyErr_SetString(PyExc_OSError, "interface name too long");
		return (-1);
	}
	if (sbpy_address_ifindex(c, PyBytes_AS_STRING(ifo), &ifindex) == -1) {
		Py_DECREF(ifo);
		return (-1);
	}
	Py_DECREF(ifo);
	can->can_ifindex = ifindex;
	return (0);
}

/* (type, name[, feat[, mask]]) to a sockaddr_alg. */
static int
sbpy_address_alg(PyObject *addr, const char *caller, sbpy_sockaddr *ss,
    socklen_t *len)
{
	struct sockaddr_alg	*alg = (struct sockaddr_alg *)ss;
	const char		*type, *name;
	unsigned int		 feat = 0, mask = 0;

	if (!PyTuple_Check(addr))
		return (sbpy_address_type(caller,
		    "AF_ALG address must be tuple", addr));
	if (!PyArg_ParseTuple(addr, "ss|II;AF_ALG address must be a tuple "
	    "(type, name[, feat[, mask]])", &type, &name, &feat, &mask))
		return (-1);
	memset(alg, 0, sizeof *alg);
	if (strlen(type) >= sizeof alg->salg_type) {
		PyErr_SetString(PyExc_ValueError, "AF_ALG type too long.");
		return (-1);
	}
	if (strlen(name) >= sizeof alg->salg_name) {
		PyErr_SetString(PyExc_ValueError, "AF_ALG name too long.");
		return (-1);
	}
	alg->salg_family = AF_ALG;
	strncpy((char *)alg->salg_type, type, sizeof alg->salg_type - 1);
	strncpy((char *)alg->salg_name, name, sizeof alg->salg_name - 1);
	alg->salg_feat = feat;
	alg->salg_mask = mask;
	*len = sizeof *alg;
	return (0);
}

/* (addr_type, v1, v2, v3[, scope]) to a sockaddr_tipc. */
static int
sbpy_address_tipc(PyObject *addr, const char *caller, sbpy_sockaddr *ss,
    socklen_t *len)
{
	struct sockaddr_tipc	*t = (struct sockaddr_tipc *)ss;
	unsigned int		 atype, v1, v2, v3, scope = 0;

	if (!PyTuple_Check(addr))
		return (sbpy_address_type(caller,
		    "AF_TIPC address must be tuple", addr));
	if (!PyArg_ParseTuple(addr, "IIII|I;AF_TIPC address must be a tuple "
	    "(addr_type, v1, v2, v3[, scope])", &atype, &v1, &v2, &v3, &scope))
		return (-1);
	memset(t, 0, sizeof *t);
	t->family = AF_TIPC;
	t->addrtype = (unsigned char)atype;
	t->scope = (signed char)scope;
	if (atype == TIPC_ADDR_NAMESEQ) {
		t->addr.nameseq.type = v1;
		t->addr.nameseq.lower = v2;
		t->addr.nameseq.upper = v3;
	} else if (atype == TIPC_ADDR_NAME) {
		t->addr.name.name.type = v1;
		t->addr.name.name.instance = v2;
		t->addr.name.domain = v3;
	} else if (atype == TIPC_ADDR_ID) {
		t->addr.id.node = v1;
		t->addr.id.ref = v2;
	} else {
		PyErr_SetString(PyExc_OSError, "invalid address type");
		return (-1);
	}
	*len = sizeof *t;
	return (0);
}

/*
 * The address of a Python object for the socket s (its family and
 * protocol decide the form) into ss and *len, for caller (named in errors,
 * "bind", "connect", ...). 0, or -1 with an exception set.
 */
int
sbpy_address_parse(sb_conn *c, sbpy_sock *s, PyObject *addr,
    const char *caller, sbpy_sockaddr *ss, socklen_t *len)
{
	unsigned int	 a, b;

	memset(ss, 0, sizeof *ss);
	switch (s->family) {
	case AF_INET:
		return (sbpy_address_inet(c, addr, caller, ss, len));
	case AF_INET6:
		return (sbpy_address_inet6(c, addr, caller, ss, len));
	case AF_UNIX:
		return (sbpy_address_unix(addr, caller, ss, len));
	case AF_PACKET:
		return (sbpy_address_packet(c, addr, caller, ss, len));
	case AF_CAN:
		return (sbpy_address_can(c, s->proto, addr, caller, ss, len));
	case AF_ALG:
		return (sbpy_address_alg(addr, caller, ss, len));
	case AF_TIPC:
		return (sbpy_address_tipc(addr, caller, ss, len));
	case AF_BLUETOOTH:
		return (sbpy_bluetooth_parse(s->proto, addr, caller, ss, len));
	case AF_NETLINK:
	case AF_VSOCK:
	case AF_QIPCRTR:
		if (!PyTuple_Check(addr))
			return (sbpy_address_type(caller,
			    "address must be tuple", addr));
		if (!PyArg_ParseTuple(addr, "II;address must be a pair",
		    &a, &b))
			return (-1);
		break;
	default:
		PyErr_Format(PyExc_OSError, "%s(): bad family", caller);
		return (-1);
	}
	if (s->family == AF_NETLINK) {
		struct sockaddr_nl	*nl = (struct sockaddr_nl *)ss;

		nl->nl_family = AF_NETLINK;
		nl->nl_pid = a;
		nl->nl_groups = b;
		*len = sizeof *nl;
	} else if (s->family == AF_VSOCK) {
		struct sockaddr_vm	*vm = (struct sockaddr_vm *)ss;

		vm->svm_family = AF_VSOCK;
		vm->svm_cid = a;
		vm->svm_port = b;
		*len = sizeof *vm;
	} else {
		struct sockaddr_qrtr	*q = (struct sockaddr_qrtr *)ss;

		q->sq_family = AF_QIPCRTR;
		q->sq_node = a;
		q->sq_port = b;
		*len = sizeof *q;
	}
	return (0);
}

/* A sockaddr_un as the stdlib gives it: bytes if abstract, else str. */
static PyObject *
sbpy_address_make_unix(const struct sockaddr_un *sun, socklen_t len)
{
	size_t	 n, plen = len - offsetof(struct sockaddr_un, sun_path);

	if (len <= offsetof(struct sockaddr_un, sun_path))
		return (PyUnicode_FromString(""));
	if (plen > sizeof sun->sun_path)
		plen = sizeof sun->sun_path;
	if (sun->sun_path[0] == '\0')
		return (PyBytes_FromStringAndSize(sun->sun_path,
		    (Py_ssize_t)plen));
	for (n = 0; n < plen && sun->sun_path[n] != '\0'; n++)
		;
	return (PyUnicode_DecodeFSDefaultAndSize(sun->sun_path,
	    (Py_ssize_t)n));
}

/* (ifname, proto, pkttype, hatype, addr) from a sockaddr_ll. */
static PyObject *
sbpy_address_make_packet(sb_conn *c, const struct sockaddr_ll *sll)
{
	PyObject	*ifname;
	size_t		 halen = sll->sll_halen;

	if ((ifname = sbpy_address_ifname(c, sll->sll_ifindex)) == NULL)
		return (NULL);
	if (halen > sizeof sll->sll_addr)
		halen = sizeof sll->sll_addr;
	return (Py_BuildValue("Niiiy#", ifname, ntohs(sll->sll_protocol),
	    sll->sll_pkttype, sll->sll_hatype, sll->sll_addr,
	    (Py_ssize_t)halen));
}

/* The CAN forms of the socket's protocol, from a sockaddr_can. */
static PyObject *
sbpy_address_make_can(sb_conn *c, const struct sockaddr_can *can, int proto)
{
	PyObject	*ifname;

	if ((ifname = sbpy_address_ifname(c, can->can_ifindex)) == NULL)
		return (NULL);
	switch (proto) {
	case CAN_ISOTP:
		return (Py_BuildValue("Nkk", ifname,
		    (unsigned long)can->can_addr.tp.rx_id,
		    (unsigned long)can->can_addr.tp.tx_id));
	case CAN_J1939:
		return (Py_BuildValue("NKIi", ifname,
		    (unsigned long long)can->can_addr.j1939.name,
		    (unsigned int)can->can_addr.j1939.pgn,
		    (int)can->can_addr.j1939.addr));
	default:
		return (Py_BuildValue("(N)", ifname));
	}
}

/* (addr_type, v1, v2, v3, scope) from a sockaddr_tipc. */
static PyObject *
sbpy_address_make_tipc(const struct sockaddr_tipc *t)
{
	unsigned int	 v1 = 0, v2 = 0, v3 = 0;

	if (t->addrtype == TIPC_ADDR_NAMESEQ) {
		v1 = t->addr.nameseq.type;
		v2 = t->addr.nameseq.lower;
		v3 = t->addr.nameseq.upper;
	} else if (t->addrtype == TIPC_ADDR_NAME) {
		v1 = t->addr.name.name.type;
		v2 = t->addr.name.name.instance;
		v3 = t->addr.name.domain;
	} else if (t->addrtype == TIPC_ADDR_ID) {
		v1 = t->addr.id.node;
		v2 = t->addr.id.ref;
	}
	return (Py_BuildValue("IIIII", (unsigned int)t->addrtype, v1, v2, v3,
	    (unsigned int)t->scope));
}

/*
 * The Python form of a sockaddr of len bytes that a socket of protocol
 * proto returned; None when there is no address (len 0).
 */
PyObject *
sbpy_address_make(sb_conn *c, const struct sockaddr *sa, socklen_t len,
    int proto)
{
	char	 host[INET6_ADDRSTRLEN];

	if (len == 0)
		Py_RETURN_NONE;
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in	*sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		return (Py_BuildValue("si", host, ntohs(sin->sin_port)));
	}
	case AF_INET6: {
		const struct sockaddr_in6	*sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		return (Py_BuildValue("siII", host, ntohs(sin6->sin6_port),
		    ntohl(sin6->sin6_flowinfo), sin6->sin6_scope_id));
	}
	case AF_UNIX:
		return (sbpy_address_make_unix((const void *)sa, len));
	case AF_PACKET:
		return (sbpy_address_make_packet(c, (const void *)sa));
	case AF_CAN:
		return (sbpy_address_make_can(c, (const void *)sa, proto));
	case AF_NETLINK: {
		const struct sockaddr_nl	*nl = (const void *)sa;

		return (Py_BuildValue("II", nl->nl_pid, nl->nl_groups));
	}
	case AF_VSOCK: {
		const struct sockaddr_vm	*vm = (const void *)sa;

		return (Py_BuildValue("II", vm->svm_cid, vm->svm_port));
	}
	case AF_QIPCRTR: {
		const struct sockaddr_qrtr	*q = (const void *)sa;

		return (Py_BuildValue("II", q->sq_node, q->sq_port));
	}
	case AF_TIPC:
		return (sbpy_address_make_tipc((const void *)sa));
	case AF_BLUETOOTH:
		return (sbpy_bluetooth_make(sa, len, proto));
	default:
		return (Py_BuildValue("iy#", sa->sa_family, sa->sa_data,
		    (Py_ssize_t)sizeof sa->sa_data));
	}
}

/*
 * _address(family, proto, address) -> (sockaddr bytes, address again): the
 * conversion both ways without a socket, for the tests of the families
 * this kernel lacks.
 */
PyObject *
sbpy_address_roundtrip(PyObject *self, PyObject *args)
{
	sbpy_sock	 s;
	sbpy_sockaddr	 ss;
	socklen_t	 len;
	PyObject	*addr, *back;
	sb_conn		*c;

	memset(&s, 0, sizeof s);
	if (!PyArg_ParseTuple(args, "iiO:_address", &s.family, &s.proto,
	    &addr))
		return (NULL);
	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	if (sbpy_address_parse(c, &s, addr, "_address", &ss, &len) == -1)
		return (NULL);
	if ((back = sbpy_address_make(c, (struct sockaddr *)&ss, len,
	    s.proto)) == NULL)
		return (NULL);
	return (Py_BuildValue("y#N", (char *)&ss, (Py_ssize_t)len, back));
}
