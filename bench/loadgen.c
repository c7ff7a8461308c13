/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * loadgen.c - a milter load generator that plays the MTA.
 *
 * Speaks milter protocol version 6 directly to a milter socket, the way
 * Postfix's smtpd does: OPTNEG, then per session CONNECT, HELO, MAIL and
 * RCPT x k with the macros of relayguard's Postfix kit (or the ones the
 * milter asked for with smfi_setsymlist), then DATA if the milter did not
 * negotiate SMFIP_NODATA and a recipient was accepted (as Postfix and
 * Sendmail do: the client's DATA reaches the milter), then ABORT and QUIT.  It keeps
 * N sessions in flight from one epoll loop, so that it costs little of
 * the two cores it shares with the milter, and can hold M idle sessions
 * open meanwhile.
 *
 * A session ends when the milter closes its side after QUIT, so that a
 * slot never starts a new session before the milter has finished the old
 * one: N concurrent sessions really means at most N busy milter threads.
 *
 * It prints one line of key=value pairs: sessions/s, recipients/s, RCPT
 * round-trip latency percentiles, reply classes, and the milter's CPU
 * seconds, RSS and thread count read from /proc/PID (-P).
 *
 * For the soak (tests/soak/soak.sh) it can also judge every reply: -x
 * gives the reply the recipient of the -r before it must get, a reply
 * that starts with the -T prefix (default "451 4.3.0", the directory
 * outage tempfail) is counted apart, and anything else is an error.
 * -L writes those counts once a second, so that tempfails can be matched
 * against the outage windows.
 *
 * This is a benchmark tool, not part of relayguard; it is single-threaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmilter/mfdef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Macro stages as numbered on the wire in the OPTNEG reply (SMFIM_*). */
enum stage { ST_CONNECT, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_NSTAGES = 7 };

/* What Postfix 3.7 offers a version 6 milter. */
#define OFFER_ACTIONS	0x000001FFu
#define OFFER_PROTOCOL	0x001FFFFFu

enum sstate {
	S_FREE,		/* slot unused */
	S_CONNECTING,	/* non-blocking connect in progress */
	S_OPTNEG,	/* waiting for the OPTNEG reply */
	S_CONNECT,	/* waiting for the CONNECT reply */
	S_HELO,
	S_MAIL,
	S_RCPT,
	S_DATA,		/* DATA sent, waiting for its reply */
	S_IDLE,		/* idle session parked after MAIL */
	S_QUIT,		/* QUIT sent, waiting for the milter to close */
};

struct session {
	int fd;
	enum sstate state;
	bool idle;		/* one of the -i sessions */
	bool counted;		/* started inside the measured window */
	int rcpt_sent;
	int rcpt_ok;		/* recipients the milter accepted (2xx) */
	int rcpt_fmt;		/* the -r of the outstanding RCPT */
	char rcpt_addr[256];	/* and its address, for -x error reports */
	uint32_t mprot;		/* protocol flags the milter chose */
	char symlist[ST_NSTAGES][256];	/* macros the milter asked for */
	bool has_symlist[ST_NSTAGES];
	uint64_t id;
	uint64_t t_cmd;		/* when the outstanding command was sent */
	char *out;		/* pending output */
	size_t outlen, outcap, outoff;
	unsigned char *in;
	size_t inlen, incap;
};

struct config {
	const char *socket;
	int conc;
	int idle;
	double duration;
	double warmup;
	long max_sessions;
	int rcpts;
	const char *rcpt_fmt[64];
	const char *rcpt_expect[64];	/* -x for each -r; NULL: not judged */
	int nfmt;
	bool judge;			/* some -x given */
	const char *tempfail_prefix;	/* -T */
	const char *timeline;		/* -L */
	long rcpt_start, rcpt_count;
	const char *sender;
	const char *auth;
	bool tls;
	const char *client_addr;
	const char *client_name;
	const char *helo;
	int pid;
	double cmd_timeout;
	bool unique;
};

struct counters {
	long sessions_done, sessions_failed;
	long rcpts;
	long reply[6];		/* index by first digit: 2, 4, 5 */
	long rcpt_reply[6];
	long data_reply[6];	/* DATA replies (none if the milter skips DATA) */
	long early_end;		/* sessions ended by a reply before RCPT */
	long timeouts, proto_errors, connect_errors;
};

struct procstat {
	double cpu_s;
	long rss_kib, hwm_kib;
	long threads;
};

static struct config cfg = {
	.socket = NULL, .conc = 10, .idle = 0, .duration = 10, .warmup = 1,
	.max_sessions = 0, .rcpts = 5, .nfmt = 0, .rcpt_start = 1,
	.rcpt_count = 1000, .sender = "sender@offsite.example",
	.auth = NULL, .tls = true, .client_addr = "198.51.100.7",
	.client_name = "mail.offsite.example", .helo = "mail.offsite.example",
	.pid = 0, .cmd_timeout = 30, .tempfail_prefix = "451 4.3.0",
};

/*
 * The judged replies (-x), counted from the first session on, warm-up
 * included: a soak must not miss an error because it came early.
 */
struct verdicts {
	long ok, tempfail, bad;
};
static struct verdicts verd, verd_tick;
static FILE *timeline_f;
static int bad_shown;

static struct counters cnt;
static struct session *sess;
static int nsess;
static int epfd;
static struct sockaddr_storage dst;
static socklen_t dstlen;
static uint64_t rcpt_counter;
static uint64_t session_counter;
static bool measuring;

static uint64_t *lat;
static size_t nlat, caplat;
static uint64_t *dlat;		/* DATA round trips */
static size_t ndlat, capdlat;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("loadgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (q == NULL)
		die("out of memory");
	return q;
}

/* --- /proc of the milter ------------------------------------------------ */

static bool
read_proc(int pid, struct procstat *ps)
{
	char path[64], buf[4096], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	memset(ps, 0, sizeof(*ps));
	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces; fields restart after ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return false;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return false;
	ps->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (strncmp(buf, "VmRSS:", 6) == 0)
			ps->rss_kib = atol(buf + 6);
		else if (strncmp(buf, "VmHWM:", 6) == 0)
			ps->hwm_kib = atol(buf + 6);
		else if (strncmp(buf, "Threads:", 8) == 0)
			ps->threads = atol(buf + 8);
	}
	fclose(f);
	return true;
}

