"""Text normalisation and character n-gram features for the routing classifier.

Customers write the way they talk: spacing is optional (``쌍수가격``), letters repeat
(``ㅋㅋㅋㅋ``, ``ㅠㅠㅠ``, ``!!!!``), emoji stand in for words and the same procedure is spelt
several ways (``쌍커풀``/``쌍꺼풀``). The features are built to shrug that off:

* :func:`normalise` applies NFKC, lower-cases, folds every digit to ``0``, every emoji to one
  symbol, punctuation other than ``?`` to a space, any run of three or more equal characters to
  two, and collapses whitespace.
* :func:`features` returns the *set* (presence, not counts) of: character n-grams of the
  normalised text with spaces removed (spacing mistakes stop mattering); n-grams of its Hangul
  jamo decomposition, so a typo in one consonant or vowel still shares most features with the
  right spelling; whole words and adjacent word pairs; optionally n-grams of the spaced text;
  and concept features from a :class:`Lexicon` (``울쎄라``, ``ulthera`` and ``ウルセラ`` all
  give ``§lifting_device``). Which of these, and which sizes, is a :class:`FeatureSpec` that a
  model stores, so it always reads text the way it was trained.

Everything here is table-driven (``str.translate``, slicing with prebuilt ``slice`` objects and
set operations), because it runs for every message and must stay fast in pure Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from itertools import chain

__all__ = ["FeatureSpec", "Lexicon", "features", "jamo", "normalise"]

#: Fold digits to one symbol: "300만원" and "150만원" share their features.
_DIGITS = {ord(d): "0" for d in "0123456789"}
#: Punctuation and symbols that only separate words (``?`` is kept: it marks a question).
_SEPARATORS = "!\"#$%&'()*+,-./:;<=>@[\\]^_`{|}~…·•※★☆♡♥❤~〜「」『』【】、。！，．：；（）・“”‘’"
_EMOJI = "\u25ce"  # "◎" stands for any emoji or pictograph
_TABLE: dict[int, str | int | None] = {
    **{ord(c): " " for c in _SEPARATORS},
    **_DIGITS,
    ord("?"): "?",
    ord("\uff1f"): "?",  # full-width question mark (NFKC folds it anyway)
    ord("\u200b"): None,  # zero-width space
    ord("\ufe0f"): None,  # emoji variation selector
    ord("\u200d"): None,  # zero-width joiner (emoji sequences)
}
for _cp in chain(range(0x1F000, 0x1FB00), range(0x2600, 0x27C0), range(0x2B00, 0x2C00)):
    _TABLE[_cp] = _EMOJI
_REPEATS = re.compile(r"(.)\1{2,}")
_URL = re.compile(r"https?://\S+|www\.\S+|bit\.ly/\S+")

_SBASE, _SCOUNT = 0xAC00, 11172
_LBASE, _VBASE, _TBASE = 0x1100, 0x1161, 0x11A7
_VCOUNT, _TCOUNT = 21, 28


def _jamo_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for index in range(_SCOUNT):
        lead, rest = divmod(index, _VCOUNT * _TCOUNT)
        vowel, tail = divmod(rest, _TCOUNT)
        parts = chr(_LBASE + lead) + chr(_VBASE + vowel)
        if tail:
            parts += chr(_TBASE + tail)
        table[_SBASE + index] = parts
    return table


#: Hangul syllable -> conjoining jamo (leading consonant, vowel, optional final consonant).
#: Conjoining jamo never collide with syllables or with the compatibility jamo people type
#: (``ㅋ``), so jamo n-grams form their own feature namespace.
_JAMO = _jamo_table()


def normalise(text: str) -> str:
    """The canonical form the classifier and the keyword rules read.

    Args:
        text: Raw message text.

    Returns:
        NFKC, lower-cased text with digits, emoji, punctuation and character runs folded and
        whitespace collapsed to single spaces.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    if "http" in text or "www." in text or "bit.ly" in text:
        text = _URL.sub(" \u2318 ", text)  # "⌘" stands for any link
    text = _REPEATS.sub(r"\1\1", text.translate(_TABLE))
    return " ".join(text.split())


