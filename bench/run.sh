#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# run.sh - relayguard's benchmark (issue 5): every scenario interleaved,
# REPS repetitions, raw results as key=value lines, then the table.
#
#   make bench                     (or: sh bench/run.sh BUILD)
#
# Scenarios, each measured against a fresh milter process:
#   null          the null milter (bench/nullmilter): libmilter's limit
#   file          relayguard, embedded file directory
#   ldap-warm     relayguard, LDAP, cache primed with the 1,000 recipients used
#   ldap-cold     relayguard, LDAP, unique recipients from 100,000 users
#   ldap-refused  relayguard, LDAP URI with nothing listening (slapd stopped)
#   ldap-hang     relayguard, LDAP, slapd frozen with SIGSTOP
#   file-ctl      the file row with a control socket (relayguard -S)
#   file-polled   the same, the control socket read every 100 ms by one
#                 long-lived client during the run (issue 15: >= 0.97x)
#   auth          the file row, but the client authenticated as user1 (TLS)
#                 sending from user1@example.edu, one recipient offsite
#   auth-budget   the same with sending budgets on (issue 12), local store,
#                 limits no run reaches: what counting costs (>= 0.95x auth)
#   auth-redis    the same, counted in a private redis-server on a unix
#                 socket (>= 0.85x auth)
#   auth-redis-lease  the same with budgets.redis.lease = 32: a login's
#                 later recipients come from its gateway's lease (>= 0.85x)
#   auth-redis-frozen  the same with that redis-server frozen (SIGSTOP):
#                 the breaker answers, the local store counts (>= 0.8x auth)
# and, only when SCENARIOS names it:
#   null-nodata   the null milter skipping DATA (nullmilter -N): with
#                 null, what the DATA round trip costs libmilter itself
# at each concurrency in CONCS, then with IDLE idle sessions held open,
# then the scale rows (cache off, 1,000 vs 100,000 users), the memory row
# (a full 100,000-entry cache plus IDLE open sessions), the matcher
# micro-benchmark and the through-Postfix rows (bench/postfix.sh).
#
# Environment knobs (defaults in brackets): REPS [3], DURATION seconds
# measured per run [5], WARMUP [1], CONCS ["10 50"], IDLE [500], RCPTS per
# session [5], USERS [100000], SCENARIOS [all ten], POSTFIX [1], SCALE [1]
# (0 skips the scale and memory rows, for a rerun of a few scenarios),
# PF_MESSAGES [2000], RESULTS [$top_srcdir/bench/results].
#
# A second relayguard, side by side: RG_BASELINE=/path/to/relayguard (say,
# built from an older commit) adds a row base-SCEN for each SCEN of
# RG_BASELINE_SCENARIOS ["file ldap-warm"] that SCENARIOS runs, measured in
# the same repetition at the same concurrency, right before SCEN in odd
# repetitions and right after it in even ones (so that order cancels out).
# RG_BASELINE_LABEL [baseline] names it in the report, which gives the
# paired ratios RELAYGUARD / RG_BASELINE.
#
# The client is off-site (198.51.100.7), not authenticated, with TLS, and
# every recipient is a local address that exists: inbound mail, where
# relayguard must verify every RCPT.  Everything started here listens on
# loopback and is stopped by process id when the script exits.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
# ./quickstart bench passes the build directory as the argument.
[ $# -eq 0 ] || [ ! -d "$1" ] || top_builddir=$1
: "${top_builddir:=$(pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
RG_BASELINE=${RG_BASELINE:-}
RG_BASELINE_SCENARIOS=${RG_BASELINE_SCENARIOS:-file ldap-warm}
RG_BASELINE_LABEL=${RG_BASELINE_LABEL:-baseline}
B=$top_builddir/bench
REPS=${REPS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONCS=${CONCS:-10 50}
IDLE=${IDLE:-500}
RCPTS=${RCPTS:-5}
USERS=${USERS:-100000}
SCENARIOS=${SCENARIOS:-null file ldap-warm ldap-cold ldap-refused ldap-hang file-ctl file-polled auth auth-budget auth-redis auth-redis-lease auth-redis-frozen}
POSTFIX=${POSTFIX:-1}
SCALE=${SCALE:-1}
RESULTS=${RESULTS:-$top_srcdir/bench/results}
SLAPD_SH=$top_srcdir/tests/ldap/slapd.sh

for t in "$B/loadgen" "$B/nullmilter" "$B/micro_match" "$RELAYGUARD" ${RG_BASELINE:+"$RG_BASELINE"}; do
	[ -x "$t" ] || { echo "run.sh: $t is not built (make first)" >&2; exit 1; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/rg-bench.XXXXXX")
chmod 755 "$W"
mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$RESULTS/$stamp.txt
MPID=
SLAPD_DIRS=
FROZEN=
REDIS_PID=

cleanup() {
	rc=$?
	set +e
	[ -z "$FROZEN" ] || kill -CONT "$FROZEN" 2>/dev/null
	[ -z "$MPID" ] || { kill "$MPID" 2>/dev/null; wait "$MPID" 2>/dev/null; }
	[ -z "$REDIS_PID" ] || { kill "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; }
	for d in $SLAPD_DIRS; do sh "$SLAPD_SH" stop "$d"; done
	if [ $rc -eq 0 ] && [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$W"; else echo "run.sh: kept $W"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 98' INT TERM HUP

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# free_port VAR: set VAR to a loopback TCP port nobody listens on, counting
# up from a pid-derived base (no subshell, so the counter advances).
next_port=$((30000 + ($$ % 200) * 50))
free_port() {
	while ss -Hltn "sport = :$next_port" 2>/dev/null | grep -q .; do
		next_port=$((next_port + 1))
	done
	eval "$1=$next_port"
	next_port=$((next_port + 1))
}

wait_listen() {
	i=0
	until ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.05
	done
}

free_port MPORT
free_port DEADPORT
free_port LDAP_PORT
free_port LDAP_SMALL_PORT
SOCK="inet:$MPORT@127.0.0.1"

# ------------------------------------------------------------ the machine --
{
	echo "# relayguard benchmark, raw results (key=value per line)"
	echo "machine date=$stamp host=$(hostname) kernel=$(uname -r)" \
	    "cpu=\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)\"" \
	    "cpus=$(nproc) mem_mib=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
	    "loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\"" \
	    "libmilter=$(pkg-config --modversion milter 2>/dev/null || echo unknown)" \
	    "slapd=\"$(dpkg-query -W -f '${Version}' slapd 2>/dev/null || echo unknown)\"" \
	    "postfix=\"$(dpkg-query -W -f '${Version}' postfix 2>/dev/null || echo unknown)\"" \
	    "relayguard_sha256=$(sha256sum "$RELAYGUARD" | cut -c1-12)"
	echo "params reps=$REPS duration=$DURATION warmup=$WARMUP concs=\"$CONCS\" idle=$IDLE" \
	    "rcpts_per_session=$RCPTS users=$USERS"
	[ -z "$RG_BASELINE" ] ||
	    echo "baseline label=\"$RG_BASELINE_LABEL\" path=\"$RG_BASELINE\"" \
		"relayguard_sha256=$(sha256sum "$RG_BASELINE" | cut -c1-12)" \
		"scenarios=\"$RG_BASELINE_SCENARIOS\""
} > "$RAW"
log "raw results: $RAW"

# --------------------------------------------------------------- configs --
conf_head() {
	cat <<EOF
socket = "$SOCK";
networks = { trusted = [ "192.0.2.0/24" ]; };
domains = { local = [ "example.edu", ".example.edu" ]; };
auth = { relay = true; require_tls = true; sender_login = "reject"; };
recipients = { verify = true; };
EOF
}

cat > "$W/directory.conf" <<'EOF'
mailboxes = [ "user1@example.edu", "user2@example.edu" ];
forwards = ( { address = "fwd@example.edu"; target = "someone@offsite.example"; } );
lists = ( { address = "staff@example.edu"; members = [ "user1@example.edu" ]; } );
logins = ( { login = "user1"; addresses = [ "user1@example.edu" ]; } );
EOF
{ conf_head; echo "directory = { backend = \"file\"; file = \"$W/directory.conf\"; on_error = \"tempfail\"; };"; } \
    > "$W/file.conf"
# file-ctl and file-polled (issue 15): the same file row with a control
# socket; file-polled also has it read every 100 ms during the run.
{ cat "$W/file.conf"; echo "control = { socket = \"$W/ctl.sock\"; };"; } > "$W/file-ctl.conf"
# auth-budget (issue 12): every accepted RCPT of the authenticated rows is
# checked and charged; the limits are out of reach, so nothing is refused.
{ cat "$W/file.conf"; echo "budgets = { mode = \"enforce\"; backend = \"local\";" \
    "messages = 1000000000; recipients = 1000000000; domains = 1000; };"; } > "$W/auth-budget.conf"

# auth-redis, auth-redis-lease, auth-redis-frozen: the same budgets, counted in Redis.
{ cat "$W/file.conf"; echo "budgets = { mode = \"enforce\"; backend = \"redis\";" \
    "messages = 1000000000; recipients = 1000000000; domains = 1000;" \
    "redis = { uri = \"unix:$W/redis.sock\"; pool_size = 8; }; };"; } > "$W/auth-redis.conf"
sed 's/pool_size = 8;/pool_size = 8; lease = 32;/' "$W/auth-redis.conf" > "$W/auth-redis-lease.conf"

sh "$SLAPD_SH" secret > "$W/ldap.secret" 2>/dev/null || echo 's3rvice-Secret-42' > "$W/ldap.secret"
chmod 600 "$W/ldap.secret"

# ldap_conf NAME PORT MAX_ENTRIES
ldap_conf() {
	{
		conf_head
		cat <<EOF
directory = {
  backend = "ldap";
  on_error = "tempfail";
  ldap = {
    uris = [ "ldap://127.0.0.1:$2/" ];
    starttls = "off";
    bind_dn = "cn=relayguard,ou=services,dc=example,dc=edu";
    bind_password_file = "$W/ldap.secret";
    base = "dc=example,dc=edu";
    scope = "sub";
    timeout = 1.0;
    pool_size = 8;
  };
  cache = { ttl = 300; negative_ttl = 60; max_entries = $3; stale_ttl = 3600; };
};
EOF
	} > "$W/$1.conf"
}
ldap_conf ldap "$LDAP_PORT" 100000
ldap_conf ldap-dead "$DEADPORT" 100000
ldap_conf ldap-nocache "$LDAP_PORT" 0
ldap_conf ldap-small-nocache "$LDAP_SMALL_PORT" 0

# ----------------------------------------------------------------- slapd --
# users.ldif N: the test directory plus N users userK@example.edu.
users_ldif() {
	cat "$top_srcdir/tests/ldap/data.ldif"
	echo
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "dn: uid=user%d,ou=people,dc=example,dc=edu\n", i
			printf "objectClass: inetOrgPerson\nobjectClass: inetLocalMailRecipient\n"
			printf "uid: user%d\ncn: User %d\nsn: %d\nmail: user%d@example.edu\n", i, i, i, i
			printf "mailLocalAddress: u%d@cs.example.edu\n\n", i
		}
	}'
}

# slapd_start DIR PORT NUSERS: slapd.sh's set-up with a map large enough.
slapd_start() {
	users_ldif "$3" > "$W/users-$3.ldif"
	# slapd.sh writes its own slapd.conf unless one exists; borrow it from
	# a throw-away instance and raise maxsize for 100,000 users.
	sh "$SLAPD_SH" start "$1.probe" "$2" >/dev/null
	sh "$SLAPD_SH" stop "$1.probe"
	mkdir -p "$1"
	sed -e "s|$1.probe|$1|g" -e 's/^maxsize .*/maxsize 1073741824/' \
	    "$1.probe/slapd.conf" > "$1/slapd.conf"
	rm -rf "$1.probe"
	sh "$SLAPD_SH" start "$1" "$2" "$W/users-$3.ldif"
	SLAPD_DIRS="$SLAPD_DIRS $1"
}

HAVE_LDAP=0
if "$RELAYGUARD" -n -c "$W/ldap.conf" > "$W/ldap-check.log" 2>&1; then
	HAVE_LDAP=1
else
	reason=$(head -n 1 "$W/ldap-check.log" | tr -d '"')
	echo "missing rows=ldap-warm,ldap-cold,ldap-refused,ldap-hang,scale,memory-cache reason=\"relayguard -n rejects the LDAP configuration: $reason\"" >> "$RAW"
	log "LDAP rows skipped: $reason"
fi
# Nothing to load when no row would search it.
case " $SCENARIOS " in *" ldap"*) ;; *) [ "$SCALE" = 1 ] || HAVE_LDAP=0 ;; esac
if [ $HAVE_LDAP = 1 ]; then
	log "loading slapd with $USERS users (and 1,000 for the scale rows)"
	slapd_start "$W/slapd" "$LDAP_PORT" "$USERS"
	slapd_start "$W/slapd-small" "$LDAP_SMALL_PORT" 1000
	SLAPD_PID=$(cat "$W/slapd/slapd.pid")
	echo "slapd users=$USERS pid=$SLAPD_PID db_kib=$(du -sk "$W/slapd/db" | cut -f1)" >> "$RAW"
fi

# ----------------------------------------------------------------- Redis --
# One private redis-server on a unix socket in $W (no TCP, nothing on disk).
HAVE_REDIS=0
case " $SCENARIOS " in
*" auth-redis"*)
	if command -v redis-server >/dev/null 2>&1; then
		printf 'port 0\nunixsocket %s\nunixsocketperm 700\ndir %s\nsave ""\nappendonly no\nlogfile %s\n' \
		    "$W/redis.sock" "$W" "$W/redis.log" > "$W/redis.conf"
		redis-server "$W/redis.conf" &
		REDIS_PID=$!
		i=0
		until [ -S "$W/redis.sock" ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
		if [ -S "$W/redis.sock" ]; then
			HAVE_REDIS=1
			echo "redis version=\"$(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')\" pid=$REDIS_PID" >> "$RAW"
		fi
	fi
	[ $HAVE_REDIS = 1 ] || echo "missing rows=auth-redis,auth-redis-lease,auth-redis-frozen reason=\"no redis-server (apt-get install redis-server)\"" >> "$RAW"
	;;
esac

# ------------------------------------------------------------ the milter --
# milter_start CONF [BINARY]: BINARY defaults to $RELAYGUARD.
milter_start() {
	case $1 in
	null)	"$B/nullmilter" -p "$SOCK" >>"$W/null.log" 2>&1 & ;;
	null-nodata) "$B/nullmilter" -N -p "$SOCK" >>"$W/null.log" 2>&1 & ;;
	# As the shipped systemd unit runs it: foreground, syslog only
	# (JOURNAL_STREAM set means stderr is not a second copy of the log).
	*)	JOURNAL_STREAM=bench "${2:-$RELAYGUARD}" -f -c "$W/$1.conf" -p "$SOCK" \
		    >>"$W/relayguard-$1.log" 2>&1 & ;;
	esac
	MPID=$!
	wait_listen "$MPORT" || { echo "run.sh: milter $1 did not listen" >&2; exit 1; }
}

