#!/usr/bin/env bash
# Builds everything and starts the daemon from the distribution, launcher/target/dist/bin/tapvsock.
#   ./run.sh                                    API on unix:///tmp/tapvsock.sock
#   ./run.sh -listen-qemu unix:///tmp/q.sock    any tapvsock/gvproxy flags are passed through
# A default -listen unix:///tmp/tapvsock.sock is added when no -listen is given.
set -euo pipefail
cd "$(dirname "$0")"

# The major version of the JDK at $1 (0 when it is not one).
java_major() {
    [ -x "$1/bin/java" ] || { echo 0; return; }
    "$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p' | grep . || echo 0
}

# JAVA_HOME for the build: the current JDK when it is 25 or newer (with jlink and jpackage, which the
# distribution needs), else the newest such JDK under /usr/lib/jvm.
select_jdk() {
    local current="${JAVA_HOME:-}"
    if [ -z "$current" ] && command -v javac >/dev/null; then
        current="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    fi
    if [ -n "$current" ] && [ -x "$current/bin/jpackage" ] && [ "$(java_major "$current")" -ge 25 ]; then
        export JAVA_HOME="$current"
        return
    fi
    local best="" best_major=0 dir major
    for dir in /usr/lib/jvm/*/; do
        dir="${dir%/}"
        [ -x "$dir/bin/jpackage" ] || continue
        major="$(java_major "$dir")"
        if [ "$major" -ge 25 ] && [ "$major" -gt "$best_major" ]; then
            best="$dir" best_major="$major"
        fi
    done
    if [ -z "$best" ]; then
        echo "run.sh: no JDK 25 or newer with jpackage found (current: ${current:-none}); install one under /usr/lib/jvm" >&2
        exit 1
    fi
    export JAVA_HOME="$best"
}

select_jdk
echo "run.sh: building with JAVA_HOME=$JAVA_HOME" >&2
./mvnw -B -DskipTests install

args=("$@")
has_listen=no
for arg in "$@"; do
    case "$arg" in
        -listen|--listen|-listen=*|--listen=*) has_listen=yes ;;
    esac
done
if [ "$has_listen" = no ]; then
    args=(-listen unix:///tmp/tapvsock.sock "${args[@]}")
fi
exec launcher/target/dist/bin/tapvsock "${args[@]}"
