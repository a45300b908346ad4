# Sourced by run.sh and test.sh: sets JAVA_HOME to a JDK 25 or newer, so that a machine whose default java is
# older (17 here) builds with nothing set by hand.

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
        echo "$(basename "$0"): no JDK 25 or newer with jpackage found (current: ${current:-none}); install one under /usr/lib/jvm" >&2
        exit 1
    fi
    export JAVA_HOME="$best"
}

