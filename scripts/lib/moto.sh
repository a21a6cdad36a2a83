# shellcheck shell=bash
# moto server (the AWS emulator) on a free loopback port. Sourced after infra-common.sh, with
# moto installed in .venv (infra_pip_ensure moto_server 'moto[server]').

MOTO_PID=""
MOTO_URL=""

# moto_start <log file>: sets MOTO_URL and MOTO_PID once it answers.
moto_start() {
  local log="$1" port i
  port="$(infra_free_port)"
  MOTO_URL="http://127.0.0.1:$port"
  MOTO_IAM_LOAD_MANAGED_POLICIES=true "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" \
    >"$log" 2>&1 &
  MOTO_PID=$!
  for i in $(seq 1 100); do
    if curl -fs -o /dev/null "$MOTO_URL/moto-api/"; then
      echo "  moto_server pid $MOTO_PID on $MOTO_URL"
      return 0
    fi
    kill -0 "$MOTO_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "  moto_server did not start:" >&2
  cat "$log" >&2
  return 1
}

moto_stop() {
  [ -n "$MOTO_PID" ] || return 0
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
  MOTO_PID=""
}
