# Find the interpreters to test on: the oldest and newest supported CPython.
# Sourced by the other scripts; sets PYTHONS (paths) from IMPORTWORKS_PYTHONS or a search.
find_python() {  # find_python 3.10 -> path or nothing
    local v=$1 c
    for c in "python$v" /root/.pyenv/versions/"$v".*/bin/python /usr/bin/"python$v" /usr/local/bin/"python$v"; do
        # pyenv shims exist for every version but only run the selected one
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys' >/dev/null 2>&1; then
            command -v "$c"; return 0
        fi
    done
    return 1
}
if [ -n "${IMPORTWORKS_PYTHONS:-}" ]; then
    PYTHONS=$IMPORTWORKS_PYTHONS
else
    PYTHONS=""
    for v in 3.10 3.13; do
        p=$(find_python "$v") && PYTHONS="$PYTHONS $p"
    done
    [ -n "$PYTHONS" ] || PYTHONS=$(command -v python3)
fi
