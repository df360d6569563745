"""Numbers, dates and money in the user's locale (QLocale), the store's currency for money."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTimeZone


def format_int(value: int | None) -> str:
    return "" if value is None else QLocale().toString(int(value))


def _locale() -> QLocale | None:
    """The user's locale; None for the bare "C" locale, whose short dates read badly."""
    locale = QLocale()
    return None if locale.language() == QLocale.Language.C else locale


def format_date(value: date | None) -> str:
    if value is None:
        return ""
    locale = _locale()
    if locale is None:
        return value.isoformat()
    return locale.toString(
        QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat
    )


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    utc = value.astimezone(UTC)
    qdt = QDateTime.fromSecsSinceEpoch(int(utc.timestamp()), QTimeZone.utc()).toLocalTime()
    local = qdt.date()
    return format_date(date(local.year(), local.month(), local.day()))


def format_money(amount: float | None, currency: str) -> str:
    """The one money format of the window: the user's locale, the store's currency, 2 decimals.

    The bare "C" locale (no LANG set) wrote "23927.53$": it falls back to English digits.
    """
    if amount is None:
        return ""
    locale = _locale() or QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale.toCurrencyString(float(amount), _currency_symbol(currency), 2)


def _currency_symbol(code: str) -> str:
    symbols = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$", "JPY": "¥"}
    return symbols.get(code.upper(), code.upper() + " ")


def format_ago(then: datetime | None, now: datetime | None = None) -> str:
    """'synced just now', 'synced 2 min ago', 'synced 3 h ago', or 'never synced'."""
    if then is None:
        return "never synced"
    now = now or datetime.now(UTC)
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return "synced just now"
    if seconds < 3600:
        return f"synced {seconds // 60} min ago"
    if seconds < 86400:
        return f"synced {seconds // 3600} h ago"
    return f"synced {seconds // 86400} days ago"
