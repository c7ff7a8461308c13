/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * notice.c - fill the notice template for each exception still in use.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "notice.h"
#include "output.h"

#define TEMPLATE_MAX	65536

const char rg_notice_default_template[] =
"To: {{to}}\n"
"Subject: Your relay exception on {{server}} ends on {{expires}}\n"
"Content-Type: text/plain; charset=utf-8\n"
"\n"
"Hello,\n"
"\n"
"Mail from {{sender}} may still be relayed offsite through {{server}}\n"
"without logging in, because the address holds an exception to the\n"
"anti-relay rules.  That exception {{expiry}}.\n"
"\n"
"What the gateway saw up to {{report_date}}:\n"
"  messages relayed   {{messages}} ({{recipients}} recipients)\n"
"  from networks      {{networks}}\n"
"  last use           {{last_use}}\n"
"\n"
"While it lasts, anyone who learns the address can use it to send mail\n"
"through the gateway, spam included.  With Authenticated SMTP you relay\n"
"with your own gateway login instead.  In your mail client's outgoing\n"
"(SMTP) server settings:\n"
"\n"
"  - server:          {{server}}\n"
"  - authentication:  on, with your mail gateway username and password\n"
"  - security:        STARTTLS on port 587\n"
"\n"
"Some ISPs and institutions block port 25 or 587, or pass it through a\n"
"proxy of their own.  If that is yours, use SSL/TLS on port 465 instead.\n"
"\n"
"Anti-virus software that inspects outgoing mail can stop TLS from\n"
"working; if sending fails once TLS is on, turn that inspection off.\n"
"\n"
"Help:      {{help_url}}\n"
"Questions: {{contact}}\n";

static const char *const names[] = {
	"to", "sender", "exception", "expires", "expiry", "days_left", "messages",
	"recipients", "networks", "first_use", "last_use", "report_date",
	"server", "contact", "help_url", NULL,
};

void
rg_notice_safe(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	while (*p && o + 1 < outlen) {
		size_t n = rg_utf8_len(p);

		if (n == 0 || *p < 0x20 || *p == 0x7f || o + n >= outlen) {
			out[o++] = '?';
			p++;
		} else {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		}
	}
	out[o] = '\0';
}

bool
rg_notice_addr_ok(const char *s)
{
	const char *at = strrchr(s, '@');
	size_t n = strlen(s);

	if (at == NULL || at == s || at[1] == '\0' || n > 254 || strchr(s, '@') != at)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || strchr("\"(),:;<>[\\]", c) != NULL)
			return false;
	}
	return true;
}

/* Check every {{name}} once, so a typo in a site's template is an error, not a blank. */
static bool
template_ok(const char *t)
{
	bool ok = true;

	for (const char *p = strstr(t, "{{"); p != NULL; p = strstr(p + 2, "{{")) {
		const char *end = strstr(p + 2, "}}");
		size_t i, n = end ? (size_t)(end - p - 2) : 0;

		for (i = 0; end != NULL && names[i] != NULL; i++)
			if (strlen(names[i]) == n && memcmp(names[i], p + 2, n) == 0)
				break;
		if (end == NULL || names[i] == NULL) {
			fprintf(stderr, "relayguard: template: unknown placeholder \"%.*s\"\n",
			    (int)(end ? n + 4 : strcspn(p, "\n")), p);
			ok = false;
		}
	}
	return ok;
}

