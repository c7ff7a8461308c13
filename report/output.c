/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * output.c - the report as text for a postmaster, or as JSON for scripts.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

size_t
rg_utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
rg_report_time(time_t t, char *out, size_t outlen, int date_only)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
}

/* A log value for a terminal: control bytes and non-UTF-8 become \xHH. */
static void
put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "-");

	while (*p) {
		size_t n = rg_utf8_len(p);

		if (n == 0 || *p < 0x20 || *p == 0x7f || *p == '\\') {
			if (*p == '\\')
				fputs("\\\\", f);
			else
				fprintf(f, "\\x%02x", *p);
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
}

static void
put_json(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (*p) {
		size_t n = rg_utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	fputc('"', f);
}

static void
put_json_time(FILE *f, time_t t)
{
	char buf[32];

	if (t == 0) {
		fputs("null", f);
		return;
	}
	rg_report_time(t, buf, sizeof(buf), 0);
	put_json(f, buf);
}

static const char *
when(time_t t, char *buf, size_t len)
{
	if (t == 0)
		return "-";
	rg_report_time(t, buf, len, 0);
	return buf;
}

/* ---------------------------------------------------------------- text --- */

static void
text_counts(FILE *f, const char *title, const struct rg_cnt *c, size_t top)
{
	size_t n;
	struct rg_cnt_ent **v = rg_cnt_sorted(c, &n);

	fprintf(f, "\n%s\n", title);
	if (n == 0)
		fputs("  (none)\n", f);
	for (size_t i = 0; i < n && (top == 0 || i < top); i++) {
		fprintf(f, "  %8llu  ", (unsigned long long)v[i]->n);
		put_text(f, v[i]->key);
		fputc('\n', f);
	}
	if (top != 0 && n > top)
		fprintf(f, "  (%zu more)\n", n - top);
	if (c->dropped)
		fprintf(f, "  (%llu not counted: table full)\n", (unsigned long long)c->dropped);
	free(v);
}

static void
text_exception(FILE *f, const struct rg_tally *t, const struct rg_exc_tally *e,
    const struct rg_report_opts *o)
{
	char why[256], b1[32], b2[32];
	enum rg_advice a = rg_tally_advice(t, e, why, sizeof(why));
	size_t n;
	struct rg_cnt_ent **v;

	fputc('\n', f);
	put_text(f, e->info.sender);
	fprintf(f, "\n  expires            %s (%ld days)\n", e->info.expires_text,
	    rg_tally_days_left(e, o->ref));
	if (e->info.note[0] != '\0') {
		fputs("  note               ", f);
		put_text(f, e->info.note);
		fputc('\n', f);
	}
	fprintf(f, "  uses               %llu messages, %llu recipients\n",
	    (unsigned long long)e->messages, (unsigned long long)e->recipients);
	fprintf(f, "  first, last use    %s, %s\n", when(e->first, b1, sizeof(b1)),
	    when(e->last, b2, sizeof(b2)));
	v = rg_cnt_sorted(&e->nets, &n);
	fprintf(f, "  client networks    %zu", n);
	for (size_t i = 0; i < n && i < o->top; i++)
		fprintf(f, "%s%s (%llu)", i ? ", " : ": ", v[i]->key, (unsigned long long)v[i]->n);
	fputc('\n', f);
	free(v);
	fprintf(f, "  outside networks   %llu refused\n", (unsigned long long)e->outside);
	fprintf(f, "  expired refusals   %llu", (unsigned long long)e->expired);
	if (e->expired)
		fprintf(f, ", last %s", when(e->last_expired, b1, sizeof(b1)));
	fputc('\n', f);
	v = rg_cnt_sorted(&e->auth, &n);
	fputs("  authenticated      ", f);
	if (n == 0)
		fputs("never seen", f);
	for (size_t i = 0; i < n && i < o->top; i++) {
		char login[300];

		snprintf(login, sizeof(login), "%.*s", (int)strcspn(v[i]->key, "\x1f"), v[i]->key);
		fputs(i ? ", " : "", f);
		put_text(f, login);
		fputs(" over ", f);
		put_text(f, v[i]->aux);
		fprintf(f, " (%llu)", (unsigned long long)v[i]->n);
	}
	fputc('\n', f);
	free(v);
	fprintf(f, "  recommendation     %s: %s\n", rg_advice_name(a), why);
	if (a == RG_ADVICE_SCOPE) {
		v = rg_cnt_sorted(&e->nets, &n);
		fputs("  suggested          networks = [", f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s \"%s\"", i ? "," : "", v[i]->key);
		fputs(" ];\n", f);
		free(v);
	}
}

/* One store's outages, in the order they began. */
static void
text_outages(FILE *f, const struct rg_tally *t, enum rg_outage_store store, const char *title)
{
	char b1[32], b2[32];
	size_t n = 0;

	fprintf(f, "\n%s\n", title);
	for (size_t i = 0; i < t->noutages; i++) {
		const struct rg_outage *u = &t->outages[i];

		if (u->store != store)
			continue;
		n++;
		fputs("  ", f);
		put_text(f, u->uri);
		fprintf(f, "  %s .. %s", when(u->start, b1, sizeof(b1)),
		    u->end ? when(u->end, b2, sizeof(b2)) : "(still down)");
		if (u->end)
			fprintf(f, "  %lld s", (long long)(u->end - u->start));
		fputs("  ", f);
		put_text(f, u->why);
		fputc('\n', f);
	}
	if (n == 0 && t->outages_dropped[store] == 0)
		fputs("  (none)\n", f);
	if (t->outages_dropped[store])
		fprintf(f, "  (%llu more)\n", (unsigned long long)t->outages_dropped[store]);
}

void
rg_report_text(FILE *f, const struct rg_tally *t, const struct rg_report_opts *o)
{
	char b1[32], b2[32], b3[32];
	uint64_t peak = 1;

	fputs("relayguard migration report\n", f);
	fprintf(f, "period      %s .. %s\n", when(t->first, b1, sizeof(b1)), when(t->last, b2, sizeof(b2)));
	rg_report_time(o->ref, b3, sizeof(b3), 1);
	fprintf(f, "as of       %s (days left count from this day)\n", b3);
	fprintf(f, "input       %llu lines, %llu from relayguard, %llu unreadable, %llu over %d bytes, "
	    "%llu outside the period\n", (unsigned long long)t->lines, (unsigned long long)t->ours,
	    (unsigned long long)t->unreadable, (unsigned long long)t->overlong, RG_LP_LINE_MAX,
	    (unsigned long long)t->outside_period);
	if (t->monitor_lines)
		fprintf(f, "monitor     %llu decisions made in monitor mode\n",
		    (unsigned long long)t->monitor_lines);

	fputs("\n=== Legacy exceptions ===\n", f);
	if (t->nexc == 0)
		fputs("(none in policy.conf)\n", f);
	for (size_t i = 0; i < t->nexc; i++)
		text_exception(f, t, &t->exc[i], o);

	fprintf(f, "\n=== Summary ===\n\n%llu decisions, %llu refusals\n",
	    (unsigned long long)t->decisions, (unsigned long long)t->refusals);
	text_counts(f, "By action", &t->actions, 0);
	text_counts(f, "By reason", &t->reasons, 0);
	text_counts(f, "By stage", &t->stages, 0);
	text_counts(f, "Top refused clients", &t->refused_clients, o->top);
	text_counts(f, "Top target domains of refused relay attempts", &t->refused_domains, o->top);

	text_outages(f, t, RG_OUTAGE_LDAP, "Directory outages");
	text_outages(f, t, RG_OUTAGE_REDIS, "Budget store outages (Redis)");

	text_counts(f, "Logins refused for want of TLS (auth-without-tls)", &t->no_tls_users, o->top);

	fputs("\nRefusals per hour\n", f);
	for (int h = 0; h < 24; h++)
		if (t->by_hour[h] > peak)
			peak = t->by_hour[h];
	for (int h = 0; h < 24; h++) {
		int bar = (int)(t->by_hour[h] * 50 / peak);

		fprintf(f, "  %02d  %8llu  %.*s\n", h, (unsigned long long)t->by_hour[h], bar,
		    "##################################################");
	}
}

/* ---------------------------------------------------------------- json --- */

static void
json_list(FILE *f, const struct rg_cnt *c, const char *key, const char *count,
    const char *aux, size_t top)
{
	size_t n;
	struct rg_cnt_ent **v = rg_cnt_sorted(c, &n);

	fputc('[', f);
	for (size_t i = 0; i < n && (top == 0 || i < top); i++) {
		char k[600];

		/* A "LOGIN\x1fTLS" key shows as its login; aux names the rest. */
		snprintf(k, sizeof(k), "%.*s", (int)strcspn(v[i]->key, "\x1f"), v[i]->key);
		fprintf(f, "%s{\"%s\": ", i ? ", " : "", key);
		put_json(f, k);
		fprintf(f, ", \"%s\": %llu", count, (unsigned long long)v[i]->n);
		if (aux != NULL) {
			fprintf(f, ", \"%s\": ", aux);
			put_json(f, v[i]->aux);
		}
		fputs(", \"first\": ", f);
		put_json_time(f, v[i]->first);
		fputs(", \"last\": ", f);
		put_json_time(f, v[i]->last);
		fputc('}', f);
	}
	fputc(']', f);
	free(v);
}

static void
json_map(FILE *f, const struct rg_cnt *c)
{
	size_t n;
	struct rg_cnt_ent **v = rg_cnt_sorted(c, &n);

	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		put_json(f, v[i]->key);
		fprintf(f, ": %llu", (unsigned long long)v[i]->n);
	}
	fputc('}', f);
	free(v);
}

static void
json_exception(FILE *f, const struct rg_tally *t, const struct rg_exc_tally *e,
    const struct rg_report_opts *o)
{
	char why[256];
	enum rg_advice a = rg_tally_advice(t, e, why, sizeof(why));
	size_t n;
	struct rg_cnt_ent **v;

	fputs("    {\"sender\": ", f);
	put_json(f, e->info.sender);
	fputs(", \"expires\": ", f);
	put_json(f, e->info.expires_text);
	fprintf(f, ", \"days_left\": %ld, \"note\": ", rg_tally_days_left(e, o->ref));
	put_json(f, e->info.note);
	fprintf(f, ", \"scoped\": %s,\n     \"messages\": %llu, \"recipients\": %llu, \"first_use\": ",
	    e->info.nets != NULL ? "true" : "false",
	    (unsigned long long)e->messages, (unsigned long long)e->recipients);
	put_json_time(f, e->first);
	fputs(", \"last_use\": ", f);
	put_json_time(f, e->last);
	fprintf(f, ",\n     \"client_networks\": %zu, \"top_networks\": ", e->nets.count);
	json_list(f, &e->nets, "network", "uses", NULL, o->top);
	fprintf(f, ",\n     \"outside_networks\": %llu, \"expired_refusals\": %llu, \"last_expired\": ",
	    (unsigned long long)e->outside, (unsigned long long)e->expired);
	put_json_time(f, e->last_expired);
	fputs(",\n     \"senders\": ", f);
	json_list(f, &e->senders, "address", "uses", NULL, o->top);
	fputs(",\n     \"authenticated\": ", f);
	json_list(f, &e->auth, "login", "uses", "tls", o->top);
	fprintf(f, ",\n     \"recommendation\": \"%s\", \"why\": ", rg_advice_name(a));
	put_json(f, why);
	fputs(", \"suggested_networks\": ", f);
	if (a != RG_ADVICE_SCOPE) {
		fputs("null", f);
	} else {
		v = rg_cnt_sorted(&e->nets, &n);
		fputc('[', f);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "", v[i]->key);
		fputc(']', f);
		free(v);
	}
	fputc('}', f);
}


