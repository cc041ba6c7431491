/* SPDX-License-Identifier: ISC */
/*
 * libsockbroker: sockets owned by sockbrokerd, used through handles.
 *
 * Every call sends one request to the daemon and waits for its answer. A
 * handle is a positive int that stands for a socket the daemon holds for this
 * connection; it means nothing on another connection or to the kernel.
 *
 * Errors are reported as the libc calls report them: -1 (or NULL) and errno.
 * The errno is the one the daemon's own syscall got, so a caller cannot tell
 * a brokered socket from a local one by its errors. sb_lasterror() tells
 * more: the kind of error (a timeout, a policy refusal, ...) and the daemon's
 * message.
 *
 * Timeouts have the meaning of Python's socket module and belong to each
 * handle (sb_settimeout): SB_TIMEOUT_NONE blocks forever (the default),
 * 0 never blocks (EAGAIN at once), a positive value waits at most that many
 * seconds and then fails with errno EAGAIN and kind SB_ERR_TIMEOUT, as a
 * local socket with SO_RCVTIMEO does.
 *
 * Thread safety: a connection may be shared by any number of threads, and
 * calls on it may block concurrently (one thread in sb_recv, another in
 * sb_send on the same connection): requests are pipelined on the one stream
 * and each thread gets its own answer. sb_lasterror() is per thread.
 * sb_close_conn() must not race with other calls on the same connection.
 */

#ifndef SOCKBROKER_H
#define SOCKBROKER_H

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netdb.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sb_conn sb_conn;

#define SB_TIMEOUT_NONE	(-1.0)

enum sb_error_kind {
	SB_ERR_OS = 0,		/* errno from the daemon's syscall */
	SB_ERR_GAI = 1,		/* an EAI_* code (getaddrinfo, getnameinfo) */
	SB_ERR_HERROR = 2,	/* an h_errno code */
	SB_ERR_TIMEOUT = 3,	/* the handle's timeout expired (errno EAGAIN) */
	SB_ERR_PROTOCOL = 4,	/* malformed request or broken connection */
	SB_ERR_POLICY = 5,	/* refused by the daemon's policy */
};

struct sb_error {
	int			 errnum;	/* errno, EAI_* or h_errno */
	enum sb_error_kind	 kind;
	const char		*message;	/* never NULL; "" if none */
};

/* The last error of a call made by this thread. */
const struct sb_error	*sb_lasterror(void);

/*
 * Connects to the daemon at path (NULL: $SOCKBROKER_SOCKET, then the
 * default, /run/sockbroker/sockbroker.sock) and exchanges Hello. It gives up
 * after 10 seconds, or $SOCKBROKER_TIMEOUT seconds if that is a positive
 * number (0 or anything else: the default), with errno ETIMEDOUT: a daemon
 * that is stopped or stalled leaves the connection in its backlog. A daemon
 * over a limit says so instead, at once: EUSERS (--max-clients reached) or
 * EMFILE (out of descriptors), with its message in sb_lasterror().
 * path "ssh://[user@]host[:port][/socket]" runs ssh to host's daemon
 * (README.md, Remote clients): the timeout covers ssh's start, ssh's own
 * words are the message of a failure (ECONNREFUSED), and such a
 * connection passes no descriptors (no sb_passfd, no sb_fileno).
 */
sb_conn	*sb_open(const char *path);
/* Closes the connection; the daemon closes every handle of it. NULL is ok. */
void	 sb_close_conn(sb_conn *c);
/*
 * For the child of a fork(): forgets a connection the parent goes on
 * using. It closes the child's copies of the connection's descriptors (its
 * socket, every handle's data channel, descriptors received for calls
 * still in flight) and frees its memory, sending nothing: the daemon and
 * the parent see no change. It takes none of c's locks, so it is safe in a
 * child forked while other threads were in calls on c (it calls close()
 * and free(): after fork() in a multithreaded process, glibc's malloc is
 * usable, as for os.register_at_fork hooks; not from a signal handler).
 * Answers other threads had received but not yet taken at the fork are not
 * freed if one of them held the connection's lock then. In the process
 * that keeps using c (the parent) it must never be called; there, and in a
 * child that wants to talk to the daemon, sb_close_conn and sb_open. NULL
 * is ok.
 */