static char *
read_template(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "relayguard: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(TEMPLATE_MAX + 1);
	if (buf == NULL)
		abort();
	n = fread(buf, 1, TEMPLATE_MAX + 1, f);
	fclose(f);
	if (n > TEMPLATE_MAX || memchr(buf, '\0', n) != NULL) {
		fprintf(stderr, "relayguard: %s: not a text template of at most %d bytes\n",
		    path, TEMPLATE_MAX);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

struct fill {
	const struct rg_exc_tally *e;
	const struct rg_notice_opts *o;
	const char *to;		/* whom it goes to */
	const char *sender;	/* whom it is about */
};

static void
value_of(const struct fill *x, const char *name, size_t n, char *out, size_t outlen)
{
	const struct rg_exc_tally *e = x->e;
	char raw[1024], b[32];
	long days = rg_tally_days_left(e, x->o->ref);

#define IS(s) (strlen(s) == n && memcmp(s, name, n) == 0)
	raw[0] = '\0';
	if (IS("to")) {
		snprintf(raw, sizeof(raw), "%s", x->to);
	} else if (IS("sender")) {
		snprintf(raw, sizeof(raw), "%s", x->sender);
	} else if (IS("exception")) {
		snprintf(raw, sizeof(raw), "%s", e->info.sender);
	} else if (IS("expires")) {
		snprintf(raw, sizeof(raw), "%s", e->info.expires_text);
	} else if (IS("expiry")) {
		if (days <= 0)
			snprintf(raw, sizeof(raw), "expired on %s, and mail relayed this way is "
			    "being refused now", e->info.expires_text);
		else if (e->expired > 0)
			snprintf(raw, sizeof(raw), "ends on %s, but %llu relay attempts were "
			    "already refused as expired", e->info.expires_text,
			    (unsigned long long)e->expired);
		else
			snprintf(raw, sizeof(raw), "ends on %s, in %ld days; after that day such "
			    "mail will be refused", e->info.expires_text, days);
	} else if (IS("days_left")) {
		snprintf(raw, sizeof(raw), "%ld", days);
	} else if (IS("messages")) {
		snprintf(raw, sizeof(raw), "%llu", (unsigned long long)e->messages);
	} else if (IS("recipients")) {
		snprintf(raw, sizeof(raw), "%llu", (unsigned long long)e->recipients);
	} else if (IS("networks")) {
		size_t k, len = 0;
		struct rg_cnt_ent **v = rg_cnt_sorted(&e->nets, &k);

		for (size_t i = 0; i < k && len + 64 < sizeof(raw); i++)
			len += (size_t)snprintf(raw + len, sizeof(raw) - len, "%s%s",
			    i ? ", " : "", v[i]->key);
		if (k == 0)
			snprintf(raw, sizeof(raw), "none");
		free(v);
	} else if (IS("first_use") || IS("last_use")) {
		time_t t = IS("first_use") ? e->first : e->last;

		if (t != 0)
			rg_report_time(t, raw, sizeof(raw), 0);
		else
			snprintf(raw, sizeof(raw), "none seen");
	} else if (IS("report_date")) {
		rg_report_time(x->o->ref, b, sizeof(b), 1);
		snprintf(raw, sizeof(raw), "%s", b);
	} else if (IS("server")) {
		snprintf(raw, sizeof(raw), "%s", x->o->server ? x->o->server : "the mail gateway");
	} else if (IS("contact")) {
		snprintf(raw, sizeof(raw), "%s", x->o->contact ? x->o->contact : "your postmaster");
	} else if (IS("help_url")) {
		snprintf(raw, sizeof(raw), "%s", x->o->help_url ? x->o->help_url : "ask your postmaster");
	}
#undef IS
	rg_notice_safe(raw, out, outlen);
}

static void
expand(FILE *f, const char *t, const struct fill *x)
{
	const char *p = t, *q;
	char val[1100];

	while ((q = strstr(p, "{{")) != NULL) {
		const char *end = strstr(q + 2, "}}");

		fwrite(p, 1, (size_t)(q - p), f);
		value_of(x, q + 2, (size_t)(end - q - 2), val, sizeof(val));
		fputs(val, f);
		p = end + 2;
	}
	fputs(p, f);
}

/* "bob@example.edu.txt": letters, digits and ._+-@ kept, anything else "_". */
static void
file_name(const char *addr, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; addr[i] != '\0' && i + 5 < outlen; i++) {
		char c = addr[i];

		out[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c != '\0' && strchr("._+-@", c) != NULL)) ? c : '_';
	}
	if (i > 0 && out[0] == '.')
		out[0] = '_';
	memcpy(out + i, ".txt", 5);
}

