/* SPDX-License-Identifier: ISC */
/*
 * Writes the seed corpus of the fuzz target: each seed is what a client
 * could send on one connection, a stream of frames (a hello, then requests),
 * and a few are deliberately broken. Usage: gen DIR. The seeds are
 * committed under tests/fuzz/corpus; run this again after a protocol change.
 *
 * Handles are predictable: a session's first socket is 0x10000 (slot 0,
 * generation 1), its second 0x10001, and so on.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbproto.h"

#define GEN_H1	0x10000u	/* the first handle of a session */
#define GEN_H2	0x10001u
#define GEN_H3	0x10002u

/* The seed being written. */
struct gen {
	FILE		*f;
	uint64_t	 id;
};

static void	gen_open(struct gen *, const char *, const char *);
static void	gen_close(struct gen *);
static void	gen_request(struct gen *, Sockbroker__Request *);
static void	gen_raw(struct gen *, const void *, size_t);
static void	gen_hello(struct gen *);
static void	gen_socket(struct gen *, int, int, int);
static void	gen_inet(Sockbroker__Address *, Sockbroker__InetAddress *,
		    const char *, uint32_t);
static void	gen_bind_inet(struct gen *, uint32_t, const char *, uint32_t);
static void	gen_connect_inet(struct gen *, uint32_t, const char *,
		    uint32_t, double);
static void	gen_listen(struct gen *, uint32_t);
static void	gen_accept(struct gen *, uint32_t, double);
static void	gen_send(struct gen *, uint32_t, const char *,
		    Sockbroker__Address *);
static void	gen_recv(struct gen *, uint32_t, uint32_t, double, int);
static void	gen_sockname(struct gen *, uint32_t, int);
static void	gen_close_handle(struct gen *, uint32_t);
static void	gen_opt(struct gen *, uint32_t, int, int, int);
static void	gen_seeds_inet(const char *);
static void	gen_seeds_opts(const char *);
static void	gen_seeds_names(const char *);
static void	gen_seeds_host(const char *);
static void	gen_seeds_msg(const char *);
static void	gen_seeds_families(const char *);
static void	gen_seeds_bad(const char *);

/* Starts the seed file DIR/NAME. */
static void
gen_open(struct gen *g, const char *dir, const char *name)
{
	char	path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((g->f = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	g->id = 1;
}

/* Finishes the seed being written. */
static void
gen_close(struct gen *g)
{
	if (fclose(g->f) != 0) {
		perror("gen: fclose");
		exit(1);
	}
	g->f = NULL;
}

/* Appends bytes as they are. */
static void
gen_raw(struct gen *g, const void *buf, size_t len)
{
	if (fwrite(buf, 1, len, g->f) != len) {
		perror("gen: fwrite");
		exit(1);
	}
}

/* Appends req as one frame, with the next request id. */
static void
gen_request(struct gen *g, Sockbroker__Request *req)
{
	uint8_t	*buf;
	size_t	 len;

	req->id = g->id++;
	if (sbp_frame_pack(&req->base, SBP_MAX_FRAME, &buf, &len) == -1) {
		perror("gen: sbp_frame_pack");
		exit(1);
	}
	gen_raw(g, buf, len);
	free(buf);
}

/* Hello, announcing the largest frame. */
static void
gen_hello(struct gen *g)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest	r = SOCKBROKER__HELLO_REQUEST__INIT;

	r.version = SBP_VERSION;
	r.has_max_frame = 1;
	r.max_frame = SBP_MAX_FRAME;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &r;
	gen_request(g, &req);
}

/* socket(family, type, protocol). */
static void
gen_socket(struct gen *g, int family, int type, int protocol)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocketRequest	r = SOCKBROKER__SOCKET_REQUEST__INIT;

	r.family = family;
	r.type = type;
	r.has_protocol = protocol != 0;
	r.protocol = protocol;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKET;
	req.socket = &r;
	gen_request(g, &req);
}

