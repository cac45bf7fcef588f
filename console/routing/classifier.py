"""The learning classifier that proposes a department for a conversation.

A linear model over sets of features (character n-grams, words and concept features; see
:mod:`console.routing._text`): each department has a weight per feature and a bias, and the
department with the highest sum wins. The starter weights come from complement naive Bayes
(:func:`train`), which is strong with a couple of thousand short, mixed-language examples;
staff corrections then move the weights with a passive-aggressive step (:meth:`Classifier.learn`)
until the corrected text is predicted with the wanted confidence, so the same and similar texts
follow the staff from then on.

Confidence is the softmax of the scores divided by a temperature (scaled by the square root of
the number of known features, as long messages add up larger scores); :func:`train` fits the
temperature on held-out folds so that the confidence behaves like a probability.

Pure Python and standard library only; scoring is a set intersection and one C-level ``sum``
per department, which keeps it well above 10,000 messages a second. Nothing leaves the PC.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import json
import math
import os
import random
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from console import errors
from console.routing._text import FeatureSpec, Lexicon, normalise

__all__ = [
    "DEPARTMENTS",
    "Classifier",
    "InvalidModel",
    "Prediction",
    "examples_digest",
    "load_lexicon",
    "train",
]

#: The clinic's department codes, in display order.
DEPARTMENTS: tuple[str, ...] = ("plastic", "dental", "derm", "obesity", "general")
#: Where a text with nothing the model knows goes (greetings, emoji, empty).
FALLBACK = "general"
MODEL_FORMAT = "sotong-routing-model"
MODEL_VERSION = 1
#: Weights are stored rounded to this many decimals.
_DECIMALS = 3


class InvalidModel(errors.SotongError):
    """A model file is unreadable, of another format or inconsistent."""

    code = "invalid_routing_model"


class Prediction(NamedTuple):
    """What the classifier proposes for one text.

    Attributes:
        department: The best department code.
        confidence: Its probability, 0..1 (0.0 when the text has no known feature).
        scores: Probability of every department (they sum to 1).
    """

    department: str
    confidence: float
    scores: Mapping[str, float]


class Classifier:
    """A trained routing model.

    Prediction and learning may run on different threads: each feature's weights are one
    immutable tuple that learning replaces whole, so a concurrent :meth:`predict` never sees half
    an update. Serialise writers (``learn``, ``save``) yourself.

    Args:
        departments: Department codes, one per weight column.
        spec: How text becomes features.
        weights: Feature -> one weight per department.
        bias: One bias per department.
        temperature: Softmax temperature for the confidence (> 0).
        meta: Free-form provenance (training data hash, counts), stored with the model.
    """

    def __init__(
        self,
        departments: Sequence[str],
        spec: FeatureSpec,
        weights: Mapping[str, Sequence[float]],
        bias: Sequence[float],
        temperature: float = 1.0,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        k = len(departments)
        if k < 2 or len(set(departments)) != k or len(bias) != k or not temperature > 0:
            raise InvalidModel(reason="shape")
        self.departments = tuple(departments)
        self.spec = spec
        self.temperature = float(temperature)
        self.bias = [float(b) for b in bias]
        self.meta: dict[str, Any] = dict(meta or {})
        self._rows: dict[str, tuple[float, ...]] = {}
        for feature, row in weights.items():
            if len(row) != k:
                raise InvalidModel(reason="shape", feature=feature)
            self._rows[feature] = tuple(float(w) for w in row)
        self._index = {code: i for i, code in enumerate(self.departments)}

    # -- prediction -----------------------------------------------------------------------

    @property
    def vocabulary_size(self) -> int:
        """How many features have weights."""
        return len(self._rows)

    def features(self, text: str) -> set[str]:
        """The features of ``text`` that the model knows."""
        return self.spec.features(normalise(text)) & self._rows.keys()

    def raw_scores(self, features: Iterable[str]) -> tuple[list[float], int]:
        """Linear scores, one per department, and how many of ``features`` the model knows."""
        rows = list(filter(None, map(self._rows.get, features)))
        if not rows:
            return list(self.bias), 0
        sums = map(sum, zip(*rows, strict=True))
        return [b + s for b, s in zip(self.bias, sums, strict=True)], len(rows)

    def predict(self, text: str) -> Prediction:
        """Propose a department for ``text``.

        Args:
            text: The customer's message (any language, any spelling).

        Returns:
            The best department, its confidence and every department's probability.
        """
        scores, known = self.raw_scores(self.spec.features(normalise(text)))
        if not known:
            uniform = 1.0 / len(self.departments)
            fallback = FALLBACK if FALLBACK in self._index else self.departments[-1]
            return Prediction(fallback, 0.0, dict.fromkeys(self.departments, uniform))
        probs = self._softmax(scores, known)
        best = max(range(len(probs)), key=probs.__getitem__)
        return Prediction(
            self.departments[best], probs[best], dict(zip(self.departments, probs, strict=True))
        )

    def _softmax(self, scores: list[float], n_features: int) -> list[float]:
        scale = 1.0 / (self.temperature * math.sqrt(n_features))
        top = max(scores)
        exps = [math.exp((s - top) * scale) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    # -- learning -------------------------------------------------------------------------

    def learn(self, text: str, department: str, confidence: float = 0.9) -> int:
        """Take a staff correction into account.

        Moves the weights of ``text``'s features towards ``department`` and away from the
        department that outscores it most (a passive-aggressive step, repeated while another
        department is too close, at most ``2 * len(departments)`` times) until ``text`` is
        predicted as ``department`` with at least ``confidence``. Texts that share most of its
        features follow along; the biases stay put, so texts without them do not.

        Args:
            text: The message that was routed.
            department: The department staff chose.
            confidence: Confidence the corrected text must reach, in (0, 1).

        Returns:
            How many update steps were needed (0: the model already agreed).

        Raises:
            console.errors.UnknownDepartment: ``department`` is not one of the model's.
            console.errors.InvalidInput: ``confidence`` is not in (0, 1).
        """
        target = self._index.get(department)
        if target is None:
            raise errors.UnknownDepartment(department=department)
        if not 0.0 < confidence < 1.0:
            raise errors.InvalidInput(confidence=confidence)
        feats = sorted(self.spec.features(normalise(text)))
        if not feats:
            return 0
        k = len(self.departments)
        rows = self._rows
        zero = (0.0,) * k
        n = len(feats)
        # The margin over every other department that yields the wanted probability, with 1%
        # to spare for the rounding that keeps the weights exactly as a saved file holds them.
        ratio = (k - 1) * confidence / (1 - confidence)
        margin = 1.01 * self.temperature * math.sqrt(n) * math.log(ratio)
        steps = 0
        for _ in range(2 * k):
            scores = [b + sum(rows.get(f, zero)[j] for f in feats) for j, b in enumerate(self.bias)]
            rival = max((i for i in range(k) if i != target), key=scores.__getitem__)
            gap = margin - (scores[target] - scores[rival])
            if gap <= 0.005 * margin:
                break
            step = gap / (2 * n)  # half the gap from each of the two columns
            delta = [0.0] * k
            delta[target], delta[rival] = step, -step
            for f in feats:
                # A new tuple replaces the old one: a concurrent reader sees one or the other.
                row = rows.get(f, zero)
                rows[f] = tuple(round(w + d, _DECIMALS) for w, d in zip(row, delta, strict=True))
            steps += 1
        self.meta["corrections"] = int(self.meta.get("corrections", 0)) + 1
        return steps

    # -- persistence ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The model as plain JSON values (weights rounded, features sorted: deterministic)."""
        weights = {
            feature: [_rounded(w) for w in self._rows[feature]] for feature in sorted(self._rows)
        }
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "departments": list(self.departments),
            "features": self.spec.to_dict(),
            "temperature": round(self.temperature, 6),
            "bias": [round(b, 6) for b in self.bias],
            "meta": self.meta,
            "weights": weights,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Classifier:
        """Rebuild a model written by :meth:`to_dict`.

        Raises:
            InvalidModel: ``data`` is not a model this version reads.
        """
        if data.get("format") != MODEL_FORMAT or data.get("version") != MODEL_VERSION:
            raise InvalidModel(reason="format")
        try:
            return cls(
                departments=[str(d) for d in data["departments"]],
                spec=FeatureSpec.from_dict(data["features"]),
                weights=data["weights"],
                bias=[float(b) for b in data["bias"]],
                temperature=float(data["temperature"]),
                meta=data.get("meta") or {},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidModel(reason=type(exc).__name__) from exc

    def save(self, path: Path) -> None:
        """Write the model to ``path`` atomically (``.gz`` suffix: gzip-compressed JSON)."""
        body = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        raw = body.encode("utf-8") + b"\n"
        if path.suffix == ".gz":
            raw = gzip.compress(raw, compresslevel=9, mtime=0)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is no secret
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def from_bytes(cls, raw: bytes) -> Classifier:
        """Read a model from the bytes of a file :meth:`save` wrote (gzip detected)."""
        try:
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            data = json.loads(raw.decode("utf-8"))
        except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
            raise InvalidModel(reason=type(exc).__name__) from exc
        if not isinstance(data, dict):
            raise InvalidModel(reason="format")
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: Path) -> Classifier:
        """Read a model file written by :meth:`save`.

        Raises:
            InvalidModel: The file is not a readable model.
            OSError: The file cannot be read.
        """
        return cls.from_bytes(path.read_bytes())

    def copy(self) -> Classifier:
        """An independent copy (learning on it leaves this one alone)."""
        clone = Classifier.__new__(Classifier)
        clone.departments = self.departments
        clone.spec = self.spec
        clone.temperature = self.temperature
        clone.bias = list(self.bias)
        clone.meta = json.loads(json.dumps(self.meta))
        clone._rows = dict(self._rows)
        clone._index = dict(self._index)
        return clone


