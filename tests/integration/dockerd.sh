#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Test harness that starts and stops private, throw-away Docker engines for
# Opsdeck's integration tests. Every engine is a separate dockerd (with its own
# containerd) that has its own data-root, exec-root, pidfile, unix socket and a
# TCP listener on 127.0.0.1. No images are pulled: a busybox rootfs is imported.
#
# Usage:
#   dockerd.sh up       STATE_DIR [N] [--tls K]
#                                      start (or reuse) hosts host1..hostN (default 2),
#                                      import opsdeck-test/busybox:1 and :2, write
#                                      STATE_DIR/hosts.env. With --tls K, host K's TCP
#                                      listener requires TLS with client certificates
#                                      (--tlsverify); its client files are in
#                                      HOSTK_TLS_DIR (ca.pem, cert.pem, key.pem, and
#                                      rogue-*.pem signed by another CA).
#   dockerd.sh scenario STATE_DIR      (re)create the test containers on host1/host2
#   dockerd.sh kill     STATE_DIR K    SIGKILL host K's dockerd (simulated crash)
#   dockerd.sh start    STATE_DIR K    (re)start host K with the same dirs and TCP port
#   dockerd.sh down     STATE_DIR      remove containers, stop all hosts, clean up
#
# STATE_DIR must be an absolute path. Layout:
#   STATE_DIR/hosts.env               HOSTS=N, HOSTk_SOCK, HOSTk_TCP, HOSTk_PID[, HOSTk_TLS_DIR]
#   STATE_DIR/tls/                    test CA, server and client certificates (openssl)
#   STATE_DIR/busybox-rootfs-{1,2}.tar imported rootfs for :1 and :2 (built once)
#   STATE_DIR/webdata/                bind-mounted into the `web` scenario container
#   STATE_DIR/hostK/{data,dockerd.pid,dockerd.log,daemon.json,port,shortdir}
#   /tmp/odk-XXXXXX/{exec,docker.sock,owner}   short dir (unix socket paths are
#                                      limited to 108 bytes); hostK/shortdir records
#                                      the mapping, /tmp/odk-XXXXXX/owner points back.
#
# Only processes whose command line names one of our data-roots/exec-roots are
# ever signalled, and always by pid.
set -euo pipefail

DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
BUSYBOX=/bin/busybox
IMAGE_REPO=opsdeck-test/busybox
BUSYBOX_APPLETS=(sh sleep echo nc httpd true false cat ls wget env kill date printf test '[')
UP_TIMEOUT=60
STOP_TIMEOUT=20
SCENARIO_TIMEOUT=30

# Keep the engines and the client independent of the caller's environment.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

log() { echo "dockerd.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '/^# Usage:/,/^# STATE_DIR must/p' "$0" | sed -e 's/^# \{0,1\}//' -e '$d' >&2
    exit 2
}

# ---------------------------------------------------------------- helpers --

hostdir()  { echo "$STATE_DIR/host$1"; }
datadir()  { echo "$STATE_DIR/host$1/data"; }
pidfile()  { echo "$STATE_DIR/host$1/dockerd.pid"; }
# Short dir of host K ("" if none recorded or it vanished).
shortdir() {
    local f d
    f="$(hostdir "$1")/shortdir"
    [ -f "$f" ] || return 0
    d=$(<"$f")
    if [ -n "$d" ] && [ -d "$d" ]; then echo "$d"; fi
}
sockpath() { local s; s=$(shortdir "$1"); if [ -n "$s" ]; then echo "$s/docker.sock"; fi; }

dk() { # dk K args...  -> docker client on host K's unix socket
    local k=$1; shift
    "$DOCKER" -H "unix://$(sockpath "$k")" "$@"
}

dkt() { # like dk, but gives up after 10 s (wedged engine)
    local k=$1; shift
    timeout 10 "$DOCKER" -H "unix://$(sockpath "$k")" "$@"
}

cmdline_of() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }

# dockerd_pid K: pid of host K's live dockerd (from its pidfile), or nothing.
dockerd_pid() {
    local f pid
    f=$(pidfile "$1")
    [ -f "$f" ] || return 0
    pid=$(tr -dc '0-9' <"$f" || true)
    [ -n "$pid" ] || return 0
    [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" = dockerd ] || return 0
    case " $(cmdline_of "$pid") " in
        *" --data-root $(datadir "$1") "*) echo "$pid" ;;
    esac
}

# our_pids ROOT: pids of dockerd/containerd/shims whose command line names ROOT
# (a data-root or exec-root of ours, matched as a path prefix).
our_pids() {
    local root=$1 p comm
    [ -n "$root" ] || return 0
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" != $$ ] || continue
        { read -r comm <"/proc/$p/comm"; } 2>/dev/null || continue
        case $comm in dockerd|containerd*) ;; *) continue ;; esac
        case " $(cmdline_of "$p")" in
            *" $root "*|*" $root/"*|*"=$root "*|*"=$root/"*) echo "$p" ;;
        esac
    done
}

# descendants PID: all (transitive) children of PID.
descendants() {
    local pid=$1 c
    for c in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
        echo "$c"
        descendants "$c"
    done
}

# alive PID: process exists and is not a zombie (our engines are reparented to
# init once the launching shell is gone, and init may reap them late).
alive() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# reap_leftovers ROOT...: SIGKILL dockerd/containerd/shims (and the container
# processes below a shim) whose command line names one of ROOTs.
reap_leftovers() {
    local root p c pids=() victims=() i
    for root in "$@"; do
        for p in $(our_pids "$root"); do pids+=("$p"); done
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    local -A seen=()
    for p in "${pids[@]}"; do
        # container processes first (children of the shim), then the shim itself
        for c in $(descendants "$p") "$p"; do
            [ -z "${seen[$c]:-}" ] || continue
            seen[$c]=1
            victims+=("$c")
        done
    done
    log "killing leftover processes: ${victims[*]}"
    for p in "${victims[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    for i in $(seq 50); do
        local any=0
        for p in "${victims[@]}"; do if alive "$p"; then any=1; fi; done
        [ $any = 1 ] || break
        sleep 0.1
    done
}

# rm_container_cgroups DATA_ROOT: remove the (empty) cgroups of the containers
# of that engine; they stay behind when we had to SIGKILL shims + containers.
rm_container_cgroups() {
    local c
    [ -d "$1/containers" ] || return 0
    for c in "$1/containers"/*; do
        [ -d "$c" ] || continue
        rmdir /sys/fs/cgroup/*/docker/"${c##*/}" /sys/fs/cgroup/docker/"${c##*/}" 2>/dev/null || true
    done
}