def jamo(text: str) -> str:
    """Decompose every Hangul syllable of ``text`` into conjoining jamo; other characters stay."""
    return text.translate(_JAMO)


class Lexicon:
    """Concept features: surface forms in any language that stand for one idea.

    A message that contains any form of a concept gets the feature ``"§" + concept`` (and
    ``weight - 1`` more copies of it), whose department weights are learnt like any other, so
    what the model learns from ``울쎄라`` also holds for ``ulthera`` and ``ウルセラ``. Forms are
    normalised like messages. A form made of Latin letters, digits and spaces matches whole words
    of the text (a trailing ``*`` matches any word starting with it); any other form matches
    anywhere in the text with spaces removed.

    Args:
        concepts: Concept code -> surface forms.
        weight: How many features each concept found adds (>= 1).
    """

    __slots__ = ("_by_key", "_latin", "_latin_tags", "concepts", "weight")

    def __init__(self, concepts: Mapping[str, Sequence[str]], weight: int = 1) -> None:
        if weight < 1:
            raise ValueError(weight)
        self.concepts = {code: list(forms) for code, forms in sorted(concepts.items())}
        self.weight = weight
        whole: set[str] = set()
        prefix: set[str] = set()
        self._latin_tags: dict[str, set[str]] = {}
        # Other forms are indexed by their first two characters (or their only one), which
        # are among the message's own 1- and 2-grams: finding candidates is a set operation.
        self._by_key: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for code, forms in self.concepts.items():
            tags = tuple(f"\u00a7{code}" + (f"#{k}" if k else "") for k in range(weight))
            for form in forms:
                star = form.endswith("*")
                norm = normalise(form.rstrip("*"))
                if not norm:
                    continue
                if _LATIN.fullmatch(norm):
                    (prefix if star else whole).add(norm)
                    self._latin_tags.setdefault(norm, set()).update(tags)
                else:
                    norm = norm.replace(" ", "")
                    self._by_key.setdefault(norm[:2], []).append((norm, tags))
        self._latin = _alternation(whole, prefix)

    def tags(self, spaced: str, squeezed: str, grams: set[str] | None = None) -> set[str]:
        """The concept features of a message.

        Args:
            spaced: The normalised message.
            squeezed: The same with spaces removed.
            grams: A set holding at least the 1- and 2-grams of ``squeezed``, if at hand.

        Returns:
            The concept feature strings.
        """
        out: set[str] = set()
        if grams is None:
            grams = set(squeezed) | {squeezed[i : i + 2] for i in range(len(squeezed) - 1)}
        for key in grams & self._by_key.keys():
            for form, tags in self._by_key[key]:
                if form in squeezed:
                    out.update(tags)
        if self._latin is not None and _HAS_LATIN.search(spaced):
            for form in self._latin.findall(spaced):
                out |= self._latin_tags[form]
        return out

    def to_dict(self) -> dict[str, object]:
        """The lexicon as plain JSON values."""
        return {"weight": self.weight, "concepts": self.concepts}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Lexicon:
        """Rebuild a lexicon written by :meth:`to_dict`.

        Raises:
            ValueError: ``data`` is not a lexicon.
        """
        concepts = data.get("concepts")
        weight = data.get("weight", 1)
        if not isinstance(concepts, dict) or not isinstance(weight, int):
            raise ValueError("lexicon")
        return cls({str(k): [str(f) for f in v] for k, v in concepts.items()}, weight)


_HAS_LATIN = re.compile("[a-z]")
_LATIN = re.compile(r"[a-z0-9 ]+")


def _alternatives(forms: set[str]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))


def _alternation(whole: set[str], prefix: set[str]) -> re.Pattern[str] | None:
    parts = []
    if whole:
        parts.append(f"(?:{_alternatives(whole)})(?![a-z0-9])")
    if prefix:
        parts.append(f"(?:{_alternatives(prefix)})")
    if not parts:
        return None
    return re.compile(f"(?<![a-z0-9])(?:{'|'.join(parts)})")


