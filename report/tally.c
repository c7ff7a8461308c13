/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * tally.c - turn relayguard's decision and directory lines into counts.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"
#include "common/strmap.h"
#include "common/strutil.h"

void
rg_tally_init(struct rg_tally *t, const struct rg_policy *p, time_t since, time_t until)
{
	memset(t, 0, sizeof(*t));
	t->since = since;
	t->until = until;
	t->nexc = rg_policy_exception_count(p);
	t->exc = rg_xcalloc(t->nexc + 1, sizeof(*t->exc));
	t->by_sender = rg_strmap_new();
	for (size_t i = 0; i < t->nexc; i++) {
		struct rg_exc_tally *e = &t->exc[i];
		void *dummy;

		rg_policy_exception_at(p, i, &e->info);
		rg_cnt_init(&e->nets);
		rg_cnt_init(&e->senders);
		rg_cnt_init(&e->auth);
		/* The first group naming a sender counts, as in the daemon. */
		if (!rg_strmap_get(t->by_sender, e->info.sender, &dummy))
			rg_strmap_put(t->by_sender, e->info.sender, e);
	}
	rg_cnt_init(&t->actions);
	rg_cnt_init(&t->reasons);
	rg_cnt_init(&t->stages);
	rg_cnt_init(&t->refused_clients);
	rg_cnt_init(&t->refused_domains);
	rg_cnt_init(&t->no_tls_users);
}

void
rg_tally_free(struct rg_tally *t)
{
	for (size_t i = 0; i < t->nexc; i++) {
		rg_cnt_free(&t->exc[i].nets);
		rg_cnt_free(&t->exc[i].senders);
		rg_cnt_free(&t->exc[i].auth);
	}
	free(t->exc);
	for (size_t i = 0; i < t->noutages; i++) {
		free(t->outages[i].uri);
		free(t->outages[i].why);
	}
	free(t->outages);
	rg_cnt_free(&t->actions);
	rg_cnt_free(&t->reasons);
	rg_cnt_free(&t->stages);
	rg_cnt_free(&t->refused_clients);
	rg_cnt_free(&t->refused_domains);
	rg_cnt_free(&t->no_tls_users);
	rg_strmap_destroy(&t->by_sender);
}

bool
rg_tally_network(const char *ip, char *out, size_t outlen)
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];

	if (strncasecmp(ip, "IPv6:", 5) == 0)
		ip += 5;
	if (inet_pton(AF_INET, ip, a) == 1) {
		a[3] = 0;
		inet_ntop(AF_INET, a, txt, sizeof(txt));
		return snprintf(out, outlen, "%s/24", txt) < (int)outlen;
	}
	if (inet_pton(AF_INET6, ip, a) == 1) {
		memset(a + 8, 0, 8);
		inet_ntop(AF_INET6, a, txt, sizeof(txt));
		return snprintf(out, outlen, "%s/64", txt) < (int)outlen;
	}
	return false;
}

/* Addresses are case-blind for counting; the copy is cut at 255 bytes. */
static void
lower(const char *in, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] - 'A' + 'a') : in[i];
	out[i] = '\0';
}

static struct rg_exc_tally *
find_exception(const struct rg_tally *t, const char *from)
{
	void *e;
	const char *at;
	char key[260];

	if (from == NULL)
		return NULL;
	if (rg_strmap_get(t->by_sender, from, &e))
		return e;
	if ((at = strrchr(from, '@')) != NULL && at[1] != '\0') {
		snprintf(key, sizeof(key), "@%s", at + 1);
		if (rg_strmap_get(t->by_sender, key, &e))
			return e;
	}
	return NULL;
}

