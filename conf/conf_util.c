/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_util.c - error collection and typed getters over libconfig.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf_util.h"
#include "common/strutil.h"

static void
list_push(char ***list, int *count, int *cap, char *msg)
{
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*list = realloc(*list, (size_t)*cap * sizeof(char *));
		if (*list == NULL)
			abort();
	}
	(*list)[(*count)++] = msg;
}

static char *
vformat(const char *file, int line, const char *kind, const char *fmt, va_list ap)
{
	char body[512], *msg;

	vsnprintf(body, sizeof(body), fmt, ap);
	if (asprintf(&msg, "%s:%d: %s%s", file ? file : "(config)", line, kind, body) < 0)
		abort();
	return msg;
}

static void
verrs_add(struct rg_errs *e, const char *file, int line, const char *fmt, va_list ap)
{
	list_push(&e->msgs, &e->count, &e->cap, vformat(file, line, "", fmt, ap));
}

void
rg_warn_at(struct rg_errs *e, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	list_push(&e->warns, &e->nwarns, &e->wcap, vformat(config_setting_source_file(s),
	    (int)config_setting_source_line(s), "warning: ", fmt, ap));
	va_end(ap);
}

void
rg_errs_add(struct rg_errs *e, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrs_add(e, file, line, fmt, ap);
	va_end(ap);
}

void
rg_errs_at(struct rg_errs *e, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrs_add(e, config_setting_source_file(s), (int)config_setting_source_line(s),
	    fmt, ap);
	va_end(ap);
}

void
rg_errs_free(struct rg_errs *e)
{
	for (int i = 0; i < e->count; i++)
		free(e->msgs[i]);
	free(e->msgs);
	for (int i = 0; i < e->nwarns; i++)
		free(e->warns[i]);
	free(e->warns);
	memset(e, 0, sizeof(*e));
}

/* "networks.trusted" rather than libconfig's bare member name. */
static void
setting_path(const config_setting_t *s, char *out, size_t outlen)
{
	const char *parts[16];
	int n = 0;

	for (; s != NULL && n < 16; s = config_setting_parent(s))
		if (config_setting_name(s) != NULL)
			parts[n++] = config_setting_name(s);
	out[0] = '\0';
	while (n-- > 0) {
		strncat(out, parts[n], outlen - strlen(out) - 1);
		if (n > 0)
			strncat(out, ".", outlen - strlen(out) - 1);
	}
}

void
rg_conf_check_keys(struct rg_errs *e, const config_setting_t *s, const char *const known[])
{
	int n = config_setting_length(s);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);
		bool ok = false;
		char path[256];

		for (int k = 0; known[k] != NULL && name != NULL; k++)
			if (strcmp(known[k], name) == 0)
				ok = true;
		if (!ok) {
			setting_path(m, path, sizeof(path));
			rg_errs_at(e, m, "unknown key \"%s\"", path);
		}
	}
}

const config_setting_t *
rg_conf_group(struct rg_errs *e, const config_t *cf, const char *name,
    const char *const known[])
{
	const config_setting_t *g = config_lookup(cf, name);

	if (g == NULL)
		return NULL;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		rg_errs_at(e, g, "\"%s\" must be a group: %s = { ... };", name, name);
		return NULL;
	}
	rg_conf_check_keys(e, g, known);
	return g;
}

/* Fetch 'key' from grp; record a type error if it is not of 'type'. */
static const config_setting_t *
member(struct rg_errs *e, const config_setting_t *grp, const char *key, int type,
    const char *what)
{
	const config_setting_t *s;
	char path[256];

	if (grp == NULL || (s = config_setting_get_member(grp, key)) == NULL)
		return NULL;
	if (config_setting_type(s) == type ||
	    (type == CONFIG_TYPE_FLOAT && config_setting_type(s) == CONFIG_TYPE_INT) ||
	    (type == CONFIG_TYPE_INT && config_setting_type(s) == CONFIG_TYPE_INT64))
		return s;
	setting_path(s, path, sizeof(path));
	rg_errs_at(e, s, "\"%s\" must be %s", path, what);
	return NULL;
}

bool
rg_conf_bool(struct rg_errs *e, const config_setting_t *grp, const char *key, bool def,
    bool *out)
{
	const config_setting_t *s = member(e, grp, key, CONFIG_TYPE_BOOL, "true or false");

	*out = s ? config_setting_get_bool(s) != 0 : def;
	return s != NULL;
}

