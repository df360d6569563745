"""The demo store's locale settings, `/v3/settings/store/locale` (settings.v3.yml `Locale`),
and how every settings PUT reads its body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fields as f
from .api import Context, Request, Response, Router, v3_error

# The spec's defaults and example: a US store shopping in English.
DEFAULT_LOCALE: dict[str, Any] = {
    "default_shopper_language": "en",
    "shopper_language_selection_method": "default_shopper_language",
    "store_country": "United States",
}
_METHODS = ("browser", "default_shopper_language")
SKIP = object()  # a key a settings PUT ignores


def settings_changes(req: Request, read: Callable[[dict[str, Any], str], Any]) -> dict[str, Any]:
    """What a settings PUT sets: `read(body, key)` checks one key's value (SKIP: ignored);
    any bad value refuses the whole request with 422 naming every bad field."""
    body = req.json()
    if not isinstance(body, dict):
        raise v3_error(422, "The request body must be an object.")
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in body:
        try:
            value = read(body, key)
        except f.FieldError as exc:
            errors[exc.field] = exc.message
            continue
        if value is not SKIP:
            changes[key] = value
    if errors:
        raise v3_error(422, "Provided settings could not be applied.", errors)
    return changes


def _locale(ctx: Context) -> dict[str, Any]:
    return {**DEFAULT_LOCALE, **ctx.state.locale_settings}


def get_locale(ctx: Context, req: Request) -> Response:
    return Response(200, {"data": _locale(ctx), "meta": {}})


def _read_locale(body: dict[str, Any], key: str) -> Any:
    if key == "shopper_language_selection_method":
        return f.choice(body, key, _METHODS)
    if key in ("default_shopper_language", "store_country"):
        return f.text(body, key, max_length=255)
    return SKIP


def put_locale(ctx: Context, req: Request) -> Response:
    ctx.state.locale_settings.update(settings_changes(req, _read_locale))
    return Response(200, {"data": _locale(ctx), "meta": {}}, dirty=frozenset({"store"}))


def register(router: Router) -> None:
    router.add("GET", "/v3/settings/store/locale", get_locale)
    router.add("PUT", "/v3/settings/store/locale", put_locale)
