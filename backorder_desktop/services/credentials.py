"""Secrets behind one small interface: the OS keychain, else this session's memory; never a file."""

from __future__ import annotations

import os
from typing import Any

import keyring
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

SERVICE = "backorder-desktop"
TOKEN_ENV = "BIGCOMMERCE_ACCESS_TOKEN"
SMTP_PASSWORD_ENV = "BACKORDER_SMTP_PASSWORD"
IMAP_PASSWORD_ENV = "BACKORDER_IMAP_PASSWORD"


class KeychainUnavailableError(Exception):
    """No usable OS keychain: the secret is kept in memory for this session only (the message
    says so, for the window or the command line to show)."""


# The OS keychains: they encrypt at rest and tie access to the user's login. keyrings.alt's
# file backends (plaintext, or "encrypted" with a password kept beside it), keyring's null and
# fail backends and any other plugin are refused: they would put secrets in a file.
TRUSTED_BACKENDS = {
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.SecretService": "Secret Service",
    "keyring.backends.libsecret": "Secret Service",
    "keyring.backends.kwallet": "KWallet",
}
# Secrets this session was given while no OS keychain was usable: never written anywhere.
_memory: dict[tuple[str, str], str] = {}


def _token_account(store_hash: str) -> str:
    return f"token:{store_hash}"


def _trusted(backend: object) -> bool:
    kind = type(backend)
    if kind.__module__ in TRUSTED_BACKENDS:
        return getattr(backend, "priority", 0) > 0
    # A backend that holds secrets in this process's memory and never writes them (the test
    # suite's) may say so; nothing else outside the list is trusted.
    return getattr(kind, "in_process_memory_only", False) is True


def _keychain() -> Any | None:
    """The OS keychain backend to use, or None. keyring's chainer (several backends by
    priority) is looked into: its best trusted member is used alone, so a lower-priority
    plaintext file never receives a write when the keychain refuses one."""
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 (a broken keyring config must not stop the app)
        return None
    if isinstance(backend, ChainerBackend):
        return next((b for b in ChainerBackend.backends if _trusted(b)), None)
    return backend if _trusted(backend) else None


def keychain_backend_name() -> str:
    """Module and class of the keyring backend found, e.g. 'keyring.backends.SecretService.Keyring'."""
    backend = keyring.get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def keychain_usable() -> bool:
    return _keychain() is not None


def keychain_status() -> str:
    """Empty when an OS keychain holds the secrets; otherwise what happens instead, in words."""
    if keychain_usable():
        return ""
    found = keychain_backend_name()
    if found.startswith(("keyring.backends.fail", "keyring.backends.null")):
        why = "No OS keychain was found on this computer"
    else:
        why = (
            f"The keyring found here ({found}) is not an OS keychain (Windows Credential "
            "Manager, macOS Keychain, Secret Service or KWallet) and could write secrets to a file"
        )
    return (
        f"{why}, so access tokens and mail passwords are kept in memory for this session only "
        "and asked for again after a restart."
    )


def forget_session_secrets() -> None:
    """Drop every secret kept in memory (a new session, or a test)."""
    _memory.clear()


def _get(account: str) -> str | None:
    remembered = _memory.get((SERVICE, account))
    if remembered:
        return remembered
    backend = _keychain()
    if backend is None:
        return None
    try:
        found = backend.get_password(SERVICE, account)
    except (NoKeyringError, KeyringError):
        return None
    return found if isinstance(found, str) else None


def _set(account: str, secret: str, what: str) -> None:
    """Save to the OS keychain; without one, keep it in memory and raise to say so."""
    backend = _keychain()
    if backend is not None:
        try:
            backend.set_password(SERVICE, account, secret)
            _memory.pop((SERVICE, account), None)
            return
        except (NoKeyringError, KeyringError) as exc:
            _memory[(SERVICE, account)] = secret
            raise KeychainUnavailableError(
                f"The keychain refused to store the {what} ({exc}), so it is kept in memory for "
                "this session only."
            ) from exc
    _memory[(SERVICE, account)] = secret
    raise KeychainUnavailableError(keychain_status())


def _delete(account: str) -> bool:
    """Forget a secret everywhere; True when one was there."""
    found = _memory.pop((SERVICE, account), None) is not None
    backend = _keychain()
    if backend is not None:
        try:
            backend.delete_password(SERVICE, account)
            found = True
        except (NoKeyringError, PasswordDeleteError, KeyringError):
            pass
    return found


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
    """The access token for a store: environment first (scripts, CI), then this session's
    memory, then the OS keychain."""
    from_env = os.environ.get(TOKEN_ENV, "").strip()
    if from_env:
        return from_env
    return _get(_token_account(store_hash))


def save_token(store_hash: str, token: str) -> None:
    """Into the OS keychain; without one KeychainUnavailableError says it is kept in memory."""
    _set(_token_account(store_hash), token, "access token")


def delete_token(store_hash: str) -> bool:
    return _delete(_token_account(store_hash))


def _mail_account(server: str, host: str, user: str) -> str:
    return f"{server}:{user}@{host}"  # server: "smtp" or "imap"


def _mail_password(server: str, env: str, host: str, user: str) -> str:
    """A mail server's password: environment first (scripts, CI), then memory, then keychain; ""."""
    from_env = os.environ.get(env, "")
    if from_env:
        return from_env
    if not host or not user:
        return ""
    return _get(_mail_account(server, host, user)) or ""


def get_smtp_password(host: str, user: str) -> str:
    return _mail_password("smtp", SMTP_PASSWORD_ENV, host, user)


def save_smtp_password(host: str, user: str, password: str) -> None:
    _set(_mail_account("smtp", host, user), password, "mail password")


def delete_smtp_password(host: str, user: str) -> bool:
    return _delete(_mail_account("smtp", host, user))


def get_imap_password(host: str, user: str) -> str:
    """The IMAP password (replies)."""
    return _mail_password("imap", IMAP_PASSWORD_ENV, host, user)


def save_imap_password(host: str, user: str, password: str) -> None:
    _set(_mail_account("imap", host, user), password, "IMAP password")


def delete_imap_password(host: str, user: str) -> bool:
    return _delete(_mail_account("imap", host, user))