void	 sb_forget_conn(sb_conn *c);

/* What the daemon said in Hello. */
struct sb_info {
	unsigned int	 version;
	unsigned int	 max_frame;
	unsigned int	 max_handles;
	unsigned int	 max_data;	/* largest payload of one send/recv */
	int		 fd_passing;
	size_t		 nfamilies;
	const int	*families;	/* AF_* values the daemon's kernel has */
};
const struct sb_info	*sb_info(sb_conn *c);

/* Sockets. Each returns what the libc call of that name returns. */
int	 sb_socket(sb_conn *c, int family, int type, int protocol);
int	 sb_bind(sb_conn *c, int h, const struct sockaddr *addr,
	     socklen_t addrlen);
int	 sb_connect(sb_conn *c, int h, const struct sockaddr *addr,
	     socklen_t addrlen);
/*
 * Python's connect_ex(): 0 on success, the errno value when the connection
 * failed (ECONNREFUSED, EINPROGRESS with timeout 0, EAGAIN on timeout, ...);
 * -1 with errno only when the call itself failed (bad handle, bad address).
 */
int	 sb_connect_ex(sb_conn *c, int h, const struct sockaddr *addr,
	     socklen_t addrlen);
int	 sb_listen(sb_conn *c, int h, int backlog);
/* A new handle with the default timeout (sb_setdefaulttimeout), as Python. */
int	 sb_accept(sb_conn *c, int h, struct sockaddr *addr,
	     socklen_t *addrlen);
ssize_t	 sb_send(sb_conn *c, int h, const void *buf, size_t len, int flags);
/* Sends every byte: 0, or -1 with errno (how much went out is unknown). */
int	 sb_sendall(sb_conn *c, int h, const void *buf, size_t len, int flags);
ssize_t	 sb_sendto(sb_conn *c, int h, const void *buf, size_t len, int flags,
	     const struct sockaddr *addr, socklen_t addrlen);
ssize_t	 sb_recv(sb_conn *c, int h, void *buf, size_t len, int flags);
ssize_t	 sb_recvfrom(sb_conn *c, int h, void *buf, size_t len, int flags,
	     struct sockaddr *addr, socklen_t *addrlen);
/*
 * optval NULL with optlen > 0 is Python's setsockopt(level, optname, None,
 * optlen), for the options whose argument is the length itself:
 * sb_setsockopt(c, h, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, 16). Any other
 * option refuses a NULL value with EFAULT, as the kernel would.
 */
int	 sb_setsockopt(sb_conn *c, int h, int level, int optname,
	     const void *optval, socklen_t optlen);
int	 sb_getsockopt(sb_conn *c, int h, int level, int optname,
	     void *optval, socklen_t *optlen);
int	 sb_getsockname(sb_conn *c, int h, struct sockaddr *addr,
	     socklen_t *addrlen);
int	 sb_getpeername(sb_conn *c, int h, struct sockaddr *addr,
	     socklen_t *addrlen);
int	 sb_shutdown(sb_conn *c, int h, int how);
int	 sb_close(sb_conn *c, int h);
/* A new handle for the same socket, with the same timeout. */
int	 sb_dup(sb_conn *c, int h);
/*
 * The handle's real file descriptor, where the daemon's policy grants
 * fd-pass (sb_info()->fd_passing says the daemon can): a new descriptor,
 * close-on-exec, for the same socket, which the caller owns and closes; the
 * handle stays open. -1 with errno on failure: EACCES (kind SB_ERR_POLICY)
 * when the policy refuses, EBADF for a bad handle.
 */
int	 sb_passfd(sb_conn *c, int h);

/* Bytes of a token of sb_share. */
#define SB_TOKEN_LEN	16

