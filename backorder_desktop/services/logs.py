"""Rotating log files in the app's log folder, with every known secret redacted."""

from __future__ import annotations

import logging
import logging.handlers
import os
from io import TextIOWrapper
from pathlib import Path

from backorder_desktop.bigcommerce.redaction import redact, register_token
from backorder_desktop.cache.private_files import open_fd
from backorder_desktop.services.paths import ensure_private_dir

# One registry of secrets for the whole process, in the lowest layer that logs (the HTTP
# client's): a token, an SMTP password or a pasted secret is redacted by every logger and in
# every crash report alike.
__all__ = ["redact", "register_secret", "setup_logging", "log_tail"]


def register_secret(secret: str | None) -> None:
    """Make sure `secret` never appears in a log line, whoever logs it."""
    if secret and len(secret) >= 4:
        register_token(secret)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Each log file (rotated ones too) readable only by the user: logs name customers."""

    def _open(self) -> TextIOWrapper:
        # Append, mode 0600, never through a symlink planted where the log goes.
        fd = open_fd(Path(self.baseFilename), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def setup_logging(log_dir: Path, *, level: int = logging.INFO) -> Path:
    """Log to `log_dir/backorder-desktop.log`, 5 files of 1 MB; returns the log file path."""
    ensure_private_dir(log_dir.parent)  # the data dir: the user's alone, or refused
    ensure_private_dir(log_dir)
    path = log_dir / "backorder-desktop.log"
    root = logging.getLogger("backorder_desktop")
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_backorder_desktop", False):
            root.removeHandler(handler)
            handler.close()
    handler = _PrivateRotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler._backorder_desktop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return path


def log_tail(path: Path, lines: int = 200) -> str:
    """The last lines of the log, redacted again (for crash reports)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return redact("\n".join(text.splitlines()[-lines:]))
