/* SPDX-License-Identifier: ISC */
/*
 * A walk over the option registry (kernel/kernel-opt.c) through the real
 * daemon: every privileged option, on a socket that takes it, refused
 * without a rule naming it and set (and read back) with one. The host's
 * e2e suite (check_e2e_opts.c) and the VM's (tests/vm/check_tipc_alg.c)
 * walk the same registry, each over the families its kernel has.
 */

#ifndef OPTWALK_H
#define OPTWALK_H

#include <stddef.h>

#include "fixture.h"

/*
 * Adds to s the TCases "options-refused" and "options-granted": their
 * daemons run with the walk's policy (every family and type the registry
 * knows; in the second, every privileged option named, in the first none),
 * and each runs its test.
 */
void	 optwalk_tcases(Suite *s, const TTest *refused, const TTest *granted);
/*
 * Walks the registry on c over the n families: a privileged option of one
 * of them is tried on its own socket; one that any socket takes, on the
 * registry's probe socket of each. grant says which outcome to prove.
 * Returns the number of (option, socket) pairs proved; *covered (if not
 * NULL) gets a bit per privileged option (by its order) that was proved.
 */
size_t	 optwalk_run(sb_conn *c, int grant, const int *families, size_t n,
	     unsigned long long *covered);

#endif /* OPTWALK_H */