milter_stop() {
	kill "$MPID" 2>/dev/null || :
	wait "$MPID" 2>/dev/null || :
	MPID=
}

LG="$B/loadgen -s $SOCK -k $RCPTS -w $WARMUP -d $DURATION"
FILE_RCPTS="-r user1@example.edu -r user2@example.edu -r fwd@example.edu -r staff@example.edu"
AUTH_ARGS="-a user1 -f user1@example.edu $FILE_RCPTS -r someone@offsite.example"
WARM_RCPTS="-r user%n@example.edu -u 1:1000"

# run_one SCENARIO REP CONC IDLE: one measurement, appended to $RAW.
run_one() {
	scen=$1 rep=$2 conc=$3 idle=$4
	bin=$RELAYGUARD prefix=
	case $scen in base-*) bin=$RG_BASELINE prefix=base-; scen=${scen#base-} ;; esac
	case $scen in
	null)		conf=null; args=$WARM_RCPTS ;;
	null-nodata)	conf=null-nodata; args=$WARM_RCPTS ;;
	file)		conf=file; args=$FILE_RCPTS ;;
	file-ctl|file-polled) conf=file-ctl; args=$FILE_RCPTS ;;
	auth)		conf=file; args=$AUTH_ARGS ;;
	auth-budget)	conf=auth-budget; args=$AUTH_ARGS ;;
	auth-redis|auth-redis-frozen) conf=auth-redis; args=$AUTH_ARGS ;;
	auth-redis-lease) conf=auth-redis-lease; args=$AUTH_ARGS ;;
	ldap-warm)	conf=ldap; args=$WARM_RCPTS ;;
	ldap-cold)	conf=ldap; args="-U -r user%n@example.edu -u 1:$USERS" ;;
	ldap-refused)	conf=ldap-dead; args=$WARM_RCPTS ;;
	ldap-hang)	conf=ldap; args=$WARM_RCPTS ;;
	scale-1k)	conf=ldap-small-nocache; args=$WARM_RCPTS ;;
	scale-100k)	conf=ldap-nocache; args="-r user%n@example.edu -u 1:$USERS" ;;
	esac
	case $scen in ldap*|scale*) [ $HAVE_LDAP = 1 ] || return 0 ;; esac
	case $scen in auth-redis*) [ $HAVE_REDIS = 1 ] || return 0 ;; esac
	milter_start "$conf" "$bin"
	if [ "$scen" = ldap-warm ]; then
		# Prime the cache with every recipient the run will use.
		$B/loadgen -s "$SOCK" -k 5 -c 10 -w 0 -n 400 $args > /dev/null ||
		    log "warning: priming pass failed"
	fi
	if [ "$scen" = ldap-hang ]; then
		kill -STOP "$SLAPD_PID"
		FROZEN=$SLAPD_PID
	fi
	# The breaker opens within the warm-up; then one RCPT per
	# retry_interval (5 s) probes and waits out the timeout (0.2 s).
	if [ "$scen" = auth-redis-frozen ]; then
		kill -STOP "$REDIS_PID"
		FROZEN=$REDIS_PID
	fi
	POLLER=
	if [ "$scen" = file-polled ]; then
		# One long-lived client, as a scraper is: a process per poll would
		# measure fork and exec on these two cores, not the daemon.
		python3 -c '
