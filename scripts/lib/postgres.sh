# Sourced by scripts: makes sure PostgreSQL answers on 127.0.0.1:5432, starting or installing it.

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

ensure_postgres() {
  pg_up && return 0
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "installing PostgreSQL from apt" >&2
    apt-get install -y -q postgresql >/dev/null || { apt-get update -q && apt-get install -y -q postgresql >/dev/null; }
  fi
  echo "starting PostgreSQL" >&2
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do pg_up && return 0; sleep 0.5; done
  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
  return 1
}
