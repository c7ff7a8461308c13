/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * import.c - the -I command: read, classify, decide, write.
 *
 * Two passes: the whole file is read and classified first, because a
 * domain-wide entry (with --allow-domain) is scoped to the client
 * networks that the same file lets relay, wherever they are written.
 * Neither MTA can tie a sender to a network, so those networks are the
 * only scope the source offers; an exception limited to them is never
 * wider than what the source granted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "fragment.h"
#include "import.h"
#include "migrate.h"
#include "common/strmap.h"
#include "common/strutil.h"
#include "conf/conf.h"
#include "policy/domset.h"

/*
 * One entry, compact: a large access file (a spam blocklist kept in the
 * same map) must not cost kilobytes per line.  Strings are "" when none.
 */
struct item {
	unsigned line;
	enum rg_mig_action action;
	unsigned flags;
	bool imported;
	char *key, *value;	/* NULL for an entry that could not be read */
	char *sender, *domain, *net;
	char *why;		/* grows with each decision, never cut */
};

struct run {
	const char *file;
	enum rg_mig_syntax syn;
	struct item *v;
	size_t n, cap;
	struct rg_strmap *seen;		/* folded key -> first line */
	struct rg_strmap *senders;	/* sender or "@domain" -> first line */
	bool allow_domain;
	const struct rg_domset *own;
	const char *expires;
	const char **nets;	/* client networks the file lets relay */
	unsigned *netlines;	/* ... and the line of each */
	size_t nnets;
	unsigned imported, skipped, warned, bad;
};

static void
because(struct item *it, const char *fmt, ...)
{
	va_list ap;
	char *more;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (it->why == NULL) {
		it->why = more;
	} else {
		char *both;

		if (asprintf(&both, "%s; %s", it->why, more) < 0)
			abort();
		free(it->why);
		free(more);
		it->why = both;
	}
}

static struct item *
push(struct run *r, unsigned line)
{
	struct item *it;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		if ((r->v = realloc(r->v, r->cap * sizeof(*r->v))) == NULL)
			abort();
	}
	it = &r->v[r->n++];
	memset(it, 0, sizeof(*it));
	it->line = line;
	return it;
}

static void
collect(void *arg, unsigned line, const char *key, const char *value, const char *err)
{
	struct run *r = arg;
	struct item *it = push(r, line);
	struct rg_mig_entry e;
	void *first;

	if (key == NULL) {
		it->action = RG_MIG_BAD;
		because(it, "%s", err);
		return;
	}
	it->key = rg_xstrdup(key);
	it->value = rg_xstrdup(value);
	if (rg_strmap_get(r->seen, key, &first)) {
		it->action = RG_MIG_SKIP;
		because(it, "duplicate key: line %u counts (makemap and postmap keep the first)",
		    (unsigned)(uintptr_t)first);
		return;
	}
	rg_strmap_put(r->seen, key, (void *)(uintptr_t)line);
	if (r->syn == RG_MIG_SENDMAIL)
		rg_mig_sendmail(key, value, &e);
	else
		rg_mig_postfix(key, value, &e);
	it->action = e.action;
	it->flags = e.flags;
	it->sender = rg_xstrdup(e.sender);
	it->domain = rg_xstrdup(e.domain);
	it->net = rg_xstrdup(e.net);
	because(it, "%s", e.why);
}

static bool
is_sender(const struct item *it)
{
	return it->action == RG_MIG_SENDER || it->action == RG_MIG_DOMAIN;
}

/* Second pass: networks, own domains, repeats, and what becomes of domains. */
static void
decide(struct run *r)
{
	struct rg_strmap *nets = rg_strmap_new();

	for (size_t i = 0; i < r->n; i++) {
		struct item *it = &r->v[i];

		if (it->action != RG_MIG_NETWORK || rg_strmap_get(nets, it->net, NULL))
			continue;
		rg_strmap_put(nets, it->net, NULL);
		r->nets = realloc(r->nets, (r->nnets + 1) * sizeof(*r->nets));
		r->netlines = realloc(r->netlines, (r->nnets + 1) * sizeof(*r->netlines));
		if (r->nets == NULL || r->netlines == NULL)
			abort();
		r->netlines[r->nnets] = it->line;
		r->nets[r->nnets++] = it->net;
	}
	rg_strmap_destroy(&nets);
	for (size_t i = 0; i < r->n; i++) {
		struct item *it = &r->v[i];
		void *first;

		if (!is_sender(it))
			continue;
		if (rg_strmap_get(r->senders, it->sender, &first)) {
			/* "From:bob@x" and "From:bob@x." are one sender to relayguard. */
			it->action = RG_MIG_SKIP;
			it->flags = 0;
			free(it->why);
			it->why = NULL;
			because(it, "the same sender as line %u, which counts",
			    (unsigned)(uintptr_t)first);
			continue;
		}
		rg_strmap_put(r->senders, it->sender, (void *)(uintptr_t)it->line);
		if (r->own != NULL && rg_domset_contains(r->own, it->domain))
			it->flags |= RG_MIG_F_OWN;
		if (it->action == RG_MIG_SENDER)
			it->imported = true;
		else if (!r->allow_domain)
			because(it, "not imported without --allow-domain");
		else if (r->nnets == 0)
			because(it, "not imported: the domain form needs networks and this file "
			    "lets no client network relay");
		else {
			it->imported = true;
			because(it, "imported for %s itself, only from the networks this file "
			    "lets relay", it->domain);
		}
		if (it->flags & RG_MIG_F_OWN)
			because(it, "%s is one of our domains (domains.local): anyone offsite "
			    "can forge it", it->domain);
	}
}