/* --- packet building ---------------------------------------------------- */

static void
out_reserve(struct session *s, size_t n)
{
	if (s->outlen + n > s->outcap) {
		s->outcap = (s->outlen + n) * 2;
		s->out = xrealloc(s->out, s->outcap);
	}
}

static void
out_bytes(struct session *s, const void *p, size_t n)
{
	out_reserve(s, n);
	memcpy(s->out + s->outlen, p, n);
	s->outlen += n;
}

/* Starts a packet; returns the offset of its length field. */
static size_t
pkt_begin(struct session *s, char cmd)
{
	size_t at = s->outlen;
	char hdr[5] = { 0, 0, 0, 0, cmd };

	out_bytes(s, hdr, sizeof(hdr));
	return at;
}

static void
pkt_str(struct session *s, const char *str)
{
	out_bytes(s, str, strlen(str) + 1);
}

static void
pkt_u32(struct session *s, uint32_t v)
{
	uint32_t n = htonl(v);

	out_bytes(s, &n, 4);
}

static void
pkt_end(struct session *s, size_t at)
{
	uint32_t len = htonl((uint32_t)(s->outlen - at - 4));

	memcpy(s->out + at, &len, 4);
}

/* --- macros --------------------------------------------------------------- */

/*
 * What the MTA sends when the milter does not ask: the macro lists of
 * relayguard's Postfix kit (etc/postfix/main.cf.snippet), which are
 * Postfix 3.7's defaults plus a few.
 */
static const char *const default_macros[ST_NSTAGES] = {
	[ST_CONNECT] = "j {daemon_name} {daemon_addr} v _ {client_addr} {client_name}",
	[ST_HELO] = "{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
	[ST_MAIL] = "i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} "
	    "{mail_mailer} {tls_version}",
	[ST_RCPT] = "i {rcpt_addr} {rcpt_host} {rcpt_mailer} {auth_authen} {tls_version}",
	[ST_DATA] = "i",	/* Postfix's milter_data_macros; the kit keeps it */
};

/* The value Postfix would give a macro now, or NULL when it is undefined. */
static const char *
macro_value(const struct session *s, const char *name, const char *rcpt,
    char *buf, size_t len)
{
	if (strcmp(name, "j") == 0)
		return "mx.example.edu";
	if (strcmp(name, "{daemon_name}") == 0)
		return "smtpd";
	if (strcmp(name, "{daemon_addr}") == 0)
		return "127.0.0.1";
	if (strcmp(name, "v") == 0)
		return "Postfix 3.7.11";
	if (strcmp(name, "_") == 0) {
		snprintf(buf, len, "%s [%s]", cfg.client_name, cfg.client_addr);
		return buf;
	}
	if (strcmp(name, "{client_addr}") == 0)
		return cfg.client_addr;
	if (strcmp(name, "{client_name}") == 0 || strcmp(name, "{client_ptr}") == 0)
		return cfg.client_name;
	if (strcmp(name, "{client_port}") == 0)
		return "40000";
	if (strcmp(name, "{client_resolve}") == 0)
		return "OK";
	if (cfg.tls) {
		if (strcmp(name, "{tls_version}") == 0)
			return "TLSv1.3";
		if (strcmp(name, "{cipher}") == 0)
			return "TLS_AES_256_GCM_SHA384";
		if (strcmp(name, "{cipher_bits}") == 0)
			return "256";
	}
	if (cfg.auth != NULL) {
		if (strcmp(name, "{auth_type}") == 0)
			return "PLAIN";
		if (strcmp(name, "{auth_authen}") == 0)
			return cfg.auth;
	}
	if (strcmp(name, "i") == 0) {
		snprintf(buf, len, "4Z%010llX", (unsigned long long)s->id);
		return buf;
	}
	if (strcmp(name, "{mail_addr}") == 0)
		return cfg.sender;
	if (strcmp(name, "{mail_mailer}") == 0 || strcmp(name, "{rcpt_mailer}") == 0)
		return "smtp";
	if (strcmp(name, "{mail_host}") == 0)
		return "offsite.example";
	if (rcpt != NULL) {
		if (strcmp(name, "{rcpt_addr}") == 0)
			return rcpt;
		if (strcmp(name, "{rcpt_host}") == 0) {
			const char *at = strrchr(rcpt, '@');
			return at != NULL ? at + 1 : "";
		}
	}
	return NULL;
}

