# shellcheck shell=bash
# ensure_redis: Redis answering on 127.0.0.1:6379, installed from apt and started (keeping
# nothing on disk) when it is not.
ensure_redis() {
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
  command -v redis-server >/dev/null || apt-get install -y -q redis-server >/dev/null ||
    { apt-get update -q && apt-get install -y -q redis-server >/dev/null; }
  redis-server --bind 127.0.0.1 --port 6379 --save '' --daemonize yes >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis did not start on 127.0.0.1:6379" >&2
  return 1
}