def _rounded(value: float) -> float | int:
    value = round(value, _DECIMALS)
    return int(value) if value == int(value) else value


# -- training -------------------------------------------------------------------------------


def load_lexicon(data: Mapping[str, Any], weight: int) -> Lexicon:
    """Build the concept lexicon from the parsed ``lexicon.json``.

    Raises:
        InvalidModel: The file does not have a ``concepts`` object of lists of strings.
    """
    concepts = data.get("concepts")
    if not isinstance(concepts, dict) or not all(
        isinstance(forms, list) and all(isinstance(f, str) for f in forms)
        for forms in concepts.values()
    ):
        raise InvalidModel(reason="lexicon")
    return Lexicon(concepts, weight)


def examples_digest(examples: Iterable[tuple[str, str]]) -> str:
    """SHA-256 of ``(text, department)`` pairs, in order, as :func:`train` records it."""
    digest = hashlib.sha256()
    for text, label in examples:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()


def _complement_nb(
    examples: Sequence[tuple[set[str], int]],
    k: int,
    alpha: float,
    prior: float,
    min_count: int = 1,
) -> tuple[dict[str, list[float]], list[float]]:
    """Complement naive Bayes weights over binary features, centred per feature.

    Features seen in fewer than ``min_count`` examples are left out of the model.
    """
    counts = [collections.Counter[str]() for _ in range(k)]
    per_class = [0] * k
    for feats, label in examples:
        counts[label].update(feats)
        per_class[label] += 1
    total = collections.Counter[str]()
    for c in counts:
        total.update(c)
    vocab = sorted(f for f, n in total.items() if n >= min_count)
    size = len(vocab)
    all_count = sum(total.values())
    class_count = [sum(c.values()) for c in counts]
    weights: dict[str, list[float]] = {}
    denominators = [math.log(all_count - class_count[j] + alpha * size) for j in range(k)]
    for feature in vocab:
        t = total[feature]
        row = [denominators[j] - math.log(t - counts[j][feature] + alpha) for j in range(k)]
        mean = sum(row) / k
        weights[feature] = [w - mean for w in row]
    n = len(examples)
    bias = [prior * math.log(max(per_class[j], 1) / n) for j in range(k)]
    mean_bias = sum(bias) / k
    return weights, [b - mean_bias for b in bias]