/* Appends an SMFIC_MACRO packet for a stage, honouring the milter's symlist. */
static void
put_macros(struct session *s, enum stage st, char cmd, const char *rcpt)
{
	const char *list = s->has_symlist[st] ? s->symlist[st] : default_macros[st];
	char names[256], vbuf[128], *save = NULL, *name;
	size_t at;

	if (list == NULL)
		return;
	snprintf(names, sizeof(names), "%s", list);
	at = pkt_begin(s, SMFIC_MACRO);
	out_bytes(s, &cmd, 1);
	for (name = strtok_r(names, " ,", &save); name != NULL;
	    name = strtok_r(NULL, " ,", &save)) {
		const char *v = macro_value(s, name, rcpt, vbuf, sizeof(vbuf));
		char braced[64];

		/* Sendmail and Postfix accept the name with or without braces. */
		if (v == NULL && name[0] != '{' && strlen(name) > 1) {
			snprintf(braced, sizeof(braced), "{%s}", name);
			v = macro_value(s, braced, rcpt, vbuf, sizeof(vbuf));
		}
		if (v == NULL)
			continue;
		pkt_str(s, name);
		pkt_str(s, v);
	}
	pkt_end(s, at);
}

/* --- sessions --------------------------------------------------------------- */

static void
lat_push(uint64_t **arr, size_t *n, size_t *cap, uint64_t ns)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 65536;
		*arr = xrealloc(*arr, *cap * sizeof(**arr));
	}
	(*arr)[(*n)++] = ns;
}

static void
lat_add(uint64_t ns)
{
	lat_push(&lat, &nlat, &caplat, ns);
}

static void
flush_out(struct session *s)
{
	while (s->outoff < s->outlen) {
		ssize_t n = send(s->fd, s->out + s->outoff, s->outlen - s->outoff,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return;		/* the read side will see the error */
		}
		s->outoff += (size_t)n;
	}
	if (s->outoff == s->outlen)
		s->outoff = s->outlen = 0;
}

static void session_start(struct session *s);

static void
session_close(struct session *s, bool ok)
{
	if (s->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
	}
	s->fd = -1;
	s->state = S_FREE;
	if (s->counted && measuring) {
		if (ok)
			cnt.sessions_done++;
		else
			cnt.sessions_failed++;
	}
}

static void
count_reply(struct session *s, int cls, bool rcpt, bool data)
{
	if (!s->counted || !measuring)
		return;
	cnt.reply[cls]++;
	if (rcpt)
		cnt.rcpt_reply[cls]++;
	if (data)
		cnt.data_reply[cls]++;
}

static void
send_quit(struct session *s)
{
	size_t at;

	at = pkt_begin(s, SMFIC_ABORT);
	pkt_end(s, at);
	at = pkt_begin(s, SMFIC_QUIT);
	pkt_end(s, at);
	s->state = S_QUIT;
	flush_out(s);
}

