/*
 * clock.h - time in riposte is monotonic microseconds (rtime_t).  Protocol
 * cores never read the clock: the caller passes `now`, so tests run on a
 * fake clock.
 */
#ifndef RIPOSTE_CLOCK_H
#define RIPOSTE_CLOCK_H

#include <stdint.h>
#include <time.h>

typedef int64_t rtime_t;
#define RTIME_MS 1000LL
#define RTIME_SEC 1000000LL
#define RTIME_NEVER INT64_MAX

static inline rtime_t
clock_mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (rtime_t)ts.tv_sec * RTIME_SEC + ts.tv_nsec / 1000;
}

#endif
