"""Refresh the UI translations: lupdate over ui/*.py, then lrelease to .qm.

Usage (from the repository root, in the project's virtualenv)::

    python packaging/update_translations.py           # update .ts from the code, build .qm
    python packaging/update_translations.py --check   # fail if any string lacks a translation
    python packaging/update_translations.py --release-only

``resources/translations/sotong_ko.ts`` is translated by hand (Qt Linguist or an editor).
In ``sotong_en.ts`` the source strings are already English: new entries get their source text
as the translation, so only plural forms and better wording need a person.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = {"ko": "ko_KR", "en": "en_US"}


def _tool(name: str) -> str:
    """Find a Qt tool next to this Python (the venv's bin/Scripts) or on PATH."""
    here = Path(sys.executable).parent
    for candidate in (here / name, here / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 in this environment")
    return found


def ts_path(language: str) -> Path:
    """The .ts file of a language."""
    return TRANSLATIONS / f"sotong_{language}.ts"


def lupdate() -> None:
    """Collect the strings of ui/*.py into every .ts file (old translations are kept)."""
    sources = sorted(str(p) for p in SOURCES.glob("*.py"))
    for language, locale in LANGUAGES.items():
        subprocess.run(
            [
                _tool("pyside6-lupdate"),
                *sources,
                "-no-obsolete",
                "-locations",
                "none",
                "-target-language",
                locale,
                "-ts",
                str(ts_path(language)),
            ],
            check=True,
            cwd=ROOT,
        )


def fill_english() -> int:
    """Give every untranslated English entry its source text.

    Returns:
        How many entries were filled.
    """
    path = ts_path("en")
    tree = ET.parse(path)  # noqa: S314 - our own translation file
    filled = 0
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None or translation.get("type") != "unfinished":
            continue
        if message.get("numerus") == "yes":
            forms = translation.findall("numerusform")
            for form in forms:
                form.text = source
        else:
            translation.text = source
        del translation.attrib["type"]
        filled += 1
    if filled:
        ET.indent(tree, space="    ")
        body = ET.tostring(tree.getroot(), encoding="unicode")
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
            encoding="utf-8",
        )
    return filled


def unfinished(language: str) -> list[str]:
    """Source strings of a language that still lack a translation."""
    missing = []
    root = ET.parse(ts_path(language)).getroot()  # noqa: S314 - our own file
    for message in root.iter("message"):
        translation = message.find("translation")
        texts = [translation.text or ""] if translation is not None else [""]
        if translation is not None and message.get("numerus") == "yes":
            texts = [f.text or "" for f in translation.findall("numerusform")] or [""]
        if (
            translation is None
            or translation.get("type") in ("unfinished", "vanished")
            or not all(t.strip() for t in texts)
        ):
            missing.append(message.findtext("source") or "")
    return missing


def lrelease() -> None:
    """Compile every .ts to the .qm the app loads."""
    for language in LANGUAGES:
        ts = ts_path(language)
        subprocess.run(
            [_tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))],
            check=True,
            cwd=ROOT,
        )


def main(argv: list[str] | None = None) -> int:
    """Run the steps asked for; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report untranslated strings (exit 1 if any)"
    )
    parser.add_argument("--release-only", action="store_true", help="only run lrelease")
    args = parser.parse_args(argv)
    if args.check:
        bad = {lang: unfinished(lang) for lang in LANGUAGES}
        for lang, missing in bad.items():
            for source in missing:
                print(f"{lang}: untranslated: {source}")
        return 1 if any(bad.values()) else 0
    if not args.release_only:
        TRANSLATIONS.mkdir(parents=True, exist_ok=True)
        lupdate()
        filled = fill_english()
        if filled:
            print(f"en: {filled} new entries take their source text")
    lrelease()
    for lang in LANGUAGES:
        missing = unfinished(lang)
        if missing:
            print(f"{lang}: {len(missing)} strings still need a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