/* One store's outages as a JSON list. */
static void
json_outages(FILE *f, const struct rg_tally *t, enum rg_outage_store store)
{
	size_t n = 0;

	fputc('[', f);
	for (size_t i = 0; i < t->noutages; i++) {
		const struct rg_outage *u = &t->outages[i];

		if (u->store != store)
			continue;
		fputs(n++ ? ", " : "", f);
		fputs("{\"uri\": ", f);
		put_json(f, u->uri);
		fputs(", \"start\": ", f);
		put_json_time(f, u->start);
		fputs(", \"end\": ", f);
		put_json_time(f, u->end);
		if (u->end)
			fprintf(f, ", \"seconds\": %lld", (long long)(u->end - u->start));
		else
			fputs(", \"seconds\": null", f);
		fputs(", \"why\": ", f);
		put_json(f, u->why);
		fputc('}', f);
	}
	fputc(']', f);
}

void
rg_report_json(FILE *f, const struct rg_tally *t, const struct rg_report_opts *o)
{
	char b[32];

	fputs("{\n  \"schema\": \"relayguard-report/1\",\n  \"period\": {\"first\": ", f);
	put_json_time(f, t->first);
	fputs(", \"last\": ", f);
	put_json_time(f, t->last);
	fputs(", \"since\": ", f);
	if (t->since) {
		rg_report_time(t->since, b, sizeof(b), 1);
		put_json(f, b);
	} else {
		fputs("null", f);
	}
	fputs(", \"until\": ", f);
	if (t->until) {
		rg_report_time(t->until - 86400, b, sizeof(b), 1);
		put_json(f, b);
	} else {
		fputs("null", f);
	}
	rg_report_time(o->ref, b, sizeof(b), 1);
	fprintf(f, ", \"reference\": \"%s\"},\n", b);
	fprintf(f, "  \"input\": {\"lines\": %llu, \"relayguard_lines\": %llu, \"unreadable\": %llu, "
	    "\"overlong\": %llu, \"outside_period\": %llu, \"monitor_decisions\": %llu},\n",
	    (unsigned long long)t->lines, (unsigned long long)t->ours,
	    (unsigned long long)t->unreadable, (unsigned long long)t->overlong,
	    (unsigned long long)t->outside_period,
	    (unsigned long long)t->monitor_lines);
	fputs("  \"exceptions\": [\n", f);
	for (size_t i = 0; i < t->nexc; i++) {
		json_exception(f, t, &t->exc[i], o);
		fputs(i + 1 < t->nexc ? ",\n" : "\n", f);
	}
	fprintf(f, "  ],\n  \"summary\": {\n    \"decisions\": %llu, \"refusals\": %llu,\n",
	    (unsigned long long)t->decisions, (unsigned long long)t->refusals);
	fputs("    \"actions\": ", f);
	json_map(f, &t->actions);
	fputs(",\n    \"reasons\": ", f);
	json_map(f, &t->reasons);
	fputs(",\n    \"stages\": ", f);
	json_map(f, &t->stages);
	fputs(",\n    \"top_refused_clients\": ", f);
	json_list(f, &t->refused_clients, "client", "refusals", NULL, o->top);
	fputs(",\n    \"top_refused_relay_domains\": ", f);
	json_list(f, &t->refused_domains, "domain", "refusals", NULL, o->top);
	fputs(",\n    \"directory_outages\": ", f);
	json_outages(f, t, RG_OUTAGE_LDAP);
	fputs(",\n    \"budget_store_outages\": ", f);
	json_outages(f, t, RG_OUTAGE_REDIS);
	fputs(",\n    \"auth_without_tls\": ", f);
	json_list(f, &t->no_tls_users, "login", "refusals", "last_client", o->top);
	fputs(",\n    \"refusals_by_hour\": [", f);
	for (int h = 0; h < 24; h++)
		fprintf(f, "%s%llu", h ? ", " : "", (unsigned long long)t->by_hour[h]);
	fputs("]\n  }\n}\n", f);
}
