# Helpers the benchmark scripts share (sourced by bench.sh and portal.sh; POSIX sh).

# wait_for MAX_TRIES CMD...: polls CMD every 50 ms, at most MAX_TRIES times.
wait_for() {
    n=$1
    shift
    i=0
    while ! "$@" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -ge "$n" ] && return 1
        sleep 0.05
    done
}

# alive PID: true while the process exists and is not a zombie.
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$st" ] && [ "$st" != Z ]
}
not_alive() { ! alive "$1"; }
