#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# failover.sh - after a full outage the breaker must still fail over.
#
# Issue 13, defect 1: with uris = [A, B], the lookup that found A back up
# claimed B's half-open probe too and never released it, so B was
# skipped for good: once A went away again, no lookup ever tried B.
# One long-lived handle (ldapq), pool_size = 1, no cache, two real slapds.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"

start_slapd A
start_slapd B
URI_A="ldap://127.0.0.1:$PORT_A/"
URI_B="ldap://127.0.0.1:$PORT_B/"
stop_slapd A
stop_slapd B

# Past the breaker's interval (RG_LDAP_RETRY_INTERVAL, 5 s).
WAIT=6
POOL=1 TIMEOUT=2.0 CACHE='{ max_entries = 0; }' write_conf "$T/fo.conf" "$URI_A" "$URI_B"
"$LDAPQ" "$T/fo.conf" rcpt=alice@example.edu rcpt=bob@example.edu \
    "!sh $SLAPDSH start $T/slapd-A $PORT_A" sleep=$WAIT \
    rcpt=alice@example.edu \
    "!sh $SLAPDSH start $T/slapd-B $PORT_B" "!sh $SLAPDSH stop $T/slapd-A" \
    rcpt=bob@example.edu rcpt=carol@example.edu sleep=$WAIT \
    rcpt=alice@example.edu rcpt=staff@example.edu \
    > "$T/fo.out" 2> "$T/fo.err"
# Both down: could not tell, never found or not found.
want "$T/fo.out" 1 "key=<alice@example.edu> status=error"
want "$T/fo.out" 2 "key=<bob@example.edu> status=error"
# A is back and answers.
want "$T/fo.out" 3 "key=<alice@example.edu> status=found kind=mailbox stale=no source=$URI_A"
# A gone, B up: B answers, at once and after another breaker interval.
want "$T/fo.out" 4 "key=<bob@example.edu> status=found kind=mailbox stale=no source=$URI_B"
want "$T/fo.out" 5 "key=<carol@example.edu> status=found kind=forward stale=no source=$URI_B"
want "$T/fo.out" 6 "key=<alice@example.edu> status=found kind=mailbox stale=no source=$URI_B"
want "$T/fo.out" 7 "key=<staff@example.edu> status=found kind=list stale=no source=$URI_B"
grep_log "$T/fo.err" "ldap=down uri=$URI_B why="
grep_log "$T/fo.err" "ldap=up uri=$URI_A"
grep_log "$T/fo.err" "ldap=up uri=$URI_B"
[ -n "${VERBOSE:-}" ] && cat "$T/fo.out" "$T/fo.err"
finish
