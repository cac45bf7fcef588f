"""Rules that keep the layers honest: no Qt below console/, no secret outside the keyring."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from console import secrets
from console.settings import Settings, load_settings, save_settings

ROOT = Path(__file__).parents[3]


def _console_modules() -> list[str]:
    mods = []
    for path in sorted((ROOT / "console").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods.append(".".join(parts))
    return mods


def test_importing_any_console_module_loads_no_qt() -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {_console_modules()!r}:\n"
        "    importlib.import_module(m)\n"
        "qt = ('PySide6', 'shiboken6', 'ui')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in qt)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_console_source_never_imports_qt_or_ui() -> None:
    offenders = []
    for path in (ROOT / "console").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("PySide6", "ui")]
    assert offenders == []


def test_packaged_list_matches_the_source_tree() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("console", "ui")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found | {"sotong_resources"} == listed


def test_settings_round_trip_and_survive_a_damaged_file(tmp_path: Path) -> None:
    save_settings(tmp_path, Settings(language="ko", operator_id="op-1", poll_interval_s=3))
    assert load_settings(tmp_path) == Settings(
        language="ko", operator_id="op-1", poll_interval_s=3.0
    )
    (tmp_path / "settings.toml").write_text(
        '[settings]\nlanguage = "klingon"\npoll_interval_s = "x"\n'
    )
    assert load_settings(tmp_path) == Settings()
    (tmp_path / "settings.toml").write_bytes(b"\xff\xfe not toml [[[")
    assert load_settings(tmp_path) == Settings()


def test_secrets_go_to_the_keyring_only(tmp_path: Path) -> None:
    secrets.set_secret("account-1", "EAAG-very-secret-token")
    assert secrets.get_secret("account-1") == "EAAG-very-secret-token"
    save_settings(tmp_path, load_settings(tmp_path))
    assert "EAAG" not in (tmp_path / "settings.toml").read_text(encoding="utf-8")
    secrets.delete_secret("account-1")
    assert secrets.get_secret("account-1") is None


def test_no_keyring_backend_is_said_plainly_not_worked_around() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(secrets.NoSecretStore):
        secrets.set_secret("account-1", "token")
    with pytest.raises(secrets.NoSecretStore):
        secrets.get_secret("account-1")


def test_the_headless_agent_runs_without_qt() -> None:
    # Everything `sotong agent` loads on its way to leading: the CLI, the agent, the leader,
    # the server store, every connector and the classifier.
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from console import cli\n"
        "parser = cli._parser()\n"
        "args = parser.parse_args(['agent', '--server-url', 'postgresql://u@h/d'])\n"
        "import console.agent, console.sync.leader, console.store.server\n"
        "from console.accounts import build_runtime\n"
        "from console.channels import registry\n"
        "from console.routing.triage import Triage\n"
        "Triage.for_data_dir(Path(sys.argv[1]))\n"
        "qt = ('PySide6', 'shiboken6', 'ui')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in qt)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "nonexistent-agent-data")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""
