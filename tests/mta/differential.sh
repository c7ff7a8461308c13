#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/differential.sh: the differential test alone, any size.
#
#   tests/mta/differential.sh [--mta postfix|sendmail|both] [--count N]
#                             [--seed S] [--conns K]
#
# Starts the same private MTA, sink and relayguard (enforce mode, file
# directory) as postfix.sh / sendmail.sh, through lib.sh and lib-*.sh,
# sends N generated hostile recipients from the off-site client
# (tests/mta/rggen.py) and judges only by what reached the sink.  make
# check runs 2,000 per MTA inside postfix.sh and sendmail.sh; this runs
# any count.  Same environment as the suites (RELAYGUARD, top_srcdir,
# top_builddir, RG_MTA_KEEP).  Needs root.

here=$(cd "$(dirname "$0")" && pwd)
mta=both count=10000 seed=${RG_SEED:-} conns=4
while [ $# -gt 0 ]; do
    case $1 in
        --mta) mta=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --conns) conns=$2; shift 2 ;;
        *) echo "usage: $0 [--mta postfix|sendmail|both] [--count N] [--seed S] [--conns K]" >&2; exit 2 ;;
    esac
done
if [ "$mta" = both ]; then
    rc=0
    for m in sendmail postfix; do
        "$0" --mta "$m" --count "$count" ${seed:+--seed "$seed"} --conns "$conns" || rc=1
    done
    exit $rc
fi
export RG_DIFF_COUNT=$count RG_DIFF_CONNS=$conns
[ -z "$seed" ] || export RG_SEED=$seed

. "$here/lib.sh"
[ "$(id -u)" = 0 ] || { echo "FAIL: the differential test needs root (it starts a private $mta)" >&2; exit 1; }
case $mta in
    postfix)
        . "$here/lib-postfix.sh"
        mta_need postfix postconf postqueue smtp-sink openssl ss python3
        mta_init diff-postfix
        ;;
    sendmail)
        . "$here/lib-sendmail.sh"
        mta_need m4 smtp-sink openssl ss unshare perl dpkg python3 saslpasswd2
        mta_init diff-sendmail
        sm_prefix
        ;;
    *) echo "unknown MTA '$mta'" >&2; exit 2 ;;
esac
mta_ca
mta_ports SINK P25 P587 P465 RG_PORT DEAD_PORT
mta_sink_start "$SINK"
mkdir -p "$W/rg"
case $mta in
    postfix)
        MTA=postfix OFF_IP=198.51.100.7
        OFF_RAW=(--xclient "ADDR=$OFF_IP NAME=[UNAVAILABLE]")
        rg_conf "$W/rg/policy.conf" enforce
        rg_start "$W/rg/policy.conf"
        pf_setup "$SINK" "$P25" "$P587" "$P465" "$RG_PORT"
        pf_start
        MTA_DRAIN=pf_drain MTA_LOG=$MAILLOG
        ;;
    sendmail)
        MTA=sendmail OFF_IP=127.0.0.2 LEGACY_NET=127.0.0.2/32
        OFF_RAW=(--bind "$OFF_IP")
        rg_conf "$W/rg/policy.conf" enforce
        rg_start "$W/rg/policy.conf"
        sm_setup "$SINK" "$P25" "$P587" "$P465" "$RG_PORT"
        sm_start
        MTA_DRAIN=sm_drain MTA_LOG=$SMLOG
        ;;
esac
start=$(date +%s)
mta_differential "$count"
echo "# $MTA: $count recipients in $(( $(date +%s) - start )) s (send, drain and judge)"
mta_summary
