/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis_script.h - the Lua script the Redis budget store runs for each
 * admit, private to budget/redis*.c.
 *
 * Call: EVALSHA sha 1 BASE WINDOW LIM_M LIM_R LIM_D NEW_MESSAGE DOMAIN NOW TTL
 *   BASE         KEY_PREFIX "{" escaped login "}"
 *   WINDOW       seconds (a decimal, may have a fraction)
 *   LIM_*        limits, 0 for none
 *   NEW_MESSAGE  "1" when this recipient opens a message
 *   DOMAIN       the recipient's domain
 *   NOW          seconds, or "" to read the server's TIME
 *   TTL          seconds a key lives from the charge that makes it
 * Reply: { ANSWER, KIND, MESSAGES, RECIPIENTS, DOMAINS }
 *   ANSWER 1 admitted (charged), 0 over (nothing written); KIND the
 *   enum rg_budget_kind over; the counts are the estimates after the
 *   charge, or as found when over.
 */
#ifndef RG_BUDGET_REDIS_SCRIPT_H
#define RG_BUDGET_REDIS_SCRIPT_H

extern const char rg_budget_redis_script[];

#endif
