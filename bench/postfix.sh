#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# postfix.sh - the through-Postfix rows of the benchmark (issue 5).
#
# Run by bench/run.sh, which passes the slapd it started (LDAP_PORT), the
# relayguard LDAP configuration (RG_CONF_LDAP), the milter port (MPORT),
# the tools (RELAYGUARD, B) and REPS.  Builds the private Postfix of the
# end-to-end tests (tests/mta/lib-postfix.sh), sets in_flow_delay = 0,
# and for each repetition measures, interleaved:
#   no-milter             Postfix as an open relay, nothing attached
#   null-milter           Postfix + bench/nullmilter
#   relayguard-ldap-warm  Postfix + relayguard (LDAP, the cache warm)
#   postfix-ldap          Postfix's own restrictions for the same policy:
#                         relay_recipient_maps and smtpd_sender_login_maps
#                         as proxy:ldap: tables against the same slapd
#   null-milter-unix, relayguard-ldap-warm-unix
#                         the two milter rows again over a unix socket:
#                         Postfix talking to libmilter over loopback TCP
#                         stalls on delayed ACKs (measured: about 4x fewer
#                         msg/s than over a unix socket), so both are shown
#   baseline-ldap-warm, baseline-ldap-warm-unix
#                         with RG_BASELINE (run.sh): the same two rows with
#                         the baseline relayguard binary
# Each row sends PF_MESSAGES messages with smtp-source from SOURCES
# sessions to Postfix, which relays them to smtp-sink.  Prints one
# "postfix row=... msgs_per_s=..." line per measurement on stdout.
set -u

: "${top_srcdir:?}" "${RELAYGUARD:?}" "${B:?}" "${LDAP_PORT:?}" "${RG_CONF_LDAP:?}" "${MPORT:?}"
REPS=${REPS:-3}
PF_MESSAGES=${PF_MESSAGES:-2000}
SOURCES=${SOURCES:-10}
BENCH_W=$W

. "$top_srcdir/tests/mta/lib.sh"
. "$top_srcdir/tests/mta/lib-postfix.sh"

mta_need postfix postconf smtp-source smtp-sink saslpasswd2 openssl
mta_init bench-postfix
mta_ca
# Four distinct free ports (lib.sh's mta_port counts inside $(...), so
# successive calls there can hand out the same port).
bench_next_port=$((40000 + ($$ % 200) * 20))
bench_port() {
	while ss -Hltn "sport = :$bench_next_port" 2>/dev/null | grep -q .; do
		bench_next_port=$((bench_next_port + 1))
	done
	eval "$1=$bench_next_port"
	bench_next_port=$((bench_next_port + 1))
}
bench_port SINK; bench_port P25; bench_port P587; bench_port P465
mta_sink_start "$SINK"
pf_setup "$SINK" "$P25" "$P587" "$P465" "$MPORT"

secret=$(cat "$BENCH_W/ldap.secret")
for map in rcpt login; do
	case $map in rcpt) attr=mail ;; login) attr=uid ;; esac
	cat > "$W/ldap-$map.cf" <<EOF
server_host = ldap://127.0.0.1:$LDAP_PORT/
version = 3
search_base = dc=example,dc=edu
scope = sub
bind = yes
bind_dn = cn=relayguard,ou=services,dc=example,dc=edu
bind_pw = $secret
query_filter = (|(mail=%s)(mailLocalAddress=%s))
result_attribute = $attr
EOF
	chmod 644 "$W/ldap-$map.cf"
done

postconf -c "$PF" -e \
    "in_flow_delay = 0" \
    "relay_transport = relay:[127.0.0.1]:$SINK" \
    "default_process_limit = 200" \
    "smtpd_client_connection_count_limit = 0" \
    "smtpd_client_message_rate_limit = 0" \
    "smtpd_client_recipient_rate_limit = 0" || mta_die "postconf failed"
pf_start

MPID=
milter_stop() {
	[ -n "$MPID" ] || return 0
	kill "$MPID" 2>/dev/null
	mta_wait_gone "$MPID" 10 || kill -9 "$MPID" 2>/dev/null
	MPID=
}
mta_on_exit "milter_stop"