/*
 * Hands the handle's socket to another connection of the same user and
 * group (a fork child's, a program exec'ed's): token gets SB_TOKEN_LEN
 * random bytes which sb_import on that connection turns into a handle for
 * the same socket, once, within 60 seconds. Until then the daemon holds
 * the socket, so h may close at once; the token counts as one of this
 * connection's handles. 0, or -1 with errno (EBADF, EMFILE at the limit).
 */
int	 sb_share(sb_conn *c, int h, unsigned char token[SB_TOKEN_LEN]);
/*
 * A new handle for the socket token holds (sb_share), with its channel
 * as sb_socket's; the token is spent. -1 with errno ENOENT for a token
 * unknown, spent, expired or shared by another user or group.
 */
int	 sb_import(sb_conn *c, const unsigned char token[SB_TOKEN_LEN]);
/*
 * As sb_import, but the new handle shares the data channel the shared
 * handle had when sb_share made the token, as a fork child shares its
 * parent's open file description: fd is a descriptor of that channel the
 * caller has (inherited across fork or exec), and becomes the handle's
 * channel (sb_fileno returns it; the library closes it with the handle).
 * Nothing the daemon relayed into the channel before is lost, and both
 * processes' handles read and write the one channel until the last closes
 * (a datagram each reads is read once; the daemon answers each send on
 * the connection that wrote it). On failure fd stays the caller's and the
 * token, but for ENOENT, is not spent: ENXIO if the shared handle had no
 * channel (or it was closed as malformed), so sb_import may be used.
 */
int	 sb_import_channel(sb_conn *c, const unsigned char token[SB_TOKEN_LEN],
	     int fd);

/* This library has data channels: sb_fileno, sb_recvmmsg, sb_sendmmsg. */
#define SB_HAVE_CHANNELS	1

/*
 * The handle's data channel: a descriptor (one end of an AF_UNIX
 * socketpair whose other end the daemon holds) to give to poll(), select()
 * or epoll. It is readable when a receive would not block (data, a
 * connection waiting on a listener, EOF, a pending error) and writable when
 * a send would not block or a non-blocking connect has finished (then read
 * SO_ERROR with sb_getsockopt, as after a local connect). The same
 * descriptor each time; the library owns it and closes it with the handle:
 * never read, write or close it yourself. -1 with errno EOPNOTSUPP when
 * the daemon passes no descriptors or the socket type has no channel,
 * EBADF for a bad handle.
 *
 * Once a handle has a channel, sb_recv, sb_recvfrom, sb_recvmsg and
 * sb_recvmmsg read it without a request (MSG_PEEK, MSG_TRUNC and
 * MSG_DONTWAIT as the kernel's; not MSG_OOB or MSG_ERRQUEUE: EOPNOTSUPP),
 * with the handle's timeout waited for locally. Datagram sends (at most
 * 64 KiB) go through it and return their own answer: the byte count, or
 * the error (EACCES, kind SB_ERR_POLICY, for what the policy refuses); with
 * timeout 0 (or MSG_DONTWAIT) a send the socket has no room for is EAGAIN at
 * once, with a timeout EAGAIN of kind SB_ERR_TIMEOUT once it stayed full
 * that long, as a send request's. A stream send
 * returns once its bytes (at most 64 KiB a call) are in the channel; an
 * error the daemon meets passing them on is the next receive's error, and
 * later sends fail with EPIPE. sb_shutdown(SHUT_WR) and sb_close of a
 * stream handle let the daemon pass on what the channel holds first
 * (sb_close waits for that, 10 seconds at most). FIONREAD (SIOCINQ) counts
 * the data bytes of the next datagram, or for a stream those left of the
 * chunk being read (or of the next one): a lower bound. A handle's receives
 * on a channel are for one thread at a time.
 */
int	 sb_fileno(sb_conn *c, int h);
/*
 * The channel sb_fileno would return, if the handle has it already (it
 * came with its reply, see sb_setchannels, or sb_fileno made it): never a
 * request. -1 with errno ENOENT if it has none yet, EBADF for a bad handle.
 */
