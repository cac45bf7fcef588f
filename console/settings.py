"""User settings: one declared schema with typed defaults, stored as TOML in the data folder.

The file has a ``[settings]`` table (:class:`Settings`) and a ``[server]`` table
(:class:`ServerSettings`: how this PC reaches the clinic server). Settings hold no secret:
the clinic server's password lives in the keyring (``console.sync.config``). Unknown keys in
the file are ignored (a newer version may have written them) and wrong types fall back to
the default, so a hand-edited file never stops the console from starting.
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


#: TLS modes for the clinic server (libpq ``sslmode``).
TLS_MODES = ("disable", "require", "verify-full")


@dataclass(frozen=True)
class ServerSettings:
    """How this PC reaches the clinic server (PostgreSQL). No password: that is in the keyring.

    Attributes:
        enabled: Use the clinic server (False: this PC works alone, as a single PC).
        host: Server name or address.
        port: TCP port.
        database: Database name.
        user: Login name.
        tls: ``"disable"``, ``"require"`` (encrypted, certificate not checked) or
            ``"verify-full"`` (encrypted, certificate and host name checked against ``ca_file``).
        ca_file: The clinic's CA certificate (PEM) for ``verify-full``; empty: the system's.
    """

    enabled: bool = False
    host: str = ""
    port: int = 5432
    database: str = "sotong"
    user: str = "sotong"
    tls: str = "require"
    ca_file: str = ""

    @property
    def configured(self) -> bool:
        """Enabled and with enough filled in to try a connection."""
        return self.enabled and bool(self.host and self.database and self.user)


@dataclass(frozen=True)
class Settings:
    """Every user setting with its default.

    Attributes:
        language: ``"auto"`` (follow the system), ``"ko"`` or ``"en"``.
        operator_id: The member of staff using this PC.
        poll_interval_s: Seconds between channel polls.
        proxy: HTTP proxy URL for channel APIs, or empty.
        window_geometry: Saved main window geometry (base64), or empty.
        server: The clinic server (the file's ``[server]`` table).
        contact_panel: The contact panel beside the thread is shown (Ctrl+I).
    """

    language: str = "auto"
    operator_id: str = ""
    poll_interval_s: float = 5.0
    proxy: str = ""
    window_geometry: str = ""
    server: ServerSettings = ServerSettings()
    contact_panel: bool = False


_CHOICES: dict[str, tuple[str, ...]] = {"language": ("auto", "ko", "en"), "tls": TLS_MODES}


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
    kwargs: dict[str, Any] = {
        f.name: _coerce(f.name, getattr(defaults, f.name), values[f.name])
        for f in dataclasses.fields(Settings)
        if f.name in values and f.name != "server"
    }
    server = raw.get("server", {})
    kwargs["server"] = _read_table(ServerSettings(), server if isinstance(server, dict) else {})
    return dataclasses.replace(defaults, **kwargs)


def _read_table(defaults: ServerSettings, values: dict[str, Any]) -> ServerSettings:
    kwargs = {
        f.name: _coerce(f.name, getattr(defaults, f.name), values[f.name])
        for f in dataclasses.fields(defaults)
        if f.name in values
    }
    return dataclasses.replace(defaults, **kwargs)


def save_settings(data_dir: Path, settings: Settings) -> None:
    """Write the settings atomically (a crash leaves the old file or the new one)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SETTINGS_FILE
    tmp = path.with_suffix(".toml.tmp")
    values = dataclasses.asdict(settings)
    server = values.pop("server")
    payload = {"version": SCHEMA_VERSION, "settings": values, "server": server}
    with open(tmp, "wb") as fh:
        tomli_w.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def save_server_settings(data_dir: Path, server: ServerSettings) -> Settings:
    """Replace only the ``[server]`` table of the settings file.

    Returns:
        The settings as saved.
    """
    settings = dataclasses.replace(load_settings(data_dir), server=server)
    save_settings(data_dir, settings)
    return settings