# configure ROW: Postfix settings and the milter for one row.
configure() {
	milter_stop
	case $1 in
	no-milter|null-milter*|relayguard-ldap-warm*|baseline-ldap-warm*)
		postconf -c "$PF" -e \
		    "smtpd_relay_restrictions = check_client_access static:OK, reject_unauth_destination" \
		    "mynetworks = 127.0.0.1/32" "relay_domains =" \
		    "relay_recipient_maps =" "smtpd_sender_login_maps =" \
		    "smtpd_sender_restrictions =" ;;
	postfix-ldap)
		# The same policy as relayguard's: 127.0.0.1 is off-site, the
		# local domain and its subdomains are relayed to the sink only
		# for recipients LDAP knows, logins must own their sender.
		postconf -c "$PF" -e \
		    "mynetworks = 192.0.2.0/24" \
		    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" \
		    "relay_domains = example.edu" \
		    "relay_recipient_maps = proxy:ldap:$W/ldap-rcpt.cf" \
		    "smtpd_sender_login_maps = proxy:ldap:$W/ldap-login.cf" \
		    "smtpd_sender_restrictions = reject_authenticated_sender_login_mismatch" \
		    "proxy_read_maps = \$local_recipient_maps \$mydestination \$virtual_alias_maps \$virtual_alias_domains \$virtual_mailbox_maps \$virtual_mailbox_domains \$relay_recipient_maps \$relay_domains \$canonical_maps \$sender_canonical_maps \$recipient_canonical_maps \$relocated_maps \$transport_maps \$mynetworks \$smtpd_sender_login_maps" ;;
	esac
	case $1 in
	*-unix)	msock="unix:$W/milter.sock"; pfsock="unix:$W/milter.sock" ;;
	*)	msock="inet:$MPORT@127.0.0.1"; pfsock="inet:127.0.0.1:$MPORT" ;;
	esac
	rm -f "$W/milter.sock"
	case $1 in
	no-milter|postfix-ldap) postconf -c "$PF" -e "smtpd_milters =" ;;
	*) postconf -c "$PF" -e "smtpd_milters = $pfsock" ;;
	esac
	case $1 in
	null-milter*)
		"$B/nullmilter" -p "$msock" >>"$W/null.log" 2>&1 & MPID=$! ;;
	relayguard-ldap-warm*)
		"$RELAYGUARD" -f -c "$RG_CONF_LDAP" -p "$msock" \
		    >>"$W/relayguard.log" 2>&1 & MPID=$! ;;
	baseline-ldap-warm*)
		"$RG_BASELINE" -f -c "$RG_CONF_LDAP" -p "$msock" \
		    >>"$W/relayguard-baseline.log" 2>&1 & MPID=$! ;;
	esac
	case $1 in
	*-unix)
		i=0
		while [ ! -S "$W/milter.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		chmod 666 "$W/milter.sock" || mta_die "milter for $1 did not start" ;;
	no-milter|postfix-ldap) ;;
	*) mta_wait_port "$MPORT" 10 || mta_die "milter for $1 did not start" ;;
	esac
	postfix -c "$PF" reload >/dev/null 2>&1 || mta_die "postfix reload failed"
	sleep 1
}

send() {
	smtp-source -s "$SOURCES" -m "$1" -l 512 -f sender@offsite.example \
	    -t user1@example.edu -M client.offsite.example "127.0.0.1:$P25" 2>"$W/source.err"
}

ROWS="no-milter null-milter relayguard-ldap-warm postfix-ldap null-milter-unix relayguard-ldap-warm-unix"
[ -z "${RG_BASELINE:-}" ] ||
    ROWS="no-milter null-milter baseline-ldap-warm relayguard-ldap-warm postfix-ldap null-milter-unix baseline-ldap-warm-unix relayguard-ldap-warm-unix"
rep=1
while [ $rep -le "$REPS" ]; do
	for row in $ROWS; do
		configure "$row"
		pf_drain 120 || echo "postfix.sh: queue did not drain before $row" >&2
		send 50 || :			# warm the processes, the proxymap and the cache
		pf_drain 60 || :
		t0=$(date +%s.%N)
		send "$PF_MESSAGES"
		rc=$?
		t1=$(date +%s.%N)
		errors=$(grep -c -i -E 'error|fatal|warning' "$W/source.err")
		awk -v row="$row" -v rep="$rep" -v c="$SOURCES" -v m="$PF_MESSAGES" \
		    -v t0="$t0" -v t1="$t1" -v rc="$rc" -v e="$errors" 'BEGIN {
			printf "postfix row=%s rep=%s conc=%s messages=%s seconds=%.3f msgs_per_s=%.1f source_rc=%s source_errors=%s\n",
			    row, rep, c, m, t1 - t0, m / (t1 - t0), rc, e }'
		[ "$errors" -eq 0 ] || head -n 3 "$W/source.err" >&2
	done
	rep=$((rep + 1))
done
milter_stop
pf_drain 120 || :
received=$(ls "$SINK_DIR" | wc -l)
echo "postfix_sink messages_received=$received"
