#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/redis/postfix_lease.sh: tests/redis/postfix.sh with
# budgets.redis.lease = 16.  Behind one gateway a lease must change
# nothing the MTA delivers or refuses: the 301st recipient and the 201st
# message get 451 4.7.1, the rest reach the sink, Redis holds 200 and 300.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
RG_BUDGET_LEASE=16 exec bash "$top_srcdir/tests/redis/postfix.sh"
