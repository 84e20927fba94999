#!/usr/bin/env python3
"""Print criterion's results as a Markdown table of medians, min and max per benchmark.

Usage: python3 benches/table.py GROUP [GROUP...]   (after `cargo bench`)
Reads target/criterion/GROUP/*/new/{estimates,sample}.json. The median is criterion's
estimate over all iterations; min and max are over its samples (each the mean of a batch).
"""
import glob
import json
import sys


def fmt(ns):
    if ns >= 1e9:
        return "%.2f s" % (ns / 1e9)
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.1f µs" % (ns / 1e3)
    return "%.0f ns" % ns


def main(groups):
    print("| benchmark | median | min | max | samples |")
    print("|---|---|---|---|---|")
    for group in groups:
        for path in sorted(glob.glob("target/criterion/%s/*/new/estimates.json" % group)):
            name = path.split("/")[-3]
            estimates = json.load(open(path))
            sample = json.load(open(path.replace("estimates.json", "sample.json")))
            per_iter = [t / n for t, n in zip(sample["times"], sample["iters"])]
            print("| %s/%s | %s | %s | %s | %d |" % (
                group, name, fmt(estimates["median"]["point_estimate"]),
                fmt(min(per_iter)), fmt(max(per_iter)), len(per_iter)))


if __name__ == "__main__":
    main(sys.argv[1:] or ["update"])
