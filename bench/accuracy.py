"""Accuracy of the classifier on the labelled conversations in ``../shared/data/eval``.

Per dimension (behavior, personality, mood, shopper): macro-F1 over the classes present in the gold
labels (``none`` included), per-class precision/recall/F1 and a confusion matrix; concerns micro-F1;
turn-intents micro-F1. Then the same after converting every turn to Traditional Chinese with OpenCC
(s2t, s2hk, s2tw): the figures should stay close.

    python -m bench accuracy                 # everything
    python -m bench accuracy --errors behavior   # misclassified ids with gold/pred, for tuning
    python -m bench accuracy --only s2t          # one script variant (simplified, s2t, s2hk, s2tw)
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import opencc

from bench._eval import EVAL, conversations
from strategies.predict import predict

DIMENSIONS = ("behavior", "personality", "mood", "shopper")
VARIANTS = ("simplified", "s2t", "s2hk", "s2tw")


@cache
def _converter(name: str) -> Callable[[str], str]:
    if name == "simplified":
        return lambda text: text
    return opencc.OpenCC(name).convert  # type: ignore[no-any-return]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def per_class(
    gold: Sequence[str], pred: Sequence[str]
) -> tuple[float, dict[str, tuple[float, float, float, int]]]:
    """Macro-F1 over the gold classes, and (P, R, F1, support) per gold class."""
    rows = {}
    for label in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        rows[label] = (prec, rec, _f1(prec, rec), tp + fn)
    macro = sum(r[2] for r in rows.values()) / len(rows) if rows else 0.0
    return macro, rows


def micro(gold: Sequence[set[str]], pred: Sequence[set[str]]) -> tuple[float, float, float]:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return prec, rec, _f1(prec, rec)


def evaluate(rows: list[dict[str, Any]], variant: str) -> dict[str, Any]:
    convert = _converter(variant)
    preds = [predict(r["id"], [convert(t) for t in r["turns"]]) for r in rows]
    out: dict[str, Any] = {"preds": preds}
    for dim in DIMENSIONS:
        gold = [r["labels"][dim] for r in rows]
        pred = [p[dim] for p in preds]
        out[dim] = (per_class(gold, pred), gold, pred)
    out["concerns"] = micro([set(r["labels"]["concerns"]) for r in rows], [set(p["concerns"]) for p in preds])
    gold_turns = [set(i) for r in rows for i in r["labels"]["turn_intents"]]
    pred_turns = [set(i) for p in preds for i in p["turn_intents"]]
    out["intents"] = micro(gold_turns, pred_turns)
    return out


def _confusion(gold: Sequence[str], pred: Sequence[str]) -> list[str]:
    labels = sorted(set(gold) | set(pred))
    counts = Counter(zip(gold, pred, strict=True))
    width = max(len(label) for label in labels) + 1
    lines = ["      gold \\ pred " + "".join(f"{label[:7]:>8}" for label in labels)]
    for g in labels:
        if g in set(gold):
            lines.append(f"      {g:>{width + 11}}" + "".join(f"{counts[(g, p)]:>8}" for p in labels))
    return lines


def report(result: dict[str, Any], variant: str) -> None:
    print(f"\n── {variant} ──")
    for dim in DIMENSIONS:
        (macro, rows), gold, pred = result[dim]
        print(f"  {dim}: macro-F1 {macro:.3f} over {len(rows)} gold classes")
        for label, (p, r, f, n) in rows.items():
            print(f"      {label:>16}  P {p:.2f}  R {r:.2f}  F1 {f:.2f}  (n={n})")
        print("\n".join(_confusion(gold, pred)))
    p, r, f = result["concerns"]
    print(f"  concerns: micro-F1 {f:.3f} (P {p:.2f} R {r:.2f})")
    p, r, f = result["intents"]
    print(f"  turn intents: micro-F1 {f:.3f} (P {p:.2f} R {r:.2f})")


def summary(results: dict[str, dict[str, Any]]) -> None:
    print("\n── summary (macro-F1 per dimension; micro-F1 for concerns and intents) ──")
    print(f"  {'variant':<11}" + "".join(f"{d:>13}" for d in (*DIMENSIONS, "concerns", "intents")))
    for variant, res in results.items():
        cells = [res[d][0][0] for d in DIMENSIONS] + [res["concerns"][2], res["intents"][2]]
        print(f"  {variant:<11}" + "".join(f"{c:>13.3f}" for c in cells))


def errors(rows: list[dict[str, Any]], result: dict[str, Any], dim: str) -> None:
    print(f"\n── misclassified on {dim} ──")
    for row, pred in zip(rows, result["preds"], strict=True):
        if dim == "concerns":
            gold_v, pred_v = sorted(row["labels"]["concerns"]), sorted(pred["concerns"])
        else:
            gold_v, pred_v = row["labels"][dim], pred[dim]
        if gold_v != pred_v:
            print(f"  {row['id']}: gold={gold_v} pred={pred_v}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench accuracy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", metavar="DIM", choices=(*DIMENSIONS, "concerns"))
    parser.add_argument("--only", choices=VARIANTS)
    parser.add_argument("--data", type=Path, default=EVAL)
    args = parser.parse_args(argv)
    rows = list(conversations(args.data))
    print(f"{len(rows)} conversations, {sum(len(r['turns']) for r in rows)} customer turns from {args.data}")
    results = {}
    for variant in [args.only] if args.only else VARIANTS:
        results[variant] = evaluate(rows, variant)
        report(results[variant], variant)
        if args.errors:
            errors(rows, results[variant], args.errors)
    summary(results)
