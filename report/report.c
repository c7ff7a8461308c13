/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * report.c - relayguard -R: arguments, input files, and the run.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "report.h"
#include "logparse.h"
#include "notice.h"
#include "output.h"
#include "tally.h"
#include "conf/conf.h"

#define CHUNK	(1u << 20)

struct args {
	const char *conf, *format, *notices, *template_path;
	time_t since, until;
	long top, year;
	bool print_template;
	char **files;
	int nfiles;
};

static int
usage(void)
{
	fputs("usage: relayguard -R [-c FILE] [--since YYYY-MM-DD] [--until YYYY-MM-DD]"
	    " [--format text|json] [--top N] [--year YYYY]"
	    " [--notices DIR [--template FILE]] [LOGFILE ... | -]\n"
	    "       relayguard -R --print-template\n", stderr);
	return EX_USAGE;
}

/* A day as the first second of it, wall clock as UTC (see logparse.h). */
static bool
parse_day(const char *s, time_t *t_r)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || strlen(s) != 10)
		return false;
	*t_r = timegm(&tm);
	return true;
}

static bool
parse_long(const char *s, long min, long max, long *v_r)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*v_r = v;
	return true;
}

static int
parse_args(struct args *a, int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--") == 0) {
			i++;
			break;
		}
		if (o[0] != '-' || strcmp(o, "-") == 0)
			break;
		if (strcmp(o, "--print-template") == 0) {
			a->print_template = true;
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "relayguard -R: %s needs a value\n", o);
			return EX_USAGE;
		}
		i++;
		if (strcmp(o, "-c") == 0) {
			a->conf = v;
		} else if (strcmp(o, "--since") == 0 || strcmp(o, "--until") == 0) {
			time_t t;

			if (!parse_day(v, &t)) {
				fprintf(stderr, "relayguard -R: %s wants YYYY-MM-DD, not \"%s\"\n", o, v);
				return EX_USAGE;
			}
			if (o[2] == 's')
				a->since = t;
			else
				a->until = t + 86400;	/* --until names the last day read */
		} else if (strcmp(o, "--format") == 0) {
			if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
				return usage();
			a->format = v;
		} else if (strcmp(o, "--top") == 0) {
			if (!parse_long(v, 1, 1000, &a->top))
				return usage();
		} else if (strcmp(o, "--year") == 0) {
			if (!parse_long(v, 1970, 9999, &a->year))
				return usage();
		} else if (strcmp(o, "--notices") == 0) {
			a->notices = v;
		} else if (strcmp(o, "--template") == 0) {
			a->template_path = v;
		} else {
			fprintf(stderr, "relayguard -R: unknown option %s\n", o);
			return usage();
		}
	}
	a->files = argv + i;
	a->nfiles = argc - i;
	if (a->since != 0 && a->until != 0 && a->until <= a->since) {
		fputs("relayguard -R: --until is before --since\n", stderr);
		return EX_USAGE;
	}
	if (a->template_path != NULL && a->notices == NULL)
		return usage();
	return 0;
}

static void
one_line(struct rg_tally *t, const char *p, size_t len, time_t ref)
{
	struct rg_lp_line l;

	if (len > RG_LP_LINE_MAX) {
		t->lines++;
		if (memmem(p, len, "relayguard[", 11) != NULL)
			t->overlong++;
		return;
	}
	rg_tally_line(t, rg_lp_split(p, len, ref, &l), &l);
}

static uint64_t
count_lf(const char *p, const char *end)
{
	uint64_t n = 0;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

#define TAG	"relayguard["
#define TAGLEN	(sizeof(TAG) - 1)

/*
 * Whole lines in [p, end), end just after an LF.  Like grep, look for the
 * tag first: a line without it cannot be relayguard's, and is only counted.
 */
static void
scan(struct rg_tally *t, const char *p, const char *end, time_t ref)
{
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), TAG, TAGLEN), *ls, *le;

		if (hit == NULL) {
			t->lines += count_lf(p, end);
			return;
		}
		ls = memrchr(p, '\n', (size_t)(hit - p));
		ls = ls != NULL ? ls + 1 : p;
		t->lines += count_lf(p, ls);
		le = memchr(hit, '\n', (size_t)(end - hit));
		one_line(t, ls, (size_t)(le - ls), ref);
		p = le + 1;
	}
}