/* The next recipient into buf; returns which -r it came from. */
static int
next_rcpt_addr(char *buf, size_t len)
{
	uint64_t n = rcpt_counter++;
	int which = (int)(n % (uint64_t)cfg.nfmt);
	const char *fmt = cfg.rcpt_fmt[which];
	long num = cfg.rcpt_start + (long)((n / (uint64_t)cfg.nfmt) % (uint64_t)cfg.rcpt_count);
	size_t o = 0;

	for (const char *p = fmt; *p != '\0' && o + 24 < len; p++) {
		if (p[0] == '%' && p[1] == 'n') {
			o += (size_t)snprintf(buf + o, len - o, "%ld", num);
			p++;
		} else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	return which;
}

/* --- judging replies (-x, -T, -L) ------------------------------------------ */

static double
now_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * One reply against what was expected: the expectation (or "2" for every
 * stage but RCPT) must be a prefix of the reply's text; a bare
 * continue/accept reads as "2 (continue)", a bare tempfail as "4", a bare
 * reject as "5".
 */
static void
judge(const struct session *s, char cmd, const unsigned char *d, size_t len,
    int cls, bool rcpt, const char *stage)
{
	const char *want = "2";
	char got[160];

	if (!cfg.judge)
		return;
	if (rcpt) {
		want = cfg.rcpt_expect[s->rcpt_fmt];
		if (want == NULL)
			return;
	}
	if (cmd == SMFIR_REPLYCODE) {
		size_t n = strnlen((const char *)d, len);

		if (n >= sizeof(got))
			n = sizeof(got) - 1;
		memcpy(got, d, n);
		got[n] = '\0';
		got[strcspn(got, "\r\n")] = '\0';
	} else
		snprintf(got, sizeof(got), "%d (continue)", cls);
	if (strncmp(got, want, strlen(want)) == 0) {
		verd.ok++;
		verd_tick.ok++;
	} else if (strncmp(got, cfg.tempfail_prefix, strlen(cfg.tempfail_prefix)) == 0) {
		verd.tempfail++;
		verd_tick.tempfail++;
	} else {
		verd.bad++;
		verd_tick.bad++;
		if (bad_shown++ < 10)
			fprintf(stderr, "loadgen: unexpected reply at %s%s%s%s: want \"%s\", got \"%s\"\n",
			    stage, rcpt ? " <" : "", rcpt ? s->rcpt_addr : "", rcpt ? ">" : "",
			    want, got);
	}
}

/* -L: one line a second, the verdicts since the line before. */
static void
timeline_tick(bool last)
{
	static double next;
	double t = now_epoch();

	if (timeline_f == NULL || (!last && t < next))
		return;
	next = t + 1;
	fprintf(timeline_f, "t=%.3f ok=%ld tempfail=%ld bad=%ld\n", t, verd_tick.ok,
	    verd_tick.tempfail, verd_tick.bad);
	fflush(timeline_f);
	memset(&verd_tick, 0, sizeof(verd_tick));
}

/* Sends the next command of a session; returns when a reply is awaited. */
static void
advance(struct session *s)
{
	for (;;) {
		size_t at;
		char addr[256], arg[300];

		switch (s->state) {
		case S_OPTNEG:		/* reply processed: CONNECT next */
			s->state = S_CONNECT;
			if (s->mprot & SMFIP_NOCONNECT)
				continue;
			put_macros(s, ST_CONNECT, SMFIC_CONNECT, NULL);
			at = pkt_begin(s, SMFIC_CONNECT);
			pkt_str(s, cfg.client_name);
			out_bytes(s, (char[]){ SMFIA_INET }, 1);
			{
				uint16_t port = htons(40000);
				out_bytes(s, &port, 2);
			}
			pkt_str(s, cfg.client_addr);
			pkt_end(s, at);
			if (s->mprot & SMFIP_NR_CONN)
				continue;
			break;
		case S_CONNECT:
			s->state = S_HELO;
			if (s->mprot & SMFIP_NOHELO)
				continue;
			put_macros(s, ST_HELO, SMFIC_HELO, NULL);
			at = pkt_begin(s, SMFIC_HELO);
			pkt_str(s, cfg.helo);
			pkt_end(s, at);
			if (s->mprot & SMFIP_NR_HELO)
				continue;
			break;
		case S_HELO:
			s->state = S_MAIL;
			if (s->mprot & SMFIP_NOMAIL)
				continue;
			put_macros(s, ST_MAIL, SMFIC_MAIL, NULL);
			at = pkt_begin(s, SMFIC_MAIL);
			snprintf(arg, sizeof(arg), "<%s>", cfg.sender);
			pkt_str(s, arg);
			pkt_str(s, "BODY=8BITMIME");
			pkt_end(s, at);
			if (s->mprot & SMFIP_NR_MAIL)
				continue;
			break;
		case S_MAIL:
		case S_RCPT:
			if (s->idle) {
				s->state = S_IDLE;
				flush_out(s);
				return;
			}
			if (s->rcpt_sent >= cfg.rcpts) {
				/*
				 * The MTA passes the client's DATA on unless the
				 * milter skipped it; with no accepted recipient
				 * the MTA answers DATA itself (503/554).
				 */
				if ((s->mprot & SMFIP_NODATA) || s->rcpt_ok == 0) {
					send_quit(s);
					return;
				}
				s->state = S_DATA;
				put_macros(s, ST_DATA, SMFIC_DATA, NULL);
				at = pkt_begin(s, SMFIC_DATA);
				pkt_end(s, at);
				if (s->mprot & SMFIP_NR_DATA) {
					send_quit(s);
					return;
				}
				break;
			}
			s->state = S_RCPT;
			s->rcpt_fmt = next_rcpt_addr(addr, sizeof(addr));
			snprintf(s->rcpt_addr, sizeof(s->rcpt_addr), "%s", addr);
			s->rcpt_sent++;
			if (s->mprot & SMFIP_NORCPT)
				continue;
			put_macros(s, ST_RCPT, SMFIC_RCPT, addr);
			at = pkt_begin(s, SMFIC_RCPT);
			snprintf(arg, sizeof(arg), "<%s>", addr);
			pkt_str(s, arg);
			pkt_end(s, at);
			if (s->mprot & SMFIP_NR_RCPT) {
				if (s->counted && measuring)
					cnt.rcpts++;
				continue;
			}
			break;
		default:
			return;
		}
		s->t_cmd = now_ns();
		flush_out(s);
		return;
	}
}

static bool
parse_optneg(struct session *s, const unsigned char *d, size_t len)
{
	uint32_t v[3];
	size_t off = 12;

	if (len < 12)
		return false;
	memcpy(v, d, 12);
	if (ntohl(v[0]) < 2)
		return false;
	s->mprot = ntohl(v[2]);
	memset(s->has_symlist, 0, sizeof(s->has_symlist));
	while (off + 4 < len) {
		uint32_t st;
		const char *list = (const char *)d + off + 4;
		size_t l = strnlen(list, len - off - 4);

		memcpy(&st, d + off, 4);
		st = ntohl(st);
		if (st < ST_NSTAGES && l < sizeof(s->symlist[0])) {
			memcpy(s->symlist[st], list, l);
			s->symlist[st][l] = '\0';
			s->has_symlist[st] = true;
		}
		off += 4 + l + 1;
	}
	return true;
}

/* One reply packet from the milter. */
static void
on_packet(struct session *s, char cmd, const unsigned char *d, size_t len)
{
	int cls;
	bool rcpt = s->state == S_RCPT, data = s->state == S_DATA;

	if (s->state == S_OPTNEG) {
		if (cmd != SMFIC_OPTNEG || !parse_optneg(s, d, len)) {
			cnt.proto_errors++;
			session_close(s, false);
			return;
		}
		advance(s);
		return;
	}
	if (cmd == SMFIR_PROGRESS)
		return;
	if (s->state != S_CONNECT && s->state != S_HELO && s->state != S_MAIL &&
	    s->state != S_RCPT && s->state != S_DATA) {
		cnt.proto_errors++;
		session_close(s, false);
		return;
	}
	switch (cmd) {
	case SMFIR_CONTINUE:
	case SMFIR_ACCEPT:
	case SMFIR_DISCARD:
		cls = 2;
		break;
	case SMFIR_REJECT:
		cls = 5;
		break;
	case SMFIR_TEMPFAIL:
	case SMFIR_SHUTDOWN:
		cls = 4;
		break;
	case SMFIR_REPLYCODE:
		cls = (len > 0 && d[0] >= '2' && d[0] <= '5') ? d[0] - '0' : 5;
		break;
	default:
		cnt.proto_errors++;
		session_close(s, false);
		return;
	}
	if (rcpt && s->counted && measuring) {
		lat_add(now_ns() - s->t_cmd);
		cnt.rcpts++;
	}
	if (rcpt && cls == 2)
		s->rcpt_ok++;
	{
		static const char *const names[] = {
			[S_CONNECT] = "CONNECT", [S_HELO] = "HELO", [S_MAIL] = "MAIL",
			[S_RCPT] = "RCPT", [S_DATA] = "DATA",
		};
		judge(s, cmd, d, len, cls, rcpt, names[s->state]);
	}
	if (data && s->counted && measuring)
		lat_push(&dlat, &ndlat, &capdlat, now_ns() - s->t_cmd);
	count_reply(s, cls, rcpt, data);
	/* Whatever DATA got, the benchmark's transaction ends there. */
	if (data) {
		send_quit(s);
		return;
	}
	/* A refused recipient ends nothing; a refused session or sender does. */
	if (!rcpt && (cls != 2 || cmd == SMFIR_ACCEPT || cmd == SMFIR_DISCARD)) {
		if (s->counted && measuring)
			cnt.early_end++;
		send_quit(s);
		return;
	}
	advance(s);
}

static void
on_readable(struct session *s)
{
	for (;;) {
		ssize_t n;
		size_t off = 0;

		if (s->incap - s->inlen < 4096) {
			s->incap = s->incap ? s->incap * 2 : 8192;
			s->in = xrealloc(s->in, s->incap);
		}
		n = recv(s->fd, s->in + s->inlen, s->incap - s->inlen, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			/* The milter closed: normal after QUIT, a failure otherwise. */
			if (s->state != S_QUIT)
				cnt.proto_errors += measuring;
			session_close(s, s->state == S_QUIT);
			return;
		}
		if (n < 0)
			return;
		s->inlen += (size_t)n;
		while (s->inlen - off >= 5) {
			uint32_t plen;
			struct session *before = s;

			memcpy(&plen, s->in + off, 4);
			plen = ntohl(plen);
			if (plen < 1 || plen > 1 << 20) {
				cnt.proto_errors++;
				session_close(s, false);
				return;
			}
			if (s->inlen - off < 4 + (size_t)plen)
				break;
			on_packet(s, (char)s->in[off + 4], s->in + off + 5, plen - 1);
			off += 4 + plen;
			if (before->state == S_FREE)
				return;
		}
		memmove(s->in, s->in + off, s->inlen - off);
		s->inlen -= off;
	}
}

static void
on_writable(struct session *s)
{
	if (s->state == S_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err != 0) {
			cnt.connect_errors++;
			session_close(s, false);
			return;
		}
		s->state = S_OPTNEG;
		{
			size_t at = pkt_begin(s, SMFIC_OPTNEG);
			pkt_u32(s, 6);
			pkt_u32(s, OFFER_ACTIONS);
			pkt_u32(s, OFFER_PROTOCOL);
			pkt_end(s, at);
		}
		s->t_cmd = now_ns();
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };
		epoll_ctl(epfd, EPOLL_CTL_MOD, s->fd, &ev);
	}
	flush_out(s);
}