/* Fills an inet or inet6 Address (by the host's form). */
static void
gen_inet(Sockbroker__Address *a, Sockbroker__InetAddress *in,
    const char *host, uint32_t port)
{
	sockbroker__address__init(a);
	sockbroker__inet_address__init(in);
	in->host = (char *)host;
	in->port = port;
	if (strchr(host, ':') != NULL) {
		/* Inet6Address starts with the same two fields. */
		static Sockbroker__Inet6Address	in6;

		sockbroker__inet6_address__init(&in6);
		in6.host = (char *)host;
		in6.port = port;
		a->addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
		a->inet6 = &in6;
		return;
	}
	a->addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	a->inet = in;
}

/* bind(h, host:port). */
static void
gen_bind_inet(struct gen *g, uint32_t h, const char *host, uint32_t port)
{
	Sockbroker__Request	req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__BindRequest	r = SOCKBROKER__BIND_REQUEST__INIT;
	Sockbroker__Address	a;
	Sockbroker__InetAddress	in;

	gen_inet(&a, &in, host, port);
	r.handle = h;
	r.address = &a;
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &r;
	gen_request(g, &req);
}

/* connect(h, host:port) with a timeout (negative: none). */
static void
gen_connect_inet(struct gen *g, uint32_t h, const char *host, uint32_t port,
    double timeout)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ConnectRequest	r = SOCKBROKER__CONNECT_REQUEST__INIT;
	Sockbroker__Address		a;
	Sockbroker__InetAddress		in;

	gen_inet(&a, &in, host, port);
	r.handle = h;
	r.address = &a;
	r.has_timeout = timeout >= 0;
	r.timeout = timeout;
	req.op_case = SOCKBROKER__REQUEST__OP_CONNECT;
	req.connect = &r;
	gen_request(g, &req);
}

/* listen(h, 8). */
static void
gen_listen(struct gen *g, uint32_t h)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__ListenRequest	r = SOCKBROKER__LISTEN_REQUEST__INIT;

	r.handle = h;
	r.has_backlog = 1;
	r.backlog = 8;
	req.op_case = SOCKBROKER__REQUEST__OP_LISTEN;
	req.listen = &r;
	gen_request(g, &req);
}

/* accept(h) with a timeout (negative: none). */
static void
gen_accept(struct gen *g, uint32_t h, double timeout)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__AcceptRequest	r = SOCKBROKER__ACCEPT_REQUEST__INIT;

	r.handle = h;
	r.has_timeout = timeout >= 0;
	r.timeout = timeout;
	req.op_case = SOCKBROKER__REQUEST__OP_ACCEPT;
	req.accept = &r;
	gen_request(g, &req);
}

/* send(h, data) or sendto(h, data, a). */
static void
gen_send(struct gen *g, uint32_t h, const char *data, Sockbroker__Address *a)
{
	Sockbroker__Request	req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendRequest	r = SOCKBROKER__SEND_REQUEST__INIT;

	r.handle = h;
	r.data.data = (uint8_t *)data;
	r.data.len = strlen(data);
	r.address = a;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &r;
	gen_request(g, &req);
}

/* recv(h, bufsize) or recvfrom, with a timeout (negative: none). */
static void
gen_recv(struct gen *g, uint32_t h, uint32_t bufsize, double timeout,
    int from)
{
	Sockbroker__Request	req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__RecvRequest	r = SOCKBROKER__RECV_REQUEST__INIT;

	r.handle = h;
	r.bufsize = bufsize;
	r.has_timeout = timeout >= 0;
	r.timeout = timeout;
	r.has_from = from;
	r.from = from;
	req.op_case = SOCKBROKER__REQUEST__OP_RECV;
	req.recv = &r;
	gen_request(g, &req);
}

/* getsockname(h) or getpeername(h). */
static void
gen_sockname(struct gen *g, uint32_t h, int peer)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocknameRequest	r = SOCKBROKER__SOCKNAME_REQUEST__INIT;

	r.handle = h;
	r.has_peer = peer;
	r.peer = peer;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKNAME;
	req.sockname = &r;
	gen_request(g, &req);
}

/* close(h). */
static void
gen_close_handle(struct gen *g, uint32_t h)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__CloseRequest	r = SOCKBROKER__CLOSE_REQUEST__INIT;

	r.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_CLOSE;
	req.close = &r;
	gen_request(g, &req);
}