static void
put_entry(FILE *out, const struct item *it)
{
	rg_mig_put_text(out, it->key);
	fputc(' ', out);
	rg_mig_put_text(out, it->value);
}

/* One line on stderr per entry that is not a plain, safe import. */
static void
report(struct run *r, const struct item *it)
{
	bool warn = it->flags != 0;

	if (it->action == RG_MIG_BAD) {
		r->bad++;
		rg_mig_put_text(stderr, r->file);
		fprintf(stderr, ":%u: ", it->line);
		if (it->key != NULL) {
			fputc('"', stderr);
			put_entry(stderr, it);
			fputs("\": ", stderr);
		}
		rg_mig_put_text(stderr, it->why);
		fputc('\n', stderr);
		return;
	}
	if (it->imported)
		r->imported++;
	else
		r->skipped++;
	if (warn)
		r->warned++;
	if (it->imported && !warn)
		return;
	rg_mig_put_text(stderr, r->file);
	fprintf(stderr, ":%u: %s%s \"", it->line, warn ? "warning: " : "",
	    it->imported ? "imported" : "skipped");
	put_entry(stderr, it);
	fputs("\": ", stderr);
	rg_mig_put_text(stderr, it->why);
	fputc('\n', stderr);
}

/* note = "FILE:LINE": the file as given, so later tools find the entry. */
static void
put_note(FILE *out, const struct run *r, unsigned line)
{
	size_t n = strlen(r->file) + 16;
	char *note = malloc(n);

	if (note == NULL)
		abort();
	snprintf(note, n, "%s:%u", r->file, line);
	rg_mig_put_string(out, note);
	free(note);
}

static void
header(FILE *out, const struct run *r, const char *format)
{
	fprintf(out, "# legacy_exceptions imported by \"relayguard -I %s\" from ", format);
	rg_mig_put_text(out, r->file);
	fprintf(out, ".\n");
	if (r->syn == RG_MIG_SENDMAIL)
		fputs("# Assumed: FEATURE(`relay_mail_from') (with `domain' for domain keys); it\n"
		    "# reads only From: keys, and only RELAY lets a sender relay.\n", out);
	else
		fputs("# Assumed: a check_sender_access map (check_client_access for network\n"
		    "# keys) in smtpd_recipient_restrictions or smtpd_relay_restrictions, where\n"
		    "# OK, RELAY, PERMIT and all-numerical values permit relaying.\n", out);
	fprintf(out, "# Every exception expires on %s.  Review each one, then @include this\n"
	    "# file from policy.conf.  note = \"FILE:LINE\" names the source entry;\n"
	    "# delete an entry with all its lines (each ends with its own \";\").\n",
	    r->expires);
	if (r->own == NULL)
		fputs("# No -c policy.conf: addresses in our own domains were not flagged.\n", out);
}

static void
write_fragment(FILE *out, struct run *r, const char *format)
{
	header(out, r, format);
	/*
	 * A group of named groups, not a list: reviewing the fragment means
	 * deleting entries, and each entry here ends with its own ';', so
	 * any one (the last too) goes with its lines and leaves no stray
	 * comma.  Names come from the source line, which is unique.
	 */
	fputs("legacy_exceptions = {\n", out);
	for (size_t i = 0; i < r->n; i++) {
		const struct item *it = &r->v[i];

		fprintf(out, "  # ");
		rg_mig_put_text(out, r->file);
		fprintf(out, ":%u: ", it->line);
		if (it->key == NULL) {
			fputs("could not be read: ", out);
			rg_mig_put_text(out, it->why);
			fputc('\n', out);
			continue;
		}
		put_entry(out, it);
		fputc('\n', out);
		if (!it->imported || it->flags != 0) {
			fprintf(out, "  # %s", it->action == RG_MIG_BAD ? "could not be read: " :
			    it->imported ? "WARNING: " :
			    it->flags ? "WARNING: skipped: " : "skipped: ");
			rg_mig_put_text(out, it->why);
			fputc('\n', out);
		}
		if (!it->imported)
			continue;
		fprintf(out, "  line_%u = { sender = ", it->line);
		rg_mig_put_string(out, it->sender);
		fputs("; expires = ", out);
		rg_mig_put_string(out, r->expires);
		fputs(";", out);
		if (it->action == RG_MIG_DOMAIN) {
			fputs("\n    networks = [", out);
			for (size_t k = 0; k < r->nnets; k++) {
				fputs(k ? ", " : " ", out);
				rg_mig_put_string(out, r->nets[k]);
			}
			fputs(" ];  # lines", out);
			for (size_t k = 0; k < r->nnets; k++)
				fprintf(out, " %u", r->netlines[k]);
			fputs("\n   ", out);
		}
		fputs(" note = ", out);
		put_note(out, r, it->line);
		fputs("; };\n", out);
	}
	fputs("};\n", out);
}

