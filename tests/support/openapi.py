"""Validates BigCommerce requests and responses against the official OpenAPI specs (openapi-core).

The spec folder comes from `BIGCOMMERCE_SPEC_DIR`, default `<repo>/../shared/bigcommerce-spec`.
Each spec file is loaded once per process, on first use. Tests that need the specs call
`require_specs()` (or use the `openapi_specs` fixture after importing it into the test module)
and are skipped when the folder is absent.

    validate_request(method, path, query, headers, body)
    validate_response(method, path, query, status, headers, body)

`path` is the URL path: "/stores/{hash}/v3/..." or "/stores/{hash}/v2/..." (a path starting
"/v3/" or "/v2/" is accepted too). Mismatches raise AssertionError with a readable message.

The specs are used as published, with a short list of errata (`_ERRATA` below), each a place
where the spec contradicts its own text or the live API's documented behaviour. Responses with a
status the operation does not document (401, 404, 413, 429, 5xx, V2's 204 on empty lists) are
checked against the generic shapes from the spec README instead.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
HOST = "https://api.bigcommerce.com"
# The files the app's endpoints live in. The backorders PR versions of inventory and settings
# are supersets of the merged ones (they add the backorder message fields).
V3_FILES = (
    "products_catalog.v3.yml",
    "product-variants_catalog.v3.yml",
    "inventory.v3.backorders-pr1089.yml",
    "locations.v3.yml",
    "orders.v3.yml",
    "settings.v3.backorders-pr1089.yml",
    "store_information.v3.yml",
    "customers.v3.yml",
    "webhooks.v3.yml",
)
V2_FILE = "orders.v2.oas2.yml"
# Beta fields of native backorders (spec README): allowed wherever a schema forbids extras.
BETA_LINE_FIELDS = {"quantity_backordered": {"type": "integer", "minimum": 0}}
_PREFIX = re.compile(r"^/stores/[^/]+(/v[23])(/.*)$")


def spec_dir() -> Path:
    configured = os.environ.get("BIGCOMMERCE_SPEC_DIR")
    return Path(configured) if configured else REPO.parent / "shared" / "bigcommerce-spec"


def specs_available() -> bool:
    return (spec_dir() / V2_FILE).is_file() and all((spec_dir() / f).is_file() for f in V3_FILES)


def require_specs() -> Path:
    """The spec folder; skips the calling test when it (or a file in it) is missing."""
    folder = spec_dir()
    if not specs_available():
        pytest.skip(
            f"BigCommerce OpenAPI specs not found in {folder} "
            "(set BIGCOMMERCE_SPEC_DIR to the folder with the official .yml files)"
        )
    return folder


@pytest.fixture
def openapi_specs() -> Path:
    return require_specs()


# -- errata ---------------------------------------------------------------------------------------


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in list(node.values()):
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _generic_fixes(node: dict[str, Any]) -> None:
    # 1. `oneOf` whose alternatives overlap (objects without required fields, e.g. the
    #    inventory `identity`, order `consignments`, `line_items`): valid data matches several
    #    alternatives and oneOf fails. anyOf keeps "must match an alternative".
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
    # 2. Swagger 2's `x-nullable` left in OpenAPI 3 files (product-variants_catalog.v3.yml).
    if node.pop("x-nullable", False):
        node["nullable"] = True
    # 3. `readOnly` ids marked required in batch PUT bodies (product_Put_Collection requires the
    #    read-only `id`): a writer context would refuse every valid batch.
    node.pop("readOnly", None)
    node.pop("writeOnly", None)
    # 4. Accept / Content-Type declared as required header parameters, even on GETs
    #    (GET /orders/{order_id}/products). The media type is checked separately.
    if node.get("in") == "header" and str(node.get("name", "")).lower() in (
        "accept",
        "content-type",
    ):
        node["required"] = False
    # 5. ":in" filters typed as one scalar while documented as comma-separated lists
    #    (inventory `variant_id:in`, `product_id:in`, locations `location_id:in`).
    if node.get("in") == "query" and str(node.get("name", "")).endswith(":in"):
        schema = node.get("schema")
        if isinstance(schema, dict) and schema.get("type") in ("integer", "string", "number"):
            node["schema"] = {"type": "array", "items": {"type": schema["type"]}}
            node["style"], node["explode"] = "form", False


def _v2_fixes(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    # 6. Beta field on order lines; orderProducts forbids extras (additionalProperties: false).
    schemas["orderProducts"]["properties"].update(BETA_LINE_FIELDS)
    # 7. The legacy consignment structure: without consignment_structure=object the API answers
    #    a one-element array (BigCommerce's August 2025 change announcement).
    consignments = schemas["order_RespOnly"]["properties"]["consignments"]
    consignments["anyOf"].append(
        {
            "type": "array",
            "maxItems": 1,
            "items": {"$ref": "#/components/schemas/orderConsignment_Get"},
        }
    )
    # 8. `sort` lists bare fields while its text documents `field:asc` / `field:desc`.
    sort = doc["components"]["parameters"]["sort"]["schema"]
    fields = list(sort["enum"])
    sort["enum"] = fields + [f"{f}:{d}" for f in fields for d in ("asc", "desc")]


def _products_fixes(doc: dict[str, Any]) -> None:
    # 9. `base_variant_id` "is null for complex products" (its description) but is not nullable.
    for part in doc["components"]["schemas"]["product_Full"]["allOf"]:
        if "base_variant_id" in part.get("properties", {}):
            part["properties"]["base_variant_id"]["nullable"] = True


def _variants_fixes(doc: dict[str, Any]) -> None:
    # 10. Per-variant metafields require a non-empty `description` (metafield_Base, minLength
    #     1) while the batch schema of the same file allows "" (Metafield, minLength 0) and the
    #     API answers "" for metafields created without one.
    doc["components"]["schemas"]["metafield_Base"]["properties"]["description"]["minLength"] = 0


_ERRATA: dict[str, Callable[[dict[str, Any]], None]] = {
    V2_FILE: _v2_fixes,
    "products_catalog.v3.yml": _products_fixes,
    "product-variants_catalog.v3.yml": _variants_fixes,
}


# -- loading --------------------------------------------------------------------------------------

_load_lock = threading.Lock()


@cache
def _raw(name: str) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (spec_dir() / name).open(encoding="utf-8") as fh:
        doc: dict[str, Any] = yaml.load(fh, Loader=loader)  # noqa: S506 (a safe loader)
    _walk(doc, _generic_fixes)
    if name in _ERRATA:
        _ERRATA[name](doc)
    return doc


@cache
def _openapi(name: str) -> Any:
    from openapi_core import Config, OpenAPI

    with _load_lock:
        # The specs are BigCommerce's, checked by their own pipeline; skipping the (slow)
        # meta-validation keeps loading under a second per file.
        # The Inventory API answers errors as application/problem+json: JSON all the same.
        config = Config(
            spec_validator_cls=None,
            extra_media_type_deserializers={"application/problem+json": json.loads},
        )
        return OpenAPI.from_dict(_raw(name), config=config)


@cache
def _templates(name: str) -> list[tuple[str, re.Pattern[str]]]:
    """(template, regex) pairs, literal segments first: /products/metafields before /{id}."""
    ordered = sorted(_raw(name)["paths"], key=lambda p: (p.count("{"), -len(p)))
    return [
        (p, re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$"))
        for p in ordered
    ]


def _split(path: str) -> tuple[str, str, str]:
    """(full path, version "/v2" or "/v3", path inside the version)."""
    match = _PREFIX.match(path)
    if match:
        return path, match.group(1), match.group(2)
    if path.startswith(("/v2/", "/v3/")):
        return "/stores/store_hash" + path, path[:3], path[3:]
    raise AssertionError(f"not a BigCommerce API path: {path!r}")


def spec_for(path: str) -> str:
    """The spec file that documents `path`."""
    _, version, inner = _split(path)
    if version == "/v2":
        return V2_FILE
    for name in V3_FILES:
        if any(regex.match(inner) for _, regex in _templates(name)):
            return name
    raise AssertionError(f"no official spec documents {path!r}")


# -- validation -----------------------------------------------------------------------------------


def _query_args(query: Mapping[str, Any]) -> Any:
    from werkzeug.datastructures import ImmutableMultiDict

    return ImmutableMultiDict([(str(k), str(v)) for k, v in query.items()])


def _content_type(headers: Mapping[str, str]) -> str:
    for key, value in headers.items():
        if key.lower() == "content-type":
            return str(value).split(";")[0].strip().lower()
    return "application/json"


def _describe(exc: BaseException) -> str:
    """The openapi-core error with every nested schema error, one per line."""
    lines = [f"{type(exc).__name__}: {exc}"]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for error in getattr(current, "schema_errors", None) or []:
            where = "/".join(str(p) for p in getattr(error, "absolute_path", [])) or "(root)"
            lines.append(f"  at {where}: {getattr(error, 'message', error)}"[:400])
            for sub in (getattr(error, "context", None) or [])[:6]:
                sub_where = "/".join(str(p) for p in getattr(sub, "absolute_path", []))
                lines.append(f"    - {sub_where}: {sub.message}"[:300])
        current = current.__cause__ or current.__context__
    return "\n".join(lines[:40])


def validate_request(
    method: str,
    path: str,
    query: Mapping[str, Any],
    headers: Mapping[str, str],
    body: bytes | None,
) -> None:
    """Raise AssertionError when the request does not match the official spec."""
    from openapi_core.testing import MockRequest

    full, _, _ = _split(path)
    spec = _openapi(spec_for(path))
    payload = body or b""
    content_type = _content_type(headers)
    if payload and content_type != "application/json":
        raise AssertionError(
            f"{method} {path}: a JSON body needs Content-Type application/json, got {content_type!r}"
        )
    request = MockRequest(
        HOST,
        method,
        full,
        args=_query_args(query),
        headers=dict(headers),
        data=payload or None,
        content_type=content_type,
    )
    try:
        spec.validate_request(request)
    except Exception as exc:  # openapi-core raises its own hierarchy
        shown = payload[:300].decode("utf-8", "replace")
        raise AssertionError(
            f"request {method} {path} {dict(query)} is not valid against {spec_for(path)}:\n"
            f"{_describe(exc)}\nbody: {shown}"
        ) from None


def _documented_statuses(name: str, inner: str, method: str) -> set[str]:
    doc = _raw(name)
    for template, regex in _templates(name):
        if regex.match(inner):
            operation = doc["paths"][template].get(method.lower()) or {}
            return set(operation.get("responses", {}))
    return set()


def _has_content(name: str, inner: str, method: str, status: int) -> bool:
    doc = _raw(name)
    for template, regex in _templates(name):
        if regex.match(inner):
            operation = doc["paths"][template].get(method.lower()) or {}
            response = operation.get("responses", {}).get(str(status), {})
            if "$ref" in response:
                response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
            return bool(response.get("content"))
    return False


def _check_generic(method: str, path: str, version: str, status: int, body: bytes) -> None:
    """Undocumented statuses: the error shapes of the spec README, or an empty 204."""
    where = f"response {status} to {method} {path}"
    if status == 204:
        if body:
            raise AssertionError(f"{where} must have no body, got {body[:100]!r}")
        return
    if status < 400:
        raise AssertionError(f"{where}: status {status} is not documented for this operation")
    try:
        doc = json.loads(body)
    except ValueError:
        raise AssertionError(f"{where}: error body is not JSON: {body[:200]!r}") from None
    if version == "/v2":
        ok = (
            isinstance(doc, list)
            and doc
            and all(
                isinstance(e, dict)
                and isinstance(e.get("status"), int)
                and isinstance(e.get("message"), str)
                for e in doc
            )
        )
        if not ok:
            raise AssertionError(f"{where}: V2 errors are [{{status, message}}], got {doc!r:.300}")
        return
    ok = (
        isinstance(doc, dict)
        and isinstance(doc.get("status"), int)
        and isinstance(doc.get("title"), str)
        and isinstance(doc.get("type"), str)
        and isinstance(doc.get("errors", {}), dict)
    )
    if not ok:
        raise AssertionError(
            f"{where}: V3 errors are {{status, title, type, errors}}, got {doc!r:.300}"
        )


def validate_response(
    method: str,
    path: str,
    query: Mapping[str, Any],
    status: int,
    headers: Mapping[str, str],
    body: bytes | None,
) -> None:
    """Raise AssertionError when the response does not match the official spec."""
    from openapi_core.testing import MockRequest, MockResponse

    full, version, inner = _split(path)
    name = spec_for(path)
    payload = body or b""
    documented = _documented_statuses(name, inner, method)
    if str(status) not in documented and "default" not in documented:
        _check_generic(method, path, version, status, payload)
        return
    if not payload and not _has_content(name, inner, method, status):
        return  # e.g. 204 "No Content (No shipments exist)": nothing to validate
    request = MockRequest(HOST, method, full, args=_query_args(query))
    content_type = _content_type(headers) if payload else "application/json"
    response = MockResponse(
        payload, status_code=status, headers=dict(headers), content_type=content_type
    )
    try:
        _openapi(name).validate_response(request, response)
    except Exception as exc:
        raise AssertionError(
            f"response {status} to {method} {path} {dict(query)} is not valid against {name}:\n"
            f"{_describe(exc)}\nbody: {payload[:300].decode('utf-8', 'replace')}"
        ) from None


def validate_httpx_request(request: Any) -> None:
    """`validate_request` for an httpx.Request (e.g. from an event hook)."""
    query = dict(request.url.params.multi_items())
    validate_request(
        request.method, request.url.path, query, dict(request.headers), request.content
    )


def validate_httpx_response(response: Any) -> None:
    """`validate_response` for a read httpx.Response (its request gives method, path, query)."""
    request = response.request
    query = dict(request.url.params.multi_items())
    validate_response(
        request.method,
        request.url.path,
        query,
        response.status_code,
        dict(response.headers),
        response.content,
    )
