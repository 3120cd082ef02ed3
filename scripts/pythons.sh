# Find interpreters.  Sourced by the other scripts: find_python X.Y finds one;
# select_pythons sets PYTHONS (paths) to the ones the test suite runs on.
#
# IMPORTWORKS_PYTHONS="/path/python3.14 /path/python3.15" chooses them outright.
# Otherwise each of IMPORTWORKS_VERSIONS (default: 3.10 3.13 3.14) is looked
# for on PATH, in pyenv, in /usr/bin, /usr/local/bin and in the prefix of
# ../shared/pythons/install-debian-python.sh (IW_PYTHONS, default /opt/iw-pythons).
# A 3.14 or 3.15 that is missing is installed with that script when it is there
# and this runs as root on Debian.  With CI=true every version must be found.
IMPORTWORKS_VERSIONS=${IMPORTWORKS_VERSIONS:-"3.10 3.13 3.14 3.15"}
_iw_prefix=${IW_PYTHONS:-/opt/iw-pythons}
_iw_installer="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/pythons/install-debian-python.sh"

find_python() {  # find_python 3.10 -> path or nothing
    local v=$1 c
    for c in "python$v" /root/.pyenv/versions/"$v".*/bin/python /usr/bin/"python$v" \
             /usr/local/bin/"python$v" "$_iw_prefix/$v/usr/bin/python$v"; do
        # pyenv shims exist for every version but only run the selected one
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys' >/dev/null 2>&1; then
            command -v "$c"; return 0
        fi
    done
    return 1
}

can_install_python() {  # the shared installer needs root, apt and Debian
    [ -f "$_iw_installer" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
        && [ -f /etc/debian_version ]
}

select_pythons() {
    if [ -n "${IMPORTWORKS_PYTHONS:-}" ]; then
        PYTHONS=$IMPORTWORKS_PYTHONS
        echo "=== Pythons from IMPORTWORKS_PYTHONS: $PYTHONS"
    else
        PYTHONS=""
        _iw_missing=""
        for v in $IMPORTWORKS_VERSIONS; do
            p=$(find_python "$v") || p=""
            if [ -z "$p" ] && { [ "$v" = 3.14 ] || [ "$v" = 3.15 ]; } && can_install_python; then
                echo "=== installing Python $v (Debian's build, $_iw_installer)"
                IW_PYTHONS=$_iw_prefix bash "$_iw_installer" "$v" || echo "=== could not install Python $v"
                p=$(find_python "$v") || p=""
            fi
            if [ -n "$p" ]; then PYTHONS="$PYTHONS $p"; else _iw_missing="$_iw_missing $v"; fi
        done
        echo "=== Pythons found:${PYTHONS:- none}"
        if [ -n "$_iw_missing" ]; then
            echo "=== not found:$_iw_missing (IMPORTWORKS_PYTHONS=\"/path/pythonX.Y ...\" tests on interpreters of your choice)"
            if [ "${CI:-}" = true ]; then
                echo "=== CI needs every one of: $IMPORTWORKS_VERSIONS" >&2
                exit 1
            fi
        fi
        if [ -z "$PYTHONS" ]; then
            PYTHONS=$(command -v python3)
            echo "=== falling back to $PYTHONS"
        fi
    fi
}
