/* SPDX-License-Identifier: ISC */
/*
 * sockbroker._sockbroker: the CPython extension over libsockbroker. The
 * package around it (sockbroker/__init__.py) adds what the stdlib's
 * socket.py adds around _socket.
 */

#ifndef SBPY_H
#define SBPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>

#include <sockbroker.h>

/* The largest sockaddr any family here has. */
typedef struct sockaddr_storage sbpy_sockaddr;

/* A socket: a handle on this process's connection to the daemon. */
typedef struct {
	PyObject_HEAD
	int		 handle;	/* -1 once closed or detached */
	int		 chanfd;	/* its data channel, or -1 */
	unsigned long	 gen;		/* the connection it was made on */
	int		 family;
	int		 type;
	int		 proto;
	double		 timeout;	/* < 0: none (blocking) */
	pthread_mutex_t	 rlock;		/* one receive at a time (channels) */
} sbpy_sock;

/*
 * Every call into libsockbroker runs without the GIL: each is a round trip
 * to the daemon, and many block.
 */
#define SBPY_CALL(stmt) do {		\
	Py_BEGIN_ALLOW_THREADS		\
	stmt;				\
	Py_END_ALLOW_THREADS		\
} while (0)

/*
 * A receive: without the GIL and under the socket's receive lock, as a
 * handle's channel takes one reader at a time (sockbroker.h, sb_fileno).
 */
#define SBPY_RECV(s, stmt) do {			\
	int	 sbpy_err_;				\
	Py_BEGIN_ALLOW_THREADS				\
	pthread_mutex_lock(&(s)->rlock);		\
	stmt;						\
	sbpy_err_ = errno;				\
	pthread_mutex_unlock(&(s)->rlock);		\
	errno = sbpy_err_;				\
	Py_END_ALLOW_THREADS				\
} while (0)

/* sbpy-module.c */
PyMODINIT_FUNC	 PyInit__sockbroker(void);
extern PyObject	*sbpy_socket_module;	/* the stdlib's _socket */
double		 sbpy_module_defaulttimeout(void);

/* sbpy-conn.c */
sb_conn		*sbpy_conn_get(unsigned long *);
int		 sbpy_conn_current(unsigned long);
sb_conn		*sbpy_conn_peek(unsigned long);
PyObject	*sbpy_conn_connect(PyObject *, PyObject *);
PyObject	*sbpy_conn_after_fork(PyObject *, PyObject *);
PyObject	*sbpy_conn_info(PyObject *, PyObject *);

/* sbpy-error.c */
PyObject	*sbpy_error(void);
PyObject	*sbpy_error_said(void);
PyObject	*sbpy_error_errno(int);
PyObject	*sbpy_error_os(int, const char *);
PyObject	*sbpy_error_gai(int);
PyObject	*sbpy_error_herror(int, const char *);

/* sbpy-address.c */
int		 sbpy_address_parse(sb_conn *, sbpy_sock *, PyObject *,
		     const char *, sbpy_sockaddr *, socklen_t *);
PyObject	*sbpy_address_make(sb_conn *, const struct sockaddr *,
		     socklen_t, int);
int		 sbpy_address_host(sb_conn *, PyObject *, int, int,
		     sbpy_sockaddr *);
PyObject	*sbpy_address_roundtrip(PyObject *, PyObject *);

/* sbpy-bluetooth.c */
int		 sbpy_bluetooth_parse(int, PyObject *, const char *,
		     sbpy_sockaddr *, socklen_t *);
PyObject	*sbpy_bluetooth_make(const struct sockaddr *, socklen_t, int);

/* sbpy-socket.c */
extern PyTypeObject	 sbpy_socket_type;
int		 sbpy_socket_ready(void);
int		 sbpy_socket_parse_timeout(PyObject *, double *);
PyObject	*sbpy_socket_fromfd(PyObject *, PyObject *);
sb_conn		*sbpy_socket_conn(sbpy_sock *);
void		 sbpy_socket_forget(void);

/* sbpy-io.c */
extern PyMethodDef	 sbpy_io_methods[];

/* sbpy-msg.c */
extern PyMethodDef	 sbpy_msg_methods[];

/* sbpy-name.c */
extern PyMethodDef	 sbpy_name_methods[];

#endif /* SBPY_H */
