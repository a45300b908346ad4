#!/usr/bin/env bash
# Builds everything and starts the daemon from the distribution, launcher/target/dist/bin/tapvsock.
#   ./run.sh                                    API on unix:///tmp/tapvsock.sock
#   ./run.sh -listen-qemu unix:///tmp/q.sock    any tapvsock/gvproxy flags are passed through
# A default -listen unix:///tmp/tapvsock.sock is added when no -listen is given.
set -euo pipefail
cd "$(dirname "$0")"

. scripts/select-jdk.sh

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
