/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_snapshot.c - a snapshot's life after the loader: references taken
 * and dropped from any thread, the current-snapshot swap on reload, and
 * the absolute names the daemon needs to reload at all.
 *
 * The reference count lives in a private wrapper around the public
 * struct, so that no one outside this file can reach it; the swap's
 * mutex is held only for the pointer exchange, never for a free.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_snapshot.h"
#include "budget/budget.h"
#include "common/strutil.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char *
rg_config_default_path(void)
{
	return SYSCONFDIR "/relayguard/policy.conf";
}

char *
rg_config_abspath(const char *path)
{
	char *cwd, *out;

	if (path[0] == '/')
		return rg_xstrdup(path);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	while (path[0] == '.' && path[1] == '/')
		for (path += 2; *path == '/'; path++)
			;
	if (asprintf(&out, "%s%s%s", cwd, strcmp(cwd, "/") == 0 ? "" : "/", path) < 0)
		out = NULL;
	free(cwd);
	return out;
}

/* A snapshot: the public fields, then the reference count. */
struct snapshot {
	struct rg_config pub;	/* first, so a snapshot's rg_config is the snapshot */
	int refs;
};

static struct snapshot *
snapshot_of(const struct rg_config *c)
{
	return (struct snapshot *)((char *)(uintptr_t)c - offsetof(struct snapshot, pub));
}

struct rg_config *
rg_conf_snapshot_new(void)
{
	struct snapshot *sn = rg_xcalloc(1, sizeof(*sn));

	sn->refs = 1;
	return &sn->pub;
}

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rg_config *current;

struct rg_config *
rg_config_hold(struct rg_config *c)
{
	__atomic_add_fetch(&snapshot_of(c)->refs, 1, __ATOMIC_RELAXED);
	return c;
}

int
rg_config_refs(const struct rg_config *c)
{
	return __atomic_load_n(&snapshot_of(c)->refs, __ATOMIC_RELAXED);
}

void
rg_config_release(struct rg_config **cp)
{
	struct rg_config *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	*cp = NULL;
	if (__atomic_sub_fetch(&snapshot_of(c)->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	rg_dir_destroy(&c->dir);
	rg_budget_destroy(&c->budget);
	rg_policy_destroy(&c->policy);
	free(c->path);
	free(c->socket);
	free(c->control_socket);
	free(c->facility);
	free(c->migration_contact);
	free(c->migration_help_url);
	free(c->migration_server);
	free(c->dir_backend);
	free(snapshot_of(c));
}

void
rg_config_install(struct rg_config *c)
{
	struct rg_config *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = c;
	pthread_mutex_unlock(&current_lock);
	/* Freed here only if no connection still holds it. */
	rg_config_release(&old);
}

struct rg_config *
rg_config_current(void)
{
	struct rg_config *c = NULL;

	pthread_mutex_lock(&current_lock);
	if (current != NULL)
		c = rg_config_hold(current);
	pthread_mutex_unlock(&current_lock);
	return c;
}

/* The parts (conf.h): read-only once loaded, so no lock. */
const char *rg_config_path(const struct rg_config *c) { return c->path; }
const char *rg_config_socket(const struct rg_config *c) { return c->socket; }
const char *rg_config_facility(const struct rg_config *c) { return c->facility; }
bool rg_config_log_accepts(const struct rg_config *c) { return c->log_accepts; }
const char *rg_config_dir_backend(const struct rg_config *c) { return c->dir_backend; }
unsigned rg_config_max_connections(const struct rg_config *c) { return c->max_connections; }
bool rg_config_unsafe_at_end(const struct rg_config *c) { return c->unsafe_at_end; }
const char *rg_config_control(const struct rg_config *c) { return c->control_socket; }
bool rg_config_control_builtin(const struct rg_config *c) { return c->control_default; }
const char *rg_config_migration_contact(const struct rg_config *c) { return c->migration_contact; }
const char *rg_config_migration_help_url(const struct rg_config *c) { return c->migration_help_url; }
const char *rg_config_migration_server(const struct rg_config *c) { return c->migration_server; }
struct rg_policy *rg_config_policy(const struct rg_config *c) { return c->policy; }
struct rg_dir *rg_config_dir(const struct rg_config *c) { return c->dir; }
struct rg_budget *rg_config_budget(const struct rg_config *c) { return c->budget; }