static void
session_start(struct session *s)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = s };
	int fd;

	fd = socket(dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (dst.ss_family == AF_INET) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	s->fd = fd;
	s->state = S_CONNECTING;
	s->rcpt_sent = 0;
	s->rcpt_ok = 0;
	s->inlen = s->outlen = s->outoff = 0;
	s->id = ++session_counter;
	s->counted = measuring;
	s->t_cmd = now_ns();
	if (connect(fd, (struct sockaddr *)&dst, dstlen) < 0 &&
	    errno != EINPROGRESS) {
		/* A full unix-socket backlog says EAGAIN: retry on the next tick. */
		cnt.connect_errors++;
		close(fd);
		s->fd = -1;
		s->state = S_FREE;
		return;
	}
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
}

static void
parse_socket(const char *spec)
{
	memset(&dst, 0, sizeof(dst));
	if (strncmp(spec, "inet:", 5) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&dst;
		const char *at = strchr(spec, '@');

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(spec + 5));
		if (inet_pton(AF_INET, at != NULL ? at + 1 : "127.0.0.1",
		    &sin->sin_addr) != 1)
			die("bad address in %s (use a numeric IPv4 address)", spec);
		dstlen = sizeof(*sin);
	} else {
		struct sockaddr_un *sun = (struct sockaddr_un *)&dst;
		const char *path = spec;

		if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0)
			path = strchr(spec, ':') + 1;
		if (strlen(path) >= sizeof(sun->sun_path))
			die("socket path too long: %s", path);
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, path);
		dstlen = sizeof(*sun);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_of(const uint64_t *a, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)a[i] / 1000.0;
}

