/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_print.c - relayguard -n -p (the effective configuration) and
 * -n -d (every default), in policy.conf syntax.
 *
 * The file is re-read with libconfig after rg_config_load() accepted
 * it, and walked along the tables of conf_print_keys.c, which name
 * every key the loader knows.  tests/conf_print.sh fails when a key of
 * the loader's *keys[] arrays is missing from the output, and replays
 * the golden transactions through a saved -p output, so a default
 * printed wrong shows as a changed decision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "conf.h"
#include "conf_print.h"
#include "conf_util.h"
#include "conf/conf_print_keys.h"

struct printer {
	FILE *out;
	const char *conffile;	/* absolute; NULL for -d */
	const char *pre;	/* "" or "# ": a block with no effect */
	int depth;
};

static void
line_start(struct printer *p)
{
	for (int i = 0; i < p->depth; i++)
		fputc('\t', p->out);
	fputs(p->pre, p->out);
}

/* A string as libconfig reads it back: \" \\ and \xNN for control bytes. */
static void
put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", out);
		else if (*c == '\t')
			fputs("\\t", out);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(out, "\\x%02x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

/* A file name as the loader resolves it; -d keeps it as written. */
static void
put_path(struct printer *p, const char *v)
{
	char *full;

	/* "" means "off" (control.socket), not "the policy file's directory". */
	if (p->conffile == NULL || v[0] == '/' || v[0] == '\0') {
		put_string(p->out, v);
		return;
	}
	full = rg_conf_path(p->conffile, v);
	put_string(p->out, full);
	free(full);
}

static void
put_socket(struct printer *p, const char *v)
{
	const char *colon = strchr(v, ':');
	char *full, *spec;

	if (p->conffile == NULL || colon == NULL ||
	    (strncmp(v, "unix:", 5) != 0 && strncmp(v, "local:", 6) != 0) ||
	    colon[1] == '/' || colon[1] == '\0') {
		put_string(p->out, v);
		return;
	}
	full = rg_conf_path(p->conffile, colon + 1);
	if (asprintf(&spec, "%.*s%s", (int)(colon + 1 - v), v, full) < 0)
		abort();
	put_string(p->out, spec);
	free(spec);
	free(full);
}

/* A list of strings: on one line when short, else one entry per line. */
static void
put_strings(struct printer *p, const char *const *v, size_t n)
{
	size_t width = 0;

	for (size_t i = 0; i < n; i++)
		width += strlen(v[i]) + 4;
	if (n == 0) {
		fputs("[ ]", p->out);
		return;
	}
	if (n <= 4 && width <= 60) {
		fputs("[ ", p->out);
		for (size_t i = 0; i < n; i++) {
			put_string(p->out, v[i]);
			fputs(i + 1 < n ? ", " : " ", p->out);
		}
		fputc(']', p->out);
		return;
	}
	fputs("[\n", p->out);
	p->depth++;
	for (size_t i = 0; i < n; i++) {
		line_start(p);
		put_string(p->out, v[i]);
		fputs(i + 1 < n ? ",\n" : "\n", p->out);
	}
	p->depth--;
	line_start(p);
	fputc(']', p->out);
}

static void
put_float(FILE *out, double d)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.15g", d);
	/* libconfig reads "3" as an integer: keep it a float. */
	if (strpbrk(buf, ".eEni") == NULL)
		strcat(buf, ".0");
	fputs(buf, out);
}

/* A value the file sets, in the key's own form. */
static void
put_setting(struct printer *p, const struct rg_print_key *k, const config_setting_t *s)
{
	switch (k->kind) {
	case RG_PRINT_STRING:
		put_string(p->out, config_setting_get_string(s));
		break;
	case RG_PRINT_PATH:
		put_path(p, config_setting_get_string(s));
		break;
	case RG_PRINT_SOCKET:
		put_socket(p, config_setting_get_string(s));
		break;
	case RG_PRINT_BOOL:
		fputs(config_setting_get_bool(s) ? "true" : "false", p->out);
		break;
	case RG_PRINT_INT:
		fprintf(p->out, "%lld", config_setting_get_int64(s));
		break;
	case RG_PRINT_FLOAT:
		put_float(p->out, config_setting_type(s) == CONFIG_TYPE_FLOAT ?
		    config_setting_get_float(s) : (double)config_setting_get_int64(s));
		break;
	case RG_PRINT_STRINGS: {
		size_t n = (size_t)config_setting_length(s);
		const char **v = calloc(n + 1, sizeof(*v));

		if (v == NULL)
			abort();
		for (size_t i = 0; i < n; i++)
			v[i] = config_setting_get_string_elem(s, (int)i);
		put_strings(p, v, n);
		free(v);
		break;
	}
	}
}

