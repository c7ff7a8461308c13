/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis_script.c - the admit script (calling convention in redis_script.h).
 *
 * The arithmetic is policy/budget.h's, written again in Lua because it
 * must run inside Redis to be atomic: estimate = previous bucket x the
 * part of the window not yet gone by + current bucket, for messages,
 * recipients and the distinct-domain HyperLogLogs alike; a charge is
 * refused when it would take the estimate past the limit.  Keep the two
 * in step: tests/redis/test_redis.c runs both on the same inputs.
 *
 * Why a script and not a pipeline: the limit check must see the counts
 * and charge them in one step, or two gateways reading at once could
 * both admit the last recipient.  Redis runs a script to the end before
 * it serves another command.
 *
 * A domain charge that would go over must not stay in the HyperLogLog,
 * which cannot take an element out: near the limit the script saves the
 * current bucket's bytes, adds, and puts the bytes back when over.
 *
 * Expiry is set once, when a charge makes a key (INCR answering 1,
 * PFADD on a bucket PFCOUNT found empty), not on every charge: keys are
 * named by bucket, so a key made at any moment of bucket b with a TTL
 * of 2W + slack outlives the end of bucket b + 1, the last time it is
 * read (as the previous bucket).  That spares three commands of the
 * seven to nine an admit runs, on a server that shares the gateway's
 * cores.
 *
 * Leases (budgets.redis.lease, rules in redis_lease.h): the units of an
 * ended lease a call returns go back to the bucket they were charged
 * to, if that is still the current or the previous one, and never below
 * zero; a recipient its gateway's lease paid for (PREPAID) is neither
 * checked against nor charged to the recipients count; then the grant,
 * at most half of what the recipients limit leaves, is charged with it.
 *
 * redis.replicate_commands() lets a script that read TIME write on
 * Redis 3.2 to 4 (5 and later do it by default); replicas then receive
 * the writes, not the script.
 */
#include "budget/redis_script.h"

const char rg_budget_redis_script[] =
"if redis.replicate_commands then pcall(redis.replicate_commands) end\n"
"local base, window = KEYS[1], tonumber(ARGV[1])\n"
"local lim_m, lim_r, lim_d = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])\n"
"local new_message, domain = ARGV[5] == '1', ARGV[6]\n"
"local now, ttl = tonumber(ARGV[7]), ARGV[8]\n"
"local lease, refund, rb = tonumber(ARGV[9]) or 0, tonumber(ARGV[10]) or 0, tonumber(ARGV[11])\n"
"-- a recipient the gateway's lease paid for is not charged, nor checked\n"
"local cr = ARGV[12] == '1' and 0 or 1\n"
"if now == nil then\n"
"  local t = redis.call('TIME')\n"
"  now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"
"end\n"
"-- rg_budget_bucket() and rg_budget_gone()\n"
"local b = math.floor(now / window)\n"
"local gone = (now - b * window) / window\n"
"if gone < 0 then gone = 0 elseif gone >= 1 then gone = 1 - 1e-12 end\n"
"local cur = ':' .. string.format('%.0f', b)\n"
"local prev = ':' .. string.format('%.0f', b - 1)\n"
"-- rg_budget_estimate(), rg_budget_over(), rg_budget_round()\n"
"local function est(p, c)\n"
"  return (tonumber(p) or 0) * (1 - gone) + (tonumber(c) or 0)\n"
"end\n"
"local function reached(used, charge, limit)\n"
"  return limit > 0 and charge > 0 and used + charge > limit\n"
"end\n"
"local function round(x)\n"
"  if x <= 0 then return 0 end\n"
"  return math.floor(x + 0.5)\n"
"end\n"
"local mk, rk, dk = base .. ':m', base .. ':r', base .. ':d'\n"
"local c = redis.call('MGET', mk .. prev, mk .. cur, rk .. prev, rk .. cur)\n"
"-- a lease's unused recipients, back where they were charged\n"
"if refund > 0 and (rb == b or rb == b - 1) then\n"
"  local i = rb == b and 4 or 3\n"
"  local have = tonumber(c[i]) or 0\n"
"  if refund > have then refund = have end\n"
"  if refund > 0 then\n"
"    redis.call('DECRBY', rk .. (rb == b and cur or prev), refund)\n"
"    c[i] = have - refund\n"
"  end\n"
"end\n"
"local left = math.floor(((b + 1) * window - now) * 1000)\n"
"local m, r = est(c[1], c[2]), est(c[3], c[4])\n"
"local d, dcur = 0, 0\n"
"if domain ~= '' then\n"
"  dcur = redis.call('PFCOUNT', dk .. cur)\n"
"  d = est(redis.call('PFCOUNT', dk .. prev), dcur)\n"
"end\n"
"local cm = new_message and 1 or 0\n"
"local function over(kind)\n"
"  return { 0, kind, round(m), round(r), round(d), 0, b, left }\n"
"end\n"
"-- rg_budget_decide(): messages, recipients, then domains\n"
"if reached(m, cm, lim_m) then return over(1) end\n"
"if reached(r, cr, lim_r) then return over(2) end\n"
"local cd = 0\n"
"if domain ~= '' then\n"
"  local key = dk .. cur\n"
"  if reached(d, 1, lim_d) then\n"
"    local saved, pttl = redis.call('GET', key), redis.call('PTTL', key)\n"
"    if redis.call('PFADD', key, domain) == 1 then\n"
"      if saved then\n"
"        redis.call('SET', key, saved)\n"
"        if pttl > 0 then redis.call('PEXPIRE', key, pttl) end\n"
"      else\n"
"        redis.call('DEL', key)\n"
"      end\n"
"      return over(3)\n"
"    end\n"
"  else\n"
"    cd = redis.call('PFADD', key, domain)\n"
"  end\n"
"  -- PFCOUNT found it empty: this PFADD made it\n"
"  if dcur == 0 then redis.call('EXPIRE', key, ttl) end\n"
"end\n"
"-- INCR answering 1 made the key\n"
"if cm == 1 and redis.call('INCR', mk .. cur) == 1 then\n"
"  redis.call('EXPIRE', mk .. cur, ttl)\n"
"end\n"
"local g = 0\n"
"if lease > 0 then\n"
"  g = lease\n"
"  if lim_r > 0 then g = math.min(g, math.floor((lim_r - (r + cr)) / 2)) end\n"
"  if g < 0 then g = 0 end\n"
"end\n"
"if cr + g > 0 and redis.call('INCRBY', rk .. cur, cr + g) == cr + g then\n"
"  redis.call('EXPIRE', rk .. cur, ttl)\n"
"end\n"
"return { 1, 0, round(m + cm), round(r + cr), round(d + cd), g, b, left }\n";
