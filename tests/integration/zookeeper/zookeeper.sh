#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Test harness: one private, standalone ZooKeeper (Debian's jars) for the integration tests.
#
# Usage:
#   zookeeper.sh up    STATE_DIR   write zoo.cfg (free port on 127.0.0.1), start, wait for imok
#   zookeeper.sh stop  STATE_DIR   stop the server we started (data and port kept)
#   zookeeper.sh start STATE_DIR   start it again on the same port with the same data
#   zookeeper.sh pause STATE_DIR   SIGSTOP it (a server that hangs: sessions expire meanwhile)
#   zookeeper.sh resume STATE_DIR  SIGCONT it
#   zookeeper.sh down  STATE_DIR   stop it and remove the data
#
# STATE_DIR must be an absolute path. It holds zoo.cfg, data/, zookeeper.log, port (the client
# port) and pid. Only the pid in STATE_DIR/pid is ever signalled, and only while its command
# line still names this STATE_DIR's zoo.cfg.
set -euo pipefail

JAVA=/usr/bin/java
ZK_JAR=/usr/share/java/zookeeper.jar
# The JVM starts slowly on a busy machine; bounded anyway.
UP_TIMEOUT=60
STOP_TIMEOUT=20

export PATH=/usr/sbin:/usr/bin:/sbin:/bin

log() { echo "zookeeper.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '/^# Usage:/,/^# STATE_DIR must/p' "$0" | sed -e 's/^# \{0,1\}//' -e '$d' >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
STATE_DIR=$2
case "$STATE_DIR" in /*) ;; *) die "STATE_DIR must be absolute: $STATE_DIR" ;; esac
CFG="$STATE_DIR/zoo.cfg"

# A TCP port on 127.0.0.1 nobody listens on (python3 binds port 0).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Prints the answer of a four-letter word ("ruok" → "imok"), or nothing.
four_letters() {
    local port=$1 word=$2 answer=""
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
        printf '%s' "$word" >&3 || true
        answer=$(timeout 2 cat <&3 || true)
        exec 3>&- 3<&- || true
    fi
    printf '%s' "$answer"
}

# The pid we started, if it is still that ZooKeeper.
our_pid() {
    local pid
    [ -f "$STATE_DIR/pid" ] || return 0
    pid=$(<"$STATE_DIR/pid")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
    if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$CFG"; then
        echo "$pid"
    fi
}

write_config() {
    local port
    port=$(free_port)
    mkdir -p "$STATE_DIR/data"
    cat >"$CFG" <<CFG
tickTime=500
initLimit=10
syncLimit=5
dataDir=$STATE_DIR/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
# Short sessions so a test can see one expire; the client asks for its own within these bounds.
minSessionTimeout=1000
maxSessionTimeout=60000
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
CFG
    echo "$port" >"$STATE_DIR/port"
}

start_server() {
    local pid port
    [ -x "$JAVA" ] || die "$JAVA missing (install a Java runtime)"
    [ -f "$ZK_JAR" ] || die "$ZK_JAR missing (install zookeeper)"
    pid=$(our_pid)
    if [ -n "$pid" ]; then
        log "already running (pid $pid)"
        return 0
    fi
    port=$(<"$STATE_DIR/port")
    # The jar's manifest lists its dependencies; slf4j has no binding, so the server is quiet.
    setsid "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dzookeeper.admin.enableServer=false \
        -cp "$ZK_JAR" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CFG" \
        >>"$STATE_DIR/zookeeper.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$STATE_DIR/pid"
    local deadline=$((SECONDS + UP_TIMEOUT))
    while [ $SECONDS -lt $deadline ]; do
        if [ "$(four_letters "$port" ruok)" = "imok" ]; then
            log "up on 127.0.0.1:$port (pid $pid)"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$STATE_DIR/zookeeper.log" >&2 || true
            die "ZooKeeper exited during start-up"
        fi
        sleep 0.3
    done
    stop_server
    die "ZooKeeper did not answer ruok within ${UP_TIMEOUT}s"
}

stop_server() {
    local pid
    pid=$(our_pid)
    [ -n "$pid" ] || { rm -f "$STATE_DIR/pid"; return 0; }
    kill -CONT "$pid" 2>/dev/null || true # a paused server cannot handle SIGTERM
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIGTERM; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE_DIR/pid"
    log "stopped (pid $pid)"
}

case "$cmd" in
up)
    mkdir -p "$STATE_DIR"
    stop_server
    rm -rf "$STATE_DIR/data"
    write_config
    start_server
    ;;
start)
    [ -f "$CFG" ] || die "no $CFG: run up first"
    start_server
    ;;
stop) stop_server ;;
pause | resume)
    pid=$(our_pid)
    [ -n "$pid" ] || die "not running"
    if [ "$cmd" = pause ]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
    log "$cmd (pid $pid)"
    ;;
down)
    stop_server
    rm -rf "$STATE_DIR/data" "$STATE_DIR/zookeeper.log"
    ;;
*) usage ;;
esac
