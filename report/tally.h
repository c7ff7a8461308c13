/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * tally.h - what relayguard -R learns from the daemon's lines.
 *
 * Fed one parsed line at a time (report/logparse.h), it keeps per
 * exception uses and per summary item counts in report/count.h tables,
 * so that memory is bounded by distinct exceptions, clients, domains,
 * logins and directory outages, not by the input's size.  Nothing here
 * reads a file or prints.  Single-threaded.
 */
#ifndef RG_REPORT_TALLY_H
#define RG_REPORT_TALLY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "count.h"
#include "logparse.h"
#include "policy/policy.h"

/* How many outages are kept one by one; the rest are only counted. */
#define RG_OUTAGES_MAX	1000

enum rg_advice {
	RG_ADVICE_REMOVE,
	RG_ADVICE_SCOPE,
	RG_ADVICE_NOTIFY,
	RG_ADVICE_EXPIRED_USED,
};

/* At most this many client networks make an unscoped exception "scope". */
#define RG_SCOPE_NETS	3

struct rg_exc_tally {
	struct rg_exception_info info;
	uint64_t messages, recipients;	/* legacy-exception accepts at mail / rcpt */
	uint64_t outside;		/* relay refused: used from outside its networks */
	uint64_t expired;		/* legacy-exception-expired refusals */
	time_t first, last;		/* of uses; 0 when none */
	time_t last_expired;
	struct rg_cnt nets;		/* /24 or /64 of the uses */
	struct rg_cnt senders;		/* addresses that used it */
	struct rg_cnt auth;		/* "LOGIN\x1fTLS" seen sending its address; aux = TLS */
	uint64_t last_txn;		/* to count a message once over its RCPTs */
};

struct rg_strmap;

/* What was down: the directory (ldap=down/up) or the budget store (redis=). */
enum rg_outage_store {
	RG_OUTAGE_LDAP,
	RG_OUTAGE_REDIS,
};

struct rg_outage {
	enum rg_outage_store store;
	char *uri, *why;
	time_t start, end;		/* end 0: still down when the input ends */
};

struct rg_tally {
	time_t since, until;		/* 0: open; until is exclusive */
	/* Input */
	uint64_t lines, ours, unreadable, overlong, outside_period;
	time_t first, last;		/* of relayguard lines in the period */
	/* Per exception, in policy.conf order */
	struct rg_exc_tally *exc;
	size_t nexc;
	struct rg_strmap *by_sender;	/* configured sender -> its entry in exc */
	/* Summary */
	uint64_t decisions, refusals, monitor_lines;
	struct rg_cnt actions, reasons, stages;
	struct rg_cnt refused_clients, refused_domains, no_tls_users;
	uint64_t by_hour[24];
	struct rg_outage *outages;
	size_t noutages;
	uint64_t outages_dropped[2];	/* by enum rg_outage_store */
};

void	rg_tally_init(struct rg_tally *, const struct rg_policy *, time_t since, time_t until);
void	rg_tally_free(struct rg_tally *);

/* One line of the input; 'kind' is what rg_lp_split() said. */
void	rg_tally_line(struct rg_tally *, enum rg_lp_kind kind, const struct rg_lp_line *);

/*
 * The day days_left counts from: --until when given, else the day of
 * the last line read, else 'now'.
 */
time_t	rg_tally_reference(const struct rg_tally *, time_t now);

/* Whole days from 'ref' to the first day an exception no longer holds. */
long	rg_tally_days_left(const struct rg_exc_tally *, time_t ref);

/*
 * The recommendation for one exception, with a one-line reason in why
 * (for the report) and, for RG_ADVICE_SCOPE, the suggested networks as
 * the sorted entries of e->nets.
 */
enum rg_advice rg_tally_advice(const struct rg_tally *, const struct rg_exc_tally *,
	    char *why, size_t whylen);
const char *rg_advice_name(enum rg_advice);

/* "YYYY-MM-DD" of a wall-clock time. */
void	rg_report_day(time_t, char *out, size_t outlen);

/* "198.51.100.7" -> "198.51.100.0/24", "2001:db8::1" -> "2001:db8::/64"; false if not an IP. */
bool	rg_tally_network(const char *ip, char *out, size_t outlen);

#endif