static uint64_t
txn_key(const struct rg_lp_line *l, const struct rg_lp_kv *kv)
{
	uint64_t h = 1469598103934665603u ^ (uint64_t)l->pid;
	/* Not the queue id: Postfix logs MAIL as NOQUEUE and assigns one by RCPT. */
	const char *parts[] = { kv->v[RG_F_CLIENT], kv->v[RG_F_FROM] };

	for (size_t i = 0; i < 2; i++) {
		for (const char *s = parts[i] ? parts[i] : ""; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211u;
		h = (h ^ 0xff) * 1099511628211u;
	}
	return h;
}

static bool
is(const char *v, const char *s)
{
	return v != NULL && strcmp(v, s) == 0;
}

/* Reasons that refuse a relay attempt: their rcpt= domain is a target. */
static bool
relay_refusal(const char *reason)
{
	return is(reason, "relay-denied") || is(reason, "auth-without-tls") ||
	    is(reason, "legacy-exception-expired");
}

static void
use(struct rg_exc_tally *e, const struct rg_lp_line *l, const struct rg_lp_kv *kv,
    const char *stage)
{
	uint64_t key = txn_key(l, kv);
	bool new_message = is(stage, "mail") || key != e->last_txn;
	char net[64], addr[260];

	/* A message logs its MAIL line, then its RCPTs: count it once. */
	if (!is(stage, "mail"))
		e->recipients++;
	if (new_message) {
		e->messages++;
		if (kv->v[RG_F_CLIENT] != NULL && rg_tally_network(kv->v[RG_F_CLIENT], net, sizeof(net)))
			(void)rg_cnt_add(&e->nets, net, l->when);
		lower(kv->v[RG_F_FROM], addr, sizeof(addr));
		(void)rg_cnt_add(&e->senders, addr, l->when);
	}
	e->last_txn = key;
	if (e->first == 0 || l->when < e->first)
		e->first = l->when;
	if (l->when > e->last)
		e->last = l->when;
}

static void
seen_authenticated(struct rg_exc_tally *e, const struct rg_lp_line *l, const struct rg_lp_kv *kv)
{
	const char *login = kv->v[RG_F_AUTH], *tls = kv->v[RG_F_TLS];
	struct rg_cnt_ent *c;

	char key[600];

	if (login == NULL || is(login, "-"))
		return;
	/* One row per login and TLS version: "login\x1fTLS"; output splits it. */
	snprintf(key, sizeof(key), "%.255s\x1f%.255s", login, tls == NULL || is(tls, "-") ? "none" : tls);
	if ((c = rg_cnt_add(&e->auth, key, l->when)) != NULL)
		rg_cnt_set_aux(c, strchr(key, '\x1f') + 1);
}

static void
exception_line(struct rg_tally *t, const struct rg_lp_line *l, const struct rg_lp_kv *kv)
{
	const char *reason = kv->v[RG_F_REASON], *stage = kv->v[RG_F_STAGE];
	struct rg_exc_tally *e;

	if (kv->v[RG_F_EXCEPTION] != NULL) {
		/* The holder logged in: reason=authenticated, or login without TLS. */
		if ((e = find_exception(t, kv->v[RG_F_EXCEPTION])) != NULL &&
		    (is(reason, "authenticated") || is(reason, "login")))
			seen_authenticated(e, l, kv);
		return;
	}
	if ((e = find_exception(t, kv->v[RG_F_FROM])) == NULL)
		return;
	if (is(reason, "legacy-exception") && is(kv->v[RG_F_ACTION], "accept")) {
		use(e, l, kv, stage);
	} else if (is(reason, "legacy-exception-expired")) {
		e->expired++;
		if (l->when > e->last_expired)
			e->last_expired = l->when;
	} else if (is(reason, "relay-denied") && is(stage, "rcpt") && kv->v[RG_F_EXPIRES] != NULL) {
		e->outside++;
	} else if (is(reason, "auth-without-tls")) {
		seen_authenticated(e, l, kv);
	}
}

static void
decision(struct rg_tally *t, const struct rg_lp_line *l, const struct rg_lp_kv *kv)
{
	const char *action = kv->v[RG_F_ACTION], *reason = kv->v[RG_F_REASON];
	const char *stage = kv->v[RG_F_STAGE], *client = kv->v[RG_F_CLIENT];

	t->decisions++;
	(void)rg_cnt_add(&t->actions, action, l->when);
	(void)rg_cnt_add(&t->reasons, reason, l->when);
	(void)rg_cnt_add(&t->stages, stage, l->when);
	if (is(kv->v[RG_F_MODE], "monitor"))
		t->monitor_lines++;
	if (!is(action, "accept")) {
		t->refusals++;
		t->by_hour[(l->when % 86400 + 86400) % 86400 / 3600]++;
		(void)rg_cnt_add(&t->refused_clients, client ? client : "unknown", l->when);
		if (is(stage, "rcpt") && relay_refusal(reason)) {
			const char *r = kv->v[RG_F_RCPT], *at = r ? strrchr(r, '@') : NULL;
			char dom[260];

			lower(at != NULL && at[1] != '\0' ? at + 1 : "(none)", dom, sizeof(dom));
			(void)rg_cnt_add(&t->refused_domains, dom, l->when);
		}
		if (is(reason, "auth-without-tls") && kv->v[RG_F_AUTH] != NULL) {
			struct rg_cnt_ent *c = rg_cnt_add(&t->no_tls_users, kv->v[RG_F_AUTH], l->when);

			if (c != NULL)
				rg_cnt_set_aux(c, client);
		}
	}
	exception_line(t, l, kv);
}

/* An ldap= or redis= line: "down" opens an outage of its URI, "up" ends it. */
static void
outage_line(struct rg_tally *t, const struct rg_lp_line *l, const struct rg_lp_kv *kv,
    enum rg_outage_store store, const char *state)
{
	const char *uri = kv->v[RG_F_URI] ? kv->v[RG_F_URI] : "-";
	struct rg_outage *o = NULL;

	for (size_t i = t->noutages; i-- > 0;)
		if (t->outages[i].end == 0 && t->outages[i].store == store &&
		    strcmp(t->outages[i].uri, uri) == 0) {
			o = &t->outages[i];
			break;
		}
	if (is(state, "down") && o == NULL) {
		if (t->noutages >= RG_OUTAGES_MAX) {
			t->outages_dropped[store]++;
			return;
		}
		if (t->noutages % 16 == 0) {
			t->outages = realloc(t->outages, (t->noutages + 16) * sizeof(*t->outages));
			if (t->outages == NULL)
				abort();
		}
		o = &t->outages[t->noutages++];
		o->store = store;
		o->uri = rg_xstrdup(uri);
		o->why = rg_xstrdup(kv->v[RG_F_WHY] ? kv->v[RG_F_WHY] : "-");
		o->start = l->when;
		o->end = 0;
	} else if (is(state, "up") && o != NULL) {
		/* The same second still ends it: a zero-length outage is not "still down". */
		o->end = l->when > o->start ? l->when : o->start + 1;
	}
}

void
rg_tally_line(struct rg_tally *t, enum rg_lp_kind kind, const struct rg_lp_line *l)
{
	static struct rg_lp_kv kv;	/* 8 KiB: not on the stack per line */

	t->lines++;
	if (kind == RG_LP_OTHER)
		return;
	if ((t->since != 0 && l->when < t->since) || (t->until != 0 && l->when >= t->until)) {
		t->outside_period++;
		return;
	}
	if (kind == RG_LP_BAD || !rg_lp_fields(l->msg, l->msglen, &kv)) {
		/* Startup and other prose lines are not key=value: not an error. */
		if (kind == RG_LP_BAD || memmem(l->msg, l->msglen, "action=", 7) != NULL ||
		    (l->msglen >= 5 && memcmp(l->msg, "ldap=", 5) == 0) ||
		    (l->msglen >= 6 && memcmp(l->msg, "redis=", 6) == 0))
			t->unreadable++;
		else
			t->ours++;
		return;
	}
	t->ours++;
	if (t->first == 0 || l->when < t->first)
		t->first = l->when;
	if (l->when > t->last)
		t->last = l->when;
	if (kv.v[RG_F_LDAP] != NULL)
		outage_line(t, l, &kv, RG_OUTAGE_LDAP, kv.v[RG_F_LDAP]);
	else if (kv.v[RG_F_REDIS] != NULL)
		outage_line(t, l, &kv, RG_OUTAGE_REDIS, kv.v[RG_F_REDIS]);
	else if (kv.v[RG_F_ACTION] != NULL && kv.v[RG_F_STAGE] != NULL && kv.v[RG_F_REASON] != NULL)
		decision(t, l, &kv);
}

void
rg_report_day(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%d", &tm);
}

time_t
rg_tally_reference(const struct rg_tally *t, time_t now)
{
	time_t r = t->until != 0 ? t->until - 1 : t->last != 0 ? t->last : now;

	return r - (r % 86400 + 86400) % 86400;
}

long
rg_tally_days_left(const struct rg_exc_tally *e, time_t ref)
{
	time_t d = e->info.expires - ref;

	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

const char *
rg_advice_name(enum rg_advice a)
{
	switch (a) {
	case RG_ADVICE_REMOVE:		return "remove";
	case RG_ADVICE_SCOPE:		return "scope";
	case RG_ADVICE_NOTIFY:		return "notify";
	case RG_ADVICE_EXPIRED_USED:	return "expired-but-used";
	}
	return "unknown";
}

enum rg_advice
rg_tally_advice(const struct rg_tally *t, const struct rg_exc_tally *e, char *why, size_t whylen)
{
	long days = t->last > t->first ? (long)((t->last - t->first) / 86400) + 1 : 1;

	if (e->expired > 0) {
		char last[32];

		rg_report_day(e->last_expired, last, sizeof(last));
		snprintf(why, whylen, "%llu relay attempt%s refused as expired, the last on %s",
		    (unsigned long long)e->expired, e->expired == 1 ? "" : "s", last);
		return RG_ADVICE_EXPIRED_USED;
	}
	if (e->messages + e->recipients == 0) {
		snprintf(why, whylen, "unused in the %ld day%s read", days, days == 1 ? "" : "s");
		return RG_ADVICE_REMOVE;
	}
	if (e->auth.count > 0) {
		size_t n;
		struct rg_cnt_ent **v = rg_cnt_sorted(&e->auth, &n);

		snprintf(why, whylen, "the owner already sends authenticated as %.*s",
		    (int)strcspn(v[0]->key, "\x1f"), v[0]->key);
		free(v);
		return RG_ADVICE_REMOVE;
	}
	if (e->info.nets == NULL && e->nets.count > 0 && e->nets.count <= RG_SCOPE_NETS) {
		snprintf(why, whylen, "used from %zu network%s only", e->nets.count,
		    e->nets.count == 1 ? "" : "s");
		return RG_ADVICE_SCOPE;
	}
	snprintf(why, whylen, "still in use; the owner was never seen authenticated");
	return RG_ADVICE_NOTIFY;
}