static void
put_default(struct printer *p, const struct rg_print_key *k)
{
	size_t n = 0;

	switch (k->kind) {
	case RG_PRINT_STRING:
		put_string(p->out, k->def);
		break;
	case RG_PRINT_PATH:
		put_path(p, k->def);
		break;
	case RG_PRINT_SOCKET:
		put_socket(p, k->def);
		break;
	case RG_PRINT_BOOL:
	case RG_PRINT_INT:
	case RG_PRINT_FLOAT:
		fputs(k->def, p->out);
		break;
	case RG_PRINT_STRINGS:
		while (k->defv != NULL && k->defv[n] != NULL)
			n++;
		put_strings(p, k->defv, n);
		break;
	}
}

/* One key of group 'grp' (NULL: nothing set): its value, or its default marked. */
static void
print_key(struct printer *p, const config_setting_t *grp, const struct rg_print_key *k)
{
	const config_setting_t *s = grp != NULL ? config_setting_get_member(grp, k->name) : NULL;

	line_start(p);
	if (s != NULL) {
		fprintf(p->out, "%s = ", k->name);
		put_setting(p, k, s);
		fputs(";\n", p->out);
	} else if (k->unset != NULL) {
		/* Already inside a commented-out block: one '#' is enough. */
		fprintf(p->out, "%s%s = (unset: %s)\n", p->pre[0] != '\0' ? "" : "# ",
		    k->name, k->unset);
	} else {
		fprintf(p->out, "%s = ", k->name);
		put_default(p, k);
		if (k->kind == RG_PRINT_PATH && p->conffile != NULL && k->def[0] != '/') {
			fputs(";\t# default: ", p->out);
			put_string(p->out, k->def);
			fputs(", beside the policy file\n", p->out);
		} else {
			fputs(";\t# default\n", p->out);
		}
	}
}

static void
print_keys(struct printer *p, const config_setting_t *grp, const struct rg_print_key *keys)
{
	for (const struct rg_print_key *k = keys; k->name != NULL; k++)
		print_key(p, grp, k);
}

static void
open_group(struct printer *p, const char *name)
{
	line_start(p);
	fprintf(p->out, "%s = {\n", name);
	p->depth++;
}

static void
close_group(struct printer *p)
{
	p->depth--;
	line_start(p);
	fputs("};\n", p->out);
}

static const config_setting_t *
member(const config_setting_t *grp, const char *name)
{
	return grp != NULL ? config_setting_get_member(grp, name) : NULL;
}

static void
print_exceptions(struct printer *p, const config_setting_t *l)
{
	int n = l != NULL ? config_setting_length(l) : 0;
	const char *pre = p->pre;

	if (n == 0) {
		line_start(p);
		fputs("legacy_exceptions = ( );\t# default: none.  Each entry:\n", p->out);
		p->pre = "# ";
		p->depth++;
		line_start(p);
		fputs("{\n", p->out);
		p->depth++;
		print_keys(p, NULL, rg_print_exception_keys);
		p->depth--;
		line_start(p);
		fputs("}\n", p->out);
		p->depth--;
		p->pre = pre;
		return;
	}
	line_start(p);
	fputs("legacy_exceptions = (\n", p->out);
	p->depth++;
	for (int i = 0; i < n; i++) {
		line_start(p);
		fputs("{\n", p->out);
		p->depth++;
		print_keys(p, config_setting_get_elem(l, (unsigned)i), rg_print_exception_keys);
		p->depth--;
		line_start(p);
		fputs(i + 1 < n ? "},\n" : "}\n", p->out);
	}
	p->depth--;
	line_start(p);
	fputs(");\n", p->out);
}

