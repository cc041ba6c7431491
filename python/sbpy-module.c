/* SPDX-License-Identifier: ISC */
/*
 * The module sockbroker._sockbroker: its functions, the default timeout
 * and initialisation.
 */

#include "sbpy.h"
#include "sbpy-doc.h"

PyObject	*sbpy_socket_module;

/* The default timeout of new sockets: < 0 is None (blocking). */
static double	 sbpy_module_timeout = -1.0;

/* The timeout a new socket starts with. */
double
sbpy_module_defaulttimeout(void)
{
	return (sbpy_module_timeout);
}

/* getdefaulttimeout() -> None or seconds. */
static PyObject *
sbpy_module_getdefaulttimeout(PyObject *self, PyObject *unused)
{
	if (sbpy_module_timeout < 0)
		Py_RETURN_NONE;
	return (PyFloat_FromDouble(sbpy_module_timeout));
}

/* setdefaulttimeout(timeout): for sockets made (or accepted) from now on. */
static PyObject *
sbpy_module_setdefaulttimeout(PyObject *self, PyObject *arg)
{
	double	 t;

	if (sbpy_socket_parse_timeout(arg, &t) == -1)
		return (NULL);
	sbpy_module_timeout = t;
	Py_RETURN_NONE;
}

static PyMethodDef sbpy_module_methods[] = {
	{ "connect", sbpy_conn_connect, METH_VARARGS,
	  sbpy_doc_connect_daemon },
	{ "info", sbpy_conn_info, METH_NOARGS,
	  sbpy_doc_info },
	{ "_address", sbpy_address_roundtrip, METH_VARARGS,
	  sbpy_doc_address },
	{ "_fromfd", sbpy_socket_fromfd, METH_O,
	  sbpy_doc_fromfd },
	{ "_after_fork_child", sbpy_conn_after_fork, METH_NOARGS,
	  sbpy_doc_after_fork },
	{ "getdefaulttimeout", sbpy_module_getdefaulttimeout, METH_NOARGS,
	  sbpy_doc_getdefaulttimeout },
	{ "setdefaulttimeout", sbpy_module_setdefaulttimeout, METH_O,
	  sbpy_doc_setdefaulttimeout },
	{ NULL, NULL, 0, NULL }
};

static struct PyModuleDef sbpy_module_def = {
	PyModuleDef_HEAD_INIT,
	.m_name = "sockbroker._sockbroker",
	.m_doc = sbpy_doc_module,
	.m_size = -1,
	.m_methods = sbpy_module_methods,
};

/* Initialises the module: the stdlib's _socket, the type, the functions. */
PyMODINIT_FUNC
PyInit__sockbroker(void)
{
	PyObject	*m;

	if ((sbpy_socket_module = PyImport_ImportModule("_socket")) == NULL)
		return (NULL);
	if (sbpy_socket_ready() == -1)
		return (NULL);
	if ((m = PyModule_Create(&sbpy_module_def)) == NULL)
		return (NULL);
	if (PyModule_AddFunctions(m, sbpy_name_methods) == -1 ||
	    PyModule_AddObjectRef(m, "socket",
	    (PyObject *)&sbpy_socket_type) == -1 ||
	    PyModule_AddObjectRef(m, "SocketType",
	    (PyObject *)&sbpy_socket_type) == -1 ||
	    PyModule_AddIntConstant(m, "SB_HAVE_CHANNELS",
	    SB_HAVE_CHANNELS) == -1) {
		Py_DECREF(m);
		return (NULL);
	}
	return (m);
}
