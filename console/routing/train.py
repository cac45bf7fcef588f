"""Build the starter routing model from the labelled data.

Run from a source checkout::

    python -m console.routing.train [--data train.jsonl] [--lexicon lexicon.json] [--out model]

The defaults read ``resources/routing/train.jsonl`` and ``lexicon.json`` and write
``resources/routing/starter_model.json``. The same inputs always give the same file, byte for
byte. Prints one JSON object (examples, vocabulary size, temperature, file size) on success.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from console import errors
from console.routing._data import read_examples
from console.routing._text import FeatureSpec
from console.routing.classifier import Classifier, load_lexicon, train

__all__ = ["ROUTING_DIR", "build", "main"]

#: ``resources/routing`` of the source checkout this module lives in.
ROUTING_DIR = Path(__file__).resolve().parents[2] / "resources" / "routing"

#: Copies of each concept feature (how much the lexicon counts next to the n-grams).
LEXICON_WEIGHT = 6
#: Naive Bayes smoothing, class-prior weight and the rarest feature kept.
ALPHA, PRIOR, MIN_COUNT = 0.3, 1.0, 2


def build(data: Path, lexicon: Path) -> Classifier:
    """Train the starter model from a labelled JSON Lines file and a lexicon file.

    Raises:
        console.errors.InvalidInput: The data has a malformed line.
        console.routing.InvalidModel: The lexicon is malformed.
        OSError: A file cannot be read.
    """
    examples = read_examples(data.read_text(encoding="utf-8").splitlines())
    lexicon_data = json.loads(lexicon.read_text(encoding="utf-8"))
    spec = FeatureSpec(lexicon=load_lexicon(lexicon_data, LEXICON_WEIGHT))
    return train(
        ((e.text, e.department) for e in examples),
        spec=spec,
        alpha=ALPHA,
        prior=PRIOR,
        min_count=MIN_COUNT,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 done, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="python -m console.routing.train")
    parser.add_argument("--data", type=Path, default=ROUTING_DIR / "train.jsonl")
    parser.add_argument("--lexicon", type=Path, default=ROUTING_DIR / "lexicon.json")
    parser.add_argument("--out", type=Path, default=ROUTING_DIR / "starter_model.json")
    args = parser.parse_args(argv)
    try:
        model = build(args.data, args.lexicon)
    except errors.SotongError as exc:
        print(json.dumps({"error": exc.code, **_plain(exc.params)}), file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(json.dumps({"error": type(exc).__name__}), file=sys.stderr)
        return 2
    model.save(args.out)
    report = {
        "examples": model.meta["examples"],
        "vocabulary": model.vocabulary_size,
        "temperature": round(model.temperature, 4),
        "bytes": args.out.stat().st_size,
        "out": str(args.out),
    }
    print(json.dumps(report, ensure_ascii=False))
    return 0


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, str | int | float | bool | None) else str(v)
        for k, v in params.items()
    }


if __name__ == "__main__":
    sys.exit(main())
