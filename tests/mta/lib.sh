# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/lib.sh: shared harness for the end-to-end MTA suites.
#
# Sourced by postfix.sh, sendmail.sh and demo.sh.  It owns one private
# scratch directory ($W) per run, hands out loopback ports, generates a
# throw-away CA, starts smtp-sink and relayguard, drives swaks and checks
# three things per case: the SMTP reply, relayguard's log line and what
# the sink really received.  rgsmtp.py sends RCPT arguments swaks cannot
# (a comma inside one argument) and writes the same transcript format.  Everything started here is stopped by the
# EXIT trap, by process id.
#
# Environment: RELAYGUARD (the binary), top_srcdir, top_builddir (set by
# AM_TESTS_ENVIRONMENT); RG_MTA_KEEP=1 keeps $W for a post-mortem;
# RG_MTA_VERBOSE=1 prints every transcript; RG_FLAGS replaces relayguard's
# "-f -v" (the demo uses "-f").

set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
MTA_KITS="$top_srcdir/etc"
MTA_DATA="$top_srcdir/tests/mta"

mta_pass=0
mta_fail=0
mta_pids=""
mta_cleanups=""
W=""

mta_log()  { printf '%s\n' "$*"; }
mta_die()  { printf 'FATAL: %s\n' "$*" >&2; exit 99; }

# mta_init NAME: make the private directory and install the EXIT trap.
# /tmp keeps socket paths short; the directory must be traversable by the
# unprivileged users the MTAs switch to.
mta_init() {
    W=$(mktemp -d "${TMPDIR:-/tmp}/rg-$1.XXXXXX") || mta_die "mktemp failed"
    chmod 755 "$W"
    mkdir -p "$W/cases"
    trap mta_cleanup EXIT
    trap 'exit 98' INT TERM HUP
}

