/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * log.c - syslog plus optional stderr, and key=value line building.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static bool log_to_stderr;
static bool log_to_syslog = true;
static enum rg_log_level log_min = RG_LOG_INFO;

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
rg_log_facility(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].value;
	return -1;
}

void
rg_log_open(const char *facility, bool to_stderr)
{
	int fac = rg_log_facility(facility ? facility : "mail");

	openlog("relayguard", LOG_PID | LOG_NDELAY, fac < 0 ? LOG_MAIL : fac);
	log_to_stderr = to_stderr;
}

void
rg_log_set_facility(const char *facility)
{
	int fac = rg_log_facility(facility);

	/* openlog() is not thread-safe against syslog(); reopen is rare. */
	if (fac >= 0)
		openlog("relayguard", LOG_PID | LOG_NDELAY, fac);
}

void rg_log_stderr(bool on) { log_to_stderr = on; }
void rg_log_syslog(bool on) { log_to_syslog = on; }
void rg_log_set_min(enum rg_log_level l) { log_min = l; }
bool rg_log_enabled(enum rg_log_level l) { return l >= log_min; }

static const int prio[] = {
	[RG_LOG_DEBUG] = LOG_DEBUG, [RG_LOG_INFO] = LOG_INFO,
	[RG_LOG_NOTICE] = LOG_NOTICE, [RG_LOG_WARNING] = LOG_WARNING,
	[RG_LOG_ERROR] = LOG_ERR,
};

static void
vlog(enum rg_log_level level, const char *fmt, va_list ap)
{
	char line[4096];
	int n;

	if (level < log_min)
		return;
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		memcpy(line + sizeof(line) - 4, "...", 4);
	if (log_to_syslog)
		syslog(prio[level], "%s", line);
	if (log_to_stderr) {
		char out[4200];
		int m = snprintf(out, sizeof(out), "relayguard[%d]: %s\n", (int)getpid(), line);

		/* One write(2) per line keeps concurrent threads' lines whole. */
		if (m > 0)
			(void)!write(STDERR_FILENO, out, (size_t)m < sizeof(out) ? (size_t)m : sizeof(out) - 1);
	}
}

void
rg_log(enum rg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void
rg_fatal(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(RG_LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(status);
}

/* A value needs quotes when a parser splitting on spaces would misread it. */
static bool
needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c >= 0x7f)
			return true;
	}
	return false;
}

size_t
rg_log_escape(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t need = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		char tmp[4];
		size_t k = 0;

		if (c == '\n') {
			tmp[k++] = '\\'; tmp[k++] = 'n';
		} else if (c == '\r') {
			tmp[k++] = '\\'; tmp[k++] = 'r';
		} else if (c == '\t') {
			tmp[k++] = '\\'; tmp[k++] = 't';
		} else if (c == '"' || c == '\\') {
			tmp[k++] = '\\'; tmp[k++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			tmp[k++] = '\\'; tmp[k++] = 'x';
			tmp[k++] = hex[c >> 4]; tmp[k++] = hex[c & 15];
		} else {
			/* 8-bit bytes pass: SMTPUTF8 addresses stay readable. */
			tmp[k++] = (char)c;
		}
		if (outlen > 0 && need + k < outlen)
			memcpy(out + need, tmp, k);
		else if (outlen > 0 && need < outlen)
			outlen = need + 1;	/* stop writing; keep counting */
		need += k;
	}
	if (outlen > 0)
		out[need < outlen ? need : outlen - 1] = '\0';
	return need;
}

/* Its own pair, so a parser still reads a cut line; room for it is kept. */
#define TRUNCATED " truncated=..."

void
rg_kv_init(struct rg_kv *kv)
{
	kv->len = 0;
	kv->buf[0] = '\0';
	kv->truncated = false;
}

static void
kv_append(struct rg_kv *kv, const char *s, size_t n)
{
	if (kv->truncated || kv->len + n + sizeof(TRUNCATED) > sizeof(kv->buf)) {
		kv->truncated = true;
		return;
	}
	memcpy(kv->buf + kv->len, s, n);
	kv->len += n;
	kv->buf[kv->len] = '\0';
}

static void
kv_add(struct rg_kv *kv, const char *key, const char *pre, const char *value,
    const char *post)
{
	char esc[1024], piece[1200];
	int n;

	if (value == NULL) {
		pre = post = "";
		value = "-";
	}
	/* Escapes are never split: a shortened value ends after a whole one. */
	if (rg_log_escape(value, esc, sizeof(esc) - 3) >= sizeof(esc) - 3)
		strcat(esc, "...");
	n = snprintf(piece, sizeof(piece), "%s%s%s", pre, esc, post);
	if (n < 0 || (size_t)n >= sizeof(piece))
		return;		/* cannot happen: piece is larger than esc + brackets */
	/* One append per pair, so a full line never ends inside quotes. */
	{
		char pair[1300];
		bool quote = needs_quotes(piece);
		int m = snprintf(pair, sizeof(pair), "%s%s=%s%s%s", kv->len ? " " : "", key,
		    quote ? "\"" : "", piece, quote ? "\"" : "");

		if (m > 0 && (size_t)m < sizeof(pair))
			kv_append(kv, pair, (size_t)m);
		else
			kv->truncated = true;
	}
}

void
rg_kv_add(struct rg_kv *kv, const char *key, const char *value)
{
	kv_add(kv, key, "", value, "");
}

void
rg_kv_addr(struct rg_kv *kv, const char *key, const char *addr)
{
	kv_add(kv, key, "<", addr, ">");
}

const char *
rg_kv_str(struct rg_kv *kv)
{
	if (kv->truncated) {
		memcpy(kv->buf + kv->len, TRUNCATED, sizeof(TRUNCATED));
		kv->len += sizeof(TRUNCATED) - 1;
		kv->truncated = false;
	}
	return kv->buf;
}
