/* SPDX-License-Identifier: ISC */
/*
 * sockbrokerd: the daemon's private header. Prototypes are grouped by the
 * file that defines them.
 */

#ifndef SOCKBROKERD_H
#define SOCKBROKERD_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "sbproto.h"
#include "policy.h"
#include "kernel.h"

#define SBD_MAX_HANDLES		1024	/* per client, default */
#define SBD_MAX_CLIENTS		4096	/* default */
#define SBD_MAX_PENDING		1024	/* parked requests per client */
#define SBD_MAX_QUEUED		(8 * 1024 * 1024) /* reply bytes per client */
#define SBD_HANDLE_SLOTS	0x10000	/* slot part of a handle: 16 bits */
#define SBD_HANDLE_INITIAL	8	/* slots a table starts with; doubles */
#define SBD_TRIM_FREES		64	/* session frees before a malloc_trim */
#define SBD_MAX_TIMEOUT		1e9	/* seconds; larger is EINVAL */
#define SBD_AUDIT_RATE		100	/* audit lines per second, default */
#define SBD_SHARE_TTL		60	/* seconds a share token lives, default */
#define SBD_USER		"sockbroker" /* --user default */

struct sbd_config {
	const char	*listen_path;
	mode_t		 socket_mode;
	int		 foreground;
	int		 verbose;
	unsigned int	 max_handles;
	unsigned int	 max_clients;
	unsigned int	 max_frame;
	unsigned int	 max_pending;
	size_t		 max_queued;
	unsigned int	 share_ttl;	/* seconds a share token lives */
	const char	*audit_file;	/* NULL: syslog or stderr only */
	unsigned int	 audit_rate;	/* lines per second */
	const char	*user;		/* to drop to when started as root */
	int		 no_privdrop;	/* tests only: keep root */
	const char	*policy_path;
};

extern struct sbd_config	 sbd_conf;
extern struct event_base	*sbd_base;
extern struct policy		*sbd_policy;	/* never NULL once running */

/* What an operation did with its request. */
enum op_result {
	OP_DONE,	/* answered; the caller frees the request */
	OP_PARKED,	/* a waiter owns the request now */
};

/* Which readiness a parked request waits for. */
enum wait_dir {
	WAIT_READ,
	WAIT_WRITE,
};

struct session;
struct handle;
struct waiter;
struct io_start;
struct channel;

/*
 * One attempt at a request that may block: returns OP_DONE after answering
 * (success or error), or OP_PARKED if it would block and must wait for the
 * handle to become ready again.
 */
typedef enum op_result (*wait_fn)(struct session *, struct handle *,
    struct waiter *);

/* A request parked until its handle is ready or its timeout fires. */
struct waiter {
	TAILQ_ENTRY(waiter)	 entry;
	struct session		*session;
	struct handle		*handle;
	Sockbroker__Request	*req;
	enum wait_dir		 dir;
	wait_fn			 fn;
	struct event		*timer;		/* NULL: no timeout */
	size_t			 progress;	/* sendall: bytes already sent */
	struct sockaddr_storage	 addr;		/* send: decoded and checked */
	socklen_t		 addrlen;	/* 0: no address */
};
TAILQ_HEAD(waiter_queue, waiter);

/* A socket the daemon holds for one client. */
struct handle {
	struct session		*session;
	uint32_t		 value;		/* generation << 16 | slot */
	int			 fd;
	int			 family;
	int			 type;
	int			 protocol;
	int			 bound;		/* bind() succeeded */
	struct event		*ev[2];		/* by enum wait_dir */
	struct waiter_queue	 waiting[2];
	struct channel		*chan;		/* NULL: no data channel */
	unsigned int		 slot;		/* its sharer slot on chan */
};

/* A client's handles: slots indexed by the low 16 bits of a value. */
struct handle_table {
	struct handle		**slots;
	uint16_t		 *gens;	/* generation of each slot */
	unsigned int		  nslots;	/* allocated; grows to max */
	unsigned int		  count;
	unsigned int		  reserved;	/* tokens of share: op-share.c */
};

/* The framing layer of a client connection (peer.c). */
struct peer_frame;
TAILQ_HEAD(peer_frames, peer_frame);
struct peer {
	int			 fd;
	struct event		*rev;		/* readable */
	struct event		*wev;		/* writable, while output waits */
	int			 reading;	/* taking frames: not stopped */
	int			 batch;		/* in the read callback */
	int			 eof;		/* the peer shut its writing side */
	struct event		*hupev;		/* after eof: gone altogether? */
	uint8_t			*in;		/* what is left read; NULL: none */
	size_t			 inlen;		/* bytes in in */
	size_t			 insize;	/* bytes allocated at in */
	struct peer_frames	 out;		/* replies, in order */
	size_t			 queued;	/* bytes of out not yet written */
	unsigned int		 nframes;	/* frames in out */
	unsigned int		 nfds;		/* of them with a descriptor */
	size_t			 max_in;	/* largest frame we accept */
	size_t			 max_out;	/* largest frame the peer accepts */
	size_t			 high;		/* stop reading above this */
	int			(*frame_cb)(struct peer *, const uint8_t *,
				    size_t, void *);
	void			(*lost_cb)(struct peer *, const char *, void *);
	int			(*busy_cb)(struct peer *, void *);
	void			*arg;
};