/* Seeds of the socket life cycle over TCP and UDP. */
static void
gen_seeds_inet(const char *dir)
{
	struct gen		g;
	Sockbroker__Address	a;
	Sockbroker__InetAddress	in;

	gen_open(&g, dir, "hello");
	gen_hello(&g);
	gen_close(&g);

	gen_open(&g, dir, "socket-close");
	gen_hello(&g);
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_socket(&g, AF_INET6, SOCK_DGRAM, 0);
	gen_close_handle(&g, GEN_H1);
	gen_close_handle(&g, GEN_H1);	/* stale: EBADF */
	gen_close(&g);

	gen_open(&g, dir, "tcp-loopback");
	gen_hello(&g);
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_bind_inet(&g, GEN_H1, "127.0.0.1", 40000);
	gen_listen(&g, GEN_H1);
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_connect_inet(&g, GEN_H2, "127.0.0.1", 40000, 1);
	gen_accept(&g, GEN_H1, 1);
	gen_send(&g, GEN_H2, "hello over tcp", NULL);
	gen_recv(&g, GEN_H3, 64, 1, 0);
	gen_sockname(&g, GEN_H3, 1);
	gen_close(&g);

	gen_open(&g, dir, "udp-sendto-self");
	gen_hello(&g);
	gen_socket(&g, AF_INET, SOCK_DGRAM, 0);
	gen_bind_inet(&g, GEN_H1, "127.0.0.1", 40001);
	gen_sockname(&g, GEN_H1, 0);
	gen_inet(&a, &in, "127.0.0.1", 40001);
	gen_send(&g, GEN_H1, "datagram", &a);
	gen_recv(&g, GEN_H1, 100, 0, 1);
	gen_close(&g);

	gen_open(&g, dir, "udp6-connect");
	gen_hello(&g);
	gen_socket(&g, AF_INET6, SOCK_DGRAM, 0);
	gen_connect_inet(&g, GEN_H1, "::1", 40002, -1);
	gen_send(&g, GEN_H1, "x", NULL);
	gen_recv(&g, GEN_H1, 10, 0.001, 0);
	gen_close(&g);

	gen_open(&g, dir, "tcp-refused-parked");
	gen_hello(&g);
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_connect_inet(&g, GEN_H1, "127.0.0.1", 1, -1);
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_listen(&g, GEN_H2);
	gen_accept(&g, GEN_H2, -1);	/* parked until the client leaves */
	gen_recv(&g, GEN_H1, 0, 0, 0);
	gen_close(&g);
}

/* setsockopt(h, level, name, int) and getsockopt of the same. */
static void
gen_opt(struct gen *g, uint32_t h, int level, int name, int value)
{
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest	s = SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	Sockbroker__GetsockoptRequest	r = SOCKBROKER__GETSOCKOPT_REQUEST__INIT;

	s.handle = h;
	s.level = level;
	s.optname = name;
	s.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_INT_VALUE;
	s.int_value = value;
	req.op_case = SOCKBROKER__REQUEST__OP_SETSOCKOPT;
	req.setsockopt = &s;
	gen_request(g, &req);

	sockbroker__request__init(&req);
	r.handle = h;
	r.level = level;
	r.optname = name;
	req.op_case = SOCKBROKER__REQUEST__OP_GETSOCKOPT;
	req.getsockopt = &r;
	gen_request(g, &req);
}