import socket, sys, time
path, n, spent = sys.argv[1], 0, 0.0
end = time.time() + float(sys.argv[2])
while time.time() < end:
    s = socket.socket(socket.AF_UNIX)
    t = time.time()
    try:
        s.connect(path); s.sendall(b"prometheus\n")
        while s.recv(65536): pass
        n += 1; spent += time.time() - t
    except OSError:
        pass
    s.close(); time.sleep(0.1)
print("polls=%d poll_us=%.0f" % (n, spent / max(n, 1) * 1e6))' "$W/ctl.sock" "$((DURATION + WARMUP + 1))" > "$W/poller.out" 2>&1 &
		POLLER=$!
	fi
	out=$($LG -c "$conc" -i "$idle" -P "$MPID" $args) || out="$out error=loadgen-exit"
	if [ -n "$POLLER" ]; then
		wait "$POLLER" 2>/dev/null
		out="$out $(tail -n 1 "$W/poller.out")"
	fi
	if [ -n "$FROZEN" ]; then
		kill -CONT "$FROZEN"
		FROZEN=
	fi
	milter_stop
	scen=$prefix$scen
	echo "run scenario=$scen rep=$rep $out" >> "$RAW"
	log "$scen rep=$rep conc=$conc idle=$idle: $(echo "$out" | grep -o 'sessions_per_s=[^ ]*') $(echo "$out" | grep -o 'rcpt_p99_us=[^ ]*') $(echo "$out" | grep -o 'rcpt_4xx=[^ ]*') $(echo "$out" | grep -o 'data_2xx=[^ ]*')"
}

