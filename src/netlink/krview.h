/*
 * krview.h - what kr.c has reported to its caller (links, IPv4 addresses,
 * main-table routes), so that a resync can report what disappeared.
 *
 * After a monitor overrun (ENOBUFS) notifications were lost, deletions
 * among them.  A fresh dump reports what exists, but not what went away:
 * the caller would keep a deleted address until the next notification for
 * it.  The view is marked at the start of the resync (krview_resync_begin),
 * every object the dump reports is seen again, and at the end
 * (krview_resync_end) everything not seen is reported as deleted through
 * the ordinary callbacks: routes, then addresses, then links, the order in
 * which the kernel removes them.  Pure: no sockets, tested in
 * tests/unit/test_krview.c.
 */
#ifndef RIPOSTE_KRVIEW_H
#define RIPOSTE_KRVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink/kr.h"

struct krview_node;

struct krview {
	struct krview_node	**buckets;
	size_t			  n_buckets;
	size_t			  n;
	uint32_t		  gen;	/* bumped by every resync */
};

void	krview_init(struct krview *);
void	krview_free(struct krview *);
/* What the caller was just told; 0, or -1 when out of memory (the view misses it). */
int	krview_link(struct krview *, const struct kr_link *, bool deleted);
int	krview_addr(struct krview *, const struct kr_addr *, bool deleted);
int	krview_route(struct krview *, const struct kr_route *, bool deleted);
size_t	krview_count(const struct krview *);
void	krview_resync_begin(struct krview *);
/* Report what the dump since krview_resync_begin did not show as deleted, and forget it; how many. */
size_t	krview_resync_end(struct krview *, const struct kr_callbacks *cb);

#endif