/* Seeds of options, ioctl, shutdown and dup. */
static void
gen_seeds_opts(const char *dir)
{
	struct gen			g;
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest	s = SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	Sockbroker__IoctlRequest	io = SOCKBROKER__IOCTL_REQUEST__INIT;
	Sockbroker__ShutdownRequest	sh = SOCKBROKER__SHUTDOWN_REQUEST__INIT;
	Sockbroker__DupRequest		d = SOCKBROKER__DUP_REQUEST__INIT;
	static const char		 ifname[] = "lo";

	gen_open(&g, dir, "sockopt");
	gen_hello(&g);
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_opt(&g, GEN_H1, SOL_SOCKET, SO_REUSEADDR, 1);
	gen_opt(&g, GEN_H1, SOL_SOCKET, SO_RCVBUF, 65536);
	gen_opt(&g, GEN_H1, IPPROTO_TCP, TCP_NODELAY, 1);
	s.handle = GEN_H1;
	s.level = SOL_SOCKET;
	s.optname = SO_BINDTODEVICE;
	s.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_RAW_VALUE;
	s.raw_value.data = (uint8_t *)ifname;
	s.raw_value.len = sizeof ifname;
	req.op_case = SOCKBROKER__REQUEST__OP_SETSOCKOPT;
	req.setsockopt = &s;
	gen_request(&g, &req);
	/* AF_ALG's key (bytes) and tag size (a NULL value of a length). */
	s.level = SOL_ALG;
	s.optname = ALG_SET_KEY;
	s.raw_value.data = (uint8_t *)"Jefe";
	s.raw_value.len = 4;
	gen_request(&g, &req);
	s.optname = ALG_SET_AEAD_AUTHSIZE;
	s.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_NULL_LENGTH;
	s.null_length = 16;
	gen_request(&g, &req);
	gen_close(&g);

	gen_open(&g, dir, "ioctl-shutdown-dup");
	gen_hello(&g);
	gen_socket(&g, AF_INET, SOCK_DGRAM, 0);
	io.handle = GEN_H1;
	io.request = FIONREAD;
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_IOCTL;
	req.ioctl = &io;
	gen_request(&g, &req);
	d.handle = GEN_H1;
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_DUP;
	req.dup = &d;
	gen_request(&g, &req);
	sh.handle = GEN_H2;
	sh.how = SHUT_RDWR;
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_SHUTDOWN;
	req.shutdown = &sh;
	gen_request(&g, &req);
	gen_close(&g);
}

/* Seeds of the lookups (answered by the resolver threads or at once). */
static void
gen_seeds_names(const char *dir)
{
	struct gen				g;
	Sockbroker__Request			req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetaddrinfoRequest		ai =
	    SOCKBROKER__GETADDRINFO_REQUEST__INIT;
	Sockbroker__GetnameinfoRequest		ni =
	    SOCKBROKER__GETNAMEINFO_REQUEST__INIT;
	Sockbroker__IfNameindexRequest		ix =
	    SOCKBROKER__IF_NAMEINDEX_REQUEST__INIT;
	Sockbroker__IfNametoindexRequest	nt =
	    SOCKBROKER__IF_NAMETOINDEX_REQUEST__INIT;
	Sockbroker__IfIndextonameRequest	it =
	    SOCKBROKER__IF_INDEXTONAME_REQUEST__INIT;
	Sockbroker__GethostnameRequest		hn =
	    SOCKBROKER__GETHOSTNAME_REQUEST__INIT;
	Sockbroker__Address			a;
	Sockbroker__InetAddress			in;

	gen_open(&g, dir, "getaddrinfo");
	gen_hello(&g);
	ai.host = "localhost";
	ai.service = "80";
	ai.has_family = 1;
	ai.family = AF_UNSPEC;
	ai.has_type = 1;
	ai.type = SOCK_STREAM;
	req.op_case = SOCKBROKER__REQUEST__OP_GETADDRINFO;
	req.getaddrinfo = &ai;
	gen_request(&g, &req);
	gen_inet(&a, &in, "127.0.0.1", 22);
	ni.address = &a;
	ni.has_flags = 1;
	ni.flags = 1 | 2;	/* NI_NUMERICHOST | NI_NUMERICSERV */
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETNAMEINFO;
	req.getnameinfo = &ni;
	gen_request(&g, &req);
	gen_close(&g);

	gen_open(&g, dir, "interfaces");
	gen_hello(&g);
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_IF_NAMEINDEX;
	req.if_nameindex = &ix;
	gen_request(&g, &req);
	nt.name = "lo";
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_IF_NAMETOINDEX;
	req.if_nametoindex = &nt;
	gen_request(&g, &req);
	it.index = 1;
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_IF_INDEXTONAME;
	req.if_indextoname = &it;
	gen_request(&g, &req);
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTNAME;
	req.gethostname = &hn;
	gen_request(&g, &req);
	gen_close(&g);
}

