/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_print_keys.c - the tables of conf_print_keys.h: every policy.conf
 * key with its compiled-in default, taken from the headers that own the
 * default wherever one does, so that a changed default is printed too.
 */
#include "conf/conf.h"
#include "conf/conf_budget.h"
#include "conf/conf_print_keys.h"
#include "budget/local.h"
#include "policy/policy.h"

#define STR2(x)	#x
#define STR(x)	STR2(x)

static const char *const default_login_attrs[] = { "mail", "mailLocalAddress", NULL };

const struct rg_print_key rg_print_top_keys[] = {
	{ "socket", RG_PRINT_SOCKET, "inet:8894@127.0.0.1", NULL, NULL },
	{ "mode", RG_PRINT_STRING, "enforce", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key log_keys[] = {
	{ "facility", RG_PRINT_STRING, "mail", NULL, NULL },
	{ "accepts", RG_PRINT_BOOL, "false", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key limits_keys[] = {
	{ "connections", RG_PRINT_INT, STR(RG_CONNECTIONS_DEFAULT), NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key migration_keys[] = {
	{ "contact", RG_PRINT_STRING, "", NULL, NULL },
	{ "help_url", RG_PRINT_STRING, "", NULL, NULL },
	{ "server", RG_PRINT_STRING, "", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key control_keys[] = {
	{ "socket", RG_PRINT_PATH, RG_CONTROL_DEFAULT, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key networks_keys[] = {
	{ "trusted", RG_PRINT_STRINGS, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key domains_keys[] = {
	{ "local", RG_PRINT_STRINGS, NULL, NULL, NULL },
	{ "relay", RG_PRINT_STRINGS, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key auth_keys[] = {
	{ "relay", RG_PRINT_BOOL, "true", NULL, NULL },
	{ "require_tls", RG_PRINT_BOOL, "true", NULL, NULL },
	{ "sender_login", RG_PRINT_STRING, "reject", NULL, NULL },
	{ "suspended_contact", RG_PRINT_STRING, RG_POLICY_SUSPENDED_CONTACT, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key sender_keys[] = {
	{ "offsite_local", RG_PRINT_STRING, "warn", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key recipients_keys[] = {
	{ "verify", RG_PRINT_BOOL, "true", NULL, NULL },
	{ "unsafe_at", RG_PRINT_STRING, "data", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
static const struct rg_print_key replies_keys[] = {
	{ "relay_denied", RG_PRINT_STRING, RG_POLICY_RELAY_REPLY, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_exception_keys[] = {
	{ "sender", RG_PRINT_STRING, NULL, NULL, "required: \"local@domain\" or \"@domain\"" },
	{ "expires", RG_PRINT_STRING, NULL, NULL, "required: \"YYYY-MM-DD\"" },
	{ "networks", RG_PRINT_STRINGS, NULL, NULL, "from any client address" },
	{ "note", RG_PRINT_STRING, "", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_routing_keys[] = {
	{ "check", RG_PRINT_STRING, "warn", NULL, NULL },
	{ "local_mailers", RG_PRINT_STRINGS, NULL, rg_route_builtin_mailers, NULL },
	{ "hosts", RG_PRINT_STRINGS, NULL, NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_directory_keys[] = {
	{ "backend", RG_PRINT_STRING, "file", NULL, NULL },
	{ "on_error", RG_PRINT_STRING, "tempfail", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_dirfile_keys[] = {
	{ "file", RG_PRINT_PATH, "directory.conf", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_dirscript_keys[] = {
	{ "script", RG_PRINT_PATH, NULL, NULL, "backend = \"script\" only, in test builds" },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_ldap_keys[] = {
	{ "uris", RG_PRINT_STRINGS, NULL, NULL, "required, e.g. [ \"ldap://ldap.example.edu/\" ]" },
	{ "starttls", RG_PRINT_STRING, "demand", NULL, NULL },
	{ "tls_ca_file", RG_PRINT_PATH, NULL, NULL, "libldap's own CA settings (ldap.conf)" },
	{ "bind_dn", RG_PRINT_STRING, NULL, NULL, "an anonymous bind" },
	{ "bind_password_file", RG_PRINT_PATH, NULL, NULL, "an anonymous bind; needs bind_dn" },
	{ "base", RG_PRINT_STRING, NULL, NULL, "required, e.g. \"dc=example,dc=edu\"" },
	{ "scope", RG_PRINT_STRING, "sub", NULL, NULL },
	{ "timeout", RG_PRINT_FLOAT, "3.0", NULL, NULL },
	{ "pool_size", RG_PRINT_INT, "8", NULL, NULL },
	{ "recipient_filter", RG_PRINT_STRING, "(|(mail=%s)(mailLocalAddress=%s))", NULL, NULL },
	{ "forward_attribute", RG_PRINT_STRING, "mailRoutingAddress", NULL, NULL },
	{ "list_filter", RG_PRINT_STRING, "(&(objectClass=nisMailAlias)(|(mail=%s)(cn=%u)))", NULL,
	    NULL },
	{ "list_member_attribute", RG_PRINT_STRING, "rfc822MailMember", NULL, NULL },
	{ "login_filter", RG_PRINT_STRING, "(uid=%s)", NULL, NULL },
	{ "login_address_attributes", RG_PRINT_STRINGS, NULL, default_login_attrs, NULL },
	{ "login_suspended_attribute", RG_PRINT_STRING, NULL, NULL, "no login is ever suspended" },
	{ "login_suspended_value", RG_PRINT_STRING, NULL, NULL, "any value of the attribute" },
	{ "login_attribute", RG_PRINT_STRING, "uid", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_cache_keys[] = {
	{ "ttl", RG_PRINT_INT, "300", NULL, NULL },
	{ "negative_ttl", RG_PRINT_INT, "60", NULL, NULL },
	{ "max_entries", RG_PRINT_INT, "100000", NULL, NULL },
	{ "stale_ttl", RG_PRINT_INT, "3600", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct rg_print_key rg_print_budgets_keys[] = {
	{ "mode", RG_PRINT_STRING, "off", NULL, NULL },
	{ "window", RG_PRINT_INT, STR(RG_BUDGET_WINDOW_DEFAULT), NULL, NULL },
	{ "messages", RG_PRINT_INT, STR(RG_BUDGET_MESSAGES_DEFAULT), NULL, NULL },
	{ "recipients", RG_PRINT_INT, STR(RG_BUDGET_RECIPIENTS_DEFAULT), NULL, NULL },
	{ "domains", RG_PRINT_INT, STR(RG_BUDGET_DOMAINS_DEFAULT), NULL, NULL },
	{ "exempt", RG_PRINT_STRINGS, NULL, NULL, NULL },
	{ "backend", RG_PRINT_STRING, "local", NULL, NULL },
	{ "on_error", RG_PRINT_STRING, "local", NULL, NULL },
	{ "max_logins", RG_PRINT_INT, STR(RG_BUDGET_MAX_LOGINS_DEFAULT), NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};
const struct rg_print_key rg_print_budgets_redis_keys[] = {
	{ "uri", RG_PRINT_STRING, RG_CONF_REDIS_URI, NULL, NULL },
	{ "timeout", RG_PRINT_FLOAT, "0.2", NULL, NULL },
	{ "key_prefix", RG_PRINT_STRING, RG_CONF_REDIS_PREFIX, NULL, NULL },
	{ "password_file", RG_PRINT_PATH, NULL, NULL, "no AUTH" },
	{ "pool_size", RG_PRINT_INT, "4", NULL, NULL },
	{ "retry_interval", RG_PRINT_FLOAT, "5.0", NULL, NULL },
	{ "lease", RG_PRINT_INT, "0", NULL, NULL },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct rg_print_group rg_print_groups[] = {
	{ "log", log_keys },
	{ "limits", limits_keys },
	{ "control", control_keys },
	{ "migration", migration_keys },
	{ "networks", networks_keys },
	{ "domains", domains_keys },
	{ "auth", auth_keys },
	{ "sender", sender_keys },
	{ "recipients", recipients_keys },
	{ "replies", replies_keys },
};
const size_t rg_print_ngroups = sizeof(rg_print_groups) / sizeof(rg_print_groups[0]);