# unmount_under DIR...: lazily unmount everything mounted at or below DIRs.
unmount_under() {
    local d m mounts=()
    for d in "$@"; do
        [ -n "$d" ] || continue
        while read -r m; do mounts+=("$m"); done < <(
            awk '{print $2}' /proc/self/mounts | while read -r m; do
                m=$(printf '%b' "$m") # decode \040 etc.
                case $m in "$d"|"$d"/*) echo "$m" ;; esac
            done)
    done
    [ ${#mounts[@]} -gt 0 ] || return 0
    # deepest first
    printf '%s\n' "${mounts[@]}" | awk '{print length, $0}' | sort -rn | cut -d' ' -f2- |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

# free_ports N: print N distinct currently-free TCP ports on 127.0.0.1.
free_ports() {
    local py
    py=$(command -v python3 || true)
    if [ -n "$py" ]; then
        "$py" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
EOF
    else
        local n=0 p used
        used=$(ss -Htan | awk '{print $4}' | sed 's/.*://' | sort -u)
        while [ $n -lt "$1" ]; do
            p=$((20000 + RANDOM % 40000))
            grep -qx "$p" <<<"$used" && continue
            used+=$'\n'"$p"; echo "$p"; n=$((n + 1))
        done
    fi
}

port_in_use() { [ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; }

write_hosts_env() {
    local n=$1 k tmp
    tmp="$STATE_DIR/hosts.env.tmp"
    {
        echo "HOSTS=$n"
        for k in $(seq "$n"); do
            echo "HOST${k}_SOCK=$(sockpath "$k")"
            echo "HOST${k}_TCP=tcp://127.0.0.1:$(cat "$(hostdir "$k")/port" 2>/dev/null || true)"
            echo "HOST${k}_PID=$(tr -dc '0-9' <"$(pidfile "$k")" 2>/dev/null || true)"
            if [ -f "$(hostdir "$k")/tls" ]; then echo "HOST${k}_TLS_DIR=$STATE_DIR/tls"; fi
        done
    } >"$tmp"
    mv -f "$tmp" "$STATE_DIR/hosts.env"
}

hosts_count() {
    local n=""
    if [ -f "$STATE_DIR/hosts.env" ]; then
        n=$(sed -n 's/^HOSTS=//p' "$STATE_DIR/hosts.env")
    fi
    echo "${n:-0}"
}

# Orphaned short dirs: /tmp/odk-*/owner pointing into STATE_DIR, but no longer
# recorded by that host (e.g. STATE_DIR was wiped while engines were running).
reap_orphan_shortdirs() {
    local o d owner
    for o in /tmp/odk-*/owner; do
        [ -f "$o" ] || continue
        d=${o%/owner}
        owner=$(<"$o")
        case $owner in "$STATE_DIR"/host*) ;; *) continue ;; esac
        if [ "$(cat "$owner/shortdir" 2>/dev/null || true)" = "$d" ]; then continue; fi
        log "cleaning orphaned $d (was $owner)"
        # the orphan's dockerd, containerd and shims all name $d/exec
        reap_leftovers "$d/exec"
        unmount_under "$d"
        # its mounts below the data-root, unless a live engine uses that root
        if [ -z "$(our_pids "$owner/data")" ]; then
            rm_container_cgroups "$owner/data"
            unmount_under "$owner/data"
        fi
        rm -rf "$d"
    done
}

# ------------------------------------------------------------ per host ----

# prepare_host K: make sure dirs exist, clean stale pieces left by a crash.
prepare_host() {
    local k=$1 hd sd
    hd=$(hostdir "$k")
    mkdir -p "$hd/data"
    sd=$(shortdir "$k")
    if [ -z "$sd" ]; then
        # a recorded short dir that vanished (e.g. /tmp was cleaned): reap what
        # still runs from it before replacing it
        local old=""
        [ ! -f "$hd/shortdir" ] || old=$(<"$hd/shortdir")
        if [ -n "$old" ]; then
            reap_leftovers "$old/exec"
            unmount_under "$old"
        fi
        sd=$(mktemp -d /tmp/odk-XXXXXX)
        echo "$hd" >"$sd/owner"
        echo "$sd" >"$hd/shortdir"
    fi
    mkdir -p "$sd/exec"
    [ -f "$hd/daemon.json" ] || echo '{}' >"$hd/daemon.json"
    # Stale dockerd/containerd/shims (and the containers below the shims) from
    # an earlier crash are killed. Without --live-restore a restarted dockerd
    # would kill those containers anyway, but only after SIGTERM + a 10 s stop
    # timeout each (sleep as pid 1 ignores SIGTERM); the end state is the same
    # (restart policies are applied), this is just faster.
    reap_leftovers "$sd/exec" "$hd/data"
    rm_container_cgroups "$hd/data"
    rm -f "$(pidfile "$k")" "$sd/exec/containerd/containerd.pid" "$sd/docker.sock"
}

