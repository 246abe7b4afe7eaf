#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the include graph of src/ against doc/layers.txt, the one place it is written
# down: every #include of another folder's file (resolved from the including file, so
# "../store/store.h" and, from src/store/sqlite/, "../store.h" both work) must be an edge
# the file allows, and every library header listed on an `extern:` line may be included
# only in its place. Prints TAP: one test per folder, per exception (still needed?) and
# per library, plus one that the file parses and one that its graph has no cycles.
# Violations come first, as "src/X/file.c:LINE: X includes Y, which doc/layers.txt does
# not allow". Exit status 1 on any violation, 2 if doc/layers.txt cannot be read.
# Usage: sh tests/layering.sh        (from anywhere; it checks the tree it lives in)
#        sh tests/layering.sh --deps FOLDER   prints FOLDER and every folder doc/layers.txt
#        lets it reach, directly or not (what a unit test of FOLDER links; see Makefile)
set -u
deps=
[ "${1:-}" = --deps ] && deps=${2:?usage: tests/layering.sh --deps FOLDER}
cd "$(dirname "$0")/.." || exit 2
layers=doc/layers.txt
if [ ! -r "$layers" ]; then
    echo "not ok 1 - $layers cannot be read"
    echo "1..1"
    exit 2
fi
{ [ -n "$deps" ] || find src -type f \( -name '*.c' -o -name '*.h' -o -name '*.def' \); } |
    LC_ALL=C sort | awk -v layers="$layers" -v deps="$deps" '
