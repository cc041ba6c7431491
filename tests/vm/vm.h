/* SPDX-License-Identifier: ISC */
/*
 * The test programs that run inside the VM (tests/vm/run.sh): each is
 * tests/vm/main.c with one suite, vm_suite(), over the e2e fixture
 * (tests/fixture.h), against the real sockbrokerd on a kernel with AF_CAN,
 * AF_TIPC and AF_ALG. The guest has vcan0 and vcan1 (CAN FD capable, MTU 72).
 */

#ifndef VM_H
#define VM_H

#include <sys/types.h>
#include <sys/socket.h>

#include <linux/can.h>

#include "fixture.h"

/* The suite of this program (one per test program). */
Suite	*vm_suite(void);

/* vm.c */
/* The interface index of ifname; fails the test if there is none. */
int	 vm_ifindex(const char *ifname);
/* A sockaddr_can for ifname ("" for every interface); returns its length. */
socklen_t vm_can_addr(struct sockaddr_can *a, const char *ifname);
/* A broker CAN socket of type and protocol bound to ifname. */
int	 vm_can_open(sb_conn *c, int type, int protocol, const char *ifname);
/*
 * A CAN_RAW socket of the test process itself (root in the guest, not
 * through the broker) bound to ifname, with CAN FD frames on if fd.
 */
int	 vm_direct_raw(const char *ifname, int fd);
/*
 * Reads one frame from direct socket s within ms milliseconds: its size
 * (CAN_MTU or CANFD_MTU), or 0 when none came.
 */
ssize_t	 vm_direct_recv(int s, struct canfd_frame *f, int ms);
/* Sends a classic frame from direct socket s. */
void	 vm_direct_send(int s, canid_t id, const void *data, int len);
/*
 * Whether broker handle h receives nothing within ms milliseconds (its
 * timeout is left at none, blocking, afterwards).
 */
int	 vm_quiet(sb_conn *c, int h, int ms);
/*
 * Makes the daemons started from now on use policy file name (in the
 * guest's SB_VM_CONF directory) instead of the e2e one; for an unchecked
 * fixture.
 */
void	 vm_use_policy(const char *name);

#endif /* VM_H */
