# tests/mta/cases.sh: the end-to-end cases, written once for every MTA.
#
# The MTA driver (postfix.sh, sendmail.sh) sets:
#   MTA            postfix | sendmail
#   P25 P587 P465  its three listeners (STARTTLS offered; TLS required +
#                  AUTH; implicit TLS + AUTH)
#   OFF (array)    swaks arguments presenting an off-site client; OFF_IP
#   ON  (array)    swaks arguments presenting an on-site client;  ON_IP
#   AUTH_ALICE (array)  swaks arguments authenticating as alice
#   AUTH_OK        the MTA's reply to a successful AUTH
# and defines cases_auth_without_tls and cases_587_noauth, where the two
# MTAs' own behaviour differs.
#
# Every case asserts the exact SMTP code and enhanced code, relayguard's
# log line, and (now or at the end) what the sink received.

RELAY_TEXT="Relaying denied. Authenticate with SMTP AUTH over TLS"

# refused RCPT-IN-LOG [REASON] [CODE]: the RCPT was refused with exactly
# CODE, relayguard logged the refusal, and nothing may be delivered.
refused() {
    expect_reply "RCPT TO" "${3:-550 5.7.1}"
    expect_log "action=reject" "stage=rcpt" "reason=${2:-relay-denied}" "client=$OFF_IP" "$1" \
        "reply=\"${3:-550 5.7.1} "
    expect_not_delivered
}

# accepted RCPT REASON: accepted and logged as such (the sink is checked
# by the caller, which knows the full recipient list).
accepted() {
    expect_reply "RCPT TO:<$1>" "250 2.1.5"
    expect_log "action=accept" "stage=rcpt" "reason=$2" "rcpt=<$1>"
}

# expect_qid_logged: the accept line carries the MTA's own queue id, so
# the i macro reached relayguard at RCPT time.
expect_qid_logged() {
    qid=$(reply_to "." | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p; s/^250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
    if [ -z "$qid" ]; then bad "no queue id in the reply to the end of DATA"; return; fi
    if case_log | grep -q "$qid: action=accept stage=rcpt"; then
        ok "accept line carries queue id $qid"
    else
        bad "no accept line starting with queue id $qid"
    fi
}

cases_enforce() {
    echo "# $MTA: inbound to local addresses (port 25, off-site client)"
    s25 in-mailbox "${OFF[@]}" --from a@offsite.example --to alice@example.edu
    accepted alice@example.edu local
    expect_reply "DATA" "354"
    expect_qid_logged
    expect_sink alice@example.edu

    s25 in-forward "${OFF[@]}" --from a@offsite.example --to fwd@example.edu
    accepted fwd@example.edu forward
    expect_sink fwd@example.edu

    s25 in-list "${OFF[@]}" --from a@offsite.example --to staff@example.edu
    accepted staff@example.edu list
    expect_sink staff@example.edu

    s25 in-mixed-case "${OFF[@]}" --from a@offsite.example --to Alice@EXAMPLE.EDU
    accepted Alice@EXAMPLE.EDU local
    expect_sink Alice@EXAMPLE.EDU

    s25 in-relay-domain "${OFF[@]}" --from a@offsite.example --to x@partner.example
    accepted x@partner.example relay-domain
    expect_sink x@partner.example

    s465 in-mailbox-465 "${OFF[@]}" --from a@offsite.example --to alice@example.edu
    accepted alice@example.edu local
    expect_sink alice@example.edu

    echo "# $MTA: off-site to off-site relay refused, in every spelling"
    s25 relay-plain "${OFF[@]}" --from a@offsite.example --to u@victim.example
    refused "rcpt=<u@victim.example>"
    case $(reply_to "RCPT TO") in
        *"$RELAY_TEXT"*) ok "reply tells the user how to authenticate" ;;
        *) bad "reply lacks '$RELAY_TEXT'" ;;
    esac
    expect_log "action=reject" "reason=relay-denied" "reply=\"550 5.7.1 $RELAY_TEXT"

    s25 relay-percent "${OFF[@]}" --from a@offsite.example --to 'u%victim.example@example.edu'
    refused "rcpt=<u%victim.example@example.edu>"
    s25 relay-bang "${OFF[@]}" --from a@offsite.example --to 'victim.example!u@example.edu'
    refused "rcpt=<victim.example!u@example.edu>"
    s25 relay-quoted "${OFF[@]}" --from a@offsite.example --to '"u@victim.example"@example.edu'
    refused 'u@victim.example\"@example.edu>'
    s25 relay-source-route "${OFF[@]}" --from a@offsite.example --to '@example.edu:u@victim.example'
    refused "u@victim.example>"
    s25 relay-ip-literal "${OFF[@]}" --from a@offsite.example --to 'u@[192.0.2.99]'
    refused "rcpt=<u@[192.0.2.99]>"
    s25 relay-trailing-dot "${OFF[@]}" --from a@offsite.example --to 'u@victim.example.'
    refused "rcpt=<u@victim.example.>"
    s25 relay-mixed-case "${OFF[@]}" --from a@offsite.example --to 'u@VICTIM.Example'
    refused "rcpt=<u@VICTIM.Example>"

    s25 relay-partial "${OFF[@]}" --from a@offsite.example --to 'alice@example.edu,u@victim.example'
    expect_reply "RCPT TO:<alice@example.edu>" "250 2.1.5"
    expect_reply "RCPT TO:<u@victim.example>" "550 5.7.1"
    expect_log "action=reject" "reason=relay-denied" "rcpt=<u@victim.example>"
    expect_sink alice@example.edu

    s465 relay-465-noauth "${OFF[@]}" --from a@offsite.example --to u@victim.example
    refused "rcpt=<u@victim.example>"
    cases_587_noauth

    echo "# $MTA: authenticated relay over TLS"
    s587 auth-587 "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to u@victim.example
    expect_reply "AUTH" "$AUTH_OK"
    accepted u@victim.example authenticated
    expect_log "action=accept" "reason=authenticated" "auth=alice" "tls=TLSv1."
    expect_sink u@victim.example

    s465 auth-465 "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to u@victim.example
    expect_reply "AUTH" "$AUTH_OK"
    accepted u@victim.example authenticated
    expect_log "action=accept" "reason=authenticated" "auth=alice" "tls=TLSv1."
    expect_sink u@victim.example

    echo "# $MTA: authentication without TLS where TLS is required"
    cases_auth_without_tls

    echo "# $MTA: a forged MAIL FROM AUTH= parameter is not authentication"
    # swaks has no option for MAIL parameters; the address argument carries it.
    s25 forged-auth-param "${OFF[@]}" --from 'alice@example.edu> AUTH=<alice@example.edu' --to u@victim.example
    expect_reply "MAIL FROM" "250 2.1.0"
    refused "rcpt=<u@victim.example>"
    expect_log "action=reject" "reason=relay-denied" "auth=-"

    echo "# $MTA: sender-login mismatch"
    s587 sender-login-mismatch "${OFF[@]}" "${AUTH_ALICE[@]}" --from bob@example.edu --to u@victim.example
    expect_reply "AUTH" "$AUTH_OK"
    expect_reply "MAIL FROM" "553 5.7.1"
    expect_log "action=reject" "stage=mail" "reason=sender-login-mismatch" "auth=alice" "from=<bob@example.edu>" \
        "reply=\"553 5.7.1 "
    expect_not_delivered

    echo "# $MTA: unknown recipient"
    s25 unknown-recipient "${OFF[@]}" --from a@offsite.example --to nobody@example.edu
    refused "rcpt=<nobody@example.edu>" unknown-recipient "550 5.1.1"

    echo "# $MTA: on-site client relays"
    s25 onsite-relay "${ON[@]}" --from alice@example.edu --to u@victim.example
    accepted u@victim.example trusted
    expect_log "action=accept" "reason=trusted" "client=$ON_IP"
    expect_sink u@victim.example

    echo "# $MTA: legacy exception before expiry"
    s25 legacy-before "${OFF[@]}" --from bob@example.edu --to u@victim.example
    accepted u@victim.example legacy-exception
    expect_log "action=accept" "reason=legacy-exception" "note=\"ticket 4411\""
    expect_sink u@victim.example
}

