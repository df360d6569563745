"""App settings and the list of connected stores, as JSON in the config folder (never secrets)."""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from backorder_desktop.cache.private_files import UnsafePathError, ensure_private_dir, read_text
from backorder_desktop.services.paths import APP_NAME

log = logging.getLogger("backorder_desktop.settings")

SETTINGS_FILE = "settings.json"
RELEASE_STATUSES = {9: "Awaiting Shipment", 11: "Awaiting Fulfillment", 8: "Awaiting Pickup"}


@dataclass
class StoreEntry:
    store_hash: str
    api_url: str
    label: str = ""
    demo: bool = False


@dataclass
class Settings:
    sync_interval_minutes: int = 15  # 0 = only on start and F5
    default_location_id: int | None = None
    release_status_id: int = 9
    current_store: str | None = None
    stores: list[StoreEntry] = field(default_factory=list)
    # Customer notices. The SMTP password is in the keychain (services.credentials), never here.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # "starttls" | "ssl" | "none"
    smtp_user: str = ""
    mail_from: str = ""
    mail_from_name: str = ""  # shown as the sender and as {{ store_name }} in templates
    checkin_days: int = 0  # a check-in notice every N days while a line waits; 0 = off
    checkin_max: int = 3  # at most this many check-ins per order, then they stop
    store_url: str = ""  # the storefront (https://shop.example.com): notices link the order
    shop_contact: str = ""  # phone, address or hours, printed at the foot of every notice
    # Customers' replies (IMAP, read-only, TLS only). The password is in the keychain.
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"  # "ssl" | "starttls" ("none" only for a loopback address)
    imap_user: str = ""
    imap_folder: str = "INBOX"
    # "HH:MM" when the OS scheduler holds the nightly sync + notify job (services/sync_control/schedule.py);
    # the OS is the truth, this is what the window last set (it shows it without asking the OS).
    nightly_at: str = ""

    def store(self, store_hash: str | None) -> StoreEntry | None:
        return next((s for s in self.stores if s.store_hash == store_hash), None)

    def add_store(self, entry: StoreEntry) -> None:
        self.stores = [s for s in self.stores if s.store_hash != entry.store_hash] + [entry]
        self.current_store = entry.store_hash


def settings_dir(data_dir: Path | None) -> Path:
    """With --data-dir everything lives there; else the platform's config folder."""
    if data_dir is not None:
        return data_dir
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def _validated(raw: dict[str, Any]) -> Settings:
    defaults = Settings()
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {k: v for k, v in raw.items() if k in known and k != "stores"}
    settings = Settings(**values)
    if not isinstance(settings.sync_interval_minutes, int) or settings.sync_interval_minutes < 0:
        settings.sync_interval_minutes = defaults.sync_interval_minutes
    if settings.release_status_id not in RELEASE_STATUSES:
        settings.release_status_id = defaults.release_status_id
    if settings.default_location_id is not None and not isinstance(
        settings.default_location_id, int
    ):
        settings.default_location_id = None
    _validate_mail(settings, defaults)
    for item in raw.get("stores") or []:
        if isinstance(item, dict) and isinstance(item.get("store_hash"), str):
            settings.stores.append(
                StoreEntry(
                    store_hash=item["store_hash"],
                    api_url=str(item.get("api_url") or "https://api.bigcommerce.com"),
                    label=str(item.get("label") or ""),
                    demo=bool(item.get("demo", False)),
                )
            )
    return settings


def _validate_mail(settings: Settings, defaults: Settings) -> None:
    if not isinstance(settings.nightly_at, str) or not re.fullmatch(
        r"([01]\d|2[0-3]):[0-5]\d", settings.nightly_at
    ):
        settings.nightly_at = ""
    for name in (
        *("smtp_host", "smtp_user", "mail_from", "mail_from_name"),
        *("imap_host", "imap_user", "imap_folder"),
    ):
        if not isinstance(getattr(settings, name), str):
            setattr(settings, name, getattr(defaults, name))
    for server in ("smtp", "imap"):  # both offer "starttls", "ssl" and "none"
        port = getattr(settings, f"{server}_port")
        if not isinstance(port, int) or not 0 < port < 65536:
            setattr(settings, f"{server}_port", getattr(defaults, f"{server}_port"))
        if getattr(settings, f"{server}_security") not in ("starttls", "ssl", "none"):
            setattr(settings, f"{server}_security", getattr(defaults, f"{server}_security"))
    if not settings.imap_folder.strip():
        settings.imap_folder = defaults.imap_folder
    if not isinstance(settings.checkin_days, int) or not 0 <= settings.checkin_days <= 365:
        settings.checkin_days = defaults.checkin_days
    if not isinstance(settings.checkin_max, int) or not 1 <= settings.checkin_max <= 52:
        settings.checkin_max = defaults.checkin_max


def load_settings(folder: Path) -> tuple[Settings, str | None]:
    """The saved settings, or defaults with a warning when the file is unreadable.

    A corrupt file is kept beside as `settings.json.corrupt` so nothing is lost silently.
    """
    path = folder / SETTINGS_FILE
    if not path.exists():
        return Settings(), None
    try:
        raw = json.loads(read_text(path))  # never through a symlink
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
        return _validated(raw), None
    except UnsafePathError:
        raise  # a planted link is not a corrupt file: say so, move nothing
    except (OSError, ValueError, TypeError) as exc:
        backup = path.with_name(SETTINGS_FILE + ".corrupt")
        try:
            path.replace(backup)
        except OSError:
            pass
        log.warning("settings file unreadable (%s); kept as %s", exc, backup)
        return Settings(), (
            f"Your settings file could not be read ({exc}). Defaults are in use; the old file "
            f"was kept as {backup.name}."
        )


def save_settings(folder: Path, settings: Settings) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    ensure_private_dir(folder)
    data = json.dumps(asdict(settings), indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(prefix=".settings-", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if os.name == "posix":
            os.chmod(tmp, 0o600)
        os.replace(tmp, folder / SETTINGS_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
