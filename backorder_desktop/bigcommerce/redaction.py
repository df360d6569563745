"""Keeps access tokens out of log lines and exception text (a logging.Filter plus `redact`)."""

from __future__ import annotations

import logging
import threading

LOGGER_NAME = "backorder_desktop.bigcommerce"
# httpx and httpcore log URLs (not headers) today; filtered too in case that ever changes.
_FILTERED_LOGGERS = (LOGGER_NAME, "httpx", "httpcore")
MASK = "***"

_lock = threading.Lock()
# Tokens stay registered for the life of the process: a late log line, or an exception
# formatted after its client closed, must still never show one.
_tokens: set[str] = set()


def redact(text: str) -> str:
    """`text` with every registered token replaced by ***."""
    with _lock:
        tokens = sorted(_tokens, key=len, reverse=True)
    for token in tokens:
        if token in text:
            text = text.replace(token, MASK)
    return text


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record whose message, arguments or traceback text would show a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logger's business, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_filter = TokenRedactingFilter()


def register_token(token: str) -> None:
    """Start redacting `token` in every log line of this package (and of httpx)."""
    if not token:
        return
    with _lock:
        _tokens.add(token)
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
