"""Secrets behind one small interface: the OS keychain (keyring), never a file."""

from __future__ import annotations

import os

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

SERVICE = "backorder-desktop"
TOKEN_ENV = "BIGCOMMERCE_ACCESS_TOKEN"
SMTP_PASSWORD_ENV = "BACKORDER_SMTP_PASSWORD"


class KeychainUnavailableError(Exception):
    """No usable OS keychain: the app must ask for the secret each start instead of storing it."""


def _token_account(store_hash: str) -> str:
    return f"token:{store_hash}"


def keychain_backend_name() -> str:
    """Human name of the keyring backend in use, e.g. 'SecretService Keyring' or 'fail Keyring'."""
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keychain_usable() -> bool:
    backend = keyring.get_keyring()
    # keyring's "fail" backend (no keychain found) has priority 0; "null" likewise refuses.
    return getattr(backend, "priority", 0) > 0


def platform_backend_available() -> bool:
    """Whether this platform's keychain backend is bundled (a frozen app can lose it).

    A headless Linux machine without a Secret Service still passes: the backend is there, only
    no keychain daemon runs, and the app then asks for the token each start.
    """
    import importlib
    import sys

    module = {"darwin": "keyring.backends.macOS", "win32": "keyring.backends.Windows"}.get(
        sys.platform, "keyring.backends.SecretService"
    )
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    # keyring discovers backends through entry points: without keyring's metadata (which
    # PyInstaller's keyring hook copies) the module is there but never chosen.
    from importlib.metadata import entry_points

    return any(ep.value == module for ep in entry_points(group="keyring.backends"))


def get_token(store_hash: str) -> str | None:
    """The access token for a store: environment first (scripts, CI), then the keychain."""
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    try:
        return keyring.get_password(SERVICE, _token_account(store_hash))
    except NoKeyringError:
        return None
    except KeyringError:
        return None


def save_token(store_hash: str, token: str) -> None:
    try:
        keyring.set_password(SERVICE, _token_account(store_hash), token)
    except (NoKeyringError, KeyringError) as exc:
        raise KeychainUnavailableError(
            "No usable keychain on this computer, so the token cannot be saved. "
            "Backorder Desktop will ask for it each time it starts."
        ) from exc


def delete_token(store_hash: str) -> None:
    try:
        keyring.delete_password(SERVICE, _token_account(store_hash))
    except (NoKeyringError, PasswordDeleteError, KeyringError):
        pass


def _smtp_account(host: str, user: str) -> str:
    return f"smtp:{user}@{host}"


def get_smtp_password(host: str, user: str) -> str:
    """The SMTP password: environment first (scripts, CI), then the keychain; "" if none."""
    from_env = os.environ.get(SMTP_PASSWORD_ENV, "")
    if from_env:
        return from_env
    if not host or not user:
        return ""
    try:
        return keyring.get_password(SERVICE, _smtp_account(host, user)) or ""
    except (NoKeyringError, KeyringError):
        return ""


def save_smtp_password(host: str, user: str, password: str) -> None:
    try:
        keyring.set_password(SERVICE, _smtp_account(host, user), password)
    except (NoKeyringError, KeyringError) as exc:
        raise KeychainUnavailableError(
            "No usable keychain on this computer, so the mail password cannot be saved. "
            f"Set {SMTP_PASSWORD_ENV} in the environment instead."
        ) from exc


def delete_smtp_password(host: str, user: str) -> None:
    try:
        keyring.delete_password(SERVICE, _smtp_account(host, user))
    except (NoKeyringError, PasswordDeleteError, KeyringError):
        pass