/*
 * The peer of a client connection, from the kernel (never from a request):
 * the numbers and the executable at accept, the names resolved once, off
 * the loop (identity_resolve), before the connection's first request runs.
 */
struct identity {
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	gid_t			*gids;		/* primary first, supplementary */
	size_t			 ngids;
	char			*user;		/* name, or the uid as text */
	char			**groups;	/* names of gids[], same order */
	char			*exe;		/* "?" if unreadable */
};

/* Limits a client can hit; each is logged once per client. */
enum sbd_limit {
	LIMIT_HANDLES,
	LIMIT_PENDING,
	LIMIT_QUEUED,
};

/* A request that came before the session's identity was resolved. */
struct session_early {
	struct session_early	*next;
	Sockbroker__Request	*req;
};

/* A connected client. */
struct session {
	TAILQ_ENTRY(session)	 entry;
	unsigned int		 num;		/* "client 3" in logs */
	int			 refs;
	int			 dead;
	int			 hello;		/* Hello exchanged */
	struct identity		 id;		/* the peer, from the kernel */
	int			 named;		/* id's names are resolved */
	struct session_early	*early;		/* requests before named */
	struct session_early	**early_tail;
	struct peer		 peer;
	struct handle_table	 handles;
	unsigned int		 pending;	/* parked + resolving */
	unsigned int		 warned;	/* limits logged: 1 << sbd_limit */
};

/* family.c */
void	family_probe(void);
const int	*family_list(size_t *);

/* log.c */
void	log_init(int, int);
void	log_setverbose(int);
void	fatal(const char *, ...)
	    __attribute__((__format__(printf, 1, 2), __noreturn__));
void	fatalx(const char *, ...)
	    __attribute__((__format__(printf, 1, 2), __noreturn__));
