#!/usr/bin/env python3
"""Prints a Markdown table of criterion medians (ns per operation) and ratios to a baseline.

Usage: python3 bench/criterion_table.py GROUP... [--per N] [--baseline NAME]
Reads target/criterion/<group>/<contender>/new/estimates.json, written by `cargo bench`.
"""
import argparse, json, pathlib

parser = argparse.ArgumentParser()
parser.add_argument("groups", nargs="+")
parser.add_argument("--per", type=int, default=10_000, help="operations per iteration")
parser.add_argument("--baseline", default="cashier-core")
parser.add_argument("--root", default="target/criterion")
args = parser.parse_args()

print("| workload | contender | median ns/op | vs " + args.baseline + " |")
print("|---|---|---:|---:|")
for group in args.groups:
    base = pathlib.Path(args.root) / group
    medians = {}
    for estimates in sorted(base.glob("*/new/estimates.json")):
        contender = estimates.parent.parent.name
        medians[contender] = json.loads(estimates.read_text())["median"]["point_estimate"] / args.per
    reference = medians.get(args.baseline)
    for contender, ns in sorted(medians.items(), key=lambda item: item[1]):
        ratio = f"{ns / reference:.2f}×" if reference else "–"
        print(f"| {group} | {contender} | {ns:.2f} | {ratio} |")