/* YYYY-MM-DD and a real day. */
static bool
is_date(const char *s)
{
	struct tm tm = { 0 };
	int y, m, d;
	time_t t;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	return t != (time_t)-1 && tm.tm_year == y - 1900 && tm.tm_mon == m - 1 &&
	    tm.tm_mday == d;
}

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "relayguard -I: %s\n", why);
	fputs("usage: relayguard -I sendmail|postfix [-c FILE] --expires YYYY-MM-DD "
	    "[--allow-domain] FILE\n", stderr);
	return EX_USAGE;
}

/* Load policy.conf for its domains.local; NULL (errors printed) on failure. */
static struct rg_config *
load_conf(const char *path)
{
	struct rg_errs errs = { 0 };
	struct rg_config *cfg = rg_config_load(path, &errs);

	for (int i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	rg_errs_free(&errs);
	return cfg;
}

static int
run_import(struct run *r, const char *format)
{
	FILE *in = fopen(r->file, "r");
	bool ok;

	if (in == NULL) {
		fprintf(stderr, "relayguard -I: cannot open ");
		rg_mig_put_text(stderr, r->file);
		fprintf(stderr, ": %s\n", strerror(errno));
		return EX_NOINPUT;
	}
	ok = rg_mig_split(in, r->syn, collect, r);
	fclose(in);
	if (!ok) {
		fprintf(stderr, "relayguard -I: cannot read ");
		rg_mig_put_text(stderr, r->file);
		fprintf(stderr, ": %s\n", strerror(errno));
		return EX_IOERR;
	}
	decide(r);
	for (size_t i = 0; i < r->n; i++)
		report(r, &r->v[i]);
	write_fragment(stdout, r, format);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "relayguard -I: cannot write the fragment: %s\n", strerror(errno));
		return EX_IOERR;
	}
	fprintf(stderr, "relayguard -I: ");
	rg_mig_put_text(stderr, r->file);
	fprintf(stderr, ": %u imported, %u skipped, %u dangerous, %u unreadable\n",
	    r->imported, r->skipped, r->warned, r->bad);
	return r->bad ? EX_DATAERR : 0;
}

int
rg_mig_import(const char *format, const char *conf, int argc, char **argv)
{
	struct run r = { 0 };
	struct rg_config *cfg = NULL;
	int rc;

	/* A message is many small writes; unbuffered, a big file costs a syscall each. */
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (strcmp(format, "sendmail") == 0)
		r.syn = RG_MIG_SENDMAIL;
	else if (strcmp(format, "postfix") == 0)
		r.syn = RG_MIG_POSTFIX;
	else
		return usage("the format is \"sendmail\" or \"postfix\"");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--allow-domain") == 0)
			r.allow_domain = true;
		else if (strcmp(a, "--expires") == 0 && i + 1 < argc)
			r.expires = argv[++i];
		else if (strncmp(a, "--expires=", 10) == 0)
			r.expires = a + 10;
		else if (strcmp(a, "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (a[0] == '-' && a[1] != '\0')
			return usage("unknown option");
		else if (r.file != NULL)
			return usage("one FILE only");
		else
			r.file = a;
	}
	if (r.file == NULL)
		return usage("no FILE");
	/* An exception that never ends is what relayguard exists to retire. */
	if (r.expires == NULL)
		return usage("--expires YYYY-MM-DD is required: every exception must end");
	if (!is_date(r.expires))
		return usage("--expires takes a date, YYYY-MM-DD");
	if (conf != NULL) {
		if ((cfg = load_conf(conf)) == NULL)
			return EX_CONFIG;
		r.own = rg_policy_local(rg_config_policy(cfg));
	}
	r.seen = rg_strmap_new();
	r.senders = rg_strmap_new();
	rc = run_import(&r, format);
	for (size_t i = 0; i < r.n; i++) {
		free(r.v[i].key);
		free(r.v[i].value);
		free(r.v[i].sender);
		free(r.v[i].domain);
		free(r.v[i].net);
		free(r.v[i].why);
	}
	free(r.v);
	free(r.nets);
	free(r.netlines);
	rg_strmap_destroy(&r.seen);
	rg_strmap_destroy(&r.senders);
	if (cfg != NULL)
		rg_config_release(&cfg);
	return rc;
}
