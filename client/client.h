/* SPDX-License-Identifier: ISC */
/*
 * libsockbroker internals: the connection, its calls and its handle table.
 * Nothing declared here leaves the library.
 */

#ifndef CLIENT_H
#define CLIENT_H

#include "config.h"

#include <sys/queue.h>
#include <pthread.h>
#include <stdint.h>

#include "sbproto.h"
#include "sockbroker.h"

/* Marks a function of the public API; everything else stays hidden. */
#define SB_EXPORT	__attribute__((visibility("default")))

/* Slots of the handle table, indexed by handle & CONN_HANDLE_MASK. */
#define CONN_HANDLE_SLOTS	65536
#define CONN_HANDLE_MASK	0xffff

/* Read buffer: initial size; it grows up to one whole frame. */
#define CONN_RBUF_SIZE		(64 * 1024)

/* sb_open's timeout in seconds, unless SOCKBROKER_TIMEOUT says otherwise. */
#define CONN_OPEN_TIMEOUT	10.0

/* What the library keeps about one handle. */
struct conn_handle {
	int	 handle;	/* full handle value; 0 when the slot is free */
	double	 timeout;	/* SB_TIMEOUT_NONE, 0 or seconds */
	int	 family;	/* as the daemon's HandleReply says */
	int	 type;
	int	 protocol;
	int	 chanfd;	/* its data channel (sb_fileno), or -1 */
	unsigned int slot;	/* its sharer slot on it (sb_import_channel) */
	int	 shared;	/* sb_share'd or joined: others may share it */
	size_t	 rest;		/* stream channel: chunk bytes not yet read */
	int	 peer;		/* stream: connected or connecting, known */
};

/* What a channel call needs of its handle, copied out of the table. */
struct conn_chan {
	int	 h;
	int	 fd;
	int	 stream;	/* a SOCK_STREAM pair */
	unsigned int slot;	/* conn_handle's: a SEND's pad */
	double	 timeout;
	size_t	 rest;
	int	 peer;		/* conn_handle's */
};

/* One request waiting for its response. */
struct conn_call {
	uint64_t		 id;
	int			 done;
	int			 wantfd;	/* passfd: takes a descriptor */
	int			 fd;		/* the one it took, or -1 */
	Sockbroker__Response	*resp;
	TAILQ_ENTRY(conn_call)	 entry;
};
TAILQ_HEAD(conn_calls, conn_call);

struct conn_ssh;

/* A connection to sockbrokerd. */
struct sb_conn {
	int			 fd;
	struct conn_ssh		*ssh;		/* ssh:// (conn-ssh.c), or NULL */

	pthread_mutex_t		 lock;		/* everything but rbuf, fd */
	pthread_mutex_t		 wlock;		/* one frame written at a time */
	pthread_cond_t		 cond;		/* a response or a break */

	uint64_t		 next_id;
	struct conn_calls	 calls;
	int			 reading;	/* some thread is the reader */
	int			 broken;
	const char		*why;		/* static: why it broke */
	int			 brkerr;	/* errno of the break; 0: ECONNRESET */
	int			 rerr;		/* reader: errno of a failed read */
	char			 brkmsg[256];	/* why, when the daemon said */

	uint8_t			*rbuf;		/* only the reader touches it */
	size_t			 rlen;
	size_t			 rsize;
	int			*fds;		/* received, unclaimed; reader */
	size_t			 nfds;
	size_t			 fdsize;

	size_t			 max_frame;	/* largest payload we send */
	size_t			 max_data;	/* largest send/recv payload */
	struct sb_info		 info;
	int			*families;

	double			 deftimeout;
	int			 channels;	/* new handles get theirs */
	struct conn_handle	*handles;
};

/* conn.c */
int	 conn_valid(struct sb_conn *);
double	 conn_now(void);
const char *conn_nofds(struct sb_conn *);

