# Sourced by scripts/test: make sure a local PostgreSQL server runs for the
# PostgreSQL store tests and export IMPORTWORKS_TEST_POSTGRES (a database URL).
# A value already set is used as it is.  Installs Debian's postgresql package
# when it is missing and this runs as root (CI); otherwise, when a step is not
# possible, says so and leaves the variable unset (those tests then skip, and
# say why).  With CI=true they must not skip: a step that fails stops the run.
postgres_skip() {
    if [ "${CI:-}" = true ]; then
        echo "=== CI: cannot set up PostgreSQL for the PostgreSQL store tests: $1" >&2
        exit 1
    fi
    echo "=== PostgreSQL store tests will skip: $1"
    return 0
}

postgres_setup() {
    [ -n "${IMPORTWORKS_TEST_POSTGRES:-}" ] && return 0
    local root=no
    [ "$(id -u)" = 0 ] && root=yes
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        if [ "$root" = yes ] && command -v apt-get >/dev/null; then
            echo "=== installing PostgreSQL (Debian's postgresql package)"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        else
            postgres_skip "no PostgreSQL server installed, and not root to install one"
            return 0
        fi
    fi
    command -v pg_lsclusters >/dev/null || { postgres_skip "no pg_lsclusters (not Debian's packaging)"; return 0; }
    local line ver name port status
    line=$(pg_lsclusters -h 2>/dev/null | head -1)
    if [ -z "$line" ]; then
        ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
        pg_createcluster "$ver" main >/dev/null || { postgres_skip "cannot create a cluster"; return 0; }
        line=$(pg_lsclusters -h | head -1)
    fi
    read -r ver name port status _ <<<"$line"
    if [ "$status" != online ]; then
        pg_ctlcluster "$ver" "$name" start || { postgres_skip "cannot start cluster $ver/$name"; return 0; }
    fi
    local me
    me=$(id -un)
    as_postgres() { if [ "$root" = yes ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    if ! as_postgres psql -p "$port" -d postgres -tAqc "SELECT 1 FROM pg_roles WHERE rolname = '$me'" \
            2>/dev/null | grep -q 1; then
        as_postgres createuser -p "$port" --superuser "$me" || { postgres_skip "no role for $me"; return 0; }
    fi
    if ! psql -p "$port" -d postgres -tAqc "SELECT 1 FROM pg_database WHERE datname = 'importworks_test'" \
            2>/dev/null | grep -q 1; then
        createdb -p "$port" importworks_test || { postgres_skip "cannot create database importworks_test"; return 0; }
    fi
    export PGHOST=/var/run/postgresql PGPORT="$port"
    export IMPORTWORKS_TEST_POSTGRES="postgresql:///importworks_test"
    echo "=== PostgreSQL $ver on port $port: $IMPORTWORKS_TEST_POSTGRES"
}
postgres_setup
