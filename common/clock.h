/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * clock.h - the one monotonic clock, and the one conversion from
 * seconds to the timeval that libldap and select() want.
 *
 * Deadlines, TTLs and breaker intervals are all seconds as a double on
 * CLOCK_MONOTONIC, so a wall-clock step (NTP, an admin's date -s) can
 * neither expire every cache entry nor hold a server down for an hour.
 * Modules that are unit-tested take a clock function instead and use
 * this one as the default.
 *
 * Thread-safety: both functions are pure or read only the kernel clock.
 */
#ifndef RG_CLOCK_H
#define RG_CLOCK_H

#include <sys/time.h>

/* Seconds on CLOCK_MONOTONIC. */
double	rg_clock_monotonic(void);

/* A clock a module can be given instead, so a test can move time on. */
typedef double (*rg_clock_fn)(void *arg);

/* rg_clock_monotonic() as an rg_clock_fn; 'arg' is ignored. */
double	rg_clock_default(void *arg);

/*
 * 'secs' as a timeval, at least one millisecond: a search sent with a
 * zero time limit has no limit at the server, the opposite of a spent
 * budget.
 */
struct timeval rg_timeval_of(double secs);

#endif
