# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/redis/lib-redis.sh - private redis-servers for the tests.  Sourced
# after tests/lib.sh or tests/mta/lib.sh.  Each server listens only on a
# unix socket in its own directory (port 0: no TCP at all), keeps nothing
# on disk, and is stopped on exit; a system redis-server, if any, is
# never touched.
# Skips the test (77) when there is no redis-server.

REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || true)}
REDIS_CLI=$(command -v redis-cli || true)
if [ -z "$REDIS_SERVER" ] || [ ! -x "$REDIS_SERVER" ] || [ -z "$REDIS_CLI" ]; then
	echo "SKIP: redis-server or redis-cli not found (Debian: apt-get install redis-server)"
	exit 77
fi

# Where the servers live: REDIS_ROOT, else tests/lib.sh's $T, else the MTA
# harness's $W.  A started server is stopped by whichever harness is in
# use (tests/lib.sh's PIDS, or tests/mta/lib.sh's mta_track); either way
# the caller must run redis_thaw_all first on exit, because a SIGSTOPped
# server ignores SIGTERM until it is continued.
REDIS_PIDS=""
redis_thaw_all() {
	local p
	for p in $REDIS_PIDS; do kill -CONT "$p" 2>/dev/null; done
	return 0
}
redis_track() {
	REDIS_PIDS="$REDIS_PIDS $1"
	if declare -F mta_track >/dev/null; then mta_track "$1"; else PIDS="$PIDS $1"; fi
}
redis_root() { echo "${REDIS_ROOT:-${T:-$W}}"; }

redis_dir() { echo "$(redis_root)/redis-$1"; }
redis_sock() { echo "$(redis_dir "$1")/redis.sock"; }
redis_pid() { cat "$(redis_dir "$1")/pid"; }

# redis_cli NAME ARGS...: redis-cli on NAME's socket (password from its dir).
redis_cli() {
	local d
	d=$(redis_dir "$1")
	shift
	if [ -f "$d/password" ]; then
		REDISCLI_AUTH=$(cat "$d/password") "$REDIS_CLI" -s "$d/redis.sock" "$@"
	else
		"$REDIS_CLI" -s "$d/redis.sock" "$@"
	fi
}

# redis_start NAME [PASSWORD [PORT]]: start (or restart) server NAME; waits
# for PONG.  With PORT it also listens on 127.0.0.1:PORT.
redis_start() {
	local name=$1 pw=${2-} port=${3:-0} d pid i=0
	d=$(redis_dir "$name")
	mkdir -p "$d"
	[ -z "$pw" ] || printf '%s' "$pw" >"$d/password"
	cat >"$d/redis.conf" <<CONF
port $port
bind 127.0.0.1
unixsocket $d/redis.sock
unixsocketperm 700
dir $d
daemonize no
save ""
appendonly no
logfile $d/redis.log
databases 1
CONF
	[ -z "$pw" ] || echo "requirepass $pw" >>"$d/redis.conf"
	rm -f "$d/redis.sock"
	"$REDIS_SERVER" "$d/redis.conf" &
	pid=$!
	echo "$pid" >"$d/pid"
	redis_track "$pid"
	while [ $i -lt 100 ]; do
		[ -S "$d/redis.sock" ] && [ "$(redis_cli "$name" PING 2>/dev/null)" = PONG ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "redis-server $name did not start:"
	cat "$d/redis.log"
	exit 1
}

# redis_stop NAME: stop it and wait until it is gone.
redis_stop() {
	local pid
	pid=$(redis_pid "$1")
	kill -CONT "$pid" 2>/dev/null
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$(redis_sock "$1")"
}

redis_freeze() { kill -STOP "$(redis_pid "$1")"; }
redis_thaw() { kill -CONT "$(redis_pid "$1")"; }