def _fit_temperature(held_out: Sequence[tuple[list[float], int, int]]) -> float:
    """The temperature minimising the negative log-likelihood of held-out predictions."""

    def nll(temperature: float) -> float:
        loss = 0.0
        for scores, n, label in held_out:
            scale = 1.0 / (temperature * math.sqrt(n))
            top = max(scores)
            z = sum(math.exp((s - top) * scale) for s in scores)
            loss += math.log(z) - (scores[label] - top) * scale
        return loss / max(len(held_out), 1)

    lo, hi = math.log(0.01), math.log(100.0)
    for _ in range(60):  # golden-section search on log(temperature)
        a = hi - (hi - lo) * 0.618
        b = lo + (hi - lo) * 0.618
        if nll(math.exp(a)) < nll(math.exp(b)):
            hi = b
        else:
            lo = a
    return math.exp((lo + hi) / 2)


def train(
    examples: Iterable[tuple[str, str]],
    *,
    departments: Sequence[str] = DEPARTMENTS,
    spec: FeatureSpec | None = None,
    alpha: float = 0.3,
    prior: float = 1.0,
    min_count: int = 1,
    folds: int = 5,
    seed: int = 20240611,
) -> Classifier:
    """Train a model from ``(text, department)`` pairs. Deterministic for the same input.

    Args:
        examples: Labelled texts.
        departments: The department codes (every label must be one of them).
        spec: Feature extraction (default: :class:`FeatureSpec` defaults, no lexicon).
        alpha: Additive smoothing of the naive Bayes counts.
        prior: How much the class frequencies count (0: not at all).
        min_count: Leave out features seen in fewer training examples than this (a smaller,
            faster model).
        folds: Cross-validation folds used to fit the confidence temperature (< 2: no fit).
        seed: Seed of the fold shuffle.

    Returns:
        The trained classifier; ``meta`` records the example count and a hash of the data.

    Raises:
        console.errors.UnknownDepartment: A label is not in ``departments``.
        console.errors.InvalidInput: There are fewer than two examples.
    """
    spec = spec or FeatureSpec()
    index = {code: i for i, code in enumerate(departments)}
    pairs = list(examples)
    rows: list[tuple[set[str], int]] = []
    for text, label in pairs:
        if label not in index:
            raise errors.UnknownDepartment(department=label)
        rows.append((spec.features(normalise(text)), index[label]))
    if len(rows) < 2:
        raise errors.InvalidInput(examples=len(rows))
    k = len(departments)
    temperature = 1.0
    if folds >= 2:
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        held_out: list[tuple[list[float], int, int]] = []
        for f in range(folds):
            test_ids = set(order[f::folds])
            fold_w, fold_b = _complement_nb(
                [r for i, r in enumerate(rows) if i not in test_ids], k, alpha, prior, min_count
            )
            probe = Classifier(departments, spec, fold_w, fold_b)
            for i in sorted(test_ids):
                scores, known = probe.raw_scores(rows[i][0])
                if known:
                    held_out.append((scores, known, rows[i][1]))
        temperature = _fit_temperature(held_out)
    weights, bias = _complement_nb(rows, k, alpha, prior, min_count)
    meta = {
        "examples": len(rows),
        "data_sha256": examples_digest(pairs),
        "alpha": alpha,
        "prior": prior,
        "min_count": min_count,
        "corrections": 0,
    }
    model = Classifier(departments, spec, weights, bias, temperature, meta)
    # Round-trip once so the model in memory is exactly the one a saved file holds.
    return Classifier.from_dict(model.to_dict())
