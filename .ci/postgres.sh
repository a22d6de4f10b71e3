# Sourced by .ci/run (and by hand: `source .ci/postgres.sh`): starts a throwaway
# PostgreSQL 15 on a Unix socket in a temporary folder, exports CONTACTS_TUI_TEST_PG_URL,
# and stops the server and removes the folder when the shell exits.
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "installing PostgreSQL from Debian's packages" >&2
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq postgresql >/dev/null
        PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
fi
if [ -x "$PG_BIN/initdb" ]; then
    PG_DIR=$(mktemp -d /tmp/contacts-tui-pg.XXXXXX)
    chown postgres "$PG_DIR" 2>/dev/null
    as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
        -o "-c listen_addresses='' -k $PG_DIR -c fsync=off -c max_connections=100" start >/dev/null
    stop_postgres() {
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
        rm -rf "$PG_DIR"
    }
    trap stop_postgres EXIT
    export CONTACTS_TUI_TEST_PG_URL="postgresql://postgres@/postgres?host=$PG_DIR"
    echo "PostgreSQL for the tests: $CONTACTS_TUI_TEST_PG_URL" >&2
else
    echo "PostgreSQL is not installed: the PostgreSQL tests will be skipped" >&2
fi
