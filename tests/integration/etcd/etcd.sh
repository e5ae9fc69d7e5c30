#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Test harness: one private, throw-away etcd member for Opsdeck's integration tests, on free
# 127.0.0.1 ports with its own data dir.
#
# Usage:
#   etcd.sh up     STATE_DIR   start etcd (client + peer port picked free), wait until healthy,
#                              write STATE_DIR/etcd.env (ETCD_URL, ETCD_PORT, ETCD_PEER_PORT,
#                              ETCD_PID)
#   etcd.sh stop   STATE_DIR   stop it (SIGTERM, then SIGKILL), keep ports and data
#   etcd.sh start  STATE_DIR   start it again on the same ports and data
#   etcd.sh auth   STATE_DIR PASSWORD   add user root with PASSWORD (root role) and enable auth
#   etcd.sh noauth STATE_DIR PASSWORD   disable auth again (as root)
#   etcd.sh down   STATE_DIR   stop it and remove the data
#
# Only the pid recorded in STATE_DIR/etcd.pid is ever signalled, and only when its command
# line names our data dir.
set -euo pipefail

ETCD=/usr/bin/etcd
ETCDCTL=/usr/bin/etcdctl
UP_TIMEOUT=30
STOP_TIMEOUT=15

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export ETCDCTL_API=3
unset ETCDCTL_ENDPOINTS ETCDCTL_USER ETCDCTL_PASSWORD

log() { echo "etcd.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -ge 2 ] || { sed -n '/^# Usage:/,/^# Only/p' "$0" | sed -e 's/^# \{0,1\}//' -e '$d' >&2; exit 2; }
cmd=$1
STATE_DIR=$2
case $STATE_DIR in /*) ;; *) die "STATE_DIR must be absolute" ;; esac
DATA_DIR=$STATE_DIR/data
ENV_FILE=$STATE_DIR/etcd.env
PID_FILE=$STATE_DIR/etcd.pid

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

our_pid() {
    local pid
    [ -f "$PID_FILE" ] || return 0
    pid=$(tr -dc '0-9' <"$PID_FILE" || true)
    [ -n "$pid" ] || return 0
    case " $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true) " in
        *" --data-dir $DATA_DIR "*) echo "$pid" ;;
    esac
}

value() { sed -n "s/^$1=//p" "$ENV_FILE"; }

ctl() { "$ETCDCTL" --endpoints="$(value ETCD_URL)" --dial-timeout=3s --command-timeout=5s "$@"; }

launch() {
    local port=$1 peer=$2
    mkdir -p "$DATA_DIR"
    # setsid: the member outlives this script; only `stop`/`down` end it, by pid.
    setsid "$ETCD" --name opsdeck-test --data-dir "$DATA_DIR" \
        --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
        --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
        --initial-cluster "opsdeck-test=http://127.0.0.1:$peer" --initial-cluster-state new \
        --initial-cluster-token "opsdeck-test-$$" \
        >>"$STATE_DIR/etcd.log" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    cat >"$ENV_FILE" <<ENV
ETCD_URL=http://127.0.0.1:$port
ETCD_PORT=$port
ETCD_PEER_PORT=$peer
ETCD_PID=$!
ENV
    local deadline=$((SECONDS + UP_TIMEOUT))
    until ctl endpoint health >/dev/null 2>&1; do
        [ -n "$(our_pid)" ] || { tail -20 "$STATE_DIR/etcd.log" >&2; die "etcd exited"; }
        [ $SECONDS -lt $deadline ] || { tail -20 "$STATE_DIR/etcd.log" >&2; die "etcd not healthy after ${UP_TIMEOUT}s"; }
        sleep 0.2
    done
    log "etcd up on 127.0.0.1:$port (pid $(cat "$PID_FILE"))"
}

stop_member() {
    local pid
    pid=$(our_pid)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then kill -KILL "$pid" 2>/dev/null || true; fi
        sleep 0.1
    done
    log "etcd (pid $pid) stopped"
}

case $cmd in
up)
    [ -x "$ETCD" ] || die "$ETCD missing (Debian package etcd-server)"
    mkdir -p "$STATE_DIR"
    stop_member
    rm -rf "$DATA_DIR"
    launch "$(free_port)" "$(free_port)"
    ;;
start)
    [ -f "$ENV_FILE" ] || die "not set up: run up first"
    [ -z "$(our_pid)" ] || exit 0
    launch "$(value ETCD_PORT)" "$(value ETCD_PEER_PORT)"
    ;;
stop)
    stop_member
    ;;
auth)
    password=${3:?password}
    ctl role add root >/dev/null 2>&1 || true
    ctl user add root --new-user-password="$password" >/dev/null
    ctl user grant-role root root >/dev/null
    ctl auth enable >/dev/null
    ;;
noauth)
    password=${3:?password}
    ctl --user "root:$password" auth disable >/dev/null
    ctl user delete root >/dev/null 2>&1 || true
    ;;
down)
    stop_member
    rm -rf "$DATA_DIR" "$PID_FILE"
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