/* Seeds of the gethostby*, getservby*, getprotobyname and getfqdn family. */
static void
gen_seeds_host(const char *dir)
{
	struct gen				g;
	Sockbroker__Request			req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GethostbynameRequest	hn =
	    SOCKBROKER__GETHOSTBYNAME_REQUEST__INIT;
	Sockbroker__GethostbyaddrRequest	ha =
	    SOCKBROKER__GETHOSTBYADDR_REQUEST__INIT;
	Sockbroker__GetfqdnRequest		fq =
	    SOCKBROKER__GETFQDN_REQUEST__INIT;
	Sockbroker__GetservbynameRequest	sn =
	    SOCKBROKER__GETSERVBYNAME_REQUEST__INIT;
	Sockbroker__GetservbyportRequest	sp =
	    SOCKBROKER__GETSERVBYPORT_REQUEST__INIT;
	Sockbroker__GetprotobynameRequest	pn =
	    SOCKBROKER__GETPROTOBYNAME_REQUEST__INIT;

	gen_open(&g, dir, "host-lookups");
	gen_hello(&g);
	hn.name = "localhost";
	hn.has_ex = 1;
	hn.ex = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTBYNAME;
	req.gethostbyname = &hn;
	gen_request(&g, &req);
	ha.address = "127.0.0.1";
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTBYADDR;
	req.gethostbyaddr = &ha;
	gen_request(&g, &req);
	fq.name = "localhost";
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETFQDN;
	req.getfqdn = &fq;
	gen_request(&g, &req);
	gen_close(&g);

	gen_open(&g, dir, "serv-proto");
	gen_hello(&g);
	sn.name = "http";
	sn.proto = "tcp";
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETSERVBYNAME;
	req.getservbyname = &sn;
	gen_request(&g, &req);
	sp.port = 53;
	sp.proto = "udp";
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETSERVBYPORT;
	req.getservbyport = &sp;
	gen_request(&g, &req);
	pn.name = "icmp";
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_GETPROTOBYNAME;
	req.getprotobyname = &pn;
	gen_request(&g, &req);
	gen_close(&g);
}

/* Seeds of sendmsg/recvmsg with ancillary data, and of AF_UNIX names. */
static void
gen_seeds_msg(const char *dir)
{
	struct gen			g;
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendmsgRequest	sm = SOCKBROKER__SENDMSG_REQUEST__INIT;
	Sockbroker__RecvmsgRequest	rm = SOCKBROKER__RECVMSG_REQUEST__INIT;
	Sockbroker__BindRequest		b = SOCKBROKER__BIND_REQUEST__INIT;
	Sockbroker__Ancillary		anc = SOCKBROKER__ANCILLARY__INIT;
	Sockbroker__Ancillary		*ancs[1] = { &anc };
	Sockbroker__Address		a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__UnixAddress		un = SOCKBROKER__UNIX_ADDRESS__INIT;
	ProtobufCBinaryData		bufs[2];
	int				fd = 0;

	gen_open(&g, dir, "unix-sendmsg-rights");
	gen_hello(&g);
	gen_socket(&g, AF_UNIX, SOCK_DGRAM, 0);
	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT;
	un.abstract.data = (uint8_t *)"sbfuzz";
	un.abstract.len = 6;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	a.un = &un;
	b.handle = GEN_H1;
	b.address = &a;
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &b;
	gen_request(&g, &req);
	bufs[0].data = (uint8_t *)"two ";
	bufs[0].len = 4;
	bufs[1].data = (uint8_t *)"buffers";
	bufs[1].len = 7;
	anc.level = SOL_SOCKET;
	anc.type = SCM_RIGHTS;
	anc.data.data = (uint8_t *)&fd;
	anc.data.len = sizeof fd;
	sm.handle = GEN_H1;
	sm.buffers = bufs;
	sm.n_buffers = 2;
	sm.ancillary = ancs;
	sm.n_ancillary = 1;
	sm.address = &a;
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_SENDMSG;
	req.sendmsg = &sm;
	gen_request(&g, &req);
	sm.n_ancillary = 0;
	gen_request(&g, &req);
	rm.handle = GEN_H1;
	rm.bufsize = 64;
	rm.has_ancbufsize = 1;
	rm.ancbufsize = 64;
	rm.has_timeout = 1;
	rm.timeout = 0;
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_RECVMSG;
	req.recvmsg = &rm;
	gen_request(&g, &req);
	gen_close(&g);

	gen_open(&g, dir, "unix-path");
	gen_hello(&g);
	gen_socket(&g, AF_UNIX, SOCK_STREAM, 0);
	un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_PATH;
	un.path = "sbfuzz.sock";	/* in the working directory */
	sockbroker__request__init(&req);
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &b;
	gen_request(&g, &req);
	gen_listen(&g, GEN_H1);
	gen_sockname(&g, GEN_H1, 0);
	gen_close(&g);
}

