/* SPDX-License-Identifier: ISC */
/*
 * Names and interfaces, answered by the daemon: gethostname, getaddrinfo,
 * getnameinfo and the if_* functions.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* One getaddrinfo result with the storage it points into: one allocation. */
struct sb_name_ai {
	struct addrinfo		 ai;
	struct sockaddr_storage	 ss;
	char			 canonname[];
};

static int	 sb_name_gaierror(void);
static int	 sb_name_ai_add(struct sb_conn *, const Sockbroker__AddrinfoEntry *,
		     struct addrinfo ***);
static int	 sb_name_ai_list(struct sb_conn *, const Sockbroker__AddrinfoReply *,
		     struct addrinfo **);
static int	 sb_name_copy(char *, size_t, const char *);
static char	*sb_name_call(struct sb_conn *, Sockbroker__Request *, char *,
		     size_t);

/* The EAI_* code for a failed call: the daemon's, or EAI_SYSTEM. */
static int
sb_name_gaierror(void)
{
	const struct sb_error	*e = sb_lasterror();

	if (e->kind == SB_ERR_GAI && e->errnum != 0)
		return (e->errnum);
	return (EAI_SYSTEM);
}

/* Copies a string into a buffer of size bytes; -1 if it does not fit. */
static int
sb_name_copy(char *buf, size_t size, const char *s)
{
	size_t	 len = strlen(s);

	if (len >= size)
		return (-1);
	memcpy(buf, s, len + 1);
	return (0);
}

/* Sends a request answered by a NameReply and copies the name into buf. */
static char *
sb_name_call(struct sb_conn *c, Sockbroker__Request *req, char *buf,
    size_t size)
{
	Sockbroker__Response	*resp;
	int			 r;

	if (conn_call(c, req, SOCKBROKER__RESPONSE__RESULT_NAME, &resp) == -1)
		return (NULL);
	r = sb_name_copy(buf, size, resp->name->name);
	sockbroker__response__free_unpacked(resp, NULL);
	if (r == -1) {
		conn_oserror(ENAMETOOLONG, "name too long");
		return (NULL);
	}
	return (buf);
}

/* The daemon's host name, as gethostname(2). */
SB_EXPORT int
sb_gethostname(sb_conn *c, char *name, size_t len)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GethostnameRequest op = SOCKBROKER__GETHOSTNAME_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (-1);
	if (name == NULL && len > 0)
		return (conn_oserror(EFAULT, "no buffer"));
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTNAME;
	req.gethostname = &op;
	return (sb_name_call(c, &req, name, len) == NULL ? -1 : 0);
}

/* Appends one AddrinfoEntry as a struct addrinfo at **tail. */
static int
sb_name_ai_add(struct sb_conn *c, const Sockbroker__AddrinfoEntry *e,
    struct addrinfo ***tail)
{
	struct sb_name_ai	*n;
	size_t			 clen = 0;
	socklen_t		 len = sizeof n->ss;

	if (e->canonname != NULL)
		clen = strlen(e->canonname) + 1;
	if ((n = calloc(1, sizeof *n + clen)) == NULL)
		return (conn_oserror(ENOMEM, "out of memory"));
	if (conn_address_to(c, e->address, (struct sockaddr *)&n->ss,
	    &len) == -1) {
		free(n);
		return (-1);
	}
	n->ai.ai_family = e->family;
	n->ai.ai_socktype = e->type;
	n->ai.ai_protocol = e->protocol;
	n->ai.ai_addrlen = len;
	n->ai.ai_addr = (struct sockaddr *)&n->ss;
	if (e->canonname != NULL) {
		memcpy(n->canonname, e->canonname, clen);
		n->ai.ai_canonname = n->canonname;
	}
	**tail = &n->ai;
	*tail = &n->ai.ai_next;
	return (0);
}

/* Builds the struct addrinfo list of an AddrinfoReply. */
static int
sb_name_ai_list(struct sb_conn *c, const Sockbroker__AddrinfoReply *r,
    struct addrinfo **res)
{
	struct addrinfo	**tail = res;
	size_t		  i;

	*res = NULL;
	for (i = 0; i < r->n_entries; i++) {
		if (sb_name_ai_add(c, r->entries[i], &tail) == -1) {
			sb_freeaddrinfo(*res);
			*res = NULL;
			return (-1);
		}
	}
	return (0);
}

/* Resolves node and service in the daemon, as getaddrinfo(3). */
SB_EXPORT int
sb_getaddrinfo(sb_conn *c, const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetaddrinfoRequest op = SOCKBROKER__GETADDRINFO_REQUEST__INIT;
	Sockbroker__Response	*resp;
	int			 r;

	if (conn_valid(c) == -1)
		return (EAI_SYSTEM);
	if (res == NULL) {
		conn_oserror(EFAULT, "no result pointer");
		return (EAI_SYSTEM);
	}
	*res = NULL;
	if (node == NULL && service == NULL) {
		conn_seterror(EAI_NONAME, SB_ERR_GAI, "no node or service");
		return (EAI_NONAME);
	}
	op.host = (char *)node;
	op.service = (char *)service;
	if (hints != NULL) {
		op.has_family = op.has_type = 1;
		op.has_protocol = op.has_flags = 1;
		op.family = hints->ai_family;
		op.type = hints->ai_socktype;
		op.protocol = hints->ai_protocol;
		op.flags = hints->ai_flags;
	}
	req.op_case = SOCKBROKER__REQUEST__OP_GETADDRINFO;
	req.getaddrinfo = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_ADDRINFO,
	    &resp) == -1)
		return (sb_name_gaierror());
	r = sb_name_ai_list(c, resp->addrinfo, res);
	sockbroker__response__free_unpacked(resp, NULL);
	if (r == -1)
		return (EAI_SYSTEM);
	if (*res == NULL) {
		conn_seterror(EAI_NONAME, SB_ERR_GAI, "no address");
		return (EAI_NONAME);
	}
	return (0);
}