int	 sb_peekfileno(sb_conn *c, int h);
/*
 * With on set, every handle this connection creates from then on (sb_socket,
 * sb_accept, sb_dup) gets its data channel with its creating reply, in the
 * same round trip: sb_fileno then returns it at once. 0 stops that; handles
 * keep what they have. SOCKBROKER_CHANNELS=1 in the environment of sb_open
 * turns it on. A handle whose type can have no channel, an AF_PACKET handle
 * (its channel would bind it to every interface before sb_bind), an sb_dup
 * of a handle that has a channel (two relays would split the socket's data)
 * and every handle of a daemon that passes no descriptors get none:
 * sb_fileno asks for it as without the flag. 0 or -1 (EINVAL: no
 * connection).
 */
int	 sb_setchannels(sb_conn *c, int on);
/* Whether new handles get their channels (1) or not (0); -1 without c. */
int	 sb_getchannels(sb_conn *c);
/*
 * Linux's recvmmsg() and sendmmsg() (struct mmsghdr from <sys/socket.h>,
 * with _GNU_SOURCE), without recvmmsg's timeout: the handle's applies.
 * recvmmsg's first message waits as sb_recvmsg does (MSG_DONTWAIT: not at
 * all); the others are those already there, as with MSG_WAITFORONE (a
 * socket error that comes behind them in the same batch is not reported).
 * Each msg_len is set. Both return how many messages were done, or -1 with
 * errno when the first failed. On a datagram channel sendmmsg writes its
 * messages (32 at a time) in a row and then collects their answers; the
 * count is of those sent before the first failure (of that batch, some
 * after it may have gone too). Handles without a channel work too,
 * one request a message.
 */
struct mmsghdr;
int	 sb_recvmmsg(sb_conn *c, int h, struct mmsghdr *msgvec,
	     unsigned int vlen, int flags);
int	 sb_sendmmsg(sb_conn *c, int h, struct mmsghdr *msgvec,
	     unsigned int vlen, int flags);

/*
 * sendmsg() and recvmsg(), as the libc calls: msg_name, msg_iov,
 * msg_control and msg_flags are used as they are there. Ancillary items go
 * both ways as (level, type, data); the daemon refuses SCM_RIGHTS and
 * SCM_CREDENTIALS on send (EPERM) and closes any descriptor a peer passes,
 * reporting MSG_CTRUNC. With MSG_TRUNC in flags, the return value is the
 * real length of the datagram, as recv(2) says.
 */
ssize_t	 sb_sendmsg(sb_conn *c, int h, const struct msghdr *msg, int flags);
ssize_t	 sb_recvmsg(sb_conn *c, int h, struct msghdr *msg, int flags);
/*
 * ioctl() for a listed set of requests: FIONREAD/SIOCINQ and SIOCOUTQ (arg:
 * int *), SIOCGSTAMP (struct timeval *), SIOCGSTAMPNS (struct timespec *),
 * SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR (struct
 * ifreq *). Any other request is -1 with errno EINVAL.
 */
int	 sb_ioctl(sb_conn *c, int h, unsigned long request, void *arg);

/*
 * AF_BLUETOOTH addresses for callers without BlueZ's headers, made and read
 * with the library's own table of the kernel's layouts (the one the daemon
 * uses), without a request: a bdaddr as "XX:XX:XX:XX:XX:XX" (most
 * significant byte first, as BlueZ's ba2str; exactly two hex digits each)
 * and the number the protocol's address carries: L2CAP's psm, RFCOMM's
 * channel, HCI's device id (none for SCO). protocol is the socket's:
 * BTPROTO_L2CAP (0), BTPROTO_HCI (1), BTPROTO_SCO (2), BTPROTO_RFCOMM (3).
 */
struct sb_btaddr {
	char		 bdaddr[18];	/* "" for HCI */
	unsigned int	 num;		/* psm, channel or device id; 0 for SCO */
};
/*
 * The sockaddr (sockaddr_l2, _rc, _hci or _sco) of bt into ss and *len: 0,
 * or -1 with errno EINVAL (a malformed bdaddr, num over its field, an
 * unknown protocol) and the reason in sb_lasterror().
 */