# After SIGUSR1 with the exception's expiry in the past.
cases_legacy_expired() {
    echo "# $MTA: legacy exception after expiry (reloaded with SIGUSR1)"
    s25 legacy-after "${OFF[@]}" --from bob@example.edu --to u@victim.example
    refused "rcpt=<u@victim.example>" legacy-exception-expired
}

# relayguard's directory cannot answer: tempfail, never 550, never relay.
cases_directory_down() {
    echo "# $MTA: directory down"
    s25 directory-down "${OFF[@]}" --from a@offsite.example --to alice@example.edu
    expect_reply "RCPT TO" "451 4.3.0"
    expect_log "action=tempfail" "reason=directory-unavailable" "rcpt=<alice@example.edu>" "reply=\"451 4.3.0 "
    expect_not_delivered
}

# Monitor mode: log what would happen, refuse nothing.
cases_monitor() {
    echo "# $MTA: monitor mode"
    s25 monitor-relay "${OFF[@]}" --from a@offsite.example --to u@victim.example
    expect_reply "RCPT TO" "250 2.1.5"
    expect_log "action=would-reject" "reason=relay-denied" "rcpt=<u@victim.example>"
    expect_sink u@victim.example
}

# The policy phases every MTA goes through, in order, each with the
# relayguard configuration it needs.
cases_all_phases() {
    cases_enforce

    rg_conf "$W/rg/expired.conf" enforce 2020-01-01
    rg_reload "$W/rg/expired.conf"
    cases_legacy_expired

    rg_stop
    rg_conf "$W/rg/policy.conf" enforce 2099-03-01 down
    rg_start "$W/rg/policy.conf"
    cases_directory_down

    rg_stop
    rg_conf "$W/rg/policy.conf" monitor
    rg_start "$W/rg/policy.conf"
    cases_monitor
}
