#!/usr/bin/env bash
# Runs every test: each module's unit tests, the distribution's build, and the integration tests (itests/),
# which start the real daemon and real guests. Extra arguments go to Maven (e.g. ./test.sh -pl launcher -am).
set -euo pipefail
cd "$(dirname "$0")"

. scripts/select-jdk.sh

# The integration tests need qemu, busybox, user-mode-linux, iperf3...: install what is missing (root only).
if [ "$(id -u)" -eq 0 ] && [ -f .ci/install-test-deps ]; then
    bash .ci/install-test-deps
fi

select_jdk
echo "test.sh: testing with JAVA_HOME=$JAVA_HOME" >&2
exec ./mvnw -B verify "$@"
