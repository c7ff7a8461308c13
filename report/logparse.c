/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * logparse.c - syslog headers and key=value pairs, without I/O.
 */
#include <string.h>

#include "logparse.h"

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static bool
digits(const char *p, size_t n, int *v_r)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*v_r = v;
	return true;
}

/* Days from 1970-01-01 to y-m-d (civil, proleptic Gregorian); no libc timezone. */
static long
days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
make_time(int y, int mon, int d, int h, int mi, int s, time_t *t_r)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (mon < 1 || mon > 12 || d < 1 || d > mdays[mon - 1] || h > 23 || mi > 59 || s > 60)
		return false;
	*t_r = (time_t)days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + s;
	return true;
}

int
rg_lp_year_for(int month, time_t ref)
{
	long days = (long)(ref / 86400);
	/* civil_from_days, just for the year and month of ref. */
	long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);	/* 1..12 */
	int y = (int)(yoe + era * 400 + (m <= 2));

	/* Lines are older than ref: a later month is last year's. */
	return month + 1 > m ? y - 1 : y;
}

/* "Mmm dd HH:MM:SS " or "Mmm  d HH:MM:SS "; returns the length or 0. */
static size_t
ts_3164(const char *p, size_t len, time_t ref, time_t *t_r)
{
	const char *m;
	int d, h, mi, s, mon;

	if (len < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' || p[12] != ':' || p[15] != ' ')
		return 0;
	for (m = months; *m; m += 3)
		if (memcmp(m, p, 3) == 0)
			break;
	if (*m == '\0')
		return 0;
	mon = (int)(m - months) / 3 + 1;
	if (p[4] == ' ' ? !digits(p + 5, 1, &d) : !digits(p + 4, 2, &d))
		return 0;
	if (!digits(p + 7, 2, &h) || !digits(p + 10, 2, &mi) || !digits(p + 13, 2, &s))
		return 0;
	return make_time(rg_lp_year_for(mon - 1, ref), mon, d, h, mi, s, t_r) ? 16 : 0;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm|-hhmm] "; returns the length or 0. */
static size_t
ts_3339(const char *p, size_t len, time_t *t_r)
{
	int y, mon, d, h, mi, s;
	size_t i = 19;

	if (len < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') ||
	    p[13] != ':' || p[16] != ':')
		return 0;
	if (!digits(p, 4, &y) || !digits(p + 5, 2, &mon) || !digits(p + 8, 2, &d) ||
	    !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) || !digits(p + 17, 2, &s))
		return 0;
	if (i < len && p[i] == '.')
		for (i++; i < len && i < 40 && p[i] >= '0' && p[i] <= '9'; i++)
			;
	if (i < len && p[i] == 'Z') {
		i++;
	} else if (i < len && (p[i] == '+' || p[i] == '-')) {
		size_t k = i + 1;

		while (k < len && k < i + 6 && ((p[k] >= '0' && p[k] <= '9') || p[k] == ':'))
			k++;
		if (k - i < 5)
			return 0;
		i = k;
	}
	if (i >= len || p[i] != ' ')
		return 0;
	return make_time(y, mon, d, h, mi, s, t_r) ? i + 1 : 0;
}

enum rg_lp_kind
rg_lp_split(const char *line, size_t len, time_t ref, struct rg_lp_line *out)
{
	static const char tag[] = "relayguard[";
	const size_t taglen = sizeof(tag) - 1;
	size_t i, host, n;
	long pid = 0;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > RG_LP_LINE_MAX)
		return RG_LP_OTHER;
	if ((i = ts_3164(line, len, ref, &out->when)) == 0 &&
	    (i = ts_3339(line, len, &out->when)) == 0)
		return RG_LP_OTHER;
	/* One host name: printable, no spaces. */
	for (host = i; i < len && line[i] > ' ' && line[i] < 0x7f; i++)
		;
	if (i == host || i >= len || line[i] != ' ')
		return RG_LP_OTHER;
	i++;
	if (len - i < taglen + 4 || memcmp(line + i, tag, taglen) != 0)
		return RG_LP_OTHER;
	i += taglen;
	for (n = 0; i < len && line[i] >= '0' && line[i] <= '9' && n < 10; i++, n++)
		pid = pid * 10 + (line[i] - '0');
	if (n == 0 || i + 2 > len || line[i] != ']' || line[i + 1] != ':')
		return RG_LP_OTHER;
	i += 2;
	if (i < len && line[i] == ' ')
		i++;
	out->pid = pid;
	out->msg = line + i;
	out->msglen = len - i;
	/* relayguard escapes every control byte; a raw one was not written by it. */
	for (; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c == 0x7f)
			return RG_LP_BAD;
	}
	return RG_LP_OURS;
}

