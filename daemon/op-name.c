/* SPDX-License-Identifier: ISC */
/*
 * Module functions answered by the daemon: gethostname, getaddrinfo,
 * getnameinfo and the interface name/index functions. Lookups that may wait
 * on the network go to the resolver threads.
 */

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>

#include "sockbrokerd.h"

#define OP_AI_FLAGS	(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | \
			    AI_V4MAPPED | AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV)
#define OP_NI_FLAGS	(NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | \
			    NI_NAMEREQD | NI_DGRAM)

/* gethostname. */
enum op_result
op_gethostname(struct session *s, Sockbroker__Request *req)
{
	char	 name[HOST_NAME_MAX + 1];

	if (gethostname(name, sizeof name) == -1) {
		reply_errno(s, req->id, errno, "gethostname");
		return (OP_DONE);
	}
	name[sizeof name - 1] = '\0';
	reply_name(s, req->id, name);
	return (OP_DONE);
}

/* getaddrinfo: checks the hints, then hands the lookup to a worker. */
enum op_result
op_getaddrinfo(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetaddrinfoRequest *g = req->getaddrinfo;
	const char	*why = NULL;
	int		 rc = EAI_BADFLAGS;

	if (g->host == NULL && g->service == NULL) {
		why = "neither host nor service";
		rc = EAI_NONAME;
	} else if (g->host != NULL && strlen(g->host) >= NI_MAXHOST) {
		why = "host name too long";
		rc = EAI_NONAME;
	} else if (g->service != NULL && strlen(g->service) >= NI_MAXSERV) {
		why = "service name too long";
		rc = EAI_SERVICE;
	} else if (g->has_flags && (g->flags & ~OP_AI_FLAGS))
		why = "unsupported flags";
	else if (g->has_family && g->family != AF_UNSPEC &&
	    g->family != AF_INET && g->family != AF_INET6) {
		why = "unsupported family";
		rc = EAI_FAMILY;
	}
	if (why != NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__GAI, rc,
		    "getaddrinfo: %s", why);
		return (OP_DONE);
	}
	return (resolver_getaddrinfo(s, req));
}

/* getnameinfo: checks the address and flags, then hands it to a worker. */
enum op_result
op_getnameinfo(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetnameinfoRequest *g = req->getnameinfo;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*cause;

	if (sbp_address_to_sockaddr(g->address, &ss, &len, &cause) == -1) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, errno,
		    "getnameinfo: %s", cause);
		return (OP_DONE);
	}
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__GAI,
		    EAI_FAMILY, "getnameinfo: not an internet address");
		return (OP_DONE);
	}
	if (g->has_flags && (g->flags & ~OP_NI_FLAGS)) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__GAI,
		    EAI_BADFLAGS, "getnameinfo: unsupported flags");
		return (OP_DONE);
	}
	return (resolver_getnameinfo(s, req, &ss, len));
}

/* if_nameindex: every interface of the daemon's network namespace. */
enum op_result
op_if_nameindex(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__Response		 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__IfNameindexReply	 ir = SOCKBROKER__IF_NAMEINDEX_REPLY__INIT;
	Sockbroker__Interface		*ifs, **ptrs;
	struct if_nameindex		*list;
	size_t				 i, n;

	if ((list = if_nameindex()) == NULL) {
		reply_errno(s, req->id, errno, "if_nameindex");
		return (OP_DONE);
	}
	for (n = 0; list[n].if_index != 0; n++)
		;
	ifs = xcalloc(n + 1, sizeof *ifs);
	ptrs = xcalloc(n + 1, sizeof *ptrs);
	for (i = 0; i < n; i++) {
		sockbroker__interface__init(&ifs[i]);
		ifs[i].index = list[i].if_index;
		ifs[i].name = list[i].if_name;
		ptrs[i] = &ifs[i];
	}
	ir.interfaces = ptrs;
	ir.n_interfaces = n;
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_INTERFACES;
	resp.interfaces = &ir;
	reply_send(s, &resp);
	free(ifs);
	free(ptrs);
	if_freenameindex(list);
	return (OP_DONE);
}

/* if_nametoindex. */
enum op_result
op_if_nametoindex(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__IndexReply	 ir = SOCKBROKER__INDEX_REPLY__INIT;
	const char		*name = req->if_nametoindex->name;

	if (strlen(name) >= IF_NAMESIZE) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENODEV,
		    "if_nametoindex: interface name too long");
		return (OP_DONE);
	}
	if ((ir.index = if_nametoindex(name)) == 0) {
		reply_errno(s, req->id, errno, "if_nametoindex");
		return (OP_DONE);
	}
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_INDEX;
	resp.index = &ir;
	reply_send(s, &resp);
	return (OP_DONE);
}

/* if_indextoname. */
enum op_result
op_if_indextoname(struct session *s, Sockbroker__Request *req)
{
	char	 name[IF_NAMESIZE];

	if (req->if_indextoname->index == 0 ||
	    if_indextoname(req->if_indextoname->index, name) == NULL) {
		reply_errno(s, req->id, req->if_indextoname->index == 0 ?
		    ENXIO : errno, "if_indextoname");
		return (OP_DONE);
	}
	reply_name(s, req->id, name);
	return (OP_DONE);
}