class FeatureSpec:
    """Which features :func:`features` extracts; stored with a model so it reads text the same way.

    Args:
        spaced: n-gram sizes over the text with spaces kept (padded with a space each side).
        unspaced: n-gram sizes over the text with spaces removed.
        jamo: n-gram sizes over the jamo decomposition of the unspaced text (empty: none).
        words: Add whole words and pairs of adjacent words of the spaced text.
        lexicon: Concept features (see :class:`Lexicon`), or ``None``.
    """

    __slots__ = ("_slices", "jamo", "lexicon", "spaced", "unspaced", "words")

    def __init__(
        self,
        spaced: tuple[int, ...] = (),
        unspaced: tuple[int, ...] = (1, 2, 3),
        jamo: tuple[int, ...] = (3,),
        words: bool = True,
        lexicon: Lexicon | None = None,
    ) -> None:
        for sizes in (spaced, unspaced, jamo):
            if any(n < 1 or n > 8 for n in sizes):
                raise ValueError(sizes)
        self.spaced = tuple(sorted(set(spaced)))
        self.unspaced = tuple(sorted(set(unspaced)))
        self.jamo = tuple(sorted(set(jamo)))
        self.words = words
        self.lexicon = lexicon
        self._slices: dict[int, list[slice]] = {}

    def to_dict(self) -> dict[str, object]:
        """The spec as plain JSON values."""
        return {
            "spaced": list(self.spaced),
            "unspaced": list(self.unspaced),
            "jamo": list(self.jamo),
            "words": self.words,
            "lexicon": None if self.lexicon is None else self.lexicon.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FeatureSpec:
        """Rebuild a spec written by :meth:`to_dict`.

        Raises:
            ValueError: ``data`` is not a spec.
        """
        lexicon = data.get("lexicon")
        return cls(
            spaced=_sizes(data.get("spaced")),
            unspaced=_sizes(data.get("unspaced")),
            jamo=_sizes(data.get("jamo", [])),
            words=bool(data.get("words", False)),
            lexicon=Lexicon.from_dict(lexicon) if isinstance(lexicon, dict) else None,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeatureSpec):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash((self.spaced, self.unspaced, self.jamo, self.words))

    def __repr__(self) -> str:
        return (
            f"FeatureSpec(spaced={self.spaced}, unspaced={self.unspaced}, jamo={self.jamo}, "
            f"words={self.words}, lexicon={self.lexicon is not None})"
        )

    def _grams(self, s: str, sizes: tuple[int, ...], out: set[str]) -> None:
        length = len(s)
        getter = s.__getitem__
        for n in sizes:
            count = length - n + 1
            if count <= 0:
                break
            if n == 1:
                out.update(s)
                continue
            slices = self._slices.get(n)
            if slices is None or len(slices) < count:
                slices = [slice(i, i + n) for i in range(max(count, 512))]
                self._slices[n] = slices
            out.update(map(getter, slices[:count]))

    def features(self, normalised: str) -> set[str]:
        """The feature set of already normalised text (see :func:`normalise`)."""
        out: set[str] = set()
        if not normalised:
            return out
        squeezed = normalised.replace(" ", "")
        self._grams(squeezed, self.unspaced, out)
        if self.spaced:
            self._grams(f" {normalised} ", self.spaced, out)
        if self.jamo:
            decomposed = squeezed.translate(_JAMO)
            if decomposed != squeezed:
                self._grams(decomposed, self.jamo, out)
        if self.words:
            words = normalised.split(" ")
            out.update(map(_WORD.__add__, words))
            if len(words) > 1:
                out.update(map(_PAIR.format, words, words[1:]))
        if self.lexicon is not None:
            grams = out if self.unspaced[:2] == (1, 2) else None
            out |= self.lexicon.tags(normalised, squeezed, grams)
        return out


_WORD = "\u2402"  # marks a whole-word feature
_PAIR = "\u2403{} {}"  # marks a word-pair feature


def _sizes(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(n, int) for n in value):
        raise ValueError("sizes")
    return tuple(value)


def features(text: str, spec: FeatureSpec | None = None) -> set[str]:
    """Normalise ``text`` and return its n-gram feature set.

    Args:
        text: Raw message text.
        spec: Which n-grams to extract (the default spec when ``None``).

    Returns:
        The set of n-gram strings.
    """
    return (spec or _DEFAULT).features(normalise(text))


_DEFAULT = FeatureSpec()
