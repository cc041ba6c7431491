/* SPDX-License-Identifier: ISC */
/*
 * The descriptor table: for each descriptor number below the process's
 * hard RLIMIT_NOFILE (at most PRELOAD_FD_MAX), the brokered socket it
 * stands for, or that it is one of the shim's own (libsockbroker's
 * connection and channel ends), or nothing. It is mapped lazily, so an
 * unused part costs no memory; a call on a descriptor the shim does not
 * own costs one look at it.
 *
 * The shim's own descriptors are moved to the top of the soft limit, out
 * of the way of the numbers a program expects to get, and guarded: a
 * program that closes every descriptor it does not know (a close loop,
 * closefrom) does not close them.
 */

#include <sys/mman.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>

#include "preload.h"

#define PRELOAD_FD_MAX		(1 << 20)
#define PRELOAD_FD_HIGH		256	/* own descriptors: this far down */

/* Marks a descriptor of the shim's own. */
static struct preload_sock	 preload_fd_ownmark;
#define PRELOAD_OWN		(&preload_fd_ownmark)

static struct preload_sock	**preload_fd_tab;
static int			  preload_fd_size;
static int			  preload_fd_top;	/* highest used + 1 */
static pthread_mutex_t		  preload_fd_lock = PTHREAD_MUTEX_INITIALIZER;

/* Maps the table, sized by the hard limit on descriptors. */
int
preload_fd_init(void)
{
	struct rlimit	 rl;
	rlim_t		 n = PRELOAD_FD_MAX;
	void		*p;

	if (preload_fd_tab != NULL)
		return (0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < n)
		n = rl.rlim_max;
	if (n < 1024)
		n = 1024;
	p = mmap(NULL, (size_t)n * sizeof *preload_fd_tab,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	preload_fd_tab = p;
	preload_fd_size = (int)n;
	return (0);
}

/* The brokered socket fd stands for, or NULL (not one, or the shim's). */
struct preload_sock *
preload_fd_sock(int fd)
{
	struct preload_sock	*s;

	if (fd < 0 || fd >= preload_fd_size)
		return (NULL);
	s = __atomic_load_n(&preload_fd_tab[fd], __ATOMIC_ACQUIRE);
	return (s == PRELOAD_OWN ? NULL : s);
}

/* Whether fd is one of the shim's own descriptors. */
int
preload_fd_own(int fd)
{
	if (fd < 0 || fd >= preload_fd_size)
		return (0);
	return (__atomic_load_n(&preload_fd_tab[fd], __ATOMIC_ACQUIRE) ==
	    PRELOAD_OWN);
}

/* Sets the slot of fd (s NULL clears it). */
void
preload_fd_set(int fd, struct preload_sock *s)
{
	if (fd < 0 || fd >= preload_fd_size)
		return;
	pthread_mutex_lock(&preload_fd_lock);
	__atomic_store_n(&preload_fd_tab[fd], s, __ATOMIC_RELEASE);
	if (s != NULL && fd >= preload_fd_top)
		preload_fd_top = fd + 1;
	pthread_mutex_unlock(&preload_fd_lock);
}

/* Clears fd's slot; returns the brokered socket it held, or NULL. */
struct preload_sock *
preload_fd_clear(int fd)
{
	struct preload_sock	*s;

	if (fd < 0 || fd >= preload_fd_size)
		return (NULL);
	s = __atomic_exchange_n(&preload_fd_tab[fd], NULL, __ATOMIC_ACQ_REL);
	return (s == PRELOAD_OWN ? NULL : s);
}

/* Marks fd as the shim's own (on set) or not. */
void
preload_fd_setown(int fd, int on)
{
	preload_fd_set(fd, on ? PRELOAD_OWN : NULL);
}

/*
 * Moves a new descriptor of the shim's own to the top of the soft limit
 * (close-on-exec) and guards it; returns the number it has now (fd itself
 * when there is no room up there).
 */
int
preload_fd_high(int fd)
{
	struct rlimit	 rl;
	int		 base, nfd;

	if (fd < 0)
		return (fd);
	base = preload_fd_size - PRELOAD_FD_HIGH;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)base > rl.rlim_cur - PRELOAD_FD_HIGH)
		base = (int)rl.rlim_cur - PRELOAD_FD_HIGH;
	if (base > fd &&
	    (nfd = preload_libc.fcntl(fd, F_DUPFD_CLOEXEC, base)) != -1 &&
	    nfd < preload_fd_size) {
		preload_libc.close(fd);
		fd = nfd;
	}
	preload_fd_setown(fd, 1);
	return (fd);
}

/*
 * In a fork child: closes the descriptors the parent's connection used
 * (the parent still has them) and forgets them.
 */
void
preload_fd_forget_own(void)
{
	int	 fd;

	pthread_mutex_init(&preload_fd_lock, NULL);
	for (fd = 0; fd < preload_fd_top; fd++) {
		if (preload_fd_tab[fd] == PRELOAD_OWN) {
			preload_fd_tab[fd] = NULL;
			preload_libc.close(fd);
		}
	}
}

/* One more than the highest descriptor the table has held. */
int
preload_fd_max(void)
{
	return (preload_fd_top);
}
