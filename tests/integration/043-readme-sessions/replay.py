#!/usr/bin/python3
# Replays every session the README shows and compares what each command prints with what
# the README says it prints. A session is a fenced block holding lines that start with
# "$ ": each such line (with its "\" continuations) is a command, the lines after it up to
# the next command are its output. Blocks run in README order; a block preceded by the
# line "<!-- session NAME -->" shares one directory and one bash with the other blocks of
# that NAME (so a store, a background daemon and its job number carry over); any other
# block runs alone. Each runs in a fresh directory holding `etc` (the tree's) and
# `build/release` (the build under test), so the README's commands run as written.
#
# What may differ, and nothing else (both sides are normalised the same way):
# - a date (YYYY-MM-DD): flows are stamped now, so cycles are this month's;
# - the line starting "projected:", which depends on the hour the session runs;
# - an output line "..." stands for any number of lines, and a line "A...B" for any line
#   starting with A and ending with B (the README's shortened outputs).
# Trailing blanks are ignored. After a command ending in "&" that starts `flowtally run`,
# the replay waits (at most 20 s) until UDP port 2055 is listened on, as a person would
# wait for the "listening" line before pointing a router at it.
#
# A session is given 300 s; a daemon it leaves running is stopped (TERM) at its end.
#
# Usage: replay.py README ROOT BUILD  (run as root in a network namespace of its own, so
# the README's fixed ports are free: see run.sh). Prints TAP.
import os
import re
import subprocess
import sys
import tempfile

DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MARK = "@@replay-output@@"


def blocks(lines):
    """Yields (group, [(lineno, command, [expected lines])]) per session block."""
    i, n, group_seq = 0, len(lines), 0
    while i < n:
        if not lines[i].startswith("```"):
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < n and not lines[i].startswith("```"):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if not any(text.startswith("$ ") for _, text in body):
            continue
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        m = re.match(r"<!-- session (\S+) -->$", lines[j].strip()) if j >= 0 else None
        group_seq += 1
        group = m.group(1) if m else "block%d" % group_seq
        cmds = []
        k = 0
        while k < len(body):
            lineno, text = body[k]
            if not text.startswith("$ "):
                if not cmds:
                    raise SystemExit("README.md:%d: a session starts with a command" % lineno)
                cmds[-1][2].append(text)
                k += 1
                continue
            cmd = text[2:]
            while cmd.endswith("\\") and k + 1 < len(body):
                k += 1
                cmd = cmd[:-1] + " " + body[k][1].strip()
            cmds.append((lineno, cmd, []))
            k += 1
        yield group, cmds


def normalise(text):
    text = text.rstrip()
    if text.startswith("projected:"):
        return "projected: (depends on the hour)"
    return DATE.sub("<date>", text)


def matches(want, got):
    """Whether the expected lines (with "..." lines and A...B lines) match got."""
    want = [normalise(w) for w in want]
    got = [normalise(g) for g in got]
    while want and not want[-1]:
        want.pop()
    while got and not got[-1]:
        got.pop()

    def match_from(wi, gi):
        if wi == len(want):
            return gi == len(got)
        w = want[wi]
        if w == "...":
            return any(match_from(wi + 1, k) for k in range(gi, len(got) + 1))
        if gi == len(got):
            return False
        g = got[gi]
        if "..." in w:
            head, tail = w.split("...", 1)
            ok = g.startswith(head) and g.endswith(tail) and len(g) >= len(head) + len(tail)
        else:
            ok = w == g
        return ok and match_from(wi + 1, gi + 1)

    return match_from(0, 0)


def script_of(cmds):
    """One bash script: a marker before each command, and after a background start of
    the daemon a wait for its NetFlow port."""
    out = ["exec 2>&1", "set +e"]
    for idx, (_, cmd, _) in enumerate(cmds):
        out.append("printf '\\n%s %d\\n'" % (MARK, idx))
        out.append(cmd)
        if cmd.rstrip().endswith("&") and "flowtally run" in cmd:
            out.append(
                "for i in $(seq 400); do ss -Hlun 'sport = :2055' | grep -q . && break; "
                "sleep 0.05; done"
            )
    out.append("kill $(jobs -p) 2>/dev/null; wait  # a daemon the session left running")
    return "\n".join(out) + "\n"


def run_group(cmds, root, build, env):
    with tempfile.TemporaryDirectory(prefix="flowtally-readme.") as d:
        os.symlink(os.path.join(root, "etc"), os.path.join(d, "etc"))
        os.makedirs(os.path.join(d, "build"))
        os.symlink(os.path.join(root, build), os.path.join(d, "build", "release"))
        try:
            r = subprocess.run(
                ["bash", "-c", script_of(cmds)],
                cwd=d,
                env=env,
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                timeout=300,
            )
            text = r.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:  # what it printed, then a line no README has
            text = (e.stdout or b"").decode("utf-8", "replace") + "\n(timed out after 300 s)"
    outputs = [[] for _ in cmds]
    cur = None
    for line in text.split("\n"):
        if line.startswith(MARK + " "):
            cur = int(line.split()[1])
            continue
        if cur is not None:
            outputs[cur].append(line)
    for o in outputs:  # the marker's own leading newline ends the output before it
        if o and o[-1] == "":
            o.pop()
    return outputs


def main():
    readme, root, build = sys.argv[1:4]
    with open(readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    groups, order = {}, []
    for group, cmds in blocks(lines):
        if group not in groups:
            groups[group] = []
            order.append(group)
        groups[group].extend(cmds)
    env = dict(os.environ)
    env["PATH"] = "%s:%s:%s" % (
        os.path.join(root, build),
        os.path.join(root, build, "tools"),
        env.get("PATH", "/usr/bin:/bin"),
    )
    n = failed = 0
    for group in order:
        cmds = groups[group]
        outputs = run_group(cmds, root, build, env)
        for (lineno, cmd, want), got in zip(cmds, outputs):
            n += 1
            name = "README.md:%d (%s): $ %s" % (lineno, group, cmd[:70])
            if matches(want, got):
                print("ok %d - %s" % (n, name))
                continue
            failed += 1
            print("not ok %d - %s" % (n, name))
            for w in want:
                print("#   want: %s" % w)
            for g in got:
                print("#   got:  %s" % g)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