# make_tls: a throw-away CA, a server certificate for 127.0.0.1, a client certificate, and a
# client certificate from another CA (for the tests that must be refused). Made once.
make_tls() {
    local d="$STATE_DIR/tls" name
    [ -s "$d/rogue-key.pem" ] && return 0
    rm -rf "$d" && mkdir -p "$d"
    (
        cd "$d"
        for name in ca rogue-ca; do
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=opsdeck test $name" \
                -keyout "$name-key.pem" -out "$name.pem" 2>/dev/null
        done
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem \
            -out server.csr 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
            -extfile server.ext -out server-cert.pem 2>/dev/null
        printf 'extendedKeyUsage=clientAuth\n' >client.ext
        openssl req -newkey rsa:2048 -nodes -subj "/CN=opsdeck" -keyout key.pem -out client.csr 2>/dev/null
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
            -extfile client.ext -out cert.pem 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=intruder" -keyout rogue-key.pem \
            -out rogue.csr 2>/dev/null
        openssl x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey rogue-ca-key.pem -CAcreateserial \
            -days 2 -extfile client.ext -out rogue-cert.pem 2>/dev/null
        rm -f ./*.csr ./*.ext ./*.srl
    ) || die "could not make the test certificates"
}

# launch_host K PORT: start dockerd for host K in the background (detached).
launch_host() {
    local k=$1 port=$2 hd sd tls=()
    hd=$(hostdir "$k")
    sd=$(shortdir "$k")
    if [ -f "$hd/tls" ]; then
        tls=(--tlsverify --tlscacert "$STATE_DIR/tls/ca.pem" --tlscert "$STATE_DIR/tls/server-cert.pem"
            --tlskey "$STATE_DIR/tls/server-key.pem")
    fi
    echo "$port" >"$hd/port"
    echo "---- $(date -Is) starting dockerd (tcp port $port)" >>"$hd/dockerd.log"
    setsid "$DOCKERD" \
        --config-file "$hd/daemon.json" \
        --data-root "$hd/data" \
        --exec-root "$sd/exec" \
        --pidfile "$(pidfile "$k")" \
        -H "unix://$sd/docker.sock" \
        -H "tcp://127.0.0.1:$port" "${tls[@]}" \
        --bridge=none --iptables=false --ip6tables=false \
        --userland-proxy=false \
        </dev/null >>"$hd/dockerd.log" 2>&1 9>&- &
    echo $! >"$hd/launcher.pid"
}

log_tail() {
    local k=$1
    log "---- host$k dockerd log (tail) ----"
    tail -n 30 "$(hostdir "$k")/dockerd.log" >&2 || true
}

# wait_hosts K...: wait until every given host answers `docker version`.
# Relaunches once on a new port if the TCP port turned out to be taken.
wait_hosts() {
    local deadline=$((SECONDS + UP_TIMEOUT)) pending=("$@") next k lp
    while [ ${#pending[@]} -gt 0 ]; do
        next=()
        for k in "${pending[@]}"; do
            if [ -S "$(sockpath "$k")" ] && timeout 5 "$DOCKER" -H "unix://$(sockpath "$k")" \
                version >/dev/null 2>&1; then
                log "host$k ready (pid $(dockerd_pid "$k"))"
                continue
            fi
            lp=$(cat "$(hostdir "$k")/launcher.pid" 2>/dev/null || true)
            if [ -n "$lp" ] && ! alive "$lp"; then
                if tail -n 5 "$(hostdir "$k")/dockerd.log" | grep -q 'address already in use' &&
                    [ ! -f "$(hostdir "$k")/port-retried" ]; then
                    touch "$(hostdir "$k")/port-retried"
                    log "host$k: TCP port taken, retrying on a new port"
                    prepare_host "$k"
                    launch_host "$k" "$(free_ports 1)"
                    next+=("$k"); continue
                fi
                log_tail "$k"
                die "host$k: dockerd exited during startup"
            fi
            next+=("$k")
        done
        pending=("${next[@]+"${next[@]}"}")
        [ ${#pending[@]} -gt 0 ] || break
        if [ $SECONDS -ge $deadline ]; then
            for k in "${pending[@]}"; do log_tail "$k"; done
            die "timeout (${UP_TIMEOUT}s) waiting for host(s) ${pending[*]}"
        fi
        sleep 0.1
    done
    for k in "$@"; do rm -f "$(hostdir "$k")/port-retried"; done
}

# build_rootfs_tars: STATE_DIR/busybox-rootfs-{1,2}.tar (built once). Both hold
# bin/busybox plus applet symlinks; they differ only in /etc/opsdeck-image-version
# so that opsdeck-test/busybox:1 and :2 are distinct images (rollout tests)
# without extra labels or env vars showing up in the containers' config.
build_rootfs_tars() {
    local tmp a v
    [ -s "$STATE_DIR/busybox-rootfs-1.tar" ] && [ -s "$STATE_DIR/busybox-rootfs-2.tar" ] && return 0
    log "building busybox rootfs tars"
    tmp=$(mktemp -d "$STATE_DIR/.rootfs.XXXXXX")
    mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/etc" "$tmp/rootfs/tmp" "$tmp/rootfs/data"
    chmod 1777 "$tmp/rootfs/tmp"
    cp "$BUSYBOX" "$tmp/rootfs/bin/busybox"
    for a in "${BUSYBOX_APPLETS[@]}"; do ln -s busybox "$tmp/rootfs/bin/$a"; done
    for v in 1 2; do
        echo "$v" >"$tmp/rootfs/etc/opsdeck-image-version"
        tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$tmp/rootfs" -cf "$tmp/$v.tar" .
        mv -f "$tmp/$v.tar" "$STATE_DIR/busybox-rootfs-$v.tar"
    done
    rm -rf "$tmp"
}

# import_images K: import opsdeck-test/busybox:1 and :2 on host K (if missing).
import_images() {
    local k=$1 v
    for v in 1 2; do
        dk "$k" image inspect "$IMAGE_REPO:$v" >/dev/null 2>&1 && continue
        dk "$k" import --change 'CMD ["sh"]' \
            "$STATE_DIR/busybox-rootfs-$v.tar" "$IMAGE_REPO:$v" >/dev/null
    done
}

# stop_host K: remove containers, stop dockerd, reap leftovers, unmount, delete.
stop_host() {
    local k=$1 hd sd pid i ids
    hd=$(hostdir "$k")
    sd=$(shortdir "$k")
    pid=$(dockerd_pid "$k")
    if [ -n "$pid" ] && [ -n "$sd" ] && [ -S "$sd/docker.sock" ]; then
        ids=$(timeout 10 "$DOCKER" -H "unix://$sd/docker.sock" ps -aq 2>/dev/null || true)
        if [ -n "$ids" ]; then
            # shellcheck disable=SC2086
            timeout 20 "$DOCKER" -H "unix://$sd/docker.sock" rm -f -v $ids >/dev/null 2>&1 || true
        fi
    fi
    if [ -n "$pid" ]; then
        log "host$k: stopping dockerd (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq $((STOP_TIMEOUT * 10))); do
            alive "$pid" || break
            sleep 0.1
        done
        if alive "$pid"; then
            log "host$k: dockerd did not stop in ${STOP_TIMEOUT}s, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
        fi
    fi
    reap_leftovers ${sd:+"$sd/exec"} "$hd/data"
    rm_container_cgroups "$hd/data"
    unmount_under "$hd" ${sd:+"$sd"}
    rm -rf "$hd"
    [ -z "$sd" ] || rm -rf "$sd"
}

# ------------------------------------------------------------ commands ----

cmd_up() {
    local n=${1:-2} tlshost=${2:-} k start=$SECONDS ports=() tolaunch=() i pids=() extra
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer"
    reap_orphan_shortdirs
    # hosts beyond N from an earlier, larger `up` are stopped
    for extra in "$STATE_DIR"/host*; do
        [ -d "$extra" ] || continue
        k=${extra##*/host}
        [[ $k =~ ^[0-9]+$ ]] || continue
        if [ "$k" -gt "$n" ]; then log "host$k: beyond N=$n, stopping"; stop_host "$k"; fi
    done
    for k in $(seq "$n"); do
        if [ -n "$(dockerd_pid "$k")" ] && [ -S "$(sockpath "$k")" ] &&
            timeout 10 "$DOCKER" -H "unix://$(sockpath "$k")" version >/dev/null 2>&1; then
            log "host$k: reusing running dockerd (pid $(dockerd_pid "$k"))"
            continue
        fi
        if [ -n "$(dockerd_pid "$k")" ]; then
            log "host$k: dockerd running but not answering, restarting it"
            kill -KILL "$(dockerd_pid "$k")" 2>/dev/null || true
        fi
        prepare_host "$k"
        if [ "$k" = "$tlshost" ]; then make_tls; touch "$(hostdir "$k")/tls"; else rm -f "$(hostdir "$k")/tls"; fi
        tolaunch+=("$k")
    done
    if [ ${#tolaunch[@]} -gt 0 ]; then
        mapfile -t ports < <(free_ports ${#tolaunch[@]})
        i=0
        for k in "${tolaunch[@]}"; do
            local p=""
            p=$(cat "$(hostdir "$k")/port" 2>/dev/null || true)
            # keep a host's earlier port if it is still free
            if [ -z "$p" ] || port_in_use "$p"; then p=${ports[$i]}; fi
            i=$((i + 1))
            log "host$k: starting dockerd (tcp 127.0.0.1:$p)"
            launch_host "$k" "$p"
        done
    fi
    build_rootfs_tars
    [ ${#tolaunch[@]} -eq 0 ] || wait_hosts "${tolaunch[@]}"
    for k in $(seq "$n"); do
        import_images "$k" & pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || die "host$((i + 1)): image import failed"
    done
    write_hosts_env "$n"
    log "up: $n host(s) ready in $((SECONDS - start))s; see $STATE_DIR/hosts.env"
}

cmd_start() {
    local k=$1 p
    [ -d "$(hostdir "$k")" ] || die "host$k does not exist in $STATE_DIR (run up first)"
    if [ -n "$(dockerd_pid "$k")" ]; then
        log "host$k: already running (pid $(dockerd_pid "$k"))"
    else
        prepare_host "$k"
        p=$(cat "$(hostdir "$k")/port" 2>/dev/null || true)
        if [ -z "$p" ] || port_in_use "$p"; then
            [ -z "$p" ] || log "host$k: warning: TCP port $p is taken, using a new one"
            p=$(free_ports 1)
        fi
        log "host$k: starting dockerd (tcp 127.0.0.1:$p)"
        launch_host "$k" "$p"
        wait_hosts "$k"
    fi
    local n; n=$(hosts_count); [ "$n" -ge "$k" ] || n=$k
    write_hosts_env "$n"
}

cmd_kill() {
    local k=$1 pid sd i
    pid=$(dockerd_pid "$k")
    sd=$(shortdir "$k")
    if [ -z "$pid" ]; then
        log "host$k: dockerd not running"
        return 0
    fi
    log "host$k: SIGKILL dockerd (pid $pid)"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    # containerd gets SIGKILL via pdeathsig; give it a moment, then make sure.
    # Shims and containers are left running, as after a real engine crash.
    [ -n "$sd" ] || return 0
    local c left=()
    for i in $(seq 30); do
        left=()
        for c in $(our_pids "$sd/exec" "$(datadir "$k")"); do
            if [ "$(cat "/proc/$c/comm" 2>/dev/null || true)" = containerd ]; then left+=("$c"); fi
        done
        [ ${#left[@]} -gt 0 ] || break
        sleep 0.1
    done
    if [ ${#left[@]} -gt 0 ]; then
        log "host$k: containerd still alive, killing ${left[*]}"
        kill -KILL "${left[@]}" 2>/dev/null || true
    fi
}

cmd_down() {
    local k dirs=()
    reap_orphan_shortdirs
    for k in "$STATE_DIR"/host*; do
        [ -d "$k" ] || continue
        k=${k##*/host}
        if [[ $k =~ ^[0-9]+$ ]]; then dirs+=("$k"); fi
    done
    for k in "${dirs[@]+"${dirs[@]}"}"; do stop_host "$k" & done
    wait
    rm -f "$STATE_DIR/hosts.env"
    log "down: stopped ${#dirs[@]} host(s)"
}

wait_scenario() {
    local deadline=$((SECONDS + SCENARIO_TIMEOUT)) web web2 failing crash
    while :; do
        web=$(dkt 1 inspect -f '{{.State.Health.Status}}' web 2>/dev/null || true)
        web2=$(dkt 2 inspect -f '{{.State.Health.Status}}' web2 2>/dev/null || true)
        failing=$(dkt 1 inspect -f '{{.State.Status}}/{{.RestartCount}}' failing 2>/dev/null || true)
        crash=$(dkt 1 inspect -f '{{.RestartCount}}' crashloop 2>/dev/null || echo 0)
        if [ "$web" = healthy ] && [ "$web2" = healthy ] &&
            [ "$failing" = exited/5 ] && [ "${crash:-0}" -ge 1 ]; then
            return 0
        fi
        if [ $SECONDS -ge $deadline ]; then
            die "scenario timeout: web=$web web2=$web2 failing=$failing crashloop.RestartCount=$crash"
        fi
        sleep 0.2
    done
}

cmd_scenario() {
    local start=$SECONDS img=$IMAGE_REPO:1 lbl=(--label opsdeck.test=1 --network none)
    local n; n=$(hosts_count)
    [ "$n" -ge 2 ] || die "scenario needs at least 2 hosts (run: $0 up $STATE_DIR 2)"
    for k in 1 2; do
        [ -n "$(dockerd_pid "$k")" ] || die "host$k is not running"
    done
    dk 1 rm -f -v web cache failing crashloop stopped >/dev/null 2>&1 || true
    dk 2 rm -f -v web2 >/dev/null 2>&1 || true
    mkdir -p "$STATE_DIR/webdata"
    echo "opsdeck test data" >"$STATE_DIR/webdata/index.html"
    log "scenario: creating containers"
    local pids=() p
    # `failing` first: it takes longest to exhaust its restarts
    dk 1 run -d --name failing "${lbl[@]}" --restart on-failure:5 \
        "$img" sh -c 'exit 3' >/dev/null & pids+=($!)
    dk 1 run -d --name crashloop "${lbl[@]}" --restart always \
        "$img" sh -c 'sleep 0.3; exit 1' >/dev/null & pids+=($!)
    dk 1 run -d --name web "${lbl[@]}" --restart on-failure:5 \
        --health-cmd true --health-interval 1s --health-retries 2 \
        -v "$STATE_DIR/webdata:/data" -e DB_PASSWORD=hunter2 -e LOG_LEVEL=info \
        "$img" sleep 100000 >/dev/null & pids+=($!)
    dk 2 run -d --name web2 "${lbl[@]}" --restart unless-stopped \
        --health-cmd true --health-interval 1s --health-retries 2 \
        "$img" sleep 100000 >/dev/null & pids+=($!)
    dk 1 run -d --name cache "${lbl[@]}" --restart no -v /cache \
        "$img" sleep 100000 >/dev/null & pids+=($!)
    ( dk 1 run -d --name stopped "${lbl[@]}" --restart no "$img" sleep 100000 >/dev/null &&
        dk 1 stop -t 0 stopped >/dev/null ) & pids+=($!)
    for p in "${pids[@]}"; do wait "$p" || die "scenario: creating a container failed"; done
    log "scenario: waiting for web/web2 healthy, failing exited (5 restarts), crashloop restarting"
    wait_scenario
    log "scenario: ready in $((SECONDS - start))s"
}

# --------------------------------------------------------------- main ------

[ $# -ge 2 ] || usage
cmd=$1
STATE_DIR=$2
case $STATE_DIR in /*) ;; *) die "STATE_DIR must be an absolute path" ;; esac
STATE_DIR=${STATE_DIR%/}
[ "$(id -u)" = 0 ] || die "must run as root"
mkdir -p "$STATE_DIR"
export DOCKER_CONFIG="$STATE_DIR/.docker-config"
mkdir -p "$DOCKER_CONFIG"

# One command at a time per STATE_DIR.
exec 9>"$STATE_DIR/.lock"
flock -w 120 9 || die "could not lock $STATE_DIR/.lock"
# (launch_host closes fd 9 so the engines never hold the lock.)

case $cmd in
    up)
        if [ $# -eq 5 ] && [ "$4" = "--tls" ] && [[ $5 =~ ^[1-9][0-9]*$ ]]; then
            cmd_up "$3" "$5"
        else
            [ $# -le 3 ] || usage
            cmd_up "${3:-2}"
        fi ;;
    scenario)
        [ $# -eq 2 ] || usage
        cmd_scenario ;;
    kill|start)
        if [ $# -ne 3 ] || ! [[ $3 =~ ^[1-9][0-9]*$ ]]; then usage; fi
        "cmd_$cmd" "$3" ;;
    down)
        [ $# -eq 2 ] || usage
        cmd_down ;;
    *) usage ;;
esac