# mta_on_exit CMD: run CMD (a shell snippet) at cleanup, newest first.
mta_on_exit() { mta_cleanups="$1
$mta_cleanups"; }

mta_cleanup() {
    rc=$?
    # A subshell (pipeline, $(...)) that dies must not tear the run down.
    [ "$BASHPID" = "$$" ] || return $rc
    set +e
    printf '%s\n' "$mta_cleanups" | while IFS= read -r c; do
        [ -n "$c" ] && eval "$c" >/dev/null 2>&1
    done
    for p in $mta_pids; do
        kill "$p" 2>/dev/null
    done
    for p in $mta_pids; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    if [ -n "$W" ] && [ -d "$W" ]; then
        if [ $rc -ne 0 ] || [ "${RG_MTA_KEEP:-0}" = 1 ]; then
            echo "kept scratch directory $W for inspection"
        else
            rm -rf "$W"
        fi
    fi
    exit $rc
}

# mta_track PID: stop PID at exit.
mta_track() { mta_pids="$mta_pids $1"; }

# mta_need CMD...: a missing tool fails the suite loudly; it never skips.
mta_need() {
    for c in "$@"; do
        if ! command -v "$c" >/dev/null 2>&1; then
            echo "FAIL: required tool '$c' is missing; see the README; ./quickstart test installs them" >&2
            exit 1
        fi
    done
}

# mta_ports VAR...: set each VAR to a free loopback TCP port.  Start from
# a pid-derived base so the Postfix and Sendmail suites can run side by
# side under make -j.  The base stays below the kernel's ephemeral range:
# a port there can be taken by any client connection (another suite's
# load generator) between this check and the daemon's bind.  (Assigns in
# this shell: no $(...) subshell.)
mta_next_port=""
mta_ports() {
    if [ -z "$mta_next_port" ]; then
        mta_low=32768
        read -r mta_low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || :
        mta_slots=$(( (mta_low - 20000) / 100 - 1 ))
        [ "$mta_slots" -ge 10 ] || mta_slots=10
        mta_next_port=$((20000 + ($$ % mta_slots) * 100))
    fi
    for v in "$@"; do
        while ss -Hltn "sport = :$mta_next_port" 2>/dev/null | grep -q .; do
            mta_next_port=$((mta_next_port + 1))
        done
        eval "$v=$mta_next_port"
        mta_next_port=$((mta_next_port + 1))
    done
}

# mta_wait_port [ADDR:]PORT [SECONDS]: poll until something listens.
mta_wait_port() {
    case $1 in *:*) a=${1%:*}; p=${1##*:} ;; *) a=127.0.0.1; p=$1 ;; esac
    n=$(( ${2:-20} * 10 ))
    i=0
    while [ $i -lt $n ]; do
        if (exec 3<>"/dev/tcp/$a/$p") 2>/dev/null; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# mta_wait_gone PID [SECONDS]
mta_wait_gone() {
    i=0
    while kill -0 "$1" 2>/dev/null && [ $i -lt $(( ${2:-10} * 10 )) ]; do
        sleep 0.1; i=$((i + 1))
    done
    ! kill -0 "$1" 2>/dev/null
}

# ---------------------------------------------------------------- TLS ----
# mta_ca: a private CA and a server certificate for mx.example.edu.
mta_ca() {
    d="$W/tls"
    mkdir -p "$d"
    (
        cd "$d" || exit 1
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=relayguard test CA" \
            -keyout ca.key -out ca.pem -addext basicConstraints=critical,CA:true 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=mx.example.edu" \
            -keyout server.key -out server.csr 2>/dev/null &&
        printf 'subjectAltName=DNS:mx.example.edu,DNS:localhost,IP:127.0.0.1,IP:127.0.0.2\n' > ext.cnf &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
            -days 2 -extfile ext.cnf -out server.pem 2>/dev/null
    ) || mta_die "could not create the test CA"
    chmod 600 "$d/server.key" "$d/ca.key"
}

# ---------------------------------------------------------------- sink ---
# mta_sink_start PORT [VAR]: smtp-sink dumping one file per transaction.
# A port taken between mta_ports and the bind (the suites share loopback
# with whatever else runs) is replaced by the next free one, and VAR
# (default SINK), the caller's name for the port, follows it.
mta_sink_start() {
    SINK_PORT=$1
    SINK_DIR="$W/sink"
    mkdir -p "$SINK_DIR"
    chown nobody "$SINK_DIR"
    tries=0
    while :; do
        smtp-sink -u nobody -h sink.example -d "$SINK_DIR/msg." "127.0.0.1:$SINK_PORT" 64 \
            >"$W/sink.log" 2>&1 &
        sink_pid=$!
        mta_track $sink_pid
        # Listening is not enough: it must be our sink that listens (a sink
        # that failed to bind lingers as a zombie, so kill -0 cannot tell).
        if mta_wait_port "$SINK_PORT" 10 &&
            ss -Hltnp "sport = :$SINK_PORT" 2>/dev/null | grep -q "pid=$sink_pid,"; then
            break
        fi
        kill "$sink_pid" 2>/dev/null
        tries=$((tries + 1))
        [ $tries -lt 3 ] || mta_die "smtp-sink did not start: $(tail -n 3 "$W/sink.log")"
        mta_log "# smtp-sink could not use port $SINK_PORT ($(tail -n 1 "$W/sink.log")); trying another"
        mta_ports SINK_PORT
        eval "${2:-SINK}=\$SINK_PORT"
    done
}

# mta_sink_file TAG: name of the dumped message carrying X-RG-Case: TAG.
mta_sink_file() {
    grep -l -x -F "X-RG-Case: $1" "$SINK_DIR"/msg.* 2>/dev/null | head -n 1
}

# mta_sink_wait TAG [SECONDS]: poll for that message (delivery is async).
mta_sink_wait() {
    n=$(( ${2:-30} * 10 ))
    i=0
    while [ $i -lt $n ]; do
        f=$(mta_sink_file "$1")
        # smtp-sink writes the file as the transaction proceeds; the final
        # empty line marks a complete message.
        if [ -n "$f" ] && [ -z "$(tail -c 1 "$f")" ] && grep -q '^Received: ' "$f"; then
            echo "$f"; return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# ---------------------------------------------------------- relayguard ---
# rg_start CONF [SOCKETPORT]: run relayguard in the foreground, stderr to
# $W/relayguard.log, and wait until it accepts milter connections.
rg_start() {
    RG_CONF=$1
    [ -x "$RELAYGUARD" ] || { echo "FAIL: relayguard binary $RELAYGUARD is not built" >&2; exit 1; }
    "$RELAYGUARD" -n -c "$RG_CONF" >"$W/rg-check.log" 2>&1 ||
        { cat "$W/rg-check.log" >&2; mta_die "relayguard -n rejected $RG_CONF"; }
    # shellcheck disable=SC2086  # RG_FLAGS is a word list
    "$RELAYGUARD" ${RG_FLAGS:--f -v} -c "$RG_CONF" -p "inet:$RG_PORT@127.0.0.1" -P "$W/relayguard.pid" \
        >>"$W/relayguard.log" 2>&1 &
    RG_PID=$!
    mta_track $RG_PID
    mta_wait_port "$RG_PORT" 20 || { cat "$W/relayguard.log" >&2; mta_die "relayguard did not start"; }
}

# rg_start_unix CONF PATH: rg_start on the unix socket PATH (CONF's own
# socket = is overridden by -p).  relayguard runs with umask 007 (main.c),
# so the caller's directory decides who may connect: a setgid directory
# of group postfix, as the package makes it, lets a chrooted smtpd in.
rg_start_unix() {
    RG_CONF=$1 RG_SOCKET_PATH=$2
    [ -x "$RELAYGUARD" ] || { echo "FAIL: relayguard binary $RELAYGUARD is not built" >&2; exit 1; }
    "$RELAYGUARD" -n -c "$RG_CONF" >"$W/rg-check.log" 2>&1 ||
        { cat "$W/rg-check.log" >&2; mta_die "relayguard -n rejected $RG_CONF"; }
    rm -f "$RG_SOCKET_PATH"
    # shellcheck disable=SC2086  # RG_FLAGS is a word list
    "$RELAYGUARD" ${RG_FLAGS:--f -v} -c "$RG_CONF" -p "unix:$RG_SOCKET_PATH" -P "$W/relayguard.pid" \
        >>"$W/relayguard.log" 2>&1 &
    RG_PID=$!
    mta_track $RG_PID
    i=0
    while [ ! -S "$RG_SOCKET_PATH" ] && [ $i -lt 200 ] && kill -0 "$RG_PID" 2>/dev/null; do
        sleep 0.1; i=$((i + 1))
    done
    [ -S "$RG_SOCKET_PATH" ] || { cat "$W/relayguard.log" >&2; mta_die "relayguard did not create $RG_SOCKET_PATH"; }
}

rg_stop() {
    [ -n "${RG_PID:-}" ] || return 0
    kill "$RG_PID" 2>/dev/null
    mta_wait_gone "$RG_PID" 10 || kill -9 "$RG_PID" 2>/dev/null
    RG_PID=""
}

# rg_reload NEWCONF: copy NEWCONF over the running config and send SIGUSR1,
# then wait for relayguard to say it reloaded.
rg_reload() {
    before=$(grep -c "reloaded " "$W/relayguard.log")
    cp "$1" "$RG_CONF"
    kill -USR1 "$RG_PID"
    i=0
    while [ $i -lt 100 ]; do
        [ "$(grep -c "reloaded " "$W/relayguard.log")" -gt "$before" ] && return 0
        grep -q "reload refused" "$W/relayguard.log" && mta_die "relayguard refused the reload"
        sleep 0.1; i=$((i + 1))
    done
    mta_die "relayguard did not log a reload after SIGUSR1"
}

# Whom a suspended login is told to contact (auth.suspended_contact); not
# the default, so cases_suspended proves the key reaches the reply.
MTA_SUSPENDED_CONTACT="security@example.edu"

# rg_conf OUT MODE [EXTRA]: write a policy.conf for the suites.  Only
# 127.0.0.1 and 192.0.2.0/24 (the on-site net presented through XCLIENT)
# are trusted, so 127.0.0.2 and XCLIENT's 198.51.100.7 are off-site.
rg_conf() {
    out=$1 mode=$2 expires=${3:-2099-03-01} dir=${4:-file} routing=${5:-}
    # routing=warn|reject: 127.0.0.1, where both MTAs send everything (the
    # sink), is then not one of our hosts, so relayguard sees every local
    # recipient routed off-site by the MTA.
    trusted='"127.0.0.1/32", "192.0.2.0/24"' routeblock=''
    if [ -n "$routing" ]; then
        trusted='"192.0.2.0/24"'
        routeblock="routing = { check = \"$routing\"; };"
    fi
    case $dir in
        file) dirblock='directory = { backend = "file"; file = "directory.conf"; on_error = "tempfail"; };' ;;
        down) dirblock="directory = { backend = \"ldap\"; on_error = \"tempfail\";
    ldap = { uris = [ \"ldap://127.0.0.1:$DEAD_PORT\" ]; starttls = \"off\"; base = \"dc=example,dc=edu\"; timeout = 2.0; }; };" ;;
    esac
    cat > "$out" <<EOF
socket = "inet:$RG_PORT@127.0.0.1";
mode = "$mode";
networks = { trusted = [ $trusted ]; };
domains = { local = [ "example.edu", ".example.edu" ]; relay = [ "partner.example" ]; };
$routeblock
auth = { relay = true; require_tls = true; sender_login = "reject"; suspended_contact = "$MTA_SUSPENDED_CONTACT"; };
sender = { offsite_local = "warn"; };
recipients = { verify = true; };
legacy_exceptions = ( { sender = "bob@example.edu"; expires = "$expires"; networks = [ "${LEGACY_NET:-198.51.100.0/24}" ]; note = "ticket 4411"; } );
$dirblock
log = { facility = "mail"; accepts = true; };
EOF
    cp "$MTA_DATA/directory.conf" "$(dirname "$out")/directory.conf"
}

# ------------------------------------------------------------- swaks -----
# s25 / s587 / s465 CASE ARGS...: one transaction on each listener.
s25()  { c=$1; shift; smtp "$c" --server "127.0.0.1:$P25" "$@"; }
s587() { c=$1; shift; smtp "$c" --server "127.0.0.1:$P587" -tls "$@"; }
s465() { c=$1; shift; smtp "$c" --server "127.0.0.1:$P465" -tlsc "$@"; }

# r25 / r587 / r465 CASE RGSMTP-ARGS...: the same with the raw client
# (tests/mta/rgsmtp.py): every --from/--rcpt is sent byte for byte, and it
# always goes on to DATA.
r25()  { c=$1; shift; rsmtp "$c" --server "127.0.0.1:$P25" "$@"; }
r587() { c=$1; shift; rsmtp "$c" --server "127.0.0.1:$P587" --tls starttls "$@"; }
r465() { c=$1; shift; rsmtp "$c" --server "127.0.0.1:$P465" --tls implicit "$@"; }

rsmtp() {
    CASE=$1; shift
    CASE_LOG_AT=$(wc -l < "$W/relayguard.log" 2>/dev/null || echo 0)
    python3 "$MTA_DATA/rgsmtp.py" --timeout 30 --ca "$W/tls/ca.pem" --case "$CASE" \
        --out "$W/cases/$CASE.txt" "$@" 2>"$W/cases/$CASE.err"
    CASE_RC=$?
    if [ "${RG_MTA_VERBOSE:-0}" = 1 ]; then sed "s/^/  [$CASE] /" "$W/cases/$CASE.txt"; fi
    return 0
}

# rg_logq VALUE: VALUE as relayguard's key=value log prints it (common/log.c:
# '"' and '\' escaped; quoted when empty or holding a space, '"', '\' or
# '=').  Control and 8-bit bytes are not needed by the cases.
rg_logq() {
    e=$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
    case $1 in
        ''|*[[:space:]\"\\=]*) printf '"%s"' "$e" ;;
        *) printf '%s' "$e" ;;
    esac
}

# smtp NAME SWAKS-ARGS...: run one SMTP transaction, keep the transcript in
# $W/cases/NAME.txt and remember where relayguard's log stood before it.
# The message carries X-RG-Case: NAME so the sink check can find it.
smtp() {
    CASE=$1; shift
    CASE_LOG_AT=$(wc -l < "$W/relayguard.log" 2>/dev/null || echo 0)
    swaks --timeout 30 --tls-verify --tls-ca-path "$W/tls/ca.pem" \
        --add-header "X-RG-Case: $CASE" --body "relayguard end-to-end case $CASE" \
        "$@" >"$W/cases/$CASE.txt" 2>&1
    CASE_RC=$?      # swaks exit status, for callers that want it
    if [ "${RG_MTA_VERBOSE:-0}" = 1 ]; then sed "s/^/  [$CASE] /" "$W/cases/$CASE.txt"; fi
    return 0
}

# reply_to PATTERN: the first reply line (code and text) to the first
# command of the current case's transcript that starts with PATTERN.
reply_to() {
    awk -v pat="$1" '
        /^ *(->|~>) / {
            if (inauth) next
            sub(/^ *(->|~>) +/, ""); want = (!done && index(toupper($0), toupper(pat)) == 1); next
        }
        /^ *(<-|<~|<\*\*|<~\*) / {
            if (!want) next
            sub(/^ *(<-|<~|<\*\*|<~\*) +/, "")
            if ($0 ~ /^334/) { inauth = 1; next }
            print; done = 1; want = 0; inauth = 0
        }
    ' "$W/cases/$CASE.txt"
}

ok()   { mta_pass=$((mta_pass + 1)); echo "ok - $CASE: $*"; }
bad()  {
    mta_fail=$((mta_fail + 1)); echo "not ok - $CASE: $*"
    sed 's/^/    | /' "$W/cases/$CASE.txt" | tail -n 25
}

# expect_reply CMD 'CODE ENH': exact code and enhanced code of the reply.
expect_reply() {
    r=$(reply_to "$1")
    case "$r" in
        "$2"|"$2 "*|"$2-"*) ok "$1 -> $2" ;;
        *) bad "$1 -> expected '$2', got '${r:-no reply}'" ;;
    esac
}

# case_log: relayguard's log lines written during the current case.
case_log() { tail -n +"$((CASE_LOG_AT + 1))" "$W/relayguard.log"; }

# expect_log FRAGMENT...: one line of this case's log holds all fragments.
expect_log() {
    # Fragments travel through the environment: awk -v would eat backslashes.
    if case_log | RG_FRAGS="$(printf '%s\034' "$@")" awk -v n=$# '
        BEGIN { split(ENVIRON["RG_FRAGS"], f, "\034") }
        { hit = 1; for (i = 1; i <= n; i++) if (index($0, f[i]) == 0) hit = 0; if (hit) found = 1 }
        END { exit !found }'; then
        ok "log has: $*"
    else
        bad "no relayguard log line with: $*"
        case_log | grep -v ' debug' | sed 's/^/    log| /' | tail -n 10
    fi
}

# expect_no_log FRAGMENT: no line of this case's log holds FRAGMENT.
expect_no_log() {
    if case_log | grep -F -q -- "$1"; then bad "unexpected log line with: $1"; else ok "log lacks: $1"; fi
}

# mta_sink_rcpts TAG: the envelope recipients of every sink file carrying
# X-RG-Case: TAG (Sendmail may split one message into several relay
# transactions), sorted, space-separated, ESMTP parameters dropped.
mta_sink_rcpts() {
    grep -l -x -F "X-RG-Case: $1" "$SINK_DIR"/msg.* 2>/dev/null | while IFS= read -r f; do
        sed -n 's/^X-Rcpt-Args: *//p' "$f"
    done | sed 's/ .*//' | sort | tr '\n' ' ' | sed 's/ $//'
}

# expect_sink RCPT...: the case's message reached the sink with exactly
# these envelope recipients.  Checked now and again at the end, once the
# queue is empty, so a late split copy for another recipient is caught.
mta_exact=""
expect_sink() {
    f=$(mta_sink_wait "$CASE" 30)
    if [ -z "$f" ]; then bad "message never reached the sink"; return; fi
    # Sorted: Sendmail may reorder recipients when it relays.
    got=$(mta_sink_rcpts "$CASE")
    want=$(printf '<%s>\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$want" ]; then ok "sink got $want"; else bad "sink recipients '$got', expected '$want'"; fi
    mta_exact="$mta_exact
$CASE|$want"
}

# Negative sink checks are made at the end, once the MTA's queue is empty:
# remember which cases must not have reached the sink.
mta_undelivered=""
expect_not_delivered() { mta_undelivered="$mta_undelivered $CASE"; }

# expect_not_delivered_to RCPT: no sink file at all, whatever case it
# belongs to, has an envelope recipient naming RCPT's local part (up to
# the first '@' or '%', after the last '!' or ':' and a leading '"'),
# so the check holds however
# the MTA rewrote, split or source-routed it.  Each refused target in the
# suites has its own local part (at least 2 characters, letters, digits,
# '-', '.'), so a legitimate delivery elsewhere cannot hide or fake one.
rcpt_token() {
    t=${1#<}; t=${t%>}; t=${t##*:}; t=${t##*!}; t=${t#\"}; t=${t%%@*}; t=${t%%%*}
    printf '%s\n' "$t"
}
mta_undelivered_to=""
expect_not_delivered_to() {
    t=$(rcpt_token "$1")
    case $t in
        ??*) ;;
        *) bad "expect_not_delivered_to: local part of '$1' is too short to search for"; return ;;
    esac
    case $t in *[!A-Za-z0-9.-]*) bad "expect_not_delivered_to: '$t' holds characters the check cannot search for"; return ;; esac
    mta_undelivered_to="$mta_undelivered_to $CASE=$t"
}

