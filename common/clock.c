/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/* clock.c - see clock.h. */
#include <time.h>

#include "common/clock.h"

double
rg_clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
rg_clock_default(void *arg)
{
	(void)arg;
	return rg_clock_monotonic();
}

struct timeval
rg_timeval_of(double secs)
{
	struct timeval tv;

	if (secs < 0.001)
		secs = 0.001;
	tv.tv_sec = (time_t)secs;
	tv.tv_usec = (suseconds_t)((secs - (double)tv.tv_sec) * 1e6);
	return tv;
}