void	log_warn(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((__format__(printf, 1, 2)));
void	*xcalloc(size_t, size_t);
char	*xstrdup(const char *);

/* listener.c */
int	listener_open(const char *, mode_t);
void	listener_adopt(int);
void	listener_start(int);
void	listener_close(void);

/* priv.c */
void	priv_drop(const char *);
int	priv_keeps(unsigned int);

/* sdnotify.c */
int	sdnotify_listen_fd(void);
void	sdnotify_ready(void);
void	sdnotify_stopping(void);

/* peer.c */
void	peer_init(struct peer *, int, size_t);
void	peer_free(struct peer *);
int	peer_send(struct peer *, const ProtobufCMessage *);
int	peer_send_fd(struct peer *, const ProtobufCMessage *, int);
size_t	peer_queued(struct peer *);

/* session.c */
struct session	*session_create(int);
void	session_ref(struct session *);
void	session_unref(struct session *);
void	session_lost(struct session *, const char *);
void	session_free_all(void);
unsigned int	session_count(void);
void	session_limit(struct session *, enum sbd_limit, const char *, ...)
	    __attribute__((__format__(printf, 3, 4)));
void	session_named(struct session *);

/* identity.c */
int	identity_get(int, struct identity *);
void	identity_resolve(struct session *);
void	identity_free(struct identity *);
void	identity_describe(const struct identity *, char *, size_t);

/* audit.c */
/* A token bucket: rate tokens a second, at most burst held. */
struct audit_bucket {
	double		 rate;
	double		 burst;
	double		 tokens;
	double		 last;		/* when tokens were last counted */
	unsigned long	 dropped;	/* lines refused since the last write */
};
/* One decision, as audit_format() writes it. */
struct audit_record {
	struct timespec		 ts;
	unsigned int		 client;
	const struct identity	*id;
	const char		*op;
	int			 family;
	int			 type;
	int			 protocol;
	const char		*iface;		/* NULL: none */
	const struct sockaddr	*local;		/* NULL: none */
	socklen_t		 locallen;
	const struct sockaddr	*remote;	/* NULL: none */
	socklen_t		 remotelen;
	const struct kernel_opt	*option;	/* NULL: none */
	const struct kernel_ioctl *ioctl;	/* NULL: none */
	int			 permit;
	unsigned int		 rule;		/* line; 0: no rule matched */
	const char		*reason;
};
void	audit_init(const char *, unsigned int, int);
void	audit_close(void);
void	audit_log(const struct session *, struct audit_record *);
size_t	audit_format(char *, size_t, const struct audit_record *);
size_t	audit_format_dropped(char *, size_t, const struct timespec *,
	    unsigned long);
void	audit_bucket_init(struct audit_bucket *, double, double, double);
int	audit_ratelimit(struct audit_bucket *, double);

/* handle.c */
void	handle_table_init(struct handle_table *);
void	handle_table_free(struct handle_table *);
struct handle	*handle_new(struct session *, int, int, int, int);
struct handle	*handle_lookup(struct session *, uint32_t);
void	handle_close(struct handle *);

/* wait.c */
int	wait_timeout_check(struct session *, const Sockbroker__Request *, int,
	    double);
int	wait_pending_check(struct session *, const Sockbroker__Request *);
enum op_result	wait_try(struct session *, struct handle *,
	    Sockbroker__Request *, enum wait_dir, int, double, wait_fn);
enum op_result	wait_try_io(struct session *, struct handle *,
	    Sockbroker__Request *, enum wait_dir, const struct io_start *,
	    wait_fn);
enum op_result	wait_park(struct session *, struct handle *,
	    Sockbroker__Request *, enum wait_dir, int, double, wait_fn, size_t);
void	wait_ready(struct handle *, enum wait_dir);
void	wait_cancel_all(struct handle *, int);

/* resolver.c */
/*
 * A lookup run on the resolver threads: run(arg) in a worker thread, where
 * it may touch nothing but arg; then, in the loop, answer(s, req, arg) if
 * the client is still connected; then done(arg), always, to free arg.
 */
struct resolver_ops {
	void	(*run)(void *);
	void	(*answer)(struct session *, Sockbroker__Request *, void *);
	void	(*done)(void *);
};
void	resolver_start(unsigned int);
void	resolver_stop(void);
enum op_result	resolver_submit(struct session *, Sockbroker__Request *,
	    const struct resolver_ops *, void *);
void	resolver_submit_session(struct session *, const struct resolver_ops *,
	    void *);
enum op_result	resolver_getaddrinfo(struct session *, Sockbroker__Request *);
enum op_result	resolver_getnameinfo(struct session *, Sockbroker__Request *,
	    const struct sockaddr_storage *, socklen_t);

/* reply.c */
void	reply_send(struct session *, Sockbroker__Response *);
void	reply_error(struct session *, uint64_t, int, int, const char *, ...)
	    __attribute__((__format__(printf, 5, 6)));
void	reply_errno(struct session *, uint64_t, int, const char *);
void	reply_empty(struct session *, uint64_t);
void	reply_fd(struct session *, uint64_t, int);
int	reply_send_fd(struct session *, Sockbroker__Response *, int);
void	reply_count(struct session *, uint64_t, uint64_t);
void	reply_address(struct session *, uint64_t, const struct sockaddr *,
	    socklen_t, int);
void	reply_name(struct session *, uint64_t, const char *);

/* mediate.c */
int	mediate_socket(struct session *, const Sockbroker__Request *, int, int,
	    int);
int	mediate_address(struct session *, const Sockbroker__Request *,
	    const struct handle *, enum policy_op, const struct sockaddr *,
	    socklen_t);
int	mediate_send(struct session *, const Sockbroker__Request *,
	    const struct handle *, const struct sockaddr *, socklen_t,
	    const uint8_t *, size_t);
int	mediate_can_recv(const struct session *, const struct handle *,
	    const uint8_t *, size_t);
int	mediate_setsockopt(struct session *, const Sockbroker__Request *,
	    const struct handle *, const struct kernel_opt *, const void *,
	    size_t);
int	mediate_ioctl(struct session *, const Sockbroker__Request *,
	    const struct handle *, const struct kernel_ioctl *);
int	mediate_fdpass(struct session *, const Sockbroker__Request *,
	    const struct handle *);

/* op-socket.c */
enum op_result	op_hello(struct session *, Sockbroker__Request *);
enum op_result	op_socket(struct session *, Sockbroker__Request *);
enum op_result	op_bind(struct session *, Sockbroker__Request *);
enum op_result	op_connect(struct session *, Sockbroker__Request *);
enum op_result	op_listen(struct session *, Sockbroker__Request *);
enum op_result	op_accept(struct session *, Sockbroker__Request *);
enum op_result	op_sockname(struct session *, Sockbroker__Request *);
enum op_result	op_shutdown(struct session *, Sockbroker__Request *);
enum op_result	op_close(struct session *, Sockbroker__Request *);
enum op_result	op_dup(struct session *, Sockbroker__Request *);
void	op_reply_handle(struct session *, uint64_t, struct handle *,
	    const struct sockaddr *, socklen_t, int);
void	op_fail(struct session *, const Sockbroker__Request *, int, int,
	    const char *);
struct handle	*op_handle(struct session *, const Sockbroker__Request *,
	    uint32_t);
int	op_packet_autobind(struct session *, const Sockbroker__Request *,
	    struct handle *);
int	op_sockaddr(struct session *, const Sockbroker__Request *,
	    const struct handle *, const Sockbroker__Address *,
	    struct sockaddr_storage *, socklen_t *);

/* What every data operation (send, recv, sendmsg, recvmsg) starts with. */
struct io_start {
	uint32_t			 handle;
	int				 has_timeout;
	double				 timeout;
	const Sockbroker__Address	*address;	/* NULL: none */
	int				 flags;
	int				 allowed;	/* flags it takes */
	int				 sending;	/* send, sendmsg */
	const uint8_t			*data;		/* first buffer sent */
	size_t				 len;
	struct sockaddr_storage		 ss;		/* address, decoded */
	socklen_t			 sslen;		/* 0: none */
};

/* An io_start with the handle, timeout and flags fields of request r. */
#define OP_IO_INIT(r, ok, send) { .handle = (r)->handle,		\
	.has_timeout = (r)->has_timeout, .timeout = (r)->timeout,	\
	.flags = (r)->has_flags ? (r)->flags : 0, .allowed = (ok),	\
	.sending = (send) }