# mta_sink_holds_local TOKEN: the sink files with an envelope recipient
# whose text holds TOKEN as a whole word (case-insensitive).
mta_sink_holds_local() {
    tre=$(printf '%s' "$1" | sed 's/\./\\./g')
    grep -l -i -E "^X-Rcpt-Args:.*(^|[^A-Za-z0-9.-])$tre([^A-Za-z0-9.-]|$)" "$SINK_DIR"/msg.* 2>/dev/null
}

mta_check_undelivered() {
    CASE=sink-final
    for c in $mta_undelivered; do
        if [ -n "$(mta_sink_file "$c")" ]; then
            mta_fail=$((mta_fail + 1)); echo "not ok - $c: reached the sink but must not have"
        else
            mta_pass=$((mta_pass + 1)); echo "ok - $c: nothing reached the sink"
        fi
    done
    for ct in $mta_undelivered_to; do
        c=${ct%%=*} t=${ct#*=}
        files=$(mta_sink_holds_local "$t")
        if [ -z "$files" ]; then
            mta_pass=$((mta_pass + 1)); echo "ok - $c: no sink file has a recipient '$t'"
        else
            mta_fail=$((mta_fail + 1)); echo "not ok - $c: recipient '$t' reached the sink (open relay)"
            for f in $files; do
                echo "    | $(basename "$f"): $(grep -m 1 '^X-RG-Case:' "$f") rcpts: $(sed -n 's/^X-Rcpt-Args: *//p' "$f" | tr '\n' ' ')"
            done
        fi
    done
    printf '%s\n' "$mta_exact" | while IFS='|' read -r c want; do
        [ -n "$c" ] || continue
        got=$(mta_sink_rcpts "$c")
        if [ "$got" = "$want" ]; then
            echo "ok - $c: with the queue empty the sink still holds exactly $want"
        else
            echo "not ok - $c: with the queue empty the sink holds '$got', expected '$want'"
        fi
    done > "$W/exact-final.txt"
    cat "$W/exact-final.txt"
    mta_pass=$((mta_pass + $(grep -c '^ok' "$W/exact-final.txt")))
    mta_fail=$((mta_fail + $(grep -c '^not ok' "$W/exact-final.txt")))
    bounces=$(grep -l -i -E '^X-Mail-Args: *<>|^From: .*MAILER-DAEMON' "$SINK_DIR"/msg.* 2>/dev/null | wc -l)
    if [ "$bounces" -eq 0 ]; then
        mta_pass=$((mta_pass + 1)); echo "ok - sink holds no bounce"
    else
        mta_fail=$((mta_fail + 1)); echo "not ok - sink holds $bounces bounce(s)"
    fi
}

# mta_differential [COUNT]: the differential test (rggen.py, issue 13 §3)
# through this MTA's port 25 from the off-site client (OFF_RAW), with
# relayguard in enforce mode: COUNT hostile recipients (RG_DIFF_COUNT,
# default 2000) with a fresh seed unless RG_SEED is set, the queue drained
# ($MTA_DRAIN), then judged only by what reached the sink.
mta_differential() {
    CASE=differential
    count=${1:-${RG_DIFF_COUNT:-2000}}
    out="$W/cases/$CASE.txt"
    seedarg=()
    [ -z "${RG_SEED:-}" ] || seedarg=(--seed "$RG_SEED")
    t0=$(date +%s)
    python3 "$MTA_DATA/rggen.py" send --mta "$MTA" --server "127.0.0.1:$P25" "${OFF_RAW[@]}" \
        --count "$count" "${seedarg[@]}" --conns "${RG_DIFF_CONNS:-4}" \
        --results "$W/differential.jsonl" > "$out" 2>&1
    src=$?
    t1=$(date +%s)
    sed -n 's/^# /# /p' "$out"
    [ $src -eq 0 ] || { bad "differential: the generator did not send every transaction"; return; }
    $MTA_DRAIN 300 || { bad "differential: the $MTA queue did not drain"; return; }
    if python3 "$MTA_DATA/rggen.py" judge --results "$W/differential.jsonl" --sink "$SINK_DIR" \
            --rglog "$W/relayguard.log" --mtalog "$MTA_LOG" > "$out.judge" 2>&1; then
        sed -n '/^# /p; s/^ok - /# /p' "$out.judge"
        ok "differential: $(grep -c . "$W/differential.jsonl") transactions judged at the sink ($((t1 - t0)) s to send)"
    else
        cat "$out.judge" >> "$out"
        mta_fail=$((mta_fail + 1))
        echo "not ok - $CASE: something reached the sink that must not have (details below)"
        head -n 400 "$out.judge" | sed 's/^/    /'
    fi
}

# mta_summary: the closing line the CI reader understands; exit status.
mta_summary() {
    echo "$mta_pass passed, $mta_fail failed"
    [ "$mta_fail" -eq 0 ]
}
