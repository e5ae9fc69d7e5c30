#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Real-engine benchmarks, end to end, on a private dockerd (tests/integration/dockerd.sh):
#   1. a few hundred containers (most stopped, some running `sleep`);
#   2. bench_refresh: Opsdeck's full refresh against `docker ps -a -q` + `docker inspect`;
#   3. the engine's CPU (dockerd + its containerd, utime+stime from /proc/PID/stat) over
#      PHASE_SECONDS in three phases: (a) idle, no client; (b) bench_watch watching the host
#      the console's way (event stream, pings, no polling); (c) the peer, `docker stats`
#      streaming every running container. Prints "% of one core" and (b-a)/(c-a).
# Prints figures, never asserts on them. Every step runs under `timeout`, so the script stops
# by itself; the EXIT trap removes the containers and stops the engine.
#
# Usage: tests/bench/engine_cost.sh BUILD_DIR
#   env: OPSDECK_BENCH_STATE (default /tmp/odbench), BENCH_CONTAINERS (300),
#        BENCH_RUNNING (100), BENCH_PHASE_SECONDS (60), BENCH_ROUNDS (5)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DOCKERD_SH=$HERE/../integration/dockerd.sh
DOCKER=/usr/bin/docker # never /usr/local/bin/docker
IMAGE=opsdeck-test/busybox:1
STATE_DIR=${OPSDECK_BENCH_STATE:-/tmp/odbench}
CONTAINERS=${BENCH_CONTAINERS:-300}
RUNNING=${BENCH_RUNNING:-100}
PHASE_SECONDS=${BENCH_PHASE_SECONDS:-60}
ROUNDS=${BENCH_ROUNDS:-5}
# `docker create` takes ~0.4 s and `docker start` ~1.5 s here, mostly waiting on the engine:
# four at a time keeps both cores busy without making the engine thrash.
PARALLEL=4
CREATE_BUDGET=420 # seconds for all creates
START_BUDGET=300  # seconds for all starts
READY_TIMEOUT=120 # bench_watch's initial listing
STATS_WARMUP=2    # docker stats subscribes to every container first

