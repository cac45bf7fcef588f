"""Accuracy and speed of the routing classifier.

Run from anywhere::

    python -m console.routing.evaluate [--model FILE] [--data test.jsonl] [--no-bench] [--check]

prints one JSON object: overall and per-department accuracy on the labelled data (the shipped
``test.jsonl`` by default), the confusion matrix (``confusion[true][predicted]``), how many
predictions reach the auto-apply threshold and how accurate those are, and the speed figures
of :func:`bench`. With ``--check`` the exit code is 1 when a target is missed (overall
accuracy 0.92, every department 0.85, 10,000 classifications a second, 50 ms per learning
step).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from console.routing._data import Example, read_examples, shipped_examples
from console.routing._router import DEFAULT_THRESHOLD, starter_model
from console.routing.classifier import Classifier

__all__ = ["TARGETS", "Report", "bench", "evaluate", "main"]

#: What the shipped model must reach on the shipped test set (and this PC's speed).
TARGETS = {
    "accuracy": 0.92,
    "department_accuracy": 0.85,
    "classify_per_s": 10_000.0,
    "learn_ms": 50.0,
}


@dataclass(frozen=True, slots=True)
class Report:
    """How a model does on labelled examples.

    Attributes:
        examples: How many examples were classified.
        accuracy: Share predicted right.
        per_department: Department -> share of its examples predicted right.
        confusion: True department -> predicted department -> count.
        threshold: The auto-apply threshold the two figures below use.
        auto_share: Share of examples whose confidence reaches ``threshold``.
        auto_accuracy: Accuracy among those (1.0 when there are none).
    """

    examples: int
    accuracy: float
    per_department: dict[str, float]
    confusion: dict[str, dict[str, int]]
    threshold: float
    auto_share: float
    auto_accuracy: float


def evaluate(
    model: Classifier, examples: Sequence[Example], threshold: float = DEFAULT_THRESHOLD
) -> Report:
    """Classify ``examples`` and compare with their labels."""
    departments = model.departments
    confusion = {d: dict.fromkeys(departments, 0) for d in departments}
    auto = auto_right = 0
    for example in examples:
        prediction = model.predict(example.text)
        confusion.setdefault(example.department, dict.fromkeys(departments, 0))
        confusion[example.department][prediction.department] += 1
        if prediction.confidence >= threshold:
            auto += 1
            auto_right += prediction.department == example.department
    total = len(examples)
    right = sum(row.get(d, 0) for d, row in confusion.items())
    per_department = {
        d: round(row.get(d, 0) / n, 4) for d, row in confusion.items() if (n := sum(row.values()))
    }
    return Report(
        examples=total,
        accuracy=round(right / total, 4) if total else 0.0,
        per_department=per_department,
        confusion=confusion,
        threshold=threshold,
        auto_share=round(auto / total, 4) if total else 0.0,
        auto_accuracy=round(auto_right / auto, 4) if auto else 1.0,
    )


def bench(
    model: Classifier | None = None,
    texts: Sequence[str] | None = None,
    rounds: int = 5,
) -> dict[str, float]:
    """Measure classification and learning speed on this PC.

    Args:
        model: The model (the starter model when ``None``); learning runs on a copy.
        texts: Typical messages (the shipped test set when ``None``).
        rounds: Passes over ``texts``; the fastest pass counts.

    Returns:
        ``classify_per_s`` (messages a second, single thread) and ``learn_ms`` (the slowest
        single correction, in milliseconds, over up to 50 corrections).
    """
    model = model or starter_model()
    if texts is None:
        texts = [e.text for e in shipped_examples("test")]
    if not texts:
        return {"classify_per_s": 0.0, "learn_ms": 0.0}
    predict = model.predict
    best = float("inf")
    for _ in range(max(rounds, 1)):
        start = time.perf_counter()
        for text in texts:
            predict(text)
        best = min(best, time.perf_counter() - start)
    learner = model.copy()
    departments = learner.departments
    slowest = 0.0
    for i, text in enumerate(texts[:50]):
        current = departments.index(learner.predict(text).department)
        wrong = departments[(current + 1 + i % (len(departments) - 1)) % len(departments)]
        start = time.perf_counter()
        learner.learn(text, wrong)
        slowest = max(slowest, time.perf_counter() - start)
    return {
        "classify_per_s": round(len(texts) / best, 1),
        "learn_ms": round(slowest * 1000, 3),
    }


def _missed(report: Report, speed: dict[str, float] | None) -> list[str]:
    missed = []
    if report.accuracy < TARGETS["accuracy"]:
        missed.append("accuracy")
    if any(v < TARGETS["department_accuracy"] for v in report.per_department.values()):
        missed.append("department_accuracy")
    if speed is not None:
        if speed["classify_per_s"] < TARGETS["classify_per_s"]:
            missed.append("classify_per_s")
        if speed["learn_ms"] > TARGETS["learn_ms"]:
            missed.append("learn_ms")
    return missed


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0, or 1 when ``--check`` fails)."""
    parser = argparse.ArgumentParser(prog="python -m console.routing.evaluate")
    parser.add_argument("--model", type=Path, help="model file (default: the starter model)")
    parser.add_argument("--data", type=Path, help="labelled JSON Lines (default: test.jsonl)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--no-bench", action="store_true", help="skip the speed measurement")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    model = Classifier.load(args.model) if args.model else starter_model()
    if args.data:
        examples = read_examples(args.data.read_text(encoding="utf-8").splitlines())
    else:
        examples = shipped_examples("test")
    report = evaluate(model, examples, args.threshold)
    speed = None if args.no_bench else bench(model, [e.text for e in examples])
    out: dict[str, Any] = asdict(report)
    if speed is not None:
        out.update(speed)
    out["vocabulary"] = model.vocabulary_size
    missed = _missed(report, speed)
    out["missed_targets"] = missed
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