#define OP_SEND_FLAGS	(MSG_OOB | MSG_DONTROUTE | MSG_DONTWAIT | MSG_EOR | \
			    MSG_MORE | MSG_NOSIGNAL | MSG_CONFIRM)
#define OP_RECV_FLAGS	(MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT)

/* op-io.c */
struct handle	*op_io_start(struct session *, const Sockbroker__Request *,
	    struct io_start *);
void	op_io_init(size_t);
uint8_t	*op_io_buffer(size_t *, const struct session *, size_t, size_t);
ssize_t	op_io_recvmsg(struct session *, struct handle *, struct msghdr *,
	    int);
void	op_io_free(void);
enum op_result	op_send(struct session *, Sockbroker__Request *);
enum op_result	op_recv(struct session *, Sockbroker__Request *);

/* op-msg.c */
enum op_result	op_sendmsg(struct session *, Sockbroker__Request *);
enum op_result	op_recvmsg(struct session *, Sockbroker__Request *);
int	op_msg_item_ok(int, int, size_t);

/* op-ioctl.c */
enum op_result	op_ioctl(struct session *, Sockbroker__Request *);

/* op-share.c */
enum op_result	op_share(struct session *, Sockbroker__Request *);
enum op_result	op_import(struct session *, Sockbroker__Request *);
void	share_session_gone(struct session *);
void	share_free_all(void);

/* op-passfd.c */
enum op_result	op_passfd(struct session *, Sockbroker__Request *);
enum op_result	op_channel(struct session *, Sockbroker__Request *);
int	op_channel_attach(struct handle *, int *);

/* channel.c */
int	channel_open(struct handle *, int *);
void	channel_close(struct handle *);
struct channel	*channel_hold(struct handle *);
void	channel_release(struct channel *);
int	channel_join(struct channel *, struct handle *);
int	channel_closing(const struct handle *);
void	channel_update(struct handle *);
enum op_result	channel_linger(struct handle *, Sockbroker__Request *);

/* op-host.c */
enum op_result	op_gethostbyname(struct session *, Sockbroker__Request *);
enum op_result	op_gethostbyaddr(struct session *, Sockbroker__Request *);
enum op_result	op_getfqdn(struct session *, Sockbroker__Request *);
enum op_result	op_getservbyname(struct session *, Sockbroker__Request *);
enum op_result	op_getservbyport(struct session *, Sockbroker__Request *);
enum op_result	op_getprotobyname(struct session *, Sockbroker__Request *);

/* op-opt.c */
enum op_result	op_setsockopt(struct session *, Sockbroker__Request *);
enum op_result	op_getsockopt(struct session *, Sockbroker__Request *);

/* op-name.c */
enum op_result	op_gethostname(struct session *, Sockbroker__Request *);
enum op_result	op_getaddrinfo(struct session *, Sockbroker__Request *);
enum op_result	op_getnameinfo(struct session *, Sockbroker__Request *);
enum op_result	op_if_nameindex(struct session *, Sockbroker__Request *);
enum op_result	op_if_nametoindex(struct session *, Sockbroker__Request *);
enum op_result	op_if_indextoname(struct session *, Sockbroker__Request *);

#endif /* SOCKBROKERD_H */