#define F(id, s) [id] = { s, sizeof(s) - 1 }
static const struct {
	const char *name;
	size_t len;
} fields[RG_F_COUNT] = {
	F(RG_F_ACTION, "action"), F(RG_F_STAGE, "stage"), F(RG_F_REASON, "reason"),
	F(RG_F_CLIENT, "client"), F(RG_F_AUTH, "auth"), F(RG_F_TLS, "tls"),
	F(RG_F_FROM, "from"), F(RG_F_RCPT, "rcpt"), F(RG_F_EXPIRES, "expires"),
	F(RG_F_EXCEPTION, "exception"), F(RG_F_MODE, "mode"),
	F(RG_F_LDAP, "ldap"), F(RG_F_REDIS, "redis"), F(RG_F_URI, "uri"), F(RG_F_WHY, "why"),
};
#undef F

static int
field_of(const char *k, size_t n)
{
	for (int f = 0; f < RG_F_COUNT; f++)
		if (fields[f].len == n && memcmp(fields[f].name, k, n) == 0)
			return f;
	return -1;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * One value from p (bare or quoted) into out; returns its end in p, or
 * NULL when a quote or escape does not close.  A \x00 escape ends the
 * value there: the report keeps C strings, and no address holds a NUL.
 */
static const char *
value(const char *p, const char *end, char *out, size_t *outlen_r)
{
	size_t o = 0;
	bool quoted = p < end && *p == '"';

	if (quoted)
		p++;
	for (; p < end; p++) {
		char c = *p;

		if (!quoted && c == ' ')
			break;
		if (quoted && c == '"') {
			p++;
			if (p < end && *p != ' ')
				return NULL;
			*outlen_r = o;
			return p;
		}
		if (c == '\\' && quoted) {
			if (++p >= end)
				return NULL;
			switch (*p) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case '"': case '\\': c = *p; break;
			case 'x': {
				int hi, lo;

				if (end - p < 3 || (hi = hexval(p[1])) < 0 || (lo = hexval(p[2])) < 0)
					return NULL;
				c = (char)(hi * 16 + lo);
				p += 2;
				break;
			}
			default:
				return NULL;
			}
		} else if (!quoted && (c == '"' || c == '\\' || c == '=')) {
			return NULL;
		}
		if (c != '\0')
			out[o++] = c;
	}
	if (quoted)
		return NULL;
	*outlen_r = o;
	return p;
}

/* The end of a value the report does not read, checked as strictly for closing quotes. */
static const char *
skip(const char *p, const char *end)
{
	if (p >= end || *p != '"') {
		const char *sp = memchr(p, ' ', (size_t)(end - p));

		return sp != NULL ? sp : end;
	}
	for (p++; p < end; p++) {
		if (*p == '\\') {
			p++;
		} else if (*p == '"') {
			p++;
			return p < end && *p != ' ' ? NULL : p;
		}
	}
	return NULL;
}

bool
rg_lp_fields(const char *msg, size_t len, struct rg_lp_kv *kv)
{
	const char *p = msg, *end = msg + len;
	size_t used = 0, q;

	memset(kv->v, 0, sizeof(kv->v));
	kv->qid[0] = '\0';
	/* "QUEUEID: " leads decision lines: letters and digits only. */
	for (q = 0; q < len && q < sizeof(kv->qid) - 1 &&
	    ((msg[q] >= 'A' && msg[q] <= 'Z') || (msg[q] >= 'a' && msg[q] <= 'z') ||
	    (msg[q] >= '0' && msg[q] <= '9')); q++)
		;
	if (q > 0 && q + 1 < len && msg[q] == ':' && msg[q + 1] == ' ') {
		memcpy(kv->qid, msg, q);
		kv->qid[q] = '\0';
		p = msg + q + 2;
	}
	while (p < end) {
		const char *k = p, *eq;
		size_t vlen;
		char *out = kv->buf + used;
		int f;

		for (eq = p; eq < end && *eq != '=' && *eq != ' ' && *eq != '"'; eq++)
			;
		if (eq == k || eq >= end || *eq != '=')
			return false;
		f = field_of(k, (size_t)(eq - k));
		if (f < 0 || kv->v[f] != NULL) {
			if ((p = skip(eq + 1, end)) == NULL)
				return false;
		} else if ((p = value(eq + 1, end, out, &vlen)) == NULL) {
			return false;
		} else {
			if ((f == RG_F_FROM || f == RG_F_RCPT) && vlen >= 2 && out[0] == '<' &&
			    out[vlen - 1] == '>') {
				out++;
				vlen -= 2;
			}
			out[vlen] = '\0';
			kv->v[f] = out;
			used = (size_t)(out - kv->buf) + vlen + 1;
		}
		if (p < end) {
			if (*p != ' ')
				return false;
			p++;
		}
	}
	return true;
}
