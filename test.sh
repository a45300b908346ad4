#!/usr/bin/env bash
# Runs every test: each module's unit tests, the distribution's build, and the integration tests (itests/),
# which start the real daemon and real guests. Extra arguments go to Maven (e.g. ./test.sh -pl launcher -am).
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
        echo "test.sh: no JDK 25 or newer with jpackage found (current: ${current:-none}); install one under /usr/lib/jvm" >&2
        exit 1
    fi
    export JAVA_HOME="$best"
}

# The integration tests need qemu, busybox, user-mode-linux, iperf3...: install what is missing (root only).
if [ "$(id -u)" -eq 0 ] && [ -f .ci/install-test-deps ]; then
    bash .ci/install-test-deps
fi

select_jdk
echo "test.sh: testing with JAVA_HOME=$JAVA_HOME" >&2
exec ./mvnw -B verify "$@"
