#!/usr/bin/env python3
"""Draw the second-review sample from labels.tsv (reproducible: seed 1402).

Strata are lint rules. Per rule with N labeled findings the sample holds
n = min(N, max(10, ceil(0.35 * N))) findings: first every finding of a
verdict class that has at most 5 members in that rule (so the rare class,
e.g. the few false positives of a mostly precise rule, is always checked),
then a simple random draw from the rest. The output holds no verdicts:
the second reviewer labels without seeing them.

Usage: second_review_sample.py labels.tsv > sample.tsv
"""
import math
import random
import sys
from collections import defaultdict

SEED = 1402
RARE = 5


def main(path):
    rows = [l.rstrip("\n").split("\t") for l in open(path, encoding="utf-8")]
    header, rows = rows[0], [r for r in rows[1:] if r and r[0] and not r[0].startswith("#")]
    by_rule = defaultdict(list)
    for i, r in enumerate(rows):
        by_rule[r[1]].append(i)
    rng = random.Random(SEED)
    chosen = []
    for rule in sorted(by_rule):
        idx = by_rule[rule]
        n = min(len(idx), max(10, math.ceil(0.35 * len(idx))))
        classes = defaultdict(list)
        for i in idx:
            classes[rows[i][6]].append(i)
        forced = [i for c in sorted(classes) if len(classes[c]) <= RARE for i in classes[c]]
        rest = [i for i in idx if i not in forced]
        take = forced + rng.sample(rest, max(0, n - len(forced)))
        chosen.extend(sorted(take))
    print("file\trule\tname\texpr_hash\tsnippet\tat")
    for i in sorted(chosen):
        print("\t".join(rows[i][:6]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/precision/labels.tsv")
