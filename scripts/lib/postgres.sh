# Sourced by scripts/test: a throwaway PostgreSQL 15 cluster on 127.0.0.1, owned by user `postgres`, stopped by
# the PID it wrote. Sets NITE_TEST_DATABASE_URL. Needs root (it runs the server as `postgres`).

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=""
PG_PID=""

pg_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_as_postgres() {
    runuser -u postgres -- "$@"
}

pg_start() {
    if [ ! -x "$PG_BIN/initdb" ]; then
        echo "scripts/test: PostgreSQL 15 not found under $PG_BIN; installing it" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    fi
    PG_DIR=$(mktemp -d /tmp/nite-pg.XXXXXX)
    chown postgres:postgres "$PG_DIR"
    local port
    port=$(pg_free_port)
    pg_as_postgres "$PG_BIN/initdb" -N -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
        "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
    PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
    export NITE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "scripts/test: PostgreSQL (pid $PG_PID) on 127.0.0.1:$port" >&2
}

pg_stop() {
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        kill -INT "$PG_PID"
        for _ in $(seq 1 100); do
            kill -0 "$PG_PID" 2>/dev/null || break
            sleep 0.1
        done
    fi
    [ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
    PG_PID=""
    PG_DIR=""
}