int	 sb_btaddr_to_sockaddr(int protocol, const struct sb_btaddr *bt,
	     struct sockaddr_storage *ss, socklen_t *len);
/*
 * What an AF_BLUETOOTH sockaddr of a socket of protocol says, into bt: 0,
 * or -1 with errno EINVAL (another family, len too short for the
 * protocol's layout) or EAFNOSUPPORT (a protocol without an address form).
 */
int	 sb_btaddr_from_sockaddr(int protocol, const struct sockaddr *sa,
	     socklen_t len, struct sb_btaddr *bt);

/* Per-handle timeouts, kept in the library and sent with each request. */
int	 sb_settimeout(sb_conn *c, int h, double seconds);
/* The handle's timeout: SB_TIMEOUT_NONE, 0 or seconds; -1 with errno EBADF. */
double	 sb_gettimeout(sb_conn *c, int h);
/* flag 0: timeout 0; otherwise SB_TIMEOUT_NONE. */
int	 sb_setblocking(sb_conn *c, int h, int flag);
/* The timeout new handles start with (SB_TIMEOUT_NONE unless set). */
void	 sb_setdefaulttimeout(sb_conn *c, double seconds);
double	 sb_getdefaulttimeout(sb_conn *c);

/* Names and interfaces, answered by the daemon. */
int	 sb_gethostname(sb_conn *c, char *name, size_t len);
/* Returns 0 or an EAI_* code, as getaddrinfo(3); EAI_SYSTEM sets errno. */
int	 sb_getaddrinfo(sb_conn *c, const char *node, const char *service,
	     const struct addrinfo *hints, struct addrinfo **res);
void	 sb_freeaddrinfo(struct addrinfo *res);
/* Returns 0 or an EAI_* code, as getnameinfo(3). */
int	 sb_getnameinfo(sb_conn *c, const struct sockaddr *addr,
	     socklen_t addrlen, char *host, socklen_t hostlen, char *serv,
	     socklen_t servlen, int flags);
/*
 * Python's gethostbyname(): the first IPv4 address of name, as text, into
 * buf (INET_ADDRSTRLEN bytes suffice). 0, or -1 with errno and
 * sb_lasterror() of kind SB_ERR_GAI or SB_ERR_HERROR.
 */
int	 sb_gethostbyname(sb_conn *c, const char *name, char *buf, size_t len);
/*
 * gethostbyname_ex() and gethostbyaddr(): a struct hostent allocated as one
 * block (h_addrtype AF_INET or AF_INET6, h_addr_list binary addresses), to
 * be freed with sb_freehostent(). NULL with errno on failure; a resolver
 * failure has kind SB_ERR_HERROR and its h_errno in errnum.
 */
struct hostent	*sb_gethostbyname_ex(sb_conn *c, const char *name);
struct hostent	*sb_gethostbyaddr(sb_conn *c, const char *addr);
void	 sb_freehostent(struct hostent *he);
/* Python's getfqdn(name): name NULL or "" is the daemon's host. */
int	 sb_getfqdn(sb_conn *c, const char *name, char *buf, size_t len);
/* getservbyname/getservbyport (port in host order); free with sb_freeservent. */
struct servent	*sb_getservbyname(sb_conn *c, const char *name,
		    const char *proto);
struct servent	*sb_getservbyport(sb_conn *c, int port, const char *proto);
void	 sb_freeservent(struct servent *se);
/* The protocol number of name, or -1 with errno ENOENT. */
int	 sb_getprotobyname(sb_conn *c, const char *name);

struct if_nameindex	*sb_if_nameindex(sb_conn *c);
void	 sb_if_freenameindex(struct if_nameindex *ptr);
/* 0 with errno on failure, as if_nametoindex(3). */
unsigned int	 sb_if_nametoindex(sb_conn *c, const char *ifname);
/* ifname must hold IF_NAMESIZE bytes; NULL with errno on failure. */
char	*sb_if_indextoname(sb_conn *c, unsigned int ifindex, char *ifname);

#ifdef __cplusplus
}
#endif

#endif /* SOCKBROKER_H */
