"""ReDoS guard (issue 12 item 7): every rule is linear in its input.

Each case is an adversarial input for one rule (the shapes that make backtracking regexes
quadratic or worse: long runs of almost-matching prefixes, unclosed quotes and brackets, separators
without keys, keys without separators…). A child process redacts each case at 4 KB, 64 KB and
1 MB and reports the CPU time of each. No absolute number is used: the bound at each size is
derived from what was measured in the same run —

    t(size) <= 3 x 16 x t(size / 16)      (linear growth with 3x slack)
    or t(size) <= 200 x ref(size)         (ref: a trivially linear regex pass over the same input)

— and the parent kills the child when a size runs past 3x its bound in wall time, so a
quadratic rule fails in seconds instead of hanging the suite (the old key=value regex took 49 s
for 32 KB).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time

CHILD = r"""
import json, re, sys, time
from agentel.redaction import Policy, Redactor

red = Redactor(Policy.default().enable("ipv4").extend(record_budget_ms=0))
REF = re.compile(r"[a-z]+")

def cases():
    k = lambda unit, n: unit * (n // len(unit) + 1)
    return {
        "kv: long identifier before a key": lambda n: k("a_", n)[:n] + " password: x",
        "kv: stems without separators": lambda n: k("password", n)[:n],
        "kv: stems with far separators": lambda n: k("password" + "_x" * 20 + "=", n)[:n],
        "kv: separators without keys": lambda n: k("a:", n)[:n],
        "kv: many denied pairs": lambda n: k("password=x ", n)[:n],
        "kv: unclosed quote": lambda n: 'password: "' + "a" * n,
        "kv: unbalanced brackets": lambda n: "password: " + "[" * n,
        "kv: unclosed list of strings": lambda n: "password: [" + k('"a",', n)[:n],
        "kv: escaped JSON list": lambda n: 'x \\"password\\": [' + k('\\"a\\",', n)[:n],
        "kv: python repr list": lambda n: "{'password': [" + k("'a', ", n)[:n],
        "kv: quotes and backslashes": lambda n: 'password: ["' + k('\\\\\\"', n)[:n],
        "kv: unicode that lower() widens": lambda n: k("\u0130 password: x ", n)[:n],
        "json: deep": lambda n: "[" * n,
        "json: long key": lambda n: '{"' + k("a_", n)[:n] + 'password": 1}',
        "json: many keys": lambda n: "{" + k('"password_x":1,', n)[:n] + '"a":1}',
        "email: long local part": lambda n: k("a_", n)[:n] + "@example.com",
        "email: many ats": lambda n: k("a@", n)[:n],
        "email: dotted domain": lambda n: "x@" + k("a.", n)[:n] + "1",
        "card: spaced digits": lambda n: k("4 ", n)[:n],
        "card: dashed digits": lambda n: k("4-", n)[:n],
        "card: digit run": lambda n: "4" * n,
        "dna: codon groups": lambda n: k("acg ", n)[:n] + "x",
        "dna: upper run then letter": lambda n: k("ACGT", n)[:n] + "x",
        "dna: wrapped lines": lambda n: k("acgt\n", n)[:n],
        "dna: numbered lines": lambda n: k("1 acg ", n)[:n],
        "openai: prefixes": lambda n: k("sk-", n)[:n],
        "openai: long key": lambda n: "sk-" + "a" * n,
        "anthropic: prefixes": lambda n: k("sk-ant-", n)[:n],
        "aws: prefixes": lambda n: k("AKIA", n)[:n],
        "github: prefixes": lambda n: k("ghp_", n)[:n],
        "github: long fine-grained": lambda n: "github_pat_" + k("a_", n)[:n],
        "jwt: segments": lambda n: k("eyJa.", n)[:n],
        "jwt: long head": lambda n: "eyJ" + "a" * n + ".",
        "bearer: words": lambda n: k("bearer ", n)[:n],
        "bearer: spaces": lambda n: "Bearer " + " " * n,
        "ipv4: dots": lambda n: k("1.", n)[:n],
        "ipv4: octets": lambda n: k("255.", n)[:n],
    }

def cpu(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best

for name, gen in cases().items():
    for size in (4096, 65536, 1048576):
        s = gen(size)
        repeat = {4096: 5, 65536: 3}.get(size, 1)
        ref = cpu(lambda: REF.sub("", s), 3)
        t = cpu(lambda: red.redact_text(s), repeat)
        print(json.dumps({"case": name, "size": size, "t": t, "ref": ref}), flush=True)
print(json.dumps({"done": True}), flush=True)
"""


def _bound(prev_t: float | None, ref: float) -> float:
    linear = 3 * 16 * prev_t if prev_t is not None else 0.0
    return max(linear, 200 * ref)


def test_every_rule_is_linear_on_adversarial_inputs_up_to_1_mb() -> None:
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(__file__), "..", "..", "src")
    env["PYTHONPATH"] = os.pathsep.join([os.path.abspath(src), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout is not None
    failures: list[str] = []
    results: dict[str, dict[int, float]] = {}
    # the first line includes interpreter start-up and imports: let it take its time
    wall_deadline = time.monotonic() + 120
    current = "start-up"
    try:
        while True:
            left = wall_deadline - time.monotonic()
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, left))
            if not ready:
                failures.append(f"{current}: no result within its bound (killed): not linear")
                break
            line = proc.stdout.readline()
            if not line:
                break
            row = json.loads(line)
            if row.get("done"):
                break
            name, size, t, ref = row["case"], row["size"], row["t"], row["ref"]
            sizes = results.setdefault(name, {})
            prev = sizes.get(size // 16)
            bound = _bound(prev, ref)
            sizes[size] = t
            if t > bound:
                failures.append(
                    f"{name} at {size} B: {t * 1000:.1f} ms CPU > bound {bound * 1000:.1f} ms "
                    f"(previous size {'-' if prev is None else f'{prev * 1000:.2f} ms'}, "
                    f"reference pass {ref * 1000:.2f} ms)"
                )
                break  # one superlinear rule is enough: do not wait for it at 1 MB
            # the next line: the next size of this case (bound from this one) or a new case's
            # 4 KB run; the reference pass is linear, so 16x this one bounds the next one's
            nxt = _bound(t, ref * 16) if size < 1048576 else _bound(None, ref)
            repeats = {4096: 3, 65536: 1}.get(size, 5)  # how often the child runs the next one
            current = f"{name} after {size} B"
            wall_deadline = time.monotonic() + (repeats + 1) * 3 * nxt + 5
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        stderr = proc.stderr.read() if proc.stderr else ""
        proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
    assert results, f"the child produced no measurement: {stderr[-2000:]}"
    assert not failures, "\n".join(failures)
    assert len(results) >= 30 and all(len(v) == 3 for v in results.values()), stderr[-2000:]
