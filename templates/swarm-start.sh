#!/bin/sh
# Rendered by sentinel-compose for Docker Swarm (stack.yaml). Usage: swarm-start.sh CONF PROGRAM [ARGS...]
#
# The service's Docker secrets (/run/secrets/NAME, one per password the config refers to) become
# environment variables of the same name for start.sh, which fills them into the config it copies
# to /data: passwords never appear in stack.yaml, in the Docker configs, or in `docker inspect`.
set -eu
for f in /run/secrets/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  value=$(cat "$f")
  export "$name=$value"
done
# redis-cli (for anyone who docker-execs into the container) reads REDISCLI_AUTH.
if [ -n "${REDIS_PASSWORD:-}" ] && [ "$1" = redis.conf ]; then export REDISCLI_AUTH="$REDIS_PASSWORD"; fi
exec sh "$(dirname "$0")/start.sh" "$@"
