/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis_script.h - the Lua script the Redis budget store runs for each
 * admit, private to budget/redis*.c.
 *
 * Call: EVALSHA sha 1 BASE WINDOW LIM_M LIM_R LIM_D NEW_MESSAGE DOMAIN NOW TTL
 *         LEASE REFUND REFUND_BUCKET PREPAID
 *   BASE         KEY_PREFIX "{" escaped login "}"
 *   WINDOW       seconds (a decimal, may have a fraction)
 *   LIM_*        limits, 0 for none
 *   NEW_MESSAGE  "1" when this recipient opens a message
 *   DOMAIN       the recipient's domain
 *   NOW          seconds, or "" to read the server's TIME
 *   TTL          seconds a key lives from the charge that makes it
 *   LEASE        recipients to grant ahead of use, at most (0: none)
 *   REFUND       unused leased recipients to give back (0: none)
 *   REFUND_BUCKET  the bucket they were charged to ("" with none)
 *   PREPAID      "1" when a lease pays for this recipient
 * Reply: { ANSWER, KIND, MESSAGES, RECIPIENTS, DOMAINS, GRANTED, BUCKET, LEFT_MS }
 *   ANSWER 1 admitted (charged), 0 over (nothing written); KIND the
 *   enum rg_budget_kind over; the counts are the estimates after the
 *   charge (leased units not counted), or as found when over; GRANTED
 *   the leased units charged beside it; BUCKET floor(NOW / WINDOW);
 *   LEFT_MS the milliseconds until that bucket ends.
 */
#ifndef RG_BUDGET_REDIS_SCRIPT_H
#define RG_BUDGET_REDIS_SCRIPT_H

extern const char rg_budget_redis_script[];

#endif
