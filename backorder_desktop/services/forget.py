"""Forgetting a store on this computer: its token and cache, and the mail password with the last."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backorder_desktop.services.credentials import delete_smtp_password, delete_token
from backorder_desktop.services.paths import cache_path, validate_store_hash
from backorder_desktop.services.settings import Settings

_SIDECARS = ("", "-wal", "-shm", "-journal")


@dataclass
class Forgotten:
    stores: list[str] = field(default_factory=list)
    tokens_deleted: int = 0
    files_deleted: list[Path] = field(default_factory=list)
    smtp_password_deleted: bool = False


def forget_store(data_dir: Path, settings: Settings, store_hash: str) -> Forgotten:
    """Delete the store's access token from the keychain (and this session's memory), its cache
    file, and its entry in `settings` (the caller saves them). The SMTP password is shared by
    every store of this computer: it goes with the last store. BigCommerce is not touched."""
    validate_store_hash(store_hash)
    out = Forgotten(stores=[store_hash])
    out.tokens_deleted += int(delete_token(store_hash))
    out.files_deleted += _delete_cache(data_dir, store_hash)
    settings.stores = [s for s in settings.stores if s.store_hash != store_hash]
    if settings.current_store == store_hash:
        settings.current_store = settings.stores[0].store_hash if settings.stores else None
    if not settings.stores:
        out.smtp_password_deleted = _forget_mail_password(settings)
    return out


def forget_all(data_dir: Path, settings: Settings) -> Forgotten:
    """Every store this computer knows (from the settings and the cache files) and the mail
    password: what the uninstaller's "delete my data" runs, since a keychain outlives files."""
    known = {s.store_hash for s in settings.stores}
    stores_dir = cache_path(data_dir, "x").parent
    if stores_dir.is_dir():
        known |= {p.stem for p in stores_dir.glob("*.sqlite")}
    out = Forgotten()
    for store_hash in sorted(known):
        try:
            one = forget_store(data_dir, settings, store_hash)
        except ValueError:  # a stray file name that is no store hash
            continue
        out.stores += one.stores
        out.tokens_deleted += one.tokens_deleted
        out.files_deleted += one.files_deleted
    settings.stores, settings.current_store = [], None
    out.smtp_password_deleted = _forget_mail_password(settings)
    return out


def _forget_mail_password(settings: Settings) -> bool:
    if not settings.smtp_host or not settings.smtp_user:
        return False
    return delete_smtp_password(settings.smtp_host, settings.smtp_user)


def _delete_cache(data_dir: Path, store_hash: str) -> list[Path]:
    base = cache_path(data_dir, store_hash)
    deleted = []
    for suffix in _SIDECARS:
        path = Path(f"{base}{suffix}")
        if path.exists() or path.is_symlink():
            path.unlink()
            deleted.append(path)
    return deleted
