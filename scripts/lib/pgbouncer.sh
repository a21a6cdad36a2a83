# shellcheck shell=bash
# ensure_pgbouncer [PORT [UPSTREAM_PORT [DIR]]]: PgBouncer in transaction pooling on
# 127.0.0.1:PORT (default 6432) in front of the PostgreSQL on 127.0.0.1:UPSTREAM_PORT (default
# 5432), standing in for RDS Proxy. Any database name is passed through to the upstream server.
# Starts it with the project's config under DIR (default target/pgbouncer) when nothing answers
# on PORT, and waits until it does; a second call finds it running and returns.
#
# Protocol-level prepared statements in transaction mode (`max_prepared_statements`, which sqlx's
# statement cache needs) arrived in PgBouncer 1.21. Debian's package is used when apt offers that
# version or later; otherwise Debian's newer source package is built once into
# target/pgbouncer/bin (a few seconds of C compilation).
#
# PGBOUNCER_USERS: more roles (space-separated) that may connect, besides postgres.
#
# pgbouncer_stop [DIR]: stops the instance whose pid file is in DIR.

PGBOUNCER_MIN_VERSION=1.21

pgbouncer_version_ok() { # pgbouncer_version_ok BINARY
  local v
  v=$("$1" --version 2>/dev/null | sed -n 's/^PgBouncer \([0-9.]*\).*/\1/p' | head -n 1)
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$PGBOUNCER_MIN_VERSION" "$v" | sort -V | head -n 1)" = "$PGBOUNCER_MIN_VERSION" ]
}

pgbouncer_apt_install() {
  apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}

# The Debian mirror this machine's apt already uses, so that the source package comes from it.
pgbouncer_debian_mirror() {
  { sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
    sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list 2>/dev/null
  } | grep -E '/debian/?$' | head -n 1
}

# Builds Debian's current stable source package of PgBouncer into $1/bin.
pgbouncer_build() {
  local prefix=$1 work mirror
  mirror=$(pgbouncer_debian_mirror)
  [ -n "$mirror" ] || { echo "no Debian mirror in apt's sources to fetch PgBouncer's source from" >&2; return 1; }
  echo "building PgBouncer >= $PGBOUNCER_MIN_VERSION from Debian's source package (apt offers an older one)" >&2
  pgbouncer_apt_install build-essential pkg-config libevent-dev libssl-dev
  work=$(mktemp -d "${TMPDIR:-/tmp}/pgbouncer-src.XXXXXX")
  mkdir -p "$work/lists/partial"
  echo "deb-src $mirror trixie main" >"$work/sources.list"
  local apt_opts=(-q -o APT::Sandbox::User=root -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists")
  (cd "$work" &&
    apt-get "${apt_opts[@]}" update >/dev/null &&
    apt-get "${apt_opts[@]}" source --download-only pgbouncer >/dev/null 2>&1 &&
    tar xzf pgbouncer_*.orig.tar.gz &&
    cd pgbouncer-*/ &&
    ./configure --prefix="$prefix" --without-cares --without-pam --without-systemd >configure.log 2>&1 &&
    make -j2 >make.log 2>&1 &&
    make install >install.log 2>&1) || { echo "building PgBouncer failed; see $work" >&2; return 1; }
  rm -rf "$work"
}

# Prints the path of a PgBouncer binary new enough, installing or building one if needed.
pgbouncer_binary() {
  local built=$1
  if command -v pgbouncer >/dev/null && pgbouncer_version_ok "$(command -v pgbouncer)"; then
    command -v pgbouncer
    return
  fi
  if [ -x "$built/bin/pgbouncer" ] && pgbouncer_version_ok "$built/bin/pgbouncer"; then
    echo "$built/bin/pgbouncer"
    return
  fi
  local candidate
  candidate=$(apt-cache policy pgbouncer 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9.]*\).*/\1/p')
  if [ -n "$candidate" ] && [ "$(printf '%s\n%s\n' "$PGBOUNCER_MIN_VERSION" "$candidate" | sort -V | head -n 1)" = "$PGBOUNCER_MIN_VERSION" ]; then
    echo "installing PgBouncer $candidate from apt" >&2
    pgbouncer_apt_install pgbouncer
    command -v pgbouncer
    return
  fi
  pgbouncer_build "$built" && echo "$built/bin/pgbouncer"
}

pgbouncer_up() { pg_isready -q -h 127.0.0.1 -p "$1" -d pgbouncer 2>/dev/null; }

ensure_pgbouncer() {
  local port=${1:-6432} upstream=${2:-5432} dir=${3:-${ROOT:-$PWD}/target/pgbouncer} bin
  pgbouncer_up "$port" && return 0
  bin=$(pgbouncer_binary "${ROOT:-$PWD}/target/pgbouncer") || return 1
  mkdir -p "$dir"
  # PgBouncer refuses to run as root: it runs as postgres, which must own its files.
  local user
  for user in postgres ${PGBOUNCER_USERS:-}; do printf '"%s" ""\n' "$user"; done >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$upstream

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = trust
auth_file = $dir/userlist.txt
admin_users = postgres
pool_mode = transaction
; what RDS Proxy does for the extended protocol: statements prepared by a client are prepared
; again on whichever server connection runs its next transaction
max_prepared_statements = 200
max_client_conn = 2000
default_pool_size = 20
; sqlx sends extra_float_digits at startup, which PgBouncer does not track
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  chown -R postgres: "$dir"
  echo "starting PgBouncer on 127.0.0.1:$port (transaction pooling) in front of 127.0.0.1:$upstream" >&2
  "$bin" -d -u postgres "$dir/pgbouncer.ini" || true
  for _ in $(seq 1 100); do pgbouncer_up "$port" && return 0; sleep 0.1; done
  echo "PgBouncer did not start on 127.0.0.1:$port; see $dir/pgbouncer.log" >&2
  return 1
}

pgbouncer_stop() {
  local dir=${1:-${ROOT:-$PWD}/target/pgbouncer} pid
  pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null) || return 0
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
}
