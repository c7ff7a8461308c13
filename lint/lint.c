/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * lint.c - findings, the site facts from policy.conf, and -L dispatch.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "lint.h"
#include "postfix.h"
#include "sendmail.h"
#include "common/strutil.h"
#include "conf/conf.h"

/*
 * conf/ does not export these two settings in its snapshot yet; until it
 * does they are read here, with the defaults policy.conf(5) documents.
 */
#define SITE_DEFAULT_REQUIRE_TLS	true
#define SITE_DEFAULT_LDAP_TIMEOUT	3.0

struct rg_lint {
	char **lines;
	int count, cap;
	enum rg_lint_sev worst;
};

static const char *const sev_names[] = { "note", "warning", "error" };

struct rg_lint *
rg_lint_new(void)
{
	struct rg_lint *l = rg_xcalloc(1, sizeof(*l));

	l->worst = RG_LINT_NOTE;
	return l;
}

void
rg_lint_destroy(struct rg_lint **lp)
{
	struct rg_lint *l = *lp;

	if (l == NULL)
		return;
	for (int i = 0; i < l->count; i++)
		free(l->lines[i]);
	free(l->lines);
	free(l);
	*lp = NULL;
}

/* Escape what an MTA's configuration could smuggle onto a terminal. */
static char *
escape(const char *s)
{
	size_t n = strlen(s);
	char *out = rg_xcalloc(4 * n + 1, 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

void
rg_lint_add(struct rg_lint *l, enum rg_lint_sev sev, const char *where, const char *fmt, ...)
{
	char *what, *raw, *line;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (asprintf(&raw, "%s: %s: %s", sev_names[sev], where, what) < 0)
		abort();
	free(what);
	line = escape(raw);
	free(raw);
	for (int i = 0; i < l->count; i++) {
		if (strcmp(l->lines[i], line) == 0) {
			free(line);
			return;
		}
	}
	if (l->count == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->lines = realloc(l->lines, (size_t)l->cap * sizeof(*l->lines));
		if (l->lines == NULL)
			abort();
	}
	l->lines[l->count++] = line;
	if (sev > l->worst)
		l->worst = sev;
}

int
rg_lint_count(const struct rg_lint *l)
{
	return l->count;
}

const char *
rg_lint_line(const struct rg_lint *l, int n)
{
	return n >= 0 && n < l->count ? l->lines[n] : NULL;
}

int
rg_lint_report(const struct rg_lint *l, FILE *out)
{
	for (int i = 0; i < l->count; i++)
		fprintf(out, "%s\n", l->lines[i]);
	if (l->count == 0)
		return RG_LINT_CLEAN;
	return l->worst == RG_LINT_ERROR ? RG_LINT_ERRORS :
	    l->worst == RG_LINT_WARNING ? RG_LINT_WARNINGS : RG_LINT_CLEAN;
}

bool
rg_lint_site_load(const char *path, const char *socket, struct rg_lint_site *site_r)
{
	struct rg_errs errs = { 0 };
	struct rg_config *cfg = rg_config_load(path, &errs);
	const char *backend = "file";
	config_t cf;
	int b;

	for (int i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	rg_errs_free(&errs);
	if (cfg == NULL)
		return false;
	memset(site_r, 0, sizeof(*site_r));
	if (!rg_strcpy(site_r->socket, sizeof(site_r->socket), socket ? socket : rg_config_socket(cfg))) {
		fprintf(stderr, "relayguard: socket name too long\n");
		rg_config_release(&cfg);
		return false;
	}
	rg_config_release(&cfg);

	/* The file was valid a moment ago: read the two facts conf/ keeps to itself. */
	config_init(&cf);
	site_r->require_tls = SITE_DEFAULT_REQUIRE_TLS;
	if (config_read_file(&cf, path) == CONFIG_TRUE) {
		const config_setting_t *t;

		if (config_lookup_bool(&cf, "auth.require_tls", &b) == CONFIG_TRUE)
			site_r->require_tls = b != 0;
		config_lookup_string(&cf, "directory.backend", &backend);
		if (strcmp(backend, "ldap") == 0) {
			site_r->budget = SITE_DEFAULT_LDAP_TIMEOUT;
			/* conf/ accepts "timeout = 5;" as well as 5.0. */
			if ((t = config_lookup(&cf, "directory.ldap.timeout")) != NULL)
				site_r->budget = config_setting_type(t) == CONFIG_TYPE_FLOAT ?
				    config_setting_get_float(t) : (double)config_setting_get_int64(t);
		}
	}
	config_destroy(&cf);
	return true;
}

int
rg_lint_main(const char *mta, const char *policy_path, const char *socket, const char *where)
{
	struct rg_lint_site site;
	struct rg_lint *l;
	int rc;

	if (!rg_lint_site_load(policy_path, socket, &site))
		return RG_LINT_UNREADABLE;
	l = rg_lint_new();
	if (strcmp(mta, "postfix") == 0)
		rc = rg_lint_postfix(&site, where ? where : RG_LINT_POSTFIX_DIR, l);
	else
		rc = rg_lint_sendmail(&site, where ? where : RG_LINT_SENDMAIL_CF, l);
	if (rc == 0)
		rc = rg_lint_report(l, stdout);
	rg_lint_destroy(&l);
	return rc;
}
