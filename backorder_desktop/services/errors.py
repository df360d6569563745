"""Which failures a merchant can act on (a message) and which are bugs (a crash report)."""

from __future__ import annotations

from backorder_desktop.bigcommerce.errors import AuthError, BigCommerceError, OfflineError
from backorder_desktop.cache import CacheError
from backorder_desktop.mail.errors import MailError
from backorder_desktop.services.instance import AlreadyRunning
from backorder_desktop.sync.progress import SyncCancelled


class UserError(Exception):
    """An error the merchant can act on: shown as a message (the CLI exits 1)."""


# Everything else that escapes a task or a command is a bug: logged with its traceback and
# shown in the crash dialog (window) or re-raised (CLI). ValueError covers bad input.
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    UserError,
    BigCommerceError,
    CacheError,
    MailError,
    AlreadyRunning,
    SyncCancelled,
    ValueError,
    OSError,
)


def is_expected(exc: BaseException) -> bool:
    return isinstance(exc, EXPECTED_ERRORS)


def describe_error(exc: BaseException) -> str:
    """Plain words for errors a merchant can act on."""
    if isinstance(exc, AuthError):
        return f"{exc.message} Reconnect the store (File > Connect store) with a valid token."
    if isinstance(exc, OfflineError):
        return f"{exc.message} Working offline from the cache; changes wait in the outbox."
    if isinstance(exc, SyncCancelled):
        return "Sync cancelled; the cache is as it was."
    return str(getattr(exc, "message", None) or exc)
