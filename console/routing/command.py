"""The ``sotong route [FILE] [--rules rules.json | --data-dir DIR] [--model MODEL]`` command.

Reads JSON Lines messages from FILE (standard input when absent) and writes one JSON line per
message to standard output; see :func:`console.routing.route_jsonl` for the contract. The rules
are the clinic's stored rules when ``--data-dir`` names a Sotong data folder (the same rules, in
the same order, that route conversations as they arrive there), those of a rules file with
``--rules``, and none otherwise. Input and
output are UTF-8 whatever the console's code page. Exit codes: 0 every line routed, 1 some lines
were answered with an error, 2 nothing was routed because the input, the rules or the model could
not be read (one JSON object ``{"error": code, ...}`` on standard error says why).

To wire it into ``console/cli.py``::

    from console.routing import command as route_command

    COMMANDS = frozenset({"gui", "demo", "bench", "doctor", "route"})
    route_command.add_parser(sub, parents=[common])  # in _parser(), next to the others
    ...
    if command == "route":  # in main()
        return route_command.run(args)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from console import errors
from console.routing._router import route_jsonl, starter_model
from console.routing.classifier import Classifier
from console.routing.rules import Rule, rules_from_json

__all__ = ["EXIT_INPUT", "EXIT_LINE_ERRORS", "EXIT_OK", "add_parser", "run"]

EXIT_OK, EXIT_LINE_ERRORS, EXIT_INPUT = 0, 1, 2


def add_parser(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add the ``route`` sub-command to an ``argparse`` sub-parsers object.

    Args:
        subparsers: What ``ArgumentParser.add_subparsers()`` returned.
        parents: Parsers whose options every sub-command shares (``cli.py``'s ``common``).

    Returns:
        The new sub-parser (its ``command`` is ``"route"``).
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "route", parents=list(parents), help="propose a department for each JSON Lines message"
    )
    parser.add_argument(
        "file", nargs="?", type=Path, default=None, help="JSON Lines input (default: stdin)"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--rules", type=Path, default=None, help="rules file (JSON)")
    source.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="use the routing rules stored in this Sotong data folder",
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="model file (default: the starter model)"
    )
    return parser


def _fail(code: str, **params: Any) -> int:
    plain = {k: v if isinstance(v, str | int | float | None) else str(v) for k, v in params.items()}
    print(json.dumps({"error": code, **plain}, ensure_ascii=False), file=sys.stderr)
    return EXIT_INPUT


def _stored_rules(data_dir: Path) -> list[Rule]:
    """The rules stored in the data folder's database (opened, and migrated if need be)."""
    from console.routing.stored import load_rules
    from console.store.engine import DB_NAME, open_store

    if not (data_dir / DB_NAME).exists():
        raise errors.NotFound(path=str(data_dir / DB_NAME))
    store = open_store(data_dir)
    try:
        with store.read() as s:
            return load_rules(s)
    finally:
        store.close()


def run(
    args: argparse.Namespace,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> int:
    """Run ``sotong route`` with parsed arguments.

    Args:
        args: Parsed arguments (``file``, ``rules``, ``model``).
        stdin: Binary input when no file is named (default: the process's standard input).
        stdout: Binary output (default: the process's standard output).

    Returns:
        The exit code (see the module docstring).
    """
    rules: list[Rule] = []
    if getattr(args, "data_dir", None) is not None:
        try:
            rules = _stored_rules(args.data_dir)
        except errors.SotongError as exc:
            return _fail(exc.code, source="rules", **exc.params)
    elif args.rules is not None:
        try:
            rules = rules_from_json(args.rules.read_text(encoding="utf-8"))
        except errors.SotongError as exc:
            return _fail(exc.code, source="rules", **exc.params)
        except (OSError, UnicodeDecodeError) as exc:
            return _fail("unreadable", source="rules", reason=type(exc).__name__)
    try:
        model = Classifier.load(args.model) if args.model is not None else starter_model()
    except errors.SotongError as exc:
        return _fail(exc.code, source="model", **exc.params)
    except OSError as exc:
        return _fail("unreadable", source="model", reason=type(exc).__name__)
    out = stdout if stdout is not None else sys.stdout.buffer

    def write(line: str) -> None:
        out.write(line.encode("utf-8"))

    try:
        if args.file is not None:
            with args.file.open("rb") as lines:
                summary = route_jsonl(lines, write, rules, model)
        else:
            summary = route_jsonl(
                stdin if stdin is not None else sys.stdin.buffer, write, rules, model
            )
    except OSError as exc:
        return _fail("unreadable", source="input", reason=type(exc).__name__)
    finally:
        out.flush()
    return EXIT_LINE_ERRORS if summary.errors else EXIT_OK