/* Frees a list from sb_getaddrinfo(); NULL is ok. */
SB_EXPORT void
sb_freeaddrinfo(struct addrinfo *res)
{
	struct addrinfo	*next;

	for (; res != NULL; res = next) {
		next = res->ai_next;
		free(res);
	}
}

/* Turns an address into names in the daemon, as getnameinfo(3). */
SB_EXPORT int
sb_getnameinfo(sb_conn *c, const struct sockaddr *addr, socklen_t addrlen,
    char *host, socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetnameinfoRequest op = SOCKBROKER__GETNAMEINFO_REQUEST__INIT;
	Sockbroker__Response	*resp;
	struct sbp_address	 a;
	int			 r = 0;

	if (conn_valid(c) == -1)
		return (EAI_SYSTEM);
	if ((host == NULL || hostlen == 0) && (serv == NULL || servlen == 0)) {
		conn_seterror(EAI_NONAME, SB_ERR_GAI, "no host or service");
		return (EAI_NONAME);
	}
	if (conn_address_from(&a, addr, addrlen, 0) == -1) {
		conn_seterror(EAI_FAMILY, SB_ERR_GAI, sb_lasterror()->message);
		return (EAI_FAMILY);
	}
	op.address = &a.addr;
	op.has_flags = 1;
	op.flags = flags;
	req.op_case = SOCKBROKER__REQUEST__OP_GETNAMEINFO;
	req.getnameinfo = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_NAMEINFO,
	    &resp) == -1)
		return (sb_name_gaierror());
	if (host != NULL && hostlen > 0 &&
	    sb_name_copy(host, hostlen, resp->nameinfo->host) == -1)
		r = EAI_OVERFLOW;
	if (serv != NULL && servlen > 0 &&
	    sb_name_copy(serv, servlen, resp->nameinfo->service) == -1)
		r = EAI_OVERFLOW;
	sockbroker__response__free_unpacked(resp, NULL);
	if (r != 0)
		conn_seterror(r, SB_ERR_GAI, "buffer too small");
	return (r);
}

/* The daemon's interfaces, as if_nameindex(3). */
SB_EXPORT struct if_nameindex *
sb_if_nameindex(sb_conn *c)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__IfNameindexRequest op = SOCKBROKER__IF_NAMEINDEX_REQUEST__INIT;
	Sockbroker__Response	*resp;
	Sockbroker__IfNameindexReply *r;
	struct if_nameindex	*ifs;
	size_t			 i, n = 0;

	if (conn_valid(c) == -1)
		return (NULL);
	req.op_case = SOCKBROKER__REQUEST__OP_IF_NAMEINDEX;
	req.if_nameindex = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_INTERFACES,
	    &resp) == -1)
		return (NULL);
	r = resp->interfaces;
	if ((ifs = calloc(r->n_interfaces + 1, sizeof *ifs)) == NULL)
		goto fail;
	for (i = 0; i < r->n_interfaces; i++) {
		if (r->interfaces[i]->index == 0)
			continue;
		ifs[n].if_index = r->interfaces[i]->index;
		if ((ifs[n].if_name = strdup(r->interfaces[i]->name)) == NULL)
			goto fail;
		n++;
	}
	sockbroker__response__free_unpacked(resp, NULL);
	return (ifs);

fail:
	sockbroker__response__free_unpacked(resp, NULL);
	sb_if_freenameindex(ifs);
	conn_oserror(ENOMEM, "out of memory");
	return (NULL);
}

/* Frees an array from sb_if_nameindex(); NULL is ok. */
SB_EXPORT void
sb_if_freenameindex(struct if_nameindex *ptr)
{
	struct if_nameindex	*p;

	if (ptr == NULL)
		return;
	for (p = ptr; p->if_index != 0 || p->if_name != NULL; p++)
		free(p->if_name);
	free(ptr);
}

/* The index of a daemon-side interface; 0 with errno on failure. */
SB_EXPORT unsigned int
sb_if_nametoindex(sb_conn *c, const char *ifname)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__IfNametoindexRequest op =
	    SOCKBROKER__IF_NAMETOINDEX_REQUEST__INIT;
	Sockbroker__Response	*resp;
	unsigned int		 index;

	if (conn_valid(c) == -1)
		return (0);
	if (ifname == NULL) {
		conn_oserror(EFAULT, "no interface name");
		return (0);
	}
	if (strlen(ifname) >= IF_NAMESIZE) {
		conn_oserror(ENODEV, "interface name too long");
		return (0);
	}
	op.name = (char *)ifname;
	req.op_case = SOCKBROKER__REQUEST__OP_IF_NAMETOINDEX;
	req.if_nametoindex = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_INDEX, &resp) == -1)
		return (0);
	index = resp->index->index;
	sockbroker__response__free_unpacked(resp, NULL);
	if (index == 0)
		conn_oserror(ENODEV, "no such interface");
	return (index);
}

/* The name of a daemon-side interface, into IF_NAMESIZE bytes at ifname. */
SB_EXPORT char *
sb_if_indextoname(sb_conn *c, unsigned int ifindex, char *ifname)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__IfIndextonameRequest op =
	    SOCKBROKER__IF_INDEXTONAME_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (NULL);
	if (ifname == NULL) {
		conn_oserror(EFAULT, "no buffer");
		return (NULL);
	}
	op.index = ifindex;
	req.op_case = SOCKBROKER__REQUEST__OP_IF_INDEXTONAME;
	req.if_indextoname = &op;
	return (sb_name_call(c, &req, ifname, IF_NAMESIZE));
}
