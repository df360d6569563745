"""The mail errors, apart from smtplib so that classifying them costs no import."""

from __future__ import annotations


class MailError(Exception):
    """Sending failed; `message` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