# ----------------------------------------------------- the interleaved runs --
rep=1
while [ $rep -le "$REPS" ]; do
	for conc in $CONCS; do
		# Even repetitions run the scenarios in reverse, so that a drift
		# over the run does not always favour the row measured first.
		order=$SCENARIOS
		[ $((rep % 2)) = 1 ] || order=$(echo "$SCENARIOS" | tr ' ' '\n' | sed '1!G;h;$!d' | tr '\n' ' ')
		# (run_one sets $scen: the loop variable is another name)
		for sc in $order; do
			base=
			case " $RG_BASELINE_SCENARIOS " in
			*" $sc "*) [ -z "$RG_BASELINE" ] || base=base-$sc ;;
			esac
			if [ -n "$base" ] && [ $((rep % 2)) = 1 ]; then
				run_one "$base" "$rep" "$conc" 0
				run_one "$sc" "$rep" "$conc" 0
			elif [ -n "$base" ]; then
				run_one "$sc" "$rep" "$conc" 0
				run_one "$base" "$rep" "$conc" 0
			else
				run_one "$sc" "$rep" "$conc" 0
			fi
		done
	done
	# The idle row: IDLE sessions parked after MAIL while 10 run.
	for scen in null file ldap-warm; do
		case " $SCENARIOS " in *" $scen "*) run_one "$scen" "$rep" 10 "$IDLE" ;; esac
	done
	# Scale: the cache off, so every RCPT is one search; 1,000 vs 100,000 users.
	if [ "$SCALE" = 1 ]; then
		for scen in scale-1k scale-100k; do
			run_one "$scen" "$rep" 10 0
		done
	fi
	rep=$((rep + 1))
