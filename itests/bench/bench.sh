#!/usr/bin/env bash
# tapvsock next to slirp4netns and pasta on the same machine, in the same run; prints one markdown table.
#
# Every measurement runs in fresh namespaces: a "host" namespace H (lo, and a default route into a veth pair that
# goes nowhere, so no peer can reach a real network) holding the daemon and the servers on 127.0.0.1, and a
# guest namespace G with the TAP and the clients. Peers alternate (round-robin), ROUNDS times; cells are medians.
#
# Usage (root): itests/bench/bench.sh
#   ROUNDS=1            rounds (3 for medians worth quoting)
#   PEERS="tapvsock-fwd tapvsock-tap slirp4netns pasta veth"   which peers, in this order (veth: no user-mode
#                       stack, a veth pair between the namespaces: the kernel's ceiling)
#   MTUS="1500 65520"   iperf3 MTUs; latency, conn/s and RSS are measured at the first one
#   DIST=dir            tapvsock distribution (default launcher/target/dist, copied to a temp dir before use)
#   IPERF_SECONDS=8 PP_SECONDS=5 RATE_SECONDS=5 HOLD_CONNS=1000 WARMUP_SECONDS=2 (untimed, before ping-pong,
#                       for every peer) RATE_WARMUP_SECONDS=12 (untimed, before conn/s, for every peer)
#                       IPERF_WARMUP_SECONDS=4 (untimed, before each iperf3 direction, for every peer: a JVM
#                       compiles each direction's paths in its first seconds of traffic)
#   KEEP=1              keep the work directory (every daemon/client log) and print its path
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-1}
PEERS=${PEERS:-"tapvsock-fwd tapvsock-tap slirp4netns pasta veth"}
MTUS=${MTUS:-"1500 65520"}
DIST_SRC=${DIST:-$ROOT/launcher/target/dist}
IPERF_SECONDS=${IPERF_SECONDS:-8}
IPERF_WARMUP_SECONDS=${IPERF_WARMUP_SECONDS:-4}
PP_SECONDS=${PP_SECONDS:-5}
RATE_SECONDS=${RATE_SECONDS:-5}
HOLD_CONNS=${HOLD_CONNS:-1000}
PY=$(command -v python3)

# Ports on H's 127.0.0.1 (H is private to one session, so fixed numbers are safe).
IPERF_PORT=5201 SOCKPERF_PORT=11111 ECHO1_PORT=7001 HOLD_PORT=7002

log() { echo "bench: $*" >&2; }
result() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }
note() { printf '%s\tnote\t%s\n' "$1" "$2" >>"$RESULTS"; log "$1: $2"; }

# ---------------------------------------------------------------------------------------------- setup