log() { echo "engine_cost.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -eq 1 ] || { sed -n '/^# Usage:/,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd) || die "no such build dir: $1"
BENCH_REFRESH=$BUILD_DIR/tests/bench/bench_refresh
BENCH_WATCH=$BUILD_DIR/tests/bench/bench_watch
if [ ! -x "$BENCH_REFRESH" ] || [ ! -x "$BENCH_WATCH" ]; then
    die "build bench_refresh and bench_watch first (ninja -C $BUILD_DIR bench_refresh bench_watch)"
fi
case $STATE_DIR in /*) ;; *) die "OPSDECK_BENCH_STATE must be an absolute path" ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (dockerd.sh)"

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
export DOCKER_CONFIG=$STATE_DIR/.docker-config
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/odbench-run.XXXXXX)
BG_PIDS=() # background `timeout` wrappers we started; TERM reaches their child
ENGINE_UP=0
SOCK=""

remove_bench_containers() {
    [ -n "$SOCK" ] && [ -S "$SOCK" ] || return 0
    timeout 20 "$DOCKER" -H "unix://$SOCK" ps -aq --filter label=opsdeck.bench=1 2>/dev/null |
        timeout 180 xargs -r -P "$PARALLEL" -n 25 timeout 90 "$DOCKER" -H "unix://$SOCK" rm -f -v \
            >/dev/null 2>&1 || true
}

cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do
        if kill -0 "$p" 2>/dev/null; then kill -TERM "$p" 2>/dev/null || true; fi
    done
    for p in "${BG_PIDS[@]+"${BG_PIDS[@]}"}"; do wait "$p" 2>/dev/null || true; done
    if [ "$ENGINE_UP" = 1 ]; then
        log "cleaning up: removing the bench containers, stopping the engine"
        remove_bench_containers
        timeout 180 "$DOCKERD_SH" down "$STATE_DIR" || log "warning: dockerd.sh down failed"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

dk() { timeout 120 "$DOCKER" -H "unix://$SOCK" "$@"; }

# ticks PID...: utime+stime (fields 14 and 15 of /proc/PID/stat) summed over PIDs, read in
# one pass: forking per pid takes seconds for 100 shims on a loaded 2-core machine.
ticks() {
    local files=() p
    for p in "$@"; do files+=("/proc/$p/stat"); done
    [ ${#files[@]} -gt 0 ] || { echo 0; return; }
    # After the last ") " (comm may hold spaces) field 1 is state: utime is $12, stime $13.
    cat "${files[@]}" 2>/dev/null | awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# percent TICKS US: CPU ticks over a wall-clock span, as % of one core.
percent() { awk -v t="$1" -v us="$2" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", 100 * t / hz / (us / 1e6) }'; }

# window SECONDS [CLIENT_PID]: engine, shim and client ticks over SECONDS; sets W_ENGINE,
# W_SHIMS, W_CLIENT (ticks; W_CLIENT empty when the client did not live through it) and
# W_US (the span the engine was measured over).
window() {
    local secs=$1 client=() e0 h0 c0 t0
    [ -z "${2:-}" ] || client=("$2")
    c0=$(ticks "${client[@]+"${client[@]}"}")
    h0=$(ticks "${SHIM_PIDS[@]+"${SHIM_PIDS[@]}"}")
    e0=$(ticks "${ENGINE_PIDS[@]}"); t0=$(now_us)
    sleep "$secs"
    W_ENGINE=$(($(ticks "${ENGINE_PIDS[@]}") - e0)); W_US=$(($(now_us) - t0))
    W_SHIMS=$(($(ticks "${SHIM_PIDS[@]+"${SHIM_PIDS[@]}"}") - h0))
    W_CLIENT=$(($(ticks "${client[@]+"${client[@]}"}") - c0))
    if [ ${#client[@]} -gt 0 ] && ! kill -0 "${client[0]}" 2>/dev/null; then W_CLIENT=""; fi
}

# client_percent: W_CLIENT as % of one core, or n/a.
client_percent() { if [ -n "$W_CLIENT" ]; then percent "$W_CLIENT" "$W_US"; else echo "n/a (ended early)"; fi; }

# child_of PID: the (first) child of a `timeout` wrapper.
child_of() { ps -o pid= --ppid "$1" 2>/dev/null | head -n 1 | tr -d ' '; }

# -------------------------------------------------------------------- engine ---

SETUP_T0=$SECONDS
log "starting a private dockerd in $STATE_DIR"
ENGINE_UP=1
timeout 240 "$DOCKERD_SH" up "$STATE_DIR" 1
SOCK=$(sed -n 's/^HOST1_SOCK=//p' "$STATE_DIR/hosts.env")
DOCKERD_PID=$(sed -n 's/^HOST1_PID=//p' "$STATE_DIR/hosts.env")
if [ ! -S "$SOCK" ] || [ -z "$DOCKERD_PID" ]; then die "dockerd.sh up wrote no socket/pid"; fi
CONTAINERD_PID=$(ps -o pid=,comm= --ppid "$DOCKERD_PID" | awk '$2 == "containerd" { print $1; exit }')
[ -n "$CONTAINERD_PID" ] || die "no containerd child under dockerd $DOCKERD_PID"
ENGINE_PIDS=("$DOCKERD_PID" "$CONTAINERD_PID")
EXEC_ROOT=$(dirname "$SOCK")/exec
UP_SECONDS=$((SECONDS - SETUP_T0))

# A reused engine may still hold containers from an interrupted run.
remove_bench_containers

log "creating $CONTAINERS containers ($PARALLEL at a time)"
T0=$SECONDS
seq -f 'odbench-%04g' 1 "$CONTAINERS" |
    timeout "$CREATE_BUDGET" xargs -P "$PARALLEL" -I '{}' \
        timeout 60 "$DOCKER" -H "unix://$SOCK" create --name '{}' --network none \
        --label opsdeck.bench=1 "$IMAGE" sleep 100000 >/dev/null ||
    die "creating the containers failed or took over ${CREATE_BUDGET}s"
CREATE_SECONDS=$((SECONDS - T0))

log "starting $RUNNING of them"
T0=$SECONDS
seq -f 'odbench-%04g' 1 "$RUNNING" |
    timeout "$START_BUDGET" xargs -P "$PARALLEL" -n 5 \
        timeout 120 "$DOCKER" -H "unix://$SOCK" start >/dev/null ||
    die "starting the containers failed or took over ${START_BUDGET}s"
START_SECONDS=$((SECONDS - T0))
SETUP_SECONDS=$((SECONDS - SETUP_T0))

TOTAL=$(dk ps -aq | wc -l)
LIVE=$(dk ps -q | wc -l)
# The shims of our containers (children of init, not of containerd): shown apart.
mapfile -t SHIM_PIDS < <(ps -eo pid=,comm=,args= |
    awk -v a="-address $EXEC_ROOT/containerd/containerd.sock" \
        '$2 == "containerd-shim" && index($0 " ", " " a " ") { print $1 }')

echo "bench: engine cost"
echo "engine: $(dk version -f '{{.Server.Version}}')"
echo "dockerd pid: $DOCKERD_PID"
echo "containerd pid: $CONTAINERD_PID"
echo "containers: $TOTAL"
echo "running: $LIVE"
echo "shims: ${#SHIM_PIDS[@]}"
echo "setup engine up s: $UP_SECONDS"
echo "setup create s: $CREATE_SECONDS"
echo "setup start s: $START_SECONDS"
echo "setup total s: $SETUP_SECONDS"

# ------------------------------------------------------------------- refresh ---

log "bench_refresh, $ROUNDS rounds"
timeout 600 "$BENCH_REFRESH" --socket "$SOCK" --rounds "$ROUNDS" || die "bench_refresh failed"

# ----------------------------------------------------------------------- CPU ---

sleep 5 # let the engine settle after the refresh rounds

log "phase a: idle, ${PHASE_SECONDS}s"
window "$PHASE_SECONDS"
IDLE_PCT=$(percent "$W_ENGINE" "$W_US")
IDLE_SHIMS_PCT=$(percent "$W_SHIMS" "$W_US")
IDLE_TICKS=$W_ENGINE

log "phase b: bench_watch, ${PHASE_SECONDS}s after its initial listing"
timeout $((PHASE_SECONDS + READY_TIMEOUT + 60)) "$BENCH_WATCH" --socket "$SOCK" \
    --seconds $((PHASE_SECONDS + 20)) >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_TIMEOUT_PID=$!
BG_PIDS+=("$WATCH_TIMEOUT_PID")
WATCH_T0=$(now_us)
WATCH_E0=$(ticks "${ENGINE_PIDS[@]}")
deadline=$((SECONDS + READY_TIMEOUT))
until grep -q '^ready ms:' "$WORK/watch.out"; do
    kill -0 "$WATCH_TIMEOUT_PID" 2>/dev/null || { cat "$WORK/watch.err" >&2; die "bench_watch ended before it was ready"; }
    [ $SECONDS -lt $deadline ] || die "bench_watch not ready within ${READY_TIMEOUT}s"
    sleep 0.05
done
LISTING_TICKS=$(($(ticks "${ENGINE_PIDS[@]}") - WATCH_E0))
LISTING_US=$(($(now_us) - WATCH_T0))
WATCH_PID=$(child_of "$WATCH_TIMEOUT_PID")
window "$PHASE_SECONDS" "$WATCH_PID"
[ -n "$W_CLIENT" ] || log "warning: bench_watch ended inside the window: phase b is short of a watcher"
WATCH_PCT=$(percent "$W_ENGINE" "$W_US")
WATCH_SHIMS_PCT=$(percent "$W_SHIMS" "$W_US")
WATCH_CLIENT_PCT=$(client_percent)
WATCH_TICKS=$W_ENGINE
wait "$WATCH_TIMEOUT_PID" || die "bench_watch failed: $(cat "$WORK/watch.err")"
BG_PIDS=()
sed 's/^/watch /' "$WORK/watch.out"
[ ! -s "$WORK/watch.err" ] || sed 's/^/bench_watch stderr: /' "$WORK/watch.err" >&2

log "phase c: docker stats (streaming, every running container), ${PHASE_SECONDS}s"
timeout $((PHASE_SECONDS + STATS_WARMUP + 30)) "$DOCKER" -H "unix://$SOCK" stats >/dev/null 2>"$WORK/stats.err" &
STATS_TIMEOUT_PID=$!
BG_PIDS+=("$STATS_TIMEOUT_PID")
sleep "$STATS_WARMUP"
STATS_PID=$(child_of "$STATS_TIMEOUT_PID")
kill -0 "$STATS_PID" 2>/dev/null || die "docker stats ended early: $(cat "$WORK/stats.err")"
window "$PHASE_SECONDS" "$STATS_PID"
[ -n "$W_CLIENT" ] || log "warning: docker stats ended inside the window"
STATS_PCT=$(percent "$W_ENGINE" "$W_US")
STATS_SHIMS_PCT=$(percent "$W_SHIMS" "$W_US")
STATS_CLIENT_PCT=$(client_percent)
STATS_TICKS=$W_ENGINE
kill -TERM "$STATS_TIMEOUT_PID" 2>/dev/null || true
wait "$STATS_TIMEOUT_PID" 2>/dev/null || true
BG_PIDS=()

echo "clock ticks per s: $CLK_TCK"
echo "phase s: $PHASE_SECONDS"
echo "engine = dockerd + containerd, % of one core"
echo "engine cpu a idle %: $IDLE_PCT"
echo "engine cpu b opsdeck watch %: $WATCH_PCT"
echo "engine cpu c docker stats %: $STATS_PCT"
echo "engine ticks a/b/c: $IDLE_TICKS/$WATCH_TICKS/$STATS_TICKS"
echo "engine cpu opsdeck initial listing ticks: $LISTING_TICKS"
echo "opsdeck initial listing ms: $((LISTING_US / 1000))"
echo "shims cpu a idle %: $IDLE_SHIMS_PCT"
echo "shims cpu b opsdeck watch %: $WATCH_SHIMS_PCT"
echo "shims cpu c docker stats %: $STATS_SHIMS_PCT"
echo "client cpu b bench_watch %: $WATCH_CLIENT_PCT"
echo "client cpu c docker stats %: $STATS_CLIENT_PCT"
awk -v a="$IDLE_PCT" -v b="$WATCH_PCT" -v c="$STATS_PCT" 'BEGIN {
    if (c - a > 0) printf "ratio (b-a)/(c-a): %.3f\n", (b - a) / (c - a)
    else print "ratio (b-a)/(c-a): n/a (docker stats cost nothing above idle)"
}'
echo "total s: $SECONDS"