done

# The memory row: fill the cache with USERS entries, then hold IDLE open.
if [ $HAVE_LDAP = 1 ] && [ "$SCALE" = 1 ]; then
	milter_start ldap
	log "memory row: filling the cache with $USERS entries"
	$B/loadgen -s "$SOCK" -k 5 -c 10 -w 0 -U -d 600 -r 'user%n@example.edu' -u "1:$USERS" \
	    -P "$MPID" > "$W/fill.out" || :
	out=$($LG -c 10 -i "$IDLE" -P "$MPID" $WARM_RCPTS) || out="$out error=loadgen-exit"
	milter_stop
	echo "run scenario=memory rep=1 cache_filled_rcpts=$(sed -n 's/.* rcpts=\([0-9]*\).*/\1/p' "$W/fill.out") $out" >> "$RAW"
	log "memory: $(echo "$out" | grep -o 'milter_rss_peak_kib=[^ ]*')"
fi

# ------------------------------------------------------ the matchers -------
log "matcher micro-benchmark"
"$B/micro_match" | sed 's/^/micro /' >> "$RAW"

# ------------------------------------------------------ through Postfix ----
if [ "$POSTFIX" = 1 ]; then
	if [ $HAVE_LDAP = 1 ] && [ -f "$top_srcdir/tests/mta/lib-postfix.sh" ]; then
		log "through Postfix"
		RELAYGUARD=$RELAYGUARD RG_BASELINE=$RG_BASELINE B=$B W=$W REPS=$REPS LDAP_PORT=$LDAP_PORT \
		    RG_CONF_LDAP="$W/ldap.conf" MPORT=$MPORT top_srcdir=$top_srcdir \
		    top_builddir=$top_builddir \
		    bash "$top_srcdir/bench/postfix.sh" >> "$RAW" 2>"$W/postfix-bench.log" ||
		    { echo "missing rows=postfix reason=\"bench/postfix.sh failed: $(tail -n 1 "$W/postfix-bench.log" | tr -d '"')\"" >> "$RAW"; cat "$W/postfix-bench.log" >&2; }
	else
		echo "missing rows=postfix reason=\"needs the LDAP backend and tests/mta/lib-postfix.sh\"" >> "$RAW"
	fi
fi

log "report"
sh "$top_srcdir/bench/report.sh" "$RAW" | tee "$RESULTS/latest.md"
cp "$RAW" "$RESULTS/latest.txt"
if command -v gnuplot >/dev/null 2>&1; then
	sh "$top_srcdir/bench/plot.sh" "$RAW" "$RESULTS/latest.png" 2>/dev/null ||
	    log "plot failed (gnuplot)"
fi