/* The directory group: keys the chosen backend ignores are commented out. */
static void
print_directory(struct printer *p, const config_setting_t *dir)
{
	const config_setting_t *b = member(dir, "backend");
	const char *name = b != NULL && config_setting_get_string(b) != NULL ?
	    config_setting_get_string(b) : "file";
	bool ldap = strcmp(name, "ldap") == 0, script = strcmp(name, "script") == 0;
	const char *pre = p->pre;

	open_group(p, "directory");
	print_keys(p, dir, rg_print_directory_keys);
	if (ldap || script) {
		line_start(p);
		fprintf(p->out, "# with backend = \"%s\", file has no effect:\n", name);
		p->pre = "# ";
	}
	print_keys(p, dir, rg_print_dirfile_keys);
	p->pre = pre;
	print_keys(p, dir, rg_print_dirscript_keys);
	if (!ldap) {
		line_start(p);
		fprintf(p->out, "# with backend = \"%s\", ldap and cache have no effect:\n", name);
		p->pre = "# ";
	}
	open_group(p, "ldap");
	print_keys(p, member(dir, "ldap"), rg_print_ldap_keys);
	close_group(p);
	open_group(p, "cache");
	print_keys(p, member(dir, "cache"), rg_print_cache_keys);
	close_group(p);
	p->pre = pre;
	close_group(p);
}

/* budgets: the redis group is commented out unless backend = "redis". */
static void
print_budgets(struct printer *p, const config_setting_t *g)
{
	const config_setting_t *b = member(g, "backend");
	bool redis = b != NULL && config_setting_get_string(b) != NULL &&
	    strcmp(config_setting_get_string(b), "redis") == 0;
	const char *pre = p->pre;

	open_group(p, "budgets");
	print_keys(p, g, rg_print_budgets_keys);
	if (!redis) {
		line_start(p);
		fputs("# with backend = \"local\", redis has no effect:\n", p->out);
		p->pre = "# ";
	}
	open_group(p, "redis");
	print_keys(p, member(g, "redis"), rg_print_budgets_redis_keys);
	close_group(p);
	p->pre = pre;
	close_group(p);
}

/* The whole file; 'cf' NULL prints the defaults. */
static void
print_all(struct printer *p, const config_t *cf)
{
	const config_setting_t *root = cf != NULL ? config_root_setting(cf) : NULL;

	print_keys(p, root, rg_print_top_keys);
	for (size_t i = 0; i < rg_print_ngroups; i++) {
		open_group(p, rg_print_groups[i].name);
		print_keys(p, member(root, rg_print_groups[i].name), rg_print_groups[i].keys);
		close_group(p);
	}
	print_exceptions(p, member(root, "legacy_exceptions"));
	open_group(p, "routing");
	print_keys(p, member(root, "routing"), rg_print_routing_keys);
	close_group(p);
	print_directory(p, member(root, "directory"));
	print_budgets(p, member(root, "budgets"));
}

bool
rg_config_print(const char *path, FILE *out, struct rg_errs *errs)
{
	struct printer p = { out, NULL, "", 0 };
	char *abs = rg_config_abspath(path);
	config_t cf;

	if (abs == NULL) {
		rg_errs_add(errs, path, 0, "cannot name the current directory");
		return false;
	}
	if (!rg_conf_read(errs, &cf, abs, true)) {
		free(abs);
		return false;
	}
	p.conffile = abs;
	fprintf(out, "# relayguard -n -p: the effective configuration of %s\n"
	    "# \"# default\" marks a key the file does not set.\n", abs);
	print_all(&p, &cf);
	config_destroy(&cf);
	free(abs);
	return true;
}

void
rg_config_print_defaults(FILE *out)
{
	struct printer p = { out, NULL, "", 0 };

	fputs("# relayguard -n -d: every key's default.  Relative file names are\n"
	    "# resolved against the policy file's directory.\n", out);
	print_all(&p, NULL);
}