/* Lines split here, not by gzgets(): a NUL inside a line must not hide its end. */
static int
read_stream(struct rg_tally *t, gzFile z, const char *name, time_t ref)
{
	static char buf[CHUNK];
	size_t have = 0;
	bool skipping = false;
	int n;

	while ((n = gzread(z, buf + have, (unsigned)(sizeof(buf) - have))) > 0) {
		char *p = buf, *end = buf + have + (size_t)n;
		char *last = memrchr(p, '\n', (size_t)(end - p));

		if (last != NULL) {
			if (skipping) {
				/* The rest of a line too long to read, already counted. */
				p = memchr(p, '\n', (size_t)(end - p)) + 1;
				skipping = false;
			}
			scan(t, p, last + 1, ref);
			p = last + 1;
		}
		have = (size_t)(end - p);
		if (have > RG_LP_LINE_MAX) {
			/* Too long to be relayguard's: count it once, drop the rest of it. */
			if (!skipping)
				one_line(t, p, have, ref);
			skipping = true;
			have = 0;
		} else {
			memmove(buf, p, have);
		}
	}
	if (n < 0) {
		int err;
		const char *msg = gzerror(z, &err);

		fprintf(stderr, "relayguard -R: %s: %s\n", name,
		    err == Z_ERRNO ? strerror(errno) : msg);
		return EX_IOERR;
	}
	if (have > 0 && !skipping) {
		/* A last line without its LF. */
		if (memmem(buf, have, TAG, TAGLEN) != NULL)
			one_line(t, buf, have, ref);
		else
			t->lines++;
	}
	return 0;
}

static int
read_inputs(struct rg_tally *t, const struct args *a, time_t now)
{
	time_t ref = now;
	int rc = 0;

	if (a->year != 0) {
		struct tm tm = { .tm_year = (int)a->year - 1900, .tm_mon = 11, .tm_mday = 31 };

		ref = timegm(&tm);
	} else if (a->nfiles > 0) {
		struct stat st;

		/* The newest file's age dates lines that carry no year. */
		ref = 0;
		for (int i = 0; i < a->nfiles; i++)
			if (strcmp(a->files[i], "-") != 0 && stat(a->files[i], &st) == 0 &&
			    st.st_mtime > ref)
				ref = st.st_mtime;
		if (ref == 0)
			ref = now;
	}
	for (int i = 0; i < (a->nfiles ? a->nfiles : 1); i++) {
		const char *name = a->nfiles ? a->files[i] : "-";
		bool std = strcmp(name, "-") == 0;
		gzFile z;
		int r;

		z = std ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(name, "rb");
		if (z == NULL) {
			fprintf(stderr, "relayguard -R: %s: %s\n", std ? "stdin" : name,
			    errno ? strerror(errno) : "cannot open");
			rc = EX_NOINPUT;
			continue;
		}
		gzbuffer(z, 256 * 1024);
		if ((r = read_stream(t, z, std ? "stdin" : name, ref)) != 0)
			rc = r;
		gzclose(z);
	}
	return rc;
}

int
rg_report_main(const char *conf, int argc, char **argv, rg_notice_to_fn *resolve)
{
	struct args a = { .conf = conf, .format = "text", .top = 10 };
	struct rg_errs errs = { 0 };
	struct rg_config *cfg;
	struct rg_tally t;
	struct rg_report_opts ro;
	int rc, rin;

	if ((rc = parse_args(&a, argc, argv)) != 0)
		return rc;
	if (a.print_template) {
		fputs(rg_notice_default_template, stdout);
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	cfg = rg_config_load(a.conf, &errs);
	for (int i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	rg_errs_free(&errs);
	if (cfg == NULL)
		return EX_CONFIG;
	rg_tally_init(&t, rg_config_policy(cfg), a.since, a.until);
	rin = read_inputs(&t, &a, time(NULL));
	ro.top = (size_t)a.top;
	ro.ref = rg_tally_reference(&t, time(NULL));
	if (strcmp(a.format, "json") == 0)
		rg_report_json(stdout, &t, &ro);
	else
		rg_report_text(stdout, &t, &ro);
	rc = 0;
	if (a.notices != NULL) {
		struct rg_notice_opts no = {
			.dir = a.notices, .template_path = a.template_path,
			.contact = rg_config_migration_contact(cfg),
			.help_url = rg_config_migration_help_url(cfg),
			.server = rg_config_migration_server(cfg), .ref = ro.ref,
			.resolve = resolve, .resolve_arg = cfg,
		};

		rc = rg_notices_write(&t, &no, stderr);
	}
	rg_tally_free(&t);
	rg_config_release(&cfg);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "relayguard -R: writing the report: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return rc != 0 ? rc : rin;
}