bool
rg_conf_int(struct rg_errs *e, const config_setting_t *grp, const char *key,
    long long def, long long min, long long max, long long *out)
{
	const config_setting_t *s = member(e, grp, key, CONFIG_TYPE_INT, "an integer");
	long long v;

	*out = def;
	if (s == NULL)
		return false;
	v = config_setting_get_int64(s);
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	if (v < min || v > max) {
		rg_errs_at(e, s, "\"%s\" must be between %lld and %lld", key, min, max);
		return false;
	}
	*out = v;
	return true;
}

bool
rg_conf_double(struct rg_errs *e, const config_setting_t *grp, const char *key,
    double def, double min, double max, double *out)
{
	const config_setting_t *s = member(e, grp, key, CONFIG_TYPE_FLOAT, "a number");
	double v;

	*out = def;
	if (s == NULL)
		return false;
	v = config_setting_type(s) == CONFIG_TYPE_INT ?
	    (double)config_setting_get_int(s) : config_setting_get_float(s);
	if (v < min || v > max) {
		rg_errs_at(e, s, "\"%s\" must be between %g and %g", key, min, max);
		return false;
	}
	*out = v;
	return true;
}

bool
rg_conf_string(struct rg_errs *e, const config_setting_t *grp, const char *key,
    const char *def, const char **out)
{
	const config_setting_t *s = member(e, grp, key, CONFIG_TYPE_STRING, "a string");

	*out = s ? config_setting_get_string(s) : def;
	return s != NULL;
}

bool
rg_conf_enum(struct rg_errs *e, const config_setting_t *grp, const char *key,
    const char *const choices[], int def, int *out)
{
	const config_setting_t *s = member(e, grp, key, CONFIG_TYPE_STRING, "a string");
	const char *v;
	char list[256] = "";

	*out = def;
	if (s == NULL)
		return false;
	v = config_setting_get_string(s);
	for (int i = 0; choices[i] != NULL; i++) {
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return true;
		}
		if (i > 0)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, choices[i], sizeof(list) - strlen(list) - 1);
	}
	rg_errs_at(e, s, "\"%s\" is not a valid %s (expected one of: %s)", v, key, list);
	return false;
}

const config_setting_t *
rg_conf_strings(struct rg_errs *e, const config_setting_t *grp, const char *key)
{
	const config_setting_t *s;
	int n;

	if (grp == NULL || (s = config_setting_get_member(grp, key)) == NULL)
		return NULL;
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		rg_errs_at(e, s, "\"%s\" must be a list of strings, like [ \"a\", \"b\" ]", key);
		return NULL;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		if (config_setting_type(config_setting_get_elem(s, (unsigned)i)) !=
		    CONFIG_TYPE_STRING) {
			rg_errs_at(e, s, "\"%s\" must hold only strings", key);
			return NULL;
		}
	}
	return s;
}

char *
rg_conf_path(const char *conffile, const char *path)
{
	const char *slash = strrchr(conffile, '/');
	char *out;

	if (path[0] == '/' || slash == NULL)
		return rg_xstrdup(path);
	if (asprintf(&out, "%.*s/%s", (int)(slash - conffile), conffile, path) < 0)
		abort();
	return out;
}

static const char *
file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "FIFO" : S_ISDIR(m) ? "directory" : S_ISSOCK(m) ? "socket" :
	    S_ISCHR(m) ? "character device" : S_ISBLK(m) ? "block device" : "special file";
}