static double
pct_us(double p)
{
	return pct_of(lat, nlat, p);
}

static double
cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
usage(void)
{
	fputs("usage: loadgen -s SOCKET [-c CONC] [-d SECONDS] [-w WARMUP] [-n SESSIONS]\n"
	    "               [-k RCPTS] [-r FMT]... [-u START:COUNT] [-i IDLE] [-P PID]\n"
	    "               [-U] [-f SENDER] [-a LOGIN] [-N] [-C CLIENT_ADDR] [-t TIMEOUT]\n"
	    "               [-x EXPECT] [-T PREFIX] [-L FILE]\n"
	    "  SOCKET  inet:PORT@127.0.0.1 or unix:/path\n"
	    "  FMT     recipient; %n is replaced by START + (counter mod COUNT);\n"
	    "          several -r are used in turn\n"
	    "  -U      unique recipients: stop before the counter wraps\n"
	    "  -a      authenticated session: sends {auth_authen}=LOGIN\n"
	    "  -N      no TLS macros ({tls_version} etc.)\n"
	    "  -n      stop after this many measured sessions instead of -d\n"
	    "  -x      after -r FMT: the reply its recipients must get, as a prefix\n"
	    "          (\"2\" any accept, \"550 5.1.1\"); every other stage must get 2.\n"
	    "          Prints expect_ok, expect_tempfail, expect_bad; exit 1 on a bad one\n"
	    "  -T      the tempfail prefix counted apart from errors [451 4.3.0]\n"
	    "  -L      with -x: FILE gets one line a second (t=EPOCH ok tempfail bad)\n", stderr);
	exit(2);
}

