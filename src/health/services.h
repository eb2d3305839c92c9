/*
 * services.h - the services of riposted at run time: their checks on
 * timers, their state machines (service.h), and what a transition does:
 * announce or withdraw the service's addresses (through the RIP engine),
 * add or remove them on their interface (through the kernel module).
 *
 * Each transition comes with an action of the state machine (service.h);
 * this module maps it to the route and carries out the address part:
 *
 *	state change		action	addresses			route
 *	-> up			ANNOUNCE confirmed by the kernel first	announced (urgent)
 *	up -> down (checks)	WITHDRAW removed after the urgent	withdrawn (urgent)
 *					sends, unless keep-address
 *	up -> down (address,	WITHDRAW added again (when missing)	withdrawn (urgent)
 *	  interface gone/down)
 *	init -> down		NONE	removed, unless keep-address	-
 *	up -> draining		DRAIN	kept for drain-time		metric 14 (urgent)
 *	draining -> drained	WITHDRAW kept				withdrawn (urgent)
 *	draining -> down	WITHDRAW kept				withdrawn (urgent)
 *	  (undrain)
 *
 * The address is added at start, before the first check: a service that
 * passes `rise` rounds is announced at once, and a check of the service
 * address itself (rather than 127.0.0.1) can pass.
 *
 * The kernel has the last word on the addresses: the glue passes every
 * link and IPv4 address notification on (svcd_kernel_link,
 * svcd_kernel_addr; create the svcd before the first dump), and a service
 * is announced only while each of its addresses is confirmed on its
 * interface, and while that interface is up.  One that goes missing
 * (`ip addr del`, the interface deleted) is withdrawn at once and added
 * again; the service comes back when the kernel confirms it.  An interface
 * set down (`ip link set lo down`) keeps its addresses but loses their
 * local routes: withdrawn at once too, back when the interface is up.  A service whose interface does not exist
 * stays down, with that reason in `show services`, until it appears.
 *
 * A reload changes a service in place (svcconf.h says what can be); a new
 * address set or interface is made before the old one is broken: the new
 * addresses are added, confirmed and announced, then the old ones are
 * withdrawn and removed.
 *
 * The services drained with `ripostectl drain` are listed in a state file
 * (svcd_set_state_file) and start drained after a restart.
 */
#ifndef RIPOSTE_HEALTH_SERVICES_H
#define RIPOSTE_HEALTH_SERVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/addr.h"
#include "health/service.h"
#include "lib/clock.h"
#include "health/conf.h"

struct ev_loop;
struct svcd;

struct svcd_ops {
	/* Announce prefix with metric, or withdraw it. */
	void (*announce)(void *ctx, struct prefix4 prefix, uint8_t metric, bool up);
	/* Add or remove prefix on interface ifname; 0 or -1 (logged by the callee). */
	int (*address)(void *ctx, const char *ifname, struct prefix4 prefix, bool add);
	/*
	 * prefix is a service address, or no longer: held from the service's
	 * start until no service has it and its removal from the interface is
	 * confirmed by the kernel, so it is never taken for an ordinary
	 * (connected) address meanwhile, not even during a move or after a
	 * reload that removed the service.  Called on changes only.
	 */
	void (*hold)(void *ctx, struct prefix4 prefix, bool held);
	void *ctx;
};

/* What a draining service is announced with until it is drained (services.c says why). */
#define SVCD_DRAIN_METRIC 14

/* Time between the withdrawal and the removal of the address: the urgent sends go first. */
#define SVCD_UNADDR_DELAY (150 * RTIME_MS)

struct svcd	*svcd_new(struct ev_loop *loop, const struct svcd_ops *ops);
/*
 * Where the drained services are recorded (drainfile_path() in svcconf.h
 * makes one); read now, applied by the first svcd_configure.  NULL: none.
 */
void		 svcd_set_state_file(struct svcd *, const char *path);
/*
 * Start, keep or change services to match the configuration: a changed
 * service is changed in place and keeps its state (only its addresses
 * move, make-before-break, when they changed); a removed one is withdrawn
 * and its addresses removed; a renamed one is a removed one and a new one.
 */
void		 svcd_configure(struct svcd *, const struct service_conf *services,
		    size_t n_services);
/* The kernel's links and IPv4 addresses, from its dump and its notifications. */
/* up: up with carrier; a service is not announced while its interface is down. */
void		 svcd_kernel_link(struct svcd *, unsigned ifindex, const char *ifname,
		    bool up, bool deleted);
void		 svcd_kernel_addr(struct svcd *, unsigned ifindex, struct prefix4 addr,
		    bool deleted);
/* For --check: warn about each service whose interface is not on this host; how many. */
size_t		 svcd_conf_warn_missing_ifaces(const struct service_conf *services, size_t n);
/* drain / undrain the service `name`; one line to out.  -1 if there is no such service. */
int		 svcd_drain(struct svcd *, const char *name, bool undrain, FILE *out);
/*
 * Before exit: drain every announced service; returns the longest drain-time
 * among them, how long to wait before the goodbye (0: nothing announced).
 */
rtime_t		 svcd_drain_for_exit(struct svcd *);
size_t		 svcd_count(const struct svcd *);
/* A service's state for the control channel (a drain's JSON reply). */
struct svcd_info {
	enum svc_state	 state;
	bool		 announced;		/* in rotation */
	uint8_t		 metric;		/* announced with now; 0: withdrawn */
	uint8_t		 configured_metric;
	bool		 address_present;
	unsigned	 rise;
	rtime_t		 drain_time;
};
/* false if there is no service `name`. */
bool		 svcd_info(const struct svcd *, const char *name, struct svcd_info *);
/* `show services [NAME]`; -1 if NAME is given and unknown. */
int		 svcd_show(const struct svcd *, FILE *out, bool json, const char *name,
		    rtime_t now);
struct prom_w;
/* The services' families for the metrics page (README, Metrics). */
void		 svcd_metrics(const struct svcd *, struct prom_w *w);
/* Withdraw what is announced, remove every address, stop every check. */
void		 svcd_stop(struct svcd *);
void		 svcd_free(struct svcd *);

#endif
