/*
 * dir_file.c - the embedded directory backend.
 *
 * Login ownership is stored as one key "login\naddress", since a login
 * may own many addresses and an address be shared by several logins.
 * '\n' cannot occur in either: the loader refuses control characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir_file.h"
#include "common/strmap.h"
#include "common/strutil.h"

struct file_dir {
	struct rg_dir dir;
	char *source;
	struct rg_strmap *recipients;	/* addr -> kind + 1 */
	struct rg_strmap *owners;	/* "login\naddr" -> NULL */
};

static void
file_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	void *v;

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	if (rg_strmap_get(f->recipients, addr, &v)) {
		a->status = RG_DIR_FOUND;
		a->kind = (enum rg_dir_kind)((intptr_t)v - 1);
	} else {
		a->status = RG_DIR_NOTFOUND;
	}
}

static void
file_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	char key[1024];
	int n = snprintf(key, sizeof(key), "%s\n%s", login, addr);

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	/* Longer than any stored key: it cannot be there. */
	if (n < 0 || (size_t)n >= sizeof(key))
		a->status = RG_DIR_NOTFOUND;
	else
		a->status = rg_strmap_get(f->owners, key, NULL) ?
		    RG_DIR_FOUND : RG_DIR_NOTFOUND;
}

static void
file_destroy(struct rg_dir *d)
{
	struct file_dir *f = d->backend;

	rg_strmap_destroy(&f->recipients);
	rg_strmap_destroy(&f->owners);
	free(f->source);
	free(f);
}

static const struct rg_dir_ops file_ops = {
	.name = "file",
	.recipient = file_recipient,
	.login_owns = file_login_owns,
	.probe = NULL,
	.destroy = file_destroy,
};

struct rg_dir *
rg_dir_file_new(const char *source)
{
	struct file_dir *f = rg_xcalloc(1, sizeof(*f));

	f->dir.ops = &file_ops;
	f->dir.backend = f;
	f->source = rg_xstrdup(source);
	f->recipients = rg_strmap_new();
	f->owners = rg_strmap_new();
	return &f->dir;
}

void
rg_dir_file_add_recipient(struct rg_dir *d, const char *addr, enum rg_dir_kind kind)
{
	struct file_dir *f = d->backend;

	rg_strmap_put(f->recipients, addr, (void *)(intptr_t)(kind + 1));
}

void
rg_dir_file_add_login_address(struct rg_dir *d, const char *login, const char *addr)
{
	struct file_dir *f = d->backend;
	char *key;

	if (asprintf(&key, "%s\n%s", login, addr) < 0)
		abort();
	rg_strmap_put(f->owners, key, NULL);
	free(key);
}
