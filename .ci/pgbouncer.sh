#!/usr/bin/env bash
# PgBouncer (Debian's 1.18) in transaction mode on a loopback port, in front of the local PostgreSQL,
# for the tests that prove Relata is safe behind a transaction pooler. Its own config, log and pid
# live in a temporary folder; the main PostgreSQL's data is never touched.
#   .ci/pgbouncer.sh start   installs it if missing, starts it, prints its URL
#   .ci/pgbouncer.sh stop
set -euo pipefail
PORT="${RELATA_PGBOUNCER_PORT:-6543}"
DIR="${RELATA_PGBOUNCER_DIR:-/tmp/relata-pgbouncer}"

start() {
  if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  fi
  mkdir -p "$DIR"
  chmod 777 "$DIR"
  cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/users.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 8
max_db_connections = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
admin_users = postgres
INI
  printf '"postgres" ""\n' >"$DIR/users.txt"
  chmod 666 "$DIR"/*.ini "$DIR"/users.txt
  stop_quietly
  # PgBouncer refuses to run as root; Debian's package creates the postgres user.
  local run_as=()
  [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
  "${run_as[@]}" /usr/sbin/pgbouncer -d "$DIR/pgbouncer.ini"
  for _ in $(seq 1 50); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && { echo "postgresql://postgres@127.0.0.1:$PORT/test"; return 0; }
    sleep 0.2
  done
  echo "PgBouncer did not come up on port $PORT" >&2
  cat "$DIR/pgbouncer.log" >&2 || true
  return 1
}

stop_quietly() {
  # Read once: PgBouncer removes its pid file as it exits.
  local pid
  pid="$(cat "$DIR/pgbouncer.pid" 2>/dev/null || true)"
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$DIR/pgbouncer.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop_quietly ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
