#!/usr/bin/env bash
# The project's Flink settings (flink-config.yaml, the keys `ccvit cluster` writes) come first, the
# container's own FLINK_PROPERTIES (addresses, slots, sizes) after them, so a container can override
# a size; the official entrypoint then writes them into conf/config.yaml and starts the process.
set -euo pipefail
FLINK_PROPERTIES="$(cat /opt/flink/ccvit/flink-config.yaml)
${FLINK_PROPERTIES:-}"
export FLINK_PROPERTIES
exec /docker-entrypoint.sh "$@"
