"""The demo store's locale settings, `/v3/settings/store/locale` (settings.v3.yml `Locale`)."""

from __future__ import annotations

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


def _locale(ctx: Context) -> dict[str, Any]:
    return {**DEFAULT_LOCALE, **ctx.state.locale_settings}


def get_locale(ctx: Context, req: Request) -> Response:
    return Response(200, {"data": _locale(ctx), "meta": {}})


def put_locale(ctx: Context, req: Request) -> Response:
    body = req.json()
    if not isinstance(body, dict):
        raise v3_error(422, "The request body must be an object.")
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in body:
        try:
            if key == "shopper_language_selection_method":
                changes[key] = f.choice(body, key, _METHODS)
            elif key in ("default_shopper_language", "store_country"):
                changes[key] = f.text(body, key, max_length=255)
        except f.FieldError as exc:
            errors[exc.field] = exc.message
    if errors:
        raise v3_error(422, "Provided settings could not be applied.", errors)
    ctx.state.locale_settings.update(changes)
    return Response(200, {"data": _locale(ctx), "meta": {}}, dirty=frozenset({"store"}))


def register(router: Router) -> None:
    router.add("GET", "/v3/settings/store/locale", get_locale)
    router.add("PUT", "/v3/settings/store/locale", put_locale)