/* conn-ssh.c */
int	 conn_ssh_is(const char *);
int	 conn_ssh_open(struct sb_conn *, const char *);
void	 conn_ssh_opened(struct sb_conn *);
void	 conn_ssh_failed(struct sb_conn *, int);
const char *conn_ssh_lost(struct conn_ssh *, int, const char *);
void	 conn_ssh_close(struct sb_conn *);
void	 conn_ssh_free(struct sb_conn *);

/* conn-error.c */
void	 conn_seterror(int, enum sb_error_kind, const char *);
int	 conn_oserror(int, const char *);
int	 conn_protoerror(struct sb_conn *, const char *);
int	 conn_broken(int, const char *);
void	 conn_error(const Sockbroker__Error *);
const char *conn_connect_from(const char *);
int	 conn_connect_error(const char *, const char *, int);

/* conn-frame.c */
int	 conn_write(struct sb_conn *, const uint8_t *, size_t);
Sockbroker__Response *conn_read(struct sb_conn *, const char **);
void	 conn_salvage(struct sb_conn *);

/* conn-fd.c */
void	 conn_fd_push(struct sb_conn *, int);
int	 conn_fd_pop(struct sb_conn *);

/* conn-call.c */
int	 conn_call(struct sb_conn *, Sockbroker__Request *, int,
	     Sockbroker__Response **);
int	 conn_call_fd(struct sb_conn *, Sockbroker__Request *);
int	 conn_call_handle(struct sb_conn *, Sockbroker__Request *,
	     Sockbroker__Response **, int *);
int	 conn_call_begin(struct sb_conn *, struct conn_call *);
int	 conn_call_end(struct sb_conn *, struct conn_call *, int,
	     Sockbroker__Response **);
void	 conn_call_abandon(struct sb_conn *, struct conn_call *);
ssize_t	 conn_count(struct sb_conn *, Sockbroker__Response *, size_t);
void	 conn_break(struct sb_conn *, const char *);
void	 conn_refused(struct sb_conn *, const Sockbroker__Error *);

/* conn-handle.c */
int	 conn_timeout_valid(double);
void	 conn_handle_add(struct sb_conn *, int, double,
	     const Sockbroker__HandleReply *);
void	 conn_handle_del(struct sb_conn *, int);
int	 conn_handle_gettimeout(struct sb_conn *, int, double *);
int	 conn_handle_settimeout(struct sb_conn *, int, double);
int	 conn_handle_protocol(struct sb_conn *, int);
void	 conn_handle_timeout(struct sb_conn *, int, protobuf_c_boolean *,
	     double *);
int	 conn_handle_chan(struct sb_conn *, int, struct conn_chan *);
int	 conn_handle_setchan(struct sb_conn *, int, int);
int	 conn_handle_takechan(struct sb_conn *, int, int *, int *);
void	 conn_handle_setshared(struct sb_conn *, int);
void	 conn_handle_setrest(struct sb_conn *, int, size_t);
void	 conn_handle_setpeer(struct sb_conn *, int);

/* sb-channel.c */
ssize_t	 sb_channel_recvmsg(struct sb_conn *, struct conn_chan *,
	     struct msghdr *, int);
ssize_t	 sb_channel_sendmsg(struct sb_conn *, struct conn_chan *,
	     const struct msghdr *, int);
int	 sb_channel_sendall(struct sb_conn *, struct conn_chan *,
	     const void *, size_t, int);
int	 sb_channel_shut(struct conn_chan *);
void	 sb_channel_accept(struct conn_chan *);
void	 sb_channel_connect(struct conn_chan *, int);
int	 sb_channel_fionread(struct conn_chan *, int *);

/* conn-address.c */
int	 conn_address_from(struct sbp_address *, const struct sockaddr *,
	     socklen_t, int);
int	 conn_address_to(struct sb_conn *, const Sockbroker__Address *,
	     struct sockaddr *, socklen_t *);

#endif /* CLIENT_H */