int
rg_conf_open(struct rg_errs *e, const char *file, int line, const char *label,
    const char *path, bool follow)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer that never comes. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (fd < 0) {
		if (errno == ELOOP && !follow)
			rg_errs_add(e, file, line, "%sis a symbolic link; refusing to follow it "
			    "(name the file itself)", label);
		else
			rg_errs_add(e, file, line, "%scannot read: %s", label, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		rg_errs_add(e, file, line, "%scannot read: %s", label, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		rg_errs_add(e, file, line, "%sis a %s, not a regular file", label,
		    file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		rg_errs_add(e, file, line, "%scannot read: %s", label, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
name_settings(config_setting_t *s, const char *file)
{
	if (s->file == NULL)
		s->file = file;
	if (config_setting_is_aggregate(s))
		for (int i = 0; i < config_setting_length(s); i++)
			name_settings(config_setting_get_elem(s, (unsigned)i), file);
}

/*
 * The file's text, with each relative @include made absolute against the
 * file's own directory: the daemon changes to / and reloads from there,
 * and libconfig 1.5's include_dir would also be put in front of an
 * absolute name.  Lines keep their numbers.  NULL (recorded) on error.
 */
static char *
read_all(struct rg_errs *e, FILE *fp, const char *path)
{
	char *dirbuf, *line = NULL, *out = NULL;
	const char *dir;
	size_t cap = 0, outlen = 0;
	ssize_t n;
	FILE *mem;
	int lineno = 0;
	bool bad = false;

	if ((dirbuf = strdup(path)) == NULL)
		abort();
	dir = dirname(dirbuf);
	if ((mem = open_memstream(&out, &outlen)) == NULL)
		abort();
	while ((n = getline(&line, &cap, fp)) >= 0) {
		const char *p = line + strspn(line, " \t");

		lineno++;
		if (outlen + (size_t)n > RG_CONF_FILE_MAX) {
			rg_errs_add(e, path, lineno, "file is larger than %d bytes", RG_CONF_FILE_MAX);
			bad = true;
			break;
		}
		if (strncmp(p, "@include", 8) == 0 && p[8 + strspn(p + 8, " \t")] == '"') {
			const char *q = p + 8 + strspn(p + 8, " \t") + 1;

			if (*q != '/' && *q != '"') {
				fprintf(mem, "%.*s@include \"%s/%s", (int)(p - line), line, dir, q);
				continue;
			}
		}
		fwrite(line, 1, (size_t)n, mem);
	}
	if (ferror(fp)) {
		rg_errs_add(e, path, lineno, "cannot read: %s", strerror(errno));
		bad = true;
	}
	fclose(mem);
	free(line);
	free(dirbuf);
	if (bad) {
		free(out);
		return NULL;
	}
	return out;
}

bool
rg_conf_read(struct rg_errs *e, config_t *cf, const char *path, bool follow)
{
	FILE *fp;
	char *name, *text;
	int fd, ok;

	/* libconfig says only "file I/O error"; say which and why first. */
	if ((fd = rg_conf_open(e, path, 0, "", path, follow)) < 0)
		return false;
	if ((fp = fdopen(fd, "r")) == NULL) {
		rg_errs_add(e, path, 0, "cannot read: %s", strerror(errno));
		close(fd);
		return false;
	}
	/* Parsed from the descriptor we checked, not from the name again. */
	text = read_all(e, fp, path);
	fclose(fp);
	if (text == NULL)
		return false;
	config_init(cf);
	config_set_auto_convert(cf, 0);
	ok = config_read_string(cf, text);
	free(text);
	if (!ok) {
		rg_errs_add(e, config_error_file(cf) ? config_error_file(cf) : path,
		    config_error_line(cf), "%s", config_error_text(cf));
		config_destroy(cf);
		return false;
	}
	/*
	 * Settings read from a stream carry no file name, and their messages
	 * need one.  The copy hangs on the root as its hook, which libconfig
	 * hands to the destructor when the config is destroyed.
	 */
	if ((name = strdup(path)) == NULL)
		abort();
	config_set_destructor(cf, free);
	config_setting_set_hook(config_root_setting(cf), name);
	name_settings(config_root_setting(cf), name);
	return true;
}

char *
rg_conf_read_secret(struct rg_errs *e, const config_setting_t *s, const char *key,
    const char *path, const char *empty_why)
{
	char buf[RG_CONF_SECRET_MAX + 2], label[PATH_MAX + 64], *out = NULL;
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;

	snprintf(label, sizeof(label), "%s \"%s\": ", key, path);
	if ((fd = rg_conf_open(e, config_setting_source_file(s),
	    (int)config_setting_source_line(s), label, path, false)) < 0)
		return NULL;
	if (fstat(fd, &st) != 0) {
		rg_errs_at(e, s, "%s%s", label, strerror(errno));
		goto done;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		rg_errs_at(e, s, "%s \"%s\" is readable or writable by group or others "
		    "(mode %03o); chmod 600 it", key, path, (unsigned)(st.st_mode & 0777));
		goto done;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		rg_errs_at(e, s, "%s \"%s\" must be owned by root or by the user relayguard "
		    "runs as", key, path);
		goto done;
	}
	while (len < sizeof(buf) - 1 &&
	    ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
	/* One trailing newline is the editor's, not the password's. */
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (len > RG_CONF_SECRET_MAX)
		rg_errs_at(e, s, "%s \"%s\" is longer than %d bytes", key, path,
		    RG_CONF_SECRET_MAX);
	else if (len == 0)
		rg_errs_at(e, s, "%s \"%s\" is empty%s%s", key, path,
		    empty_why != NULL ? " " : "", empty_why != NULL ? empty_why : "");
	else if (memchr(buf, '\0', len) != NULL || memchr(buf, '\n', len) != NULL)
		rg_errs_at(e, s, "%s \"%s\" must hold one line of text", key, path);
	else
		out = rg_xstrdup(buf);
done:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return out;
}
