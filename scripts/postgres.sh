# Sourced by scripts/test: make sure a local PostgreSQL server runs for the
# PostgreSQL store tests and export IMPORTWORKS_TEST_POSTGRES (a database URL).
# A value already set is used as it is.  Installs Debian's postgresql package
# when it is missing and this runs as root (CI); otherwise says why not.
postgres_setup() {
    [ -n "${IMPORTWORKS_TEST_POSTGRES:-}" ] && return 0
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "=== installing PostgreSQL (Debian's postgresql package)"
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            echo "=== no PostgreSQL server here, and not root to install one: its store tests will skip"
            return 0
        fi
    fi
    local line ver name port status
    line=$(pg_lsclusters -h 2>/dev/null | head -1)
    if [ -z "$line" ]; then
        ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
        pg_createcluster "$ver" main >/dev/null
        line=$(pg_lsclusters -h | head -1)
    fi
    read -r ver name port status _ <<<"$line"
    if [ "$status" != online ]; then
        pg_ctlcluster "$ver" "$name" start
    fi
    local me
    me=$(id -un)
    as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    as_postgres psql -p "$port" -tAqc "SELECT 1 FROM pg_roles WHERE rolname = '$me'" | grep -q 1 \
        || as_postgres createuser -p "$port" --superuser "$me"
    psql -p "$port" -d postgres -tAqc "SELECT 1 FROM pg_database WHERE datname = 'importworks_test'" | grep -q 1 \
        || createdb -p "$port" importworks_test
    export PGHOST=/var/run/postgresql PGPORT="$port"
    export IMPORTWORKS_TEST_POSTGRES="postgresql:///importworks_test"
    echo "=== PostgreSQL $ver on port $port: $IMPORTWORKS_TEST_POSTGRES"
}
postgres_setup