install_packages() {
    local -A tool_package=([slirp4netns]=slirp4netns [pasta]=passt [iperf3]=iperf3 [sockperf]=sockperf
        [socat]=socat)
    local missing=() tool pkg
    for tool in "${!tool_package[@]}"; do
        command -v "$tool" >/dev/null || missing+=("${tool_package[$tool]}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    for pkg in "${missing[@]}"; do
        # No candidate means stale or missing package lists.
        if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [^(]'; then
            apt-get update -qq
            break
        fi
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

# ---------------------------------------------------------------------- processes and namespaces we own

# spawn LOGFILE CMD...: runs CMD in the background; its pid is recorded for cleanup and left in SPAWNED.
spawn() {
    local logfile=$1
    shift
    "$@" >"$logfile" 2>&1 </dev/null &
    SPAWNED=$!
    echo "$SPAWNED" >>"$WORK/pids"
}

# run SECONDS LOGFILE CMD...: runs CMD to completion (killed after SECONDS); returns its status.
run() {
    local seconds=$1 logfile=$2
    shift 2
    spawn "$logfile" timeout "$seconds" "$@"
    wait "$SPAWNED"
}

make_ns() {
    echo "$1" >>"$WORK/netns"
    ip netns add "$1"
    ip -n "$1" link set lo up
    # Connection loops must not run out of ports on TIME-WAIT.
    ip netns exec "$1" sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="10000 65000"
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# Stops every recorded process (TERM, then KILL after 5 s) and deletes every recorded namespace.
cleanup_recorded() {
    local pids p alive i
    if [ -s "$WORK/pids" ]; then
        pids=$(tac "$WORK/pids")
        for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
        for i in $(seq 50); do
            alive=0
            for p in $pids; do
                if [ -e "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then alive=1; fi
            done
            [ $alive -eq 0 ] && break
            sleep 0.1
        done
        for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
        : >"$WORK/pids"
    fi
    if [ -s "$WORK/netns" ]; then
        while read -r p; do ip netns del "$p" 2>/dev/null || true; done <"$WORK/netns"
        : >"$WORK/netns"
    fi
}

SESSION_PID=
on_exit() {
    if [ -n "$SESSION_PID" ]; then kill -TERM "$SESSION_PID" 2>/dev/null || true; wait "$SESSION_PID" || true; fi
    cleanup_recorded
    if [ "${KEEP:-}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

# ------------------------------------------------------------------------------------------------ peers

rss_mib() { awk '/^VmRSS:/ { printf "%.1f\n", $2 / 1024 }' "/proc/$1/status"; }

configure_static() { # the guest side of tapvsock: static 192.168.127.2/24 via .1 (as a DHCP lease would give)
    ip -n "$G" link set tap0 mtu "$mtu" up
    ip -n "$G" addr replace 192.168.127.2/24 dev tap0
    ip -n "$G" route replace default via 192.168.127.1
}

start_tapvsock() { # tapvsock with the given transport flags
    spawn "$S/daemon.log" ip netns exec "$H" "$DIST/bin/gvproxy" -listen "unix://$S/n.sock" -mtu "$mtu" \
        -pid-file "$S/daemon.pid" "$@"
    DAEMON_PID=$SPAWNED
    HOST_IP=192.168.127.254
}

# The daemon creates its qemu socket last; stop waiting early when it died instead.
socket_or_dead() { [ -S "$1" ] || ! kill -0 "$DAEMON_PID"; }

start_tapvsock-fwd() {
    start_tapvsock -listen-qemu "unix://$S/q.sock"
    wait_until 60 socket_or_dead "$S/q.sock" && kill -0 "$DAEMON_PID" 2>/dev/null \
        || die "no qemu socket (daemon gone or 60 s passed): $(tail -5 "$S/daemon.log")"
    spawn "$S/forwarder.log" ip netns exec "$G" "$DIST/bin/tapvsock-forwarder" -url "qemu+unix://$S/q.sock" \
        -iface tap0 -mtu "$mtu" -stop-if-exist ignore -dhcp=false
    FWD_PID=$SPAWNED
    wait_until 60 ip -n "$G" link show tap0 || die "no tap0 after 60 s: $(tail -5 "$S/forwarder.log")"
    configure_static
}

start_tapvsock-tap() {
    start_tapvsock -listen-tap "netns=/var/run/netns/$G,iface=tap0,mtu=$mtu"
    wait_until 60 ip -n "$G" link show tap0 || die "no tap0 after 60 s: $(tail -5 "$S/daemon.log")"
    configure_static
}

start_slirp4netns() { # host loopback at 10.0.2.2 (no --disable-host-loopback)
    spawn "$S/slirp4netns.log" ip netns exec "$H" slirp4netns --configure --mtu="$mtu" --netns-type=path \
        "/var/run/netns/$G" tap0
    DAEMON_PID=$SPAWNED
    wait_until 30 sh -c "ip -n $G route show default | grep -q ." \
        || die "no default route after 30 s: $(tail -5 "$S/slirp4netns.log")"
    HOST_IP=10.0.2.2
}

start_veth() { # no user-mode stack: the kernel's veth pair, the ceiling (servers listen on H's every address)
    ip -n "$H" link add veth0 type veth peer name veth1 netns "$G"
    ip -n "$H" addr add 10.254.0.1/24 dev veth0
    ip -n "$H" link set veth0 mtu "$mtu" up
    ip -n "$G" addr add 10.254.0.2/24 dev veth1
    ip -n "$G" link set veth1 mtu "$mtu" up
    HOST_IP=10.254.0.1
}

start_pasta() { # copies H's out0 address and gateway; the gateway maps to H's loopback
    spawn "$S/pasta.log" ip netns exec "$H" pasta -f -q --config-net --netns "/var/run/netns/$G" --runas 0 \
        -m "$mtu" -t none -u none -T none -U none
    DAEMON_PID=$SPAWNED
    wait_until 30 sh -c "ip -n $G route show default | grep -q ." \
        || die "no default route after 30 s: $(tail -5 "$S/pasta.log")"
    HOST_IP=$(ip -n "$G" route show default | awk '{ print $3; exit }')
}

# ------------------------------------------------------------------------------------------ measurements

measure_rss() { # METRIC
    [ -n "$DAEMON_PID" ] || return 0
    result "$peer" "$1" "$(rss_mib "$DAEMON_PID")"
    [ -z "$FWD_PID" ] || result "$peer" "${1/rss_/rss_fwd_}" "$(rss_mib "$FWD_PID")"
}

measure_hold() {
    local ready
    spawn "$S/hold.log" "${GUEST[@]}" "$PY" "$HERE/tcpload.py" hold "$HOST_IP" "$HOLD_PORT" "$HOLD_CONNS"
    local hold_pid=$SPAWNED
    if ! wait_until 120 grep -q '^ready' "$S/hold.log"; then
        note "$peer" "$HOLD_CONNS connections not open after 120 s: $(tail -3 "$S/hold.log")"
        kill "$hold_pid"; return 1
    fi
    sleep 1
    measure_rss rss_1000
    ready=$(grep '^ready' "$S/hold.log")
    [ "$ready" = "ready $HOLD_CONNS 0" ] || note "$peer" "RSS $HOLD_CONNS conns: $ready (opened, failed)"
    # Close both ends and let the peer drop the connections before the next test.
    kill "$hold_pid" "$HOLD_SERVER_PID"
    wait "$hold_pid" "$HOLD_SERVER_PID" || true
    sleep 3
}

# Latency and connection rate are steady-state figures: every peer gets the same untimed warm-up first (a JVM
# compiles its connection paths while the first thousands of connections pass; C peers lose nothing by it).
# Connection setup has the most code to compile: in a perf profile of the daemon, its C2 compiler threads took
# 40% of its CPU during the first 15 s of a connection loop, and 4% after 30 s.
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
RATE_WARMUP_SECONDS=${RATE_WARMUP_SECONDS:-12}

measure_pingpong() {
    run $((WARMUP_SECONDS + 30)) "$S/sockperf-warmup.log" "${GUEST[@]}" sockperf pp --tcp -i "$HOST_IP" \
        -p "$SOCKPERF_PORT" -t "$WARMUP_SECONDS" || true
    if ! run $((PP_SECONDS + 30)) "$S/sockperf.log" "${GUEST[@]}" sockperf pp --tcp -i "$HOST_IP" \
        -p "$SOCKPERF_PORT" -t "$PP_SECONDS"; then
        note "$peer" "sockperf failed: $(tail -3 "$S/sockperf.log")"; return 1
    fi
    result "$peer" pp50 "$(awk '/percentile 50.000/ { print $NF }' "$S/sockperf.log")"
    result "$peer" pp99 "$(awk '/percentile 99.000/ { print $NF }' "$S/sockperf.log")"
}

measure_rate() {
    run $((RATE_WARMUP_SECONDS + 30)) "$S/rate-warmup.log" "${GUEST[@]}" "$PY" "$HERE/tcpload.py" rate "$HOST_IP" \
        "$ECHO1_PORT" "$RATE_WARMUP_SECONDS" || true
    if ! run $((RATE_SECONDS + 30)) "$S/rate.log" "${GUEST[@]}" "$PY" "$HERE/tcpload.py" rate "$HOST_IP" \
        "$ECHO1_PORT" "$RATE_SECONDS"; then
        note "$peer" "connection loop failed: $(tail -3 "$S/rate.log")"; return 1
    fi
    result "$peer" rate "$(awk '{ print $2 }' "$S/rate.log")"
    grep -q 'errors 0$' "$S/rate.log" || note "$peer" "connection loop: $(cat "$S/rate.log")"
}

measure_iperf() { # up|down
    local json=$S/iperf-$1-$mtu.json reverse=()
    [ "$1" = up ] || reverse=(-R)
    [ "$IPERF_WARMUP_SECONDS" = 0 ] || run $((IPERF_WARMUP_SECONDS + 30)) "$S/iperf-warmup.log" "${GUEST[@]}" \
        iperf3 -c "$HOST_IP" -p "$IPERF_PORT" -t "$IPERF_WARMUP_SECONDS" "${reverse[@]}" || true
    # The first second (slow start) is omitted.
    run $((IPERF_SECONDS + 30)) "$json" "${GUEST[@]}" iperf3 -c "$HOST_IP" -p "$IPERF_PORT" \
        -t "$IPERF_SECONDS" -O 1 -J "${reverse[@]}" || true
    # Prints "GBITS STALLED_SECONDS", or exits with iperf3's error.
    local parsed
    if ! parsed=$("$PY" -c 'import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r: sys.exit(r["error"])
stalled = sum(1 for i in r["intervals"] if not i["sum"]["omitted"] and i["sum"]["bits_per_second"] < 1e6)
print("%.3f %d" % (r["end"]["sum_received"]["bits_per_second"] / 1e9, stalled))' "$json" 2>&1); then
        note "$peer" "iperf3 $1 at MTU $mtu failed: $parsed"; return 1
    fi
    result "$peer" "$1$mtu" "${parsed% *}"
    [ "${parsed#* }" = 0 ] \
        || note "$peer" "iperf3 $1 at MTU $mtu stalled (under 1 Mbit/s) in ${parsed#* } of $IPERF_SECONDS s"
}

# ----------------------------------------------------------------------------------------------- session

die() { note "$peer" "MTU $mtu: $*"; exit 1; }

# session PEER MTU FULL INDEX: one peer at one MTU in fresh namespaces; FULL=1 adds RSS, latency, conn/s.
session() {
    peer=$1 mtu=$2
    local full=$3 n=$4
    H=tvb$$h$n G=tvb$$g$n S=$WORK/s$n-$peer-$mtu DAEMON_PID= FWD_PID= HOST_IP=
    GUEST=(ip netns exec "$G") # a command prefix, not a function: spawn must record the real process's pid
    set -E
    trap 'note "$peer" "MTU $mtu: failed at line $LINENO: $BASH_COMMAND"' ERR
    mkdir -p "$S"
    make_ns "$H"
    make_ns "$G"
    # H's only way out is a veth pair that ends in H itself, with nobody at the gateway address: peers that
    # copy the host's address and routes (pasta) find one, and nothing can reach a real network by mistake.
    ip -n "$H" link add out0 type veth peer name out1
    ip -n "$H" addr add 10.255.0.2/24 dev out0
    ip -n "$H" link set out0 up
    ip -n "$H" link set out1 up
    ip -n "$H" route add default via 10.255.0.1

    # Servers on H's 127.0.0.1; only the veth ceiling needs them on H's other (private) addresses too.
    local bind=127.0.0.1
    [ "$peer" != veth ] || bind=0.0.0.0
    spawn "$S/iperf3-server.log" ip netns exec "$H" iperf3 -s -B "$bind" -p "$IPERF_PORT"
    spawn "$S/echo1-server.log" ip netns exec "$H" env BIND_ADDRESS="$bind" "$PY" "$HERE/tcpload.py" \
        echo1-server "$ECHO1_PORT"
    if [ "$full" = 1 ]; then
        spawn "$S/sockperf-server.log" ip netns exec "$H" sockperf sr --tcp -i "$bind" -p "$SOCKPERF_PORT"
        spawn "$S/hold-server.log" ip netns exec "$H" env BIND_ADDRESS="$bind" "$PY" "$HERE/tcpload.py" \
            hold-server "$HOLD_PORT"
        HOLD_SERVER_PID=$SPAWNED
    fi

    "start_$peer"
    [ ! -s "$S/daemon.pid" ] || DAEMON_PID=$(cat "$S/daemon.pid")
    run 40 "$S/probe.log" "${GUEST[@]}" "$PY" "$HERE/tcpload.py" probe "$HOST_IP" "$ECHO1_PORT" 30 \
        || die "the guest cannot reach $HOST_IP:$ECHO1_PORT: $(tail -3 "$S/probe.log")"
    log "$peer MTU $mtu: up, host at $HOST_IP"

    # Memory first, before traffic leaves buffers behind (allocators rarely give memory back).
    if [ "$full" = 1 ]; then
        sleep 2
        measure_rss rss_idle
        measure_hold || true
    fi
    measure_iperf up || true
    measure_iperf down || true
    if [ "$full" = 1 ]; then
        measure_pingpong || true
        measure_rate || true
    fi
}

# ------------------------------------------------------------------------------------------------- main

label() {
    case $1 in
    tapvsock-fwd) echo "tapvsock (forwarder)" ;;
    tapvsock-tap) echo "tapvsock (tap transport)" ;;
    slirp4netns) echo "slirp4netns $(slirp4netns --version | awk '/^slirp4netns version/ { print $3 }')" \
        "(libslirp $(slirp4netns --version | awk '/^libslirp:/ { print $2 }'))" ;;
    pasta) echo "pasta (passt $(dpkg-query -W -f '${Version}' passt 2>/dev/null || echo '?'))" ;;
    veth) echo "veth pair, kernel only (the ceiling)" ;;
    *) echo "$1" ;;
    esac
}

main() {
    [ "$(id -u)" = 0 ] || { echo "bench.sh needs root (network namespaces, TAP devices)" >&2; exit 1; }
    install_packages
    LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
    [ -n "$PY" ] || { echo "bench.sh needs python3" >&2; exit 1; }

    WORK=$(mktemp -d /tmp/tvbench.XXXXXX)
    RESULTS=$WORK/results.tsv
    : >"$WORK/pids"
    : >"$WORK/netns"
    : >"$RESULTS"
    trap on_exit EXIT
    trap 'exit 130' INT TERM
    DIST=$WORK/dist
    case " $PEERS " in
    *" tapvsock-"*)
        [ ! -x "$DIST_SRC/bin/gvproxy" ] || cp -a "$DIST_SRC" "$DIST" ;;
    esac

    local runnable=() peer
    for peer in $PEERS; do
        result "$peer" label "$(label "$peer")"
        case $peer in
        tapvsock-*)
            if [ ! -x "$DIST/bin/gvproxy" ]; then
                note "$peer" "skipped: no distribution at $DIST_SRC (build it, or set DIST)"; continue
            fi ;;&
        tapvsock-tap)
            if ! "$DIST/bin/gvproxy" -help 2>&1 | grep -q -- '-listen-tap'; then
                note "$peer" "skipped: this distribution's daemon has no -listen-tap flag yet"; continue
            fi ;;
        slirp4netns | pasta)
            command -v "$peer" >/dev/null || { note "$peer" "skipped: $peer is not installed"; continue; } ;;
        esac
        runnable+=("$peer")
    done

    local round mtu full n=0 first_mtu=${MTUS%% *} rc
    for round in $(seq "$ROUNDS"); do
        for mtu in $MTUS; do
            full=0
            [ "$mtu" != "$first_mtu" ] || full=1
            for peer in "${runnable[@]}"; do
                n=$((n + 1))
                log "round $round/$ROUNDS: $peer at MTU $mtu"
                (session "$peer" "$mtu" "$full" "$n") &
                SESSION_PID=$!
                rc=0
                wait "$SESSION_PID" || rc=$?
                SESSION_PID=
                cleanup_recorded
                [ "$rc" -eq 0 ] || log "$peer at MTU $mtu: session failed (status $rc)"
            done
        done
    done

    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at start $LOAD_AT_START," \
        "ROUNDS=$ROUNDS (cells are medians; ping-pong = sockperf's one-way latency, RTT/2)"
    echo
    HOLD_CONNS=$HOLD_CONNS "$PY" "$HERE/report.py" "$RESULTS" $PEERS
}

main "$@"