function err(msg) { bad_layers = bad_layers msg "\n" }
function glob_re(g,    re, i, c) {
    re = ""
    for (i = 1; i <= length(g); i++) {
        c = substr(g, i, 1)
        if (c == "*") re = re ".*"
        else if (index("\\.[]()+?{}|^$", c)) re = re "\\" c
        else re = re c
    }
    return "^" re "$"
}
# Lexically resolves path p (with . and .. segments) to a canonical relative path.
function canon(p,    n, seg, out, m, i, k) {
    n = split(p, seg, "/")
    m = 0
    for (i = 1; i <= n; i++) {
        if (seg[i] == "" || seg[i] == ".") continue
        if (seg[i] == ".." && m > 0 && out[m] != "..") { m--; continue }
        out[++m] = seg[i]
    }
    p = ""
    for (k = 1; k <= m; k++) p = p (k > 1 ? "/" : "") out[k]
    return p
}
function exists(p,    junk, r) {
    r = (getline junk < p)
    if (r >= 0) close(p)
    return r >= 0
}
function read_layers(    line, n, f, i, from, to, k, heads, place, v) {
    n = 0
    while ((getline line < layers) > 0) {
        n++
        sub(/#.*/, "", line)
        gsub(/[ \t]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
        if (line == "") continue
        if (line ~ /^extern:/) {
            sub(/^extern: ?/, "", line)
            k = index(line, " -> ")
            if (k == 0) { err(layers ":" n ": expected extern: HEADERS... -> PLACE"); continue }
            heads = substr(line, 1, k - 1); place = substr(line, k + 4)
            if (heads == "" || place == "" || place ~ / /) {
                err(layers ":" n ": expected extern: HEADERS... -> PLACE"); continue
            }
            n_ext++
            ext_line[n_ext] = n; ext_heads[n_ext] = heads; ext_place[n_ext] = place
            ext_np[n_ext] = split(heads, f, " ")
            for (i = 1; i <= ext_np[n_ext]; i++) ext_re[n_ext, i] = glob_re(f[i])
        } else if (line ~ /^except /) {
            if (split(line, f, " ") != 4 || f[3] != "->") {
                err(layers ":" n ": expected except FROM -> TO"); continue
            }
            from = f[2]; to = f[4]
            if ((from, to) in exc_line) { err(layers ":" n ": exception " from " -> " to " again"); continue }
            n_exc++; exc_from[n_exc] = from; exc_to[n_exc] = to
            exc_line[from, to] = n
            named[from] = n; named[to] = n
            allowed[from, to] = 1
            add_edge(from, to)
            exc_list[from] = exc_list[from] " " to
        } else if (line ~ /^[A-Za-z0-9_-]+:( |$)/) {
            k = index(line, ":")
            from = substr(line, 1, k - 1)
            if (from in decl_line) { err(layers ":" n ": a second line for " from); continue }
            decl_line[from] = n; decl[++n_decl] = from
            k = split(substr(line, k + 1), f, " ")
            for (i = 1; i <= k; i++) {
                if (f[i] == from) continue
                allowed[from, f[i]] = 1; named[f[i]] = n
                add_edge(from, f[i])
                list[from] = list[from] (list[from] == "" ? "" : " ") f[i]
            }
        } else {
            err(layers ":" n ": cannot read \"" line "\"")
        }
    }
    close(layers)
    if (n == 0) err(layers ": empty")
    for (v in named)
        if (!(v in decl_line)) err(layers ":" named[v] ": " v " has no line of its own")
}
function add_edge(from, to) {
    if ((from, to) in edge) return
    edge[from, to] = 1
    succ[from] = succ[from] " " to
}
# Depth-first search for a cycle through the allowed edges; sets cycle to its path.
function dfs(v, path,    s, i, n) {
    if (state[v] == 1) { cycle = path " -> " v; return 1 }
    if (state[v] == 2) return 0
    state[v] = 1
    n = split(succ[v], s, " ")
    for (i = 1; i <= n; i++)
        if (dfs(s[i], path == "" ? v : path " -> " v)) return 1
    state[v] = 2
    return 0
}
function tap(okay, desc, diag) {
    printf "%s", diag
    n_test++
    if (!okay) n_fail++
    print (okay ? "ok " : "not ok ") n_test " - " desc
}
function reach(v,    s, i, n) {
    if (v in reached) return
    reached[v] = 1
    out = out (out == "" ? "" : " ") v
    n = split(succ[v], s, " ")
    for (i = 1; i <= n; i++) reach(s[i])
}
BEGIN {
    read_layers()
    if (deps != "") {
        if (bad_layers != "" || !(deps in decl_line)) {
            printf "%s%s\n", bad_layers, layers ": no line for " deps > "/dev/stderr"
            exit 2
        }
        reach(deps)
        print out
        exit 0
    }
}
{
    path = $0
    n = split(path, seg, "/")
    if (n < 3) {
        stray = stray path ": a file of src/ in no folder\n"
        next
    }
    folder = seg[2]
    if (!(folder in seen)) { seen[folder] = 1; folders[++n_folders] = folder }
    dir = path; sub(/\/[^\/]*$/, "", dir)
    ln = 0
    while ((getline line < path) > 0) {
        ln++
        if (line !~ /^[ \t]*#[ \t]*include[ \t]*[<"]/) continue
        inc = line; sub(/^[ \t]*#[ \t]*include[ \t]*/, "", inc)
        quote = substr(inc, 1, 1)
        inc = substr(inc, 2)
        k = index(inc, quote == "<" ? ">" : "\"")
        if (k == 0) continue
        inc = substr(inc, 1, k - 1)
        # a library header: only in its place
        for (e = 1; e <= n_ext; e++)
            for (i = 1; i <= ext_np[e]; i++)
                if (inc ~ ext_re[e, i]) {
                    place = ext_place[e]
                    if (folder != place && path != "src/" place) {
                        ext_bad[e] = ext_bad[e] path ":" ln ": " folder " includes " \
                            quote inc (quote == "<" ? ">" : "\"") ", which " layers \
                            " allows only in " place "\n"
                    }
                }
        if (quote != "\"") continue
        target = canon(dir "/" inc)
        # as the compiler would with -Isrc: "store/store.h" when no such file is beside us
        split(inc, iseg, "/")
        if (!exists(target) && (iseg[1] in decl_line) && exists("src/" inc))
            target = canon("src/" inc)
        if (target !~ /^src\//) {
            bad[folder] = bad[folder] path ":" ln ": " folder " includes " inc \
                ", a file outside src/\n"
            continue
        }
        if (split(target, tseg, "/") < 3) continue # src/x.h: the stray file is reported
        to = tseg[2]
        if (to == folder) continue
        if ((folder, to) in exc_line) used[folder, to] = 1
        if (!((folder, to) in allowed))
            bad[folder] = bad[folder] path ":" ln ": " folder " includes " to \
                ", which " layers " does not allow\n"
    }
    close(path)
}
END {
    if (deps != "") exit
    tap(bad_layers == "", layers " parses", bad_layers)
    for (i = 1; i <= n_decl; i++) state[decl[i]] = 0
    cycle = ""
    for (i = 1; i <= n_decl && cycle == ""; i++) dfs(decl[i], "")
    tap(cycle == "", "the allowed graph has no cycles (it is a layering)",
        cycle == "" ? "" : layers ": the allowed edges go round: " cycle "\n")
    tap(stray == "", "every file of src/ is in a folder", stray)
    for (i = 1; i <= n_folders; i++) {
        f = folders[i]
        if (!(f in decl_line)) {
            tap(0, "src/" f "/ has a line in " layers,
                "src/" f "/: a folder without a line in " layers \
                " (add \"" f ": FOLDERS...\" with what it may include)\n")
            continue
        }
        tap(!(f in bad), f " includes only " (list[f] == "" ? "itself" : list[f]) \
            (f in exc_list ? " (and, by exception," exc_list[f] ")" : ""), bad[f])
    }
    for (i = 1; i <= n_decl; i++)
        if (!(decl[i] in seen))
            tap(0, "src/" decl[i] "/ exists", layers ":" decl_line[decl[i]] ": no folder src/" \
                decl[i] "/ (remove the line)\n")
    for (i = 1; i <= n_exc; i++) {
        f = exc_from[i]; t = exc_to[i]
        tap((f, t) in used, "exception " f " -> " t " is still needed",
            (f, t) in used ? "" : layers ":" exc_line[f, t] ": exception " f " -> " t \
                " is no longer needed: delete it\n")
    }
    for (e = 1; e <= n_ext; e++)
        tap(!(e in ext_bad), ext_heads[e] " only in " ext_place[e], ext_bad[e])
    print "1.." n_test
    exit (n_fail > 0)
}'
