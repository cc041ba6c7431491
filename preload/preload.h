/* SPDX-License-Identifier: ISC */
/*
 * libsockbroker-preload: the LD_PRELOAD shim behind `sockbroker run`. It
 * interposes the socket calls of libc; those on descriptors it does not own
 * go straight to libc after one look at its descriptor table, those on
 * brokered descriptors go to sockbrokerd through libsockbroker (compiled
 * into the shim, hidden). Nothing declared here leaves the shim.
 */

#ifndef PRELOAD_H
#define PRELOAD_H

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <net/if.h>

#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

#include "sbproto.h"
#include "sockbroker.h"

/* Marks a function the shim exports: a libc call it stands in for. */
#define PRELOAD_EXPORT	__attribute__((visibility("default")))

/* The libc functions the shim calls through to (dlsym RTLD_NEXT). */
struct preload_libc {
	int	(*socket)(int, int, int);
	int	(*bind)(int, const struct sockaddr *, socklen_t);
	int	(*connect)(int, const struct sockaddr *, socklen_t);
	int	(*listen)(int, int);
	int	(*accept)(int, struct sockaddr *, socklen_t *);
	int	(*accept4)(int, struct sockaddr *, socklen_t *, int);
	int	(*getsockopt)(int, int, int, void *, socklen_t *);
	int	(*setsockopt)(int, int, int, const void *, socklen_t);
	int	(*getsockname)(int, struct sockaddr *, socklen_t *);
	int	(*getpeername)(int, struct sockaddr *, socklen_t *);
	int	(*ioctl)(int, unsigned long, void *);
	int	(*shutdown)(int, int);
	ssize_t	(*send)(int, const void *, size_t, int);
	ssize_t	(*sendto)(int, const void *, size_t, int,
		    const struct sockaddr *, socklen_t);
	ssize_t	(*sendmsg)(int, const struct msghdr *, int);
	int	(*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	ssize_t	(*recv)(int, void *, size_t, int);
	ssize_t	(*recvfrom)(int, void *, size_t, int, struct sockaddr *,
		    socklen_t *);
	ssize_t	(*recvmsg)(int, struct msghdr *, int);
	int	(*recvmmsg)(int, struct mmsghdr *, unsigned int, int,
		    struct timespec *);
	ssize_t	(*read)(int, void *, size_t);
	ssize_t	(*write)(int, const void *, size_t);
	ssize_t	(*readv)(int, const struct iovec *, int);
	ssize_t	(*writev)(int, const struct iovec *, int);
	ssize_t	(*read_chk)(int, void *, size_t, size_t);
	ssize_t	(*recv_chk)(int, void *, size_t, size_t, int);
	ssize_t	(*recvfrom_chk)(int, void *, size_t, size_t, int,
		    struct sockaddr *, socklen_t *);
	int	(*close)(int);
	int	(*close_range)(unsigned int, unsigned int, int);
	void	(*closefrom)(int);
	int	(*dup)(int);
	int	(*dup2)(int, int);
	int	(*dup3)(int, int, int);
	int	(*fcntl)(int, int, ...);
	int	(*execve)(const char *, char *const[], char *const[]);
	int	(*execvpe)(const char *, char *const[], char *const[]);
	unsigned int (*if_nametoindex)(const char *);
	char	*(*if_indextoname)(unsigned int, char *);
	struct if_nameindex *(*if_nameindex)(void);
	void	(*if_freenameindex)(struct if_nameindex *);
};

/*
 * A brokered socket: its handle on the shim's connection and what the
 * kernel keeps per open file description (shared by the descriptors dup
 * made of it). refs counts those descriptors.
 */
struct preload_sock {
	int		 h;
	int		 refs;
	unsigned int	 gen;		/* preload_gen when it was made */
	int		 family;
	int		 type;
	int		 chan;		/* its channel is on the descriptor */
	int		 nonblock;	/* O_NONBLOCK */
	double		 rcvtimeo;	/* SO_RCVTIMEO, seconds; 0 none */
	double		 sndtimeo;	/* SO_SNDTIMEO */
	int		 shared;	/* tok holds a share of it */
	double		 shared_at;	/* when (CLOCK_MONOTONIC) */
	unsigned char	 tok[SB_TOKEN_LEN];
	char		 why[SBP_MAX_MESSAGE]; /* why fd-pass was refused:
					   the daemon's whole message */
};

extern struct preload_libc	 preload_libc;
extern unsigned int		 preload_gen;	/* one more in a fork child */

/* glibc's names the shim stands in for too (no header declares them). */
ssize_t	 __read_chk(int, void *, size_t, size_t);
ssize_t	 __recv_chk(int, void *, size_t, size_t, int);
ssize_t	 __recvfrom_chk(int, void *, size_t, size_t, int, struct sockaddr *,
	     socklen_t *);
int	 fcntl64(int, int, ...);

/* preload.c */
void		 preload_resolve(void);
int		 preload_inside(void);
void		 preload_enter(void);
void		 preload_leave(void);
sb_conn		*preload_conn(void);
int		 preload_forced(int);
void		 preload_debug(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
int		 preload_refused(const char *, int);

/* preload-fd.c */
int		 preload_fd_init(void);
struct preload_sock *preload_fd_sock(int);
int		 preload_fd_own(int);
void		 preload_fd_setown(int, int);
int		 preload_fd_high(int);
void		 preload_fd_set(int, struct preload_sock *);
struct preload_sock *preload_fd_clear(int);
void		 preload_fd_forget_own(void);
int		 preload_fd_max(void);

/* preload-sock.c */
struct preload_sock *preload_sock_new(int, int, int);
void		 preload_sock_unref(struct preload_sock *);
struct preload_sock *preload_sock_live(struct preload_sock *, sb_conn **);
int		 preload_sock_passfd(sb_conn *, int, int, int);
int		 preload_sock_install(struct preload_sock *, sb_conn *, int,
		     int);
int		 preload_sock_channel(struct preload_sock *, sb_conn *, int);
double		 preload_sock_timeout(struct preload_sock *, int, int);
int		 preload_sock_flags(int, int);

/* preload-socket.c: socket, bind, connect, listen, accept */
int		 preload_broker_socket(int, int, int, int);

/* preload-if.c: if_nametoindex, if_indextoname, if_nameindex */
int		 preload_if_absent(int);

/* preload-close.c: close, dup*, fcntl, closefrom, close_range */
int		 preload_close_one(int);

/* The variable that carries brokered descriptors across an exec. */
#define PRELOAD_FDS_VAR	"SOCKBROKER_RUN_FDS"

/* preload-exec.c */
char		**preload_exec_env(char *const[]);
char		**preload_exec_env_fds(char *const[], char *);


/* preload-inherit.c */
void		 preload_inherit_prepare(void);
void		 preload_inherit_parent(void);
void		 preload_inherit_child(void);
char		*preload_inherit_env(void);
char		*preload_inherit_env_map(struct preload_sock *const *, int);
void		 preload_inherit_exec(void);
int		 preload_inherit_share(struct preload_sock *, sb_conn *);
void		 preload_inherit_cancel(struct preload_sock *, sb_conn *);

#endif /* PRELOAD_H */
