# shellcheck shell=bash
# ensure_replica [PRIMARY_PORT [REPLICA_PORT [DIR]]]: a private PostgreSQL primary on
# 127.0.0.1:PRIMARY_PORT (default 5442) and a streaming replica of it on 127.0.0.1:REPLICA_PORT
# (default 5443), both under DIR (default $TMPDIR/saas-replica), for the read-replica tests.
#
# The shared server on 5432 accepts no replication connections, so the pair brings its own
# primary: `initdb -A trust` with a `host replication` entry for 127.0.0.1 only, then
# `pg_basebackup -R -X stream` of it into the replica's directory. Both listen on 127.0.0.1 only,
# with their unix sockets inside DIR, and run as the postgres OS user. A second call finds them
# answering and returns; a stopped pair is started again from its directories.
#
# replica_stop [DIR]: stops both servers.

REPLICA_PG_BIN=${REPLICA_PG_BIN:-/usr/lib/postgresql/15/bin}

replica_up() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }

replica_as_postgres() { runuser -u postgres -- "$@"; }

replica_wait() { # replica_wait PORT WHAT
  for _ in $(seq 1 100); do replica_up "$1" && return 0; sleep 0.2; done
  echo "$2 did not answer on 127.0.0.1:$1" >&2
  return 1
}

replica_start() { # replica_start DATADIR PORT SOCKETDIR LOG
  replica_as_postgres "$REPLICA_PG_BIN/pg_ctl" -D "$1" -l "$4" -w -t 30 \
    -o "-p $2 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$3" start >/dev/null
}

ensure_replica() {
  local primary_port=${1:-5442} replica_port=${2:-5443} dir=${3:-${TMPDIR:-/tmp}/saas-replica}
  if replica_up "$primary_port" && replica_up "$replica_port"; then return 0; fi
  mkdir -p "$dir"
  chown postgres: "$dir"
  if [ ! -f "$dir/primary/PG_VERSION" ]; then
    echo "creating a private PostgreSQL primary in $dir/primary" >&2
    replica_as_postgres "$REPLICA_PG_BIN/initdb" -A trust -U postgres -D "$dir/primary" >/dev/null
    echo "host replication postgres 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
  fi
  if ! replica_up "$primary_port"; then
    echo "starting the primary on 127.0.0.1:$primary_port" >&2
    replica_start "$dir/primary" "$primary_port" "$dir" "$dir/primary.log" || true
    replica_wait "$primary_port" "the replica tests' primary" || return 1
  fi
  if [ ! -f "$dir/replica/standby.signal" ]; then
    rm -rf "$dir/replica"
    echo "copying the primary into $dir/replica (pg_basebackup)" >&2
    replica_as_postgres "$REPLICA_PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
      -D "$dir/replica" -R -X stream >/dev/null || return 1
  fi
  if ! replica_up "$replica_port"; then
    echo "starting the streaming replica on 127.0.0.1:$replica_port" >&2
    replica_start "$dir/replica" "$replica_port" "$dir" "$dir/replica.log" || true
    replica_wait "$replica_port" "the streaming replica" || return 1
  fi
}

replica_stop() {
  local dir=${1:-${TMPDIR:-/tmp}/saas-replica} which
  for which in replica primary; do
    [ -f "$dir/$which/postmaster.pid" ] &&
      replica_as_postgres "$REPLICA_PG_BIN/pg_ctl" -D "$dir/$which" -m fast -w stop >/dev/null
  done
  return 0
}
