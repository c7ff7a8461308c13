/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * pf_parse.c - pure parsers for postconf output and main.cf values.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postfix.h"
#include "common/strutil.h"

#define SEPS ", \t\r\n"

/* The next token of 's' split at commas and white space; NULL at the end. */
static const char *
token(const char **s, size_t *len_r)
{
	const char *p = *s, *start;

	while (*p && strchr(SEPS, *p))
		p++;
	if (*p == '\0')
		return NULL;
	start = p;
	while (*p && !strchr(SEPS, *p))
		p++;
	*len_r = (size_t)(p - start);
	*s = p;
	return start;
}

static bool
set_attr(struct rg_pf_milter *m, const char *name, size_t nlen, const char *val, size_t vlen)
{
	char *dst = NULL;
	size_t cap = 0;

	if (nlen == 14 && strncmp(name, "default_action", 14) == 0)
		dst = m->default_action, cap = sizeof(m->default_action);
	else if (nlen == 15 && strncmp(name, "command_timeout", 15) == 0)
		dst = m->command_timeout, cap = sizeof(m->command_timeout);
	else if (nlen == 8 && strncmp(name, "protocol", 8) == 0)
		dst = m->protocol, cap = sizeof(m->protocol);
	if (dst == NULL)
		return true;	/* connect_timeout, content_timeout, macros: not ours */
	return rg_strncpy(dst, cap, val, vlen);
}

/* Parse the inside of "{ name, a=b, c = d }" into m. */
static bool
parse_group(const char *s, size_t n, struct rg_pf_milter *m, char *err, size_t errlen)
{
	char *body = rg_xcalloc(n + 1, 1);
	const char *p = body, *t, *pend = NULL;
	size_t len, plen = 0;
	bool ok = true, first = true;

	memcpy(body, s, n);
	while (ok && (t = token(&p, &len)) != NULL) {
		const char *eq = memchr(t, '=', len);

		if (first) {
			ok = !eq && rg_strncpy(m->name, sizeof(m->name), t, len);
			if (!ok)
				snprintf(err, errlen, "a { } milter must start with its socket");
			first = false;
			continue;
		}
		/* "a=b", or "a = b" / "a =b" / "a= b" split by white space. */
		if (eq == NULL) {
			const char *q = p;
			size_t l2;
			const char *t2 = token(&q, &l2);

			if (t2 != NULL && t2[0] == '=') {
				p = q;
				if (l2 == 1) {
					t2 = token(&p, &l2);
					if (t2 == NULL) {
						snprintf(err, errlen, "\"%.*s =\" has no value", (int)len, t);
						ok = false;
						break;
					}
					ok = set_attr(m, t, len, t2, l2);
				} else {
					ok = set_attr(m, t, len, t2 + 1, l2 - 1);
				}
				continue;
			}
			snprintf(err, errlen, "\"%.*s\" in a { } milter is not name=value", (int)len, t);
			ok = false;
		} else if (eq == t + len - 1) {
			pend = t;
			plen = len - 1;
			t = token(&p, &len);
			if (t == NULL) {
				snprintf(err, errlen, "\"%.*s=\" has no value", (int)plen, pend);
				ok = false;
			} else {
				ok = set_attr(m, pend, plen, t, len);
			}
		} else {
			ok = set_attr(m, t, (size_t)(eq - t), eq + 1, len - (size_t)(eq - t) - 1);
		}
	}
	if (ok && first) {
		snprintf(err, errlen, "an empty { } in smtpd_milters");
		ok = false;
	}
	free(body);
	return ok;
}

bool
rg_pf_parse_milters(const char *v, struct rg_pf_milter *m, int max, int *n_r, char *err,
    size_t errlen)
{
	const char *p = v;

	*n_r = 0;
	for (;;) {
		const char *t;
		size_t len;

		while (*p && strchr(SEPS, *p))
			p++;
		if (*p == '\0')
			return true;
		if (*n_r == max) {
			snprintf(err, errlen, "more than %d milters", max);
			return false;
		}
		memset(&m[*n_r], 0, sizeof(m[*n_r]));
		if (*p == '{') {
			const char *close = strchr(p, '}');

			if (close == NULL || memchr(p + 1, '{', (size_t)(close - p - 1)) != NULL) {
				snprintf(err, errlen, "unbalanced { in smtpd_milters");
				return false;
			}
			if (!parse_group(p + 1, (size_t)(close - p - 1), &m[*n_r], err, errlen))
				return false;
			p = close + 1;
		} else {
			t = token(&p, &len);
			if (memchr(t, '}', len) != NULL || memchr(t, '{', len) != NULL) {
				snprintf(err, errlen, "unbalanced } in smtpd_milters");
				return false;
			}
			if (!rg_strncpy(m[*n_r].name, sizeof(m[*n_r].name), t, len)) {
				snprintf(err, errlen, "a milter name longer than %zu bytes",
				    sizeof(m[*n_r].name) - 1);
				return false;
			}
		}
		(*n_r)++;
	}
}

bool
rg_pf_parse_service(const char *line, struct rg_pf_service *s)
{
	char field[8][256];
	const char *p = line;
	int n = 0;

	memset(s, 0, sizeof(*s));
	while (n < 8) {
		size_t len = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		while (p[len] && p[len] != ' ' && p[len] != '\t')
			len++;
		if (len == 0 || len >= sizeof(field[n]))
			return false;
		memcpy(field[n], p, len);
		field[n][len] = '\0';
		p += len;
		n++;
	}
	if (field[0][0] == '#' || strlen(field[4]) != 1)
		return false;
	return rg_strcpy(s->name, sizeof(s->name), field[0]) &&
	    rg_strcpy(s->type, sizeof(s->type), field[1]) &&
	    (s->chroot = field[4][0]) != '\0' &&
	    rg_strcpy(s->command, sizeof(s->command), field[7]);
}

bool
rg_pf_time(const char *v, double *sec_r)
{
	char *end;
	double x;

	while (isspace((unsigned char)*v))
		v++;
	if (!isdigit((unsigned char)*v))
		return false;
	x = strtod(v, &end);
	switch (*end) {
	case '\0': case 's': break;
	case 'm': x *= 60; break;
	case 'h': x *= 3600; break;
	case 'd': x *= 86400; break;
	case 'w': x *= 7 * 86400; break;
	default: return false;
	}
	if (*end != '\0' && end[1] != '\0')
		return false;
	*sec_r = x;
	return true;
}

bool
rg_pf_relay_restricted(const char *list)
{
	static const char *const stops[] = { "reject_unauth_destination",
	    "defer_unauth_destination", "reject", "defer", NULL };
	const char *p = list, *t;
	size_t len;

	while ((t = token(&p, &len)) != NULL) {
		if (len == 6 && strncasecmp(t, "permit", 6) == 0)
			return false;
		for (int i = 0; stops[i]; i++)
			if (strlen(stops[i]) == len && strncasecmp(t, stops[i], len) == 0)
				return true;
	}
	return false;
}

/* "{i}" and "i" name the same macro. */
static size_t
bare(const char *s, size_t n, const char **b_r)
{
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}') {
		*b_r = s + 1;
		return n - 2;
	}
	*b_r = s;
	return n;
}

bool
rg_pf_has_macro(const char *list, const char *name)
{
	const char *want, *p = list, *t, *b;
	size_t wn = bare(name, strlen(name), &want), len;

	while ((t = token(&p, &len)) != NULL) {
		size_t bn = bare(t, len, &b);

		if (bn == wn && strncmp(b, want, wn) == 0)
			return true;
	}
	return false;
}
