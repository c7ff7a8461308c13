/*
 * dir.c - dispatch to a directory backend, and make the three-way
 * contract hold even when a backend forgets to fill an answer in.
 */
#include <string.h>

#include "dir.h"

static void
answer_reset(struct rg_dir_answer *a)
{
	memset(a, 0, sizeof(*a));
	/* An answer the backend never set must read as "could not tell". */
	a->status = RG_DIR_ERROR;
	strcpy(a->why, "backend gave no answer");
}

void
rg_dir_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	answer_reset(a);
	d->ops->recipient(d, addr, a);
}

void
rg_dir_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	answer_reset(a);
	d->ops->login_owns(d, login, addr, a);
}

bool
rg_dir_probe(struct rg_dir *d, char *err, size_t errlen)
{
	if (d->ops->probe == NULL)
		return true;
	return d->ops->probe(d, err, errlen);
}

void
rg_dir_destroy(struct rg_dir **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	(*dp)->ops->destroy(*dp);
	*dp = NULL;
}

const char *
rg_dir_kind_name(enum rg_dir_kind k)
{
	switch (k) {
	case RG_DIR_MAILBOX:	return "mailbox";
	case RG_DIR_FORWARD:	return "forward";
	case RG_DIR_LIST:	return "list";
	}
	return "unknown";
}
