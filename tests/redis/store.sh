#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# budget/redis.c against two real redis-servers (one with a password):
# tests/redis/test_redis.c does the work; this starts and stops them.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/redis/lib-redis.sh"
trap 'redis_thaw_all; cleanup' EXIT

prog="$top_builddir/tests/redis/test_redis"
[ -x "$prog" ] || { echo "SKIP: $prog not built (needs CUnit)"; exit 77; }

tcp_port=$(free_port)
redis_start plain "" "$tcp_port"
pw="pw-$RANDOM$RANDOM"
redis_start secret "$pw"

RG_REDIS_SOCK=$(redis_sock plain) RG_REDIS_PID=$(redis_pid plain) RG_REDIS_TCP="127.0.0.1:$tcp_port" \
	RG_REDIS_PW_SOCK=$(redis_sock secret) RG_REDIS_PW=$pw "$prog"
rc=$?
[ $rc -eq 0 ] && pass || fail "test_redis exited $rc"
finish