/* Closes every session still open at the end and waits for the milter. */
static void
drain(double max_s)
{
	uint64_t end = now_ns() + (uint64_t)(max_s * 1e9);
	struct epoll_event evs[256];

	for (;;) {
		int open = 0, n;

		for (int i = 0; i < nsess; i++) {
			if (sess[i].state == S_IDLE)
				send_quit(&sess[i]);
			if (sess[i].state != S_FREE)
				open++;
		}
		if (open == 0 || now_ns() > end)
			break;
		n = epoll_wait(epfd, evs, 256, 100);
		for (int i = 0; i < n; i++) {
			struct session *s = evs[i].data.ptr;

			if (s->state == S_FREE)
				continue;
			if (evs[i].events & EPOLLOUT)
				on_writable(s);
			if (s->state != S_FREE &&
			    (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				on_readable(s);
		}
	}
}

int
main(int argc, char **argv)
{
	struct procstat p0, p1, pidle, pcur;
	long rss_peak = 0, thr_peak = 0, idle_threads = 0;
	uint64_t t0, t_measure = 0, t_end = 0, next_tick;
	double cpu0 = 0, gen0 = 0;
	struct epoll_event evs[256];
	int c, idle_ready;
	bool have_proc;

	while ((c = getopt(argc, argv, "s:c:d:w:n:k:r:x:T:L:u:Ui:P:f:a:NC:t:h")) != -1) {
		switch (c) {
		case 's': cfg.socket = optarg; break;
		case 'c': cfg.conc = atoi(optarg); break;
		case 'd': cfg.duration = atof(optarg); break;
		case 'w': cfg.warmup = atof(optarg); break;
		case 'n': cfg.max_sessions = atol(optarg); break;
		case 'k': cfg.rcpts = atoi(optarg); break;
		case 'r':
			if (cfg.nfmt == 64)
				die("too many -r");
			cfg.rcpt_fmt[cfg.nfmt++] = optarg;
			break;
		case 'x':
			if (cfg.nfmt == 0)
				die("-x belongs after the -r it judges");
			cfg.rcpt_expect[cfg.nfmt - 1] = optarg;
			cfg.judge = true;
			break;
		case 'T': cfg.tempfail_prefix = optarg; break;
		case 'L': cfg.timeline = optarg; break;
		case 'u':
			if (sscanf(optarg, "%ld:%ld", &cfg.rcpt_start, &cfg.rcpt_count) != 2 ||
			    cfg.rcpt_count < 1)
				die("-u wants START:COUNT");
			break;
		case 'U': cfg.unique = true; break;
		case 'i': cfg.idle = atoi(optarg); break;
		case 'P': cfg.pid = atoi(optarg); break;
		case 'f': cfg.sender = optarg; break;
		case 'a': cfg.auth = optarg; break;
		case 'N': cfg.tls = false; break;
		case 'C': cfg.client_addr = optarg; break;
		case 't': cfg.cmd_timeout = atof(optarg); break;
		default: usage();
		}
	}
	if (cfg.socket == NULL || cfg.conc < 1 || cfg.rcpts < 0 || cfg.idle < 0)
		usage();
	if (cfg.nfmt == 0)
		cfg.rcpt_fmt[cfg.nfmt++] = "user%n@example.edu";
	parse_socket(cfg.socket);
	if (cfg.timeline != NULL && (timeline_f = fopen(cfg.timeline, "w")) == NULL)
		die("%s: %s", cfg.timeline, strerror(errno));
	{
		struct rlimit rl;
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	nsess = cfg.conc + cfg.idle;
	sess = calloc((size_t)nsess, sizeof(*sess));
	if (sess == NULL)
		die("out of memory");
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1: %s", strerror(errno));
	for (int i = 0; i < nsess; i++) {
		sess[i].fd = -1;
		sess[i].idle = i >= cfg.conc;
	}
	have_proc = read_proc(cfg.pid, &p0);
	if (cfg.pid > 0 && !have_proc)
		die("cannot read /proc/%d", cfg.pid);

	/* Phase 1: open the idle sessions and wait until each sits after MAIL. */
	for (int i = cfg.conc; i < nsess; i++)
		session_start(&sess[i]);
	for (uint64_t deadline = now_ns() + 30000000000ull;;) {
		idle_ready = 0;
		for (int i = cfg.conc; i < nsess; i++) {
			if (sess[i].state == S_IDLE)
				idle_ready++;
			else if (sess[i].state == S_FREE)
				session_start(&sess[i]);	/* backlog was full */
		}
		if (idle_ready == cfg.idle || now_ns() > deadline)
			break;
		int n = epoll_wait(epfd, evs, 256, 10);
		for (int i = 0; i < n; i++) {
			struct session *s = evs[i].data.ptr;
			if (evs[i].events & EPOLLOUT)
				on_writable(s);
			if (s->state != S_FREE &&
			    (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				on_readable(s);
		}
	}
	if (cfg.idle > 0)
		usleep(200000);		/* let the milter settle before sampling */
	read_proc(cfg.pid, &pidle);
	idle_threads = pidle.threads;

	/* Phase 2: the load, warm-up first. */
	t0 = now_ns();
	next_tick = t0;
	for (int i = 0; i < cfg.conc; i++)
		session_start(&sess[i]);
	for (;;) {
		uint64_t now = now_ns();
		int n, active = 0;

		if (!measuring && t_measure == 0 && now >= t0 + (uint64_t)(cfg.warmup * 1e9)) {
			measuring = true;
			t_measure = now;
			read_proc(cfg.pid, &p1);
			cpu0 = p1.cpu_s;
			gen0 = cpu_self();
			rss_peak = p1.rss_kib;
			thr_peak = p1.threads;
		}
		/* -U: end early rather than repeat a recipient (a cold cache stays cold). */
		if (measuring && cfg.unique &&
		    rcpt_counter + (uint64_t)cfg.conc * (uint64_t)cfg.rcpts >=
		    (uint64_t)cfg.nfmt * (uint64_t)cfg.rcpt_count) {
			t_end = now;
			break;
		}
		if (measuring && ((cfg.max_sessions > 0 &&
		    cnt.sessions_done + cnt.sessions_failed >= cfg.max_sessions) ||
		    (cfg.max_sessions == 0 &&
		    now >= t_measure + (uint64_t)(cfg.duration * 1e9)))) {
			t_end = now;
			break;
		}
		if (now >= next_tick) {
			next_tick = now + 100000000u;
			timeline_tick(false);
			if (read_proc(cfg.pid, &pcur)) {
				if (pcur.rss_kib > rss_peak)
					rss_peak = pcur.rss_kib;
				if (pcur.threads > thr_peak)
					thr_peak = pcur.threads;
			} else if (cfg.pid > 0)
				die("milter pid %d went away", cfg.pid);
			for (int i = 0; i < nsess; i++) {
				struct session *s = &sess[i];
				if (s->state != S_FREE && s->state != S_IDLE &&
				    now - s->t_cmd > (uint64_t)(cfg.cmd_timeout * 1e9)) {
					cnt.timeouts++;
					session_close(s, false);
				}
			}
		}
		for (int i = 0; i < cfg.conc; i++) {
			if (sess[i].state == S_FREE)
				session_start(&sess[i]);
			active += sess[i].state != S_FREE;
		}
		n = epoll_wait(epfd, evs, 256, active ? 20 : 1);
		for (int i = 0; i < n; i++) {
			struct session *s = evs[i].data.ptr;

			if (s->state == S_FREE)
				continue;
			if (evs[i].events & EPOLLOUT)
				on_writable(s);
			if (s->state != S_FREE &&
			    (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				on_readable(s);
		}
	}
	read_proc(cfg.pid, &p1);
	{
		double secs = (double)(t_end - t_measure) / 1e9;
		double gen = cpu_self() - gen0;
		double mcpu = p1.cpu_s - cpu0;

		if (p1.rss_kib > rss_peak)
			rss_peak = p1.rss_kib;
		if (p1.threads > thr_peak)
			thr_peak = p1.threads;
		measuring = false;
		drain(5);
		qsort(lat, nlat, sizeof(*lat), cmp_u64);
		qsort(dlat, ndlat, sizeof(*dlat), cmp_u64);
		printf("conc=%d idle=%d idle_open=%d rcpts_per_session=%d seconds=%.3f "
		    "sessions=%ld sessions_per_s=%.1f rcpts=%ld rcpts_per_s=%.1f "
		    "rcpt_p50_us=%.0f rcpt_p99_us=%.0f rcpt_p999_us=%.0f rcpt_max_us=%.0f "
		    "replies_2xx=%ld replies_4xx=%ld replies_5xx=%ld "
		    "rcpt_2xx=%ld rcpt_4xx=%ld rcpt_5xx=%ld "
		    "data_2xx=%ld data_4xx=%ld data_5xx=%ld data_p50_us=%.0f data_p99_us=%.0f "
		    "early_end=%ld "
		    "failed=%ld timeouts=%ld proto_errors=%ld connect_errors=%ld",
		    cfg.conc, cfg.idle, idle_ready, cfg.rcpts, secs,
		    cnt.sessions_done, (double)cnt.sessions_done / secs,
		    cnt.rcpts, (double)cnt.rcpts / secs,
		    pct_us(0.50), pct_us(0.99), pct_us(0.999), pct_us(1.0),
		    cnt.reply[2], cnt.reply[4], cnt.reply[5],
		    cnt.rcpt_reply[2], cnt.rcpt_reply[4], cnt.rcpt_reply[5],
		    cnt.data_reply[2], cnt.data_reply[4], cnt.data_reply[5],
		    pct_of(dlat, ndlat, 0.50), pct_of(dlat, ndlat, 0.99),
		    cnt.early_end, cnt.sessions_failed, cnt.timeouts,
		    cnt.proto_errors, cnt.connect_errors);
		if (have_proc)
			printf(" milter_cpu_s=%.2f milter_cpu_us_per_session=%.1f "
			    "milter_rss_start_kib=%ld milter_rss_idle_kib=%ld "
			    "milter_rss_peak_kib=%ld milter_hwm_kib=%ld "
			    "milter_threads_start=%ld milter_threads_idle=%ld "
			    "milter_threads_peak=%ld",
			    mcpu, cnt.sessions_done ? mcpu * 1e6 / (double)cnt.sessions_done : 0,
			    p0.rss_kib, pidle.rss_kib, rss_peak, p1.hwm_kib,
			    p0.threads, idle_threads, thr_peak);
		printf(" loadgen_cpu_s=%.2f", gen);
		if (cfg.judge)
			printf(" expect_ok=%ld expect_tempfail=%ld expect_bad=%ld",
			    verd.ok, verd.tempfail, verd.bad);
		printf("\n");
	}
	timeline_tick(true);
	if (cfg.judge && verd.bad > 0)
		return 1;
	return cnt.sessions_done > 0 ? 0 : 1;
}