/* Whom the notice for 'sender' goes to; says on stderr when it is not the sender. */
static const char *
resolve_to(const struct rg_notice_opts *o, const char *sender, struct rg_notice_to *r)
{
	char s1[300], s2[400], bad[260];

	memset(r, 0, sizeof(*r));
	r->kind = RG_NOTICE_TO_SENDER;
	if (o->resolve == NULL)
		return sender;
	o->resolve(o->resolve_arg, sender, r);
	r->to[sizeof(r->to) - 1] = r->login[sizeof(r->login) - 1] = r->why[sizeof(r->why) - 1] = '\0';
	if (r->kind == RG_NOTICE_TO_OWNER && !rg_notice_addr_ok(r->to)) {
		rg_notice_safe(r->to, bad, sizeof(bad));
		r->kind = RG_NOTICE_TO_FALLBACK;
		snprintf(r->why, sizeof(r->why), "its owner's address \"%s\" is not a plain one",
		    bad);
	}
	if (r->kind == RG_NOTICE_TO_FALLBACK) {
		/* Never lose the notice: to the sender, and say why. */
		rg_notice_safe(sender, s1, sizeof(s1));
		rg_notice_safe(r->why, s2, sizeof(s2));
		fprintf(stderr, "relayguard: notice for %s addressed to the sender itself: %s\n",
		    s1, s2);
		return sender;
	}
	return r->kind == RG_NOTICE_TO_OWNER ? r->to : sender;
}

static int
write_one(const struct rg_notice_opts *o, const char *tpl, const struct rg_exc_tally *e,
    const char *sender, FILE *out)
{
	struct rg_notice_to r;
	struct fill x = { .e = e, .o = o, .sender = sender };
	char name[300], path[4400], s1[300], s2[400];
	int fd;
	FILE *f;

	if (!rg_notice_addr_ok(sender)) {
		char safe[300];

		rg_notice_safe(sender, safe, sizeof(safe));
		fprintf(stderr, "relayguard: no notice for \"%s\": not a plain address\n", safe);
		return 0;
	}
	x.to = resolve_to(o, sender, &r);
	file_name(sender, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", o->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "relayguard: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EX_CANTCREAT;
	}
	expand(f, tpl, &x);
	if (fclose(f) != 0) {
		fprintf(stderr, "relayguard: %s: %s\n", path, strerror(errno));
		return EX_CANTCREAT;
	}
	fprintf(out, "notice %s (exception %s, %s)", path, e->info.sender, e->info.expires_text);
	if (r.kind == RG_NOTICE_TO_OWNER) {
		rg_notice_safe(r.to, s1, sizeof(s1));
		rg_notice_safe(r.login, s2, sizeof(s2));
		fprintf(out, " to %s, the address of login %s", s1, s2);
	} else if (r.kind == RG_NOTICE_TO_FALLBACK) {
		fputs(" to the sender: the directory could not tell", out);
	}
	fputc('\n', out);
	return 0;
}

int
rg_notices_write(const struct rg_tally *t, const struct rg_notice_opts *o, FILE *out)
{
	char *owned = NULL;
	const char *tpl = rg_notice_default_template;
	int rc = 0;

	if (o->template_path != NULL && (tpl = owned = read_template(o->template_path)) == NULL)
		return EX_NOINPUT;
	if (!template_ok(tpl)) {
		free(owned);
		return EX_DATAERR;
	}
	for (size_t i = 0; i < t->nexc && rc == 0; i++) {
		const struct rg_exc_tally *e = &t->exc[i];
		char why[256];

		if (rg_tally_advice(t, e, why, sizeof(why)) == RG_ADVICE_REMOVE)
			continue;
		if (e->info.sender[0] != '@') {
			rc = write_one(o, tpl, e, e->info.sender, out);
		} else {
			/* A domain-wide exception: one notice per sender seen using it. */
			size_t n;
			struct rg_cnt_ent **v = rg_cnt_sorted(&e->senders, &n);

			for (size_t k = 0; k < n && rc == 0; k++)
				rc = write_one(o, tpl, e, v[k]->key, out);
			free(v);
		}
	}
	free(owned);
	return rc;
}
