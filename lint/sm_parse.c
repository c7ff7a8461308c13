/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * sm_parse.c - pure parsers for sendmail.cf values: X filter lines,
 * DaemonPortOptions, T= timeouts and filter lists.  No file is read
 * here (sendmail.c does that), so the unit tests drive them directly.
 */
#include <ctype.h>
#include <string.h>

#include "postfix.h"	/* rg_pf_time: the time units are alike */
#include "sendmail.h"
#include "common/strutil.h"

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

bool
rg_sm_parse_filter(const char *line, struct rg_sm_filter *f)
{
	const char *p = line + 1, *comma;
	size_t n;

	memset(f, 0, sizeof(*f));
	if (line[0] != 'X')
		return false;
	comma = strchr(p, ',');
	n = comma ? (size_t)(comma - p) : strlen(p);
	trim(&p, &n);
	if (n == 0 || !rg_strncpy(f->name, sizeof(f->name), p, n))
		return false;
	while (comma != NULL) {
		const char *e, *v;
		char *dst = NULL;
		size_t cap = 0;

		p = comma + 1;
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		trim(&p, &n);
		if (n == 0)
			continue;
		if ((e = memchr(p, '=', n)) == NULL)
			return false;
		v = e + 1;
		n -= (size_t)(v - p);
		trim(&v, &n);
		switch (*p) {
		case 'S': dst = f->socket; cap = sizeof(f->socket); break;
		case 'F': dst = f->flags; cap = sizeof(f->flags); break;
		case 'T': dst = f->timeouts; cap = sizeof(f->timeouts); break;
		default: continue;
		}
		if (!rg_strncpy(dst, cap, v, n))
			return false;
	}
	return true;
}

bool
rg_sm_parse_daemon(const char *value, struct rg_sm_daemon *d)
{
	const char *p = value, *comma;

	memset(d, 0, sizeof(*d));
	do {
		const char *e, *v;
		char *dst = NULL;
		size_t n, cap = 0;

		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		trim(&p, &n);
		if (n > 0 && (e = memchr(p, '=', n)) != NULL) {
			v = e + 1;
			n -= (size_t)(v - p);
			trim(&v, &n);
			switch (*p) {
			case 'A': case 'a': dst = d->addr; cap = sizeof(d->addr); break;
			case 'F': case 'f': dst = d->family; cap = sizeof(d->family); break;
			case 'I': case 'i':
				d->has_filters = true;
				dst = d->filters;
				cap = sizeof(d->filters);
				break;
			case 'M': case 'm': dst = d->modifiers; cap = sizeof(d->modifiers); break;
			case 'N': case 'n': dst = d->name; cap = sizeof(d->name); break;
			case 'P': case 'p': dst = d->port; cap = sizeof(d->port); break;
			}
			if (dst != NULL && !rg_strncpy(dst, cap, v, n))
				return false;
		}
		p = comma ? comma + 1 : NULL;
	} while (p != NULL);
	return true;
}

bool
rg_sm_timeout(const char *t, char key, double dflt, double *sec_r)
{
	const char *p = t;

	*sec_r = dflt;
	while (*p) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		char val[64];

		trim(&p, &n);
		if (n > 0) {
			if (n < 3 || p[1] != ':' || n - 2 >= sizeof(val))
				return false;
			memcpy(val, p + 2, n - 2);
			val[n - 2] = '\0';
			if (toupper((unsigned char)p[0]) == key && !rg_pf_time(val, sec_r))
				return false;
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	return true;
}

bool
rg_sm_listed(const char *list, const char *name)
{
	size_t want = strlen(name);

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",; \t");

		if (n == want && strncmp(p, name, n) == 0)
			return true;
		p += n;
		if (*p)
			p++;
	}
	return false;
}
