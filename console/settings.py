"""User settings: one declared schema with typed defaults, stored as TOML in the data folder.

Settings hold no secret. Unknown keys in the file are ignored (a newer version may have
written them) and wrong types fall back to the default, so a hand-edited file never stops
the console from starting.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

log = logging.getLogger(__name__)

APP_NAME = "Sotong"
SETTINGS_FILE = "settings.toml"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Settings:
    """Every user setting with its default.

    Attributes:
        language: ``"auto"`` (follow the system), ``"ko"`` or ``"en"``.
        operator_id: The member of staff using this PC.
        poll_interval_s: Seconds between channel polls.
        proxy: HTTP proxy URL for channel APIs, or empty.
        window_geometry: Saved main window geometry (base64), or empty.
    """

    language: str = "auto"
    operator_id: str = ""
    poll_interval_s: float = 5.0
    proxy: str = ""
    window_geometry: str = ""


_CHOICES: dict[str, tuple[str, ...]] = {"language": ("auto", "ko", "en")}


def default_data_dir() -> Path:
    """The per-user data folder (``%LOCALAPPDATA%\\Sotong`` on Windows), or $SOTONG_DATA_DIR."""
    override = os.environ.get("SOTONG_DATA_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _coerce(name: str, default: Any, value: Any) -> Any:
    if (
        isinstance(default, float)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return float(value)
    if type(value) is not type(default):
        log.warning("setting %s has the wrong type; using the default", name)
        return default
    if name in _CHOICES and value not in _CHOICES[name]:
        log.warning("setting %s=%r is not allowed; using the default", name, value)
        return default
    return value


def load_settings(data_dir: Path) -> Settings:
    """Read the settings file; a missing or damaged file gives the defaults."""
    path = data_dir / SETTINGS_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        log.warning("settings file unreadable (%s); using defaults", type(exc).__name__)
        return Settings()
    values = raw.get("settings", {})
    defaults = Settings()
    kwargs = {
        f.name: _coerce(f.name, getattr(defaults, f.name), values[f.name])
        for f in dataclasses.fields(Settings)
        if f.name in values
    }
    return dataclasses.replace(defaults, **kwargs)


def save_settings(data_dir: Path, settings: Settings) -> None:
    """Write the settings atomically (a crash leaves the old file or the new one)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SETTINGS_FILE
    tmp = path.with_suffix(".toml.tmp")
    payload = {"version": SCHEMA_VERSION, "settings": dataclasses.asdict(settings)}
    with open(tmp, "wb") as fh:
        tomli_w.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
