#!/usr/bin/env python3
"""Sums a PyTorch operator profile (Chrome trace JSON, e.g. from `vqclip bench step --profile FILE`) per operator.

    python3 packaging/profile-summary.py FILE [--top 25] [--steps N]

Prints each operator's self time (its own time minus that of the operators it called), its total time and its call
count, per step when --steps is given, largest self time first. Self time is what the operator's own kernel took,
so the column adds up to the profiled time.
"""
import argparse
import collections
import json


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trace")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--steps", type=int, default=1, help="divide by this many steps")
    a = p.parse_args()
    with open(a.trace) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    spans = sorted((e for e in events if e.get("ph") == "X" and "dur" in e),
                   key=lambda e: (e.get("tid"), e["ts"], -e["dur"]))
    total = collections.Counter()
    self_time = collections.Counter()
    calls = collections.Counter()
    stack = {}
    for e in spans:
        open_spans = stack.setdefault(e.get("tid"), [])
        while open_spans and open_spans[-1]["ts"] + open_spans[-1]["dur"] <= e["ts"]:
            open_spans.pop()
        if open_spans:
            self_time[open_spans[-1]["name"]] -= e["dur"]
        name = e["name"]
        total[name] += e["dur"]
        self_time[name] += e["dur"]
        calls[name] += 1
        open_spans.append(e)
    overall = sum(self_time.values())
    print(f"{'operator':40s} {'self s':>8s} {'share':>6s} {'total s':>8s} {'calls':>7s}  (per step over {a.steps})")
    for name, t in self_time.most_common(a.top):
        print(f"{name[:40]:40s} {t / 1e6 / a.steps:8.3f} {t / overall:6.1%} {total[name] / 1e6 / a.steps:8.3f}"
              f" {calls[name] / a.steps:7.0f}")
    print(f"{'all operators (self)':40s} {overall / 1e6 / a.steps:8.3f}")


if __name__ == "__main__":
    main()
