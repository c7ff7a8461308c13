/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_open.c - one LDAP connection, opened within a budget: options
 * and timeouts, connect, StartTLS, simple bind.
 *
 * libldap honours LDAP_OPT_NETWORK_TIMEOUT for connect() and the TLS
 * handshake, LDAP_OPT_TIMEOUT for the synchronous StartTLS, and the
 * timeval we give ldap_result() for bind; getaddrinfo() is not bounded,
 * so URIs should name addresses or a resolver that answers quickly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "directory/dir_ldap_open.h"

bool
rg_ldap_opener_init(struct rg_ldap_opener *o, const struct rg_ldap_settings *set)
{
	memset(o, 0, sizeof(*o));
	o->starttls = set->starttls;
	if ((set->tls_ca_file != NULL && *set->tls_ca_file != '\0' &&
	    (o->ca_file = strdup(set->tls_ca_file)) == NULL) ||
	    (set->bind_dn != NULL && *set->bind_dn != '\0' &&
	    (o->bind_dn = strdup(set->bind_dn)) == NULL) ||
	    (o->password = strdup(set->bind_password != NULL ? set->bind_password : "")) == NULL)
		return false;
	return true;
}

void
rg_ldap_opener_clear(struct rg_ldap_opener *o)
{
	if (o->password != NULL) {
		explicit_bzero(o->password, strlen(o->password));
		free(o->password);
	}
	free(o->ca_file);
	free(o->bind_dn);
	memset(o, 0, sizeof(*o));
}

void
rg_ldap_log(enum rg_log_level lvl, const char *state, const char *uri, const char *why,
    const char *result)
{
	struct rg_kv kv;

	rg_kv_init(&kv);
	rg_kv_add(&kv, "ldap", state);
	rg_kv_add(&kv, "uri", uri);
	if (result != NULL)
		rg_kv_add(&kv, "result", result);
	if (why != NULL)
		rg_kv_add(&kv, "why", why);
	rg_log(lvl, "%s", rg_kv_str(&kv));
}

/* Error text for a failed call on 'ld': libldap's words plus the server's. */
static void
ld_error(LDAP *ld, int rc, const char *what, char *why, size_t whylen)
{
	char *diag = NULL;

	if (ld != NULL)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	/* TLS failures often leave only this placeholder; it helps nobody. */
	if (diag != NULL && strcmp(diag, "(unknown error code)") == 0)
		diag[0] = '\0';
	snprintf(why, whylen, "%s: %s%s%s", what, ldap_err2string(rc),
	    diag != NULL && *diag != '\0' ? ": " : "", diag != NULL ? diag : "");
	ldap_memfree(diag);
}

static bool
set_options(const struct rg_ldap_opener *o, LDAP *ld, bool tls, double budget, char *why,
    size_t whylen)
{
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
	struct timeval tv = rg_timeval_of(budget);

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS) {
		snprintf(why, whylen, "cannot set connection options");
		return false;
	}
	if (!tls)
		return true;
	/* Certificates are always verified; a new context makes these stick. */
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
	    (o->ca_file != NULL &&
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, o->ca_file) != LDAP_OPT_SUCCESS) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS) {
		snprintf(why, whylen, "cannot set up TLS (check tls_ca_file)");
		return false;
	}
	return true;
}

/* Simple bind, bounded by the budget; the password never leaves here. */
static bool
bind_within(const struct rg_ldap_opener *o, LDAP *ld, double budget, char *why,
    size_t whylen)
{
	struct berval cred;
	struct timeval tv = rg_timeval_of(budget);
	LDAPMessage *res = NULL;
	int msgid, rc, err = LDAP_OTHER;
	char *diag = NULL;

	cred.bv_val = o->bind_dn != NULL ? o->password : NULL;
	cred.bv_len = o->bind_dn != NULL ? strlen(o->password) : 0;
	rc = ldap_sasl_bind(ld, o->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS) {
		ld_error(ld, rc, "bind", why, whylen);
		return false;
	}
	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc == 0) {
		/* A deadline already passed prints as 0.0s, never -0.0s. */
		snprintf(why, whylen, "bind: no answer within %.1fs", budget > 0 ? budget : 0.0);
		ldap_abandon_ext(ld, msgid, NULL, NULL);
		return false;
	}
	if (rc < 0) {
		ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
		ld_error(ld, err, "bind", why, whylen);
		return false;
	}
	rc = ldap_parse_result(ld, res, &err, NULL, &diag, NULL, NULL, 1);
	if (rc != LDAP_SUCCESS || err != LDAP_SUCCESS) {
		snprintf(why, whylen, "bind as %s: %s%s%s",
		    o->bind_dn != NULL ? o->bind_dn : "anonymous",
		    ldap_err2string(rc != LDAP_SUCCESS ? rc : err),
		    diag != NULL && *diag ? ": " : "", diag != NULL ? diag : "");
		ldap_memfree(diag);
		return false;
	}
	ldap_memfree(diag);
	return true;
}

LDAP *
rg_ldap_open(const struct rg_ldap_opener *o, const char *uri, bool starttls, bool tls,
    double budget, char *why, size_t whylen)
{
	double end = rg_clock_monotonic() + budget;
	LDAP *ld = NULL;
	int rc;

again:
	if ((rc = ldap_initialize(&ld, uri)) != LDAP_SUCCESS) {
		ld_error(NULL, rc, "initialize", why, whylen);
		return NULL;
	}
	if (!set_options(o, ld, tls, end - rg_clock_monotonic(), why, whylen))
		goto fail;
	if ((rc = ldap_connect(ld)) != LDAP_SUCCESS) {
		ld_error(ld, rc, "connect", why, whylen);
		goto fail;
	}
	if (tls && starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		ld_error(ld, rc, rc == LDAP_CONNECT_ERROR ? "StartTLS: handshake failed (is the "
		    "server certificate signed by tls_ca_file, and for this host?)" : "StartTLS",
		    why, whylen);
		/* "try" falls back to a fresh plain connection, never a half-done one. */
		if (o->starttls == RG_LDAP_STARTTLS_TRY && end - rg_clock_monotonic() > 0.05) {
			rg_ldap_log(RG_LOG_WARNING, "notls", uri, why, "continuing without TLS "
			    "(starttls = try)");
			ldap_unbind_ext(ld, NULL, NULL);
			tls = false;
			goto again;
		}
		goto fail;
	}
	if (!bind_within(o, ld, end - rg_clock_monotonic(), why, whylen))
		goto fail;
	return ld;
fail:
	ldap_unbind_ext(ld, NULL, NULL);
	return NULL;
}