/* Seeds of the other families: netlink and packet. */
static void
gen_seeds_families(const char *dir)
{
	struct gen			g;
	Sockbroker__Request		req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendRequest		s = SOCKBROKER__SEND_REQUEST__INIT;
	struct {
		struct nlmsghdr	nh;
		struct rtgenmsg	g;
	} __attribute__((__packed__)) dump;

	gen_open(&g, dir, "netlink-getlink");
	gen_hello(&g);
	gen_socket(&g, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	memset(&dump, 0, sizeof dump);
	dump.nh.nlmsg_len = sizeof dump;
	dump.nh.nlmsg_type = RTM_GETLINK;
	dump.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	dump.nh.nlmsg_seq = 1;
	dump.g.rtgen_family = AF_UNSPEC;
	s.handle = GEN_H1;
	s.data.data = (uint8_t *)&dump;
	s.data.len = sizeof dump;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &s;
	gen_request(&g, &req);
	gen_recv(&g, GEN_H1, 8192, 0.1, 1);
	gen_close(&g);

	gen_open(&g, dir, "packet-socket");
	gen_hello(&g);
	gen_socket(&g, AF_PACKET, SOCK_DGRAM, 0x0300);	/* htons(ETH_P_ALL) */
	gen_sockname(&g, GEN_H1, 0);
	gen_recv(&g, GEN_H1, 1500, 0, 1);
	gen_close(&g);
}

/* Seeds that break the framing or the protocol. */
static void
gen_seeds_bad(const char *dir)
{
	static const uint8_t	over[] = { 0x00, 0x10, 0x00, 0x01, 0x08, 0x01 };
	static const uint8_t	empty[] = { 0, 0, 0, 0 };
	static const uint8_t	trunc[] = { 0, 0, 0, 6, 0x08, 0x01, 0x12, 0x10,
				    0x08 };
	static const uint8_t	garbage[] = { 0, 0, 0, 8, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0xff };
	struct gen		g;
	Sockbroker__Request	req = SOCKBROKER__REQUEST__INIT;

	gen_open(&g, dir, "bad-over-max");
	gen_raw(&g, over, sizeof over);
	gen_close(&g);

	gen_open(&g, dir, "bad-empty-frame");
	gen_raw(&g, empty, sizeof empty);
	gen_close(&g);

	gen_open(&g, dir, "bad-truncated");
	gen_hello(&g);
	gen_raw(&g, trunc, sizeof trunc);
	gen_close(&g);

	gen_open(&g, dir, "bad-garbage");
	gen_raw(&g, garbage, sizeof garbage);
	gen_close(&g);

	gen_open(&g, dir, "bad-no-hello");
	gen_socket(&g, AF_INET, SOCK_STREAM, 0);
	gen_hello(&g);
	gen_hello(&g);
	req.op_case = SOCKBROKER__REQUEST__OP__NOT_SET;
	gen_request(&g, &req);
	gen_close(&g);
}

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen DIR\n");
		return (2);
	}
	gen_seeds_inet(argv[1]);
	gen_seeds_opts(argv[1]);
	gen_seeds_names(argv[1]);
	gen_seeds_host(argv[1]);
	gen_seeds_msg(argv[1]);
	gen_seeds_families(argv[1]);
	gen_seeds_bad(argv[1]);
	return (0);
}
