"""V3 metafield endpoints for products, variants, orders and the store (single and batch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fields as f
from .api import STATUS_DOC, ApiError, Context, Request, Response, Router, v3_error
from .metafield_rules import (
    ORDER,
    OWNED_403,
    PRODUCT,
    STORE,
    VARIANT,
    Index,
    Kind,
    batch_reply,
    fields_for,
    foreign_change,
    item_error,
    metafield_json,
    visible,
)
from .paging import date_bounds, int_list, select_fields, str_list, v3_page, within
from .records import MetafieldRec

DIRTY = frozenset({"metafields"})
NOT_FOUND = "The requested metafield was not found."


def _list(ctx: Context, req: Request, kind: Kind, resource_ids: set[int] | None) -> Response:
    namespaces = set(str_list(req, "namespace:in") or [])
    if "namespace" in req.query:
        namespaces.add(req.query["namespace"])
    keys = set(str_list(req, "key:in") or [])
    if "key" in req.query:
        keys.add(req.query["key"])
    bounds = date_bounds(
        req,
        ctx.now,
        (
            ("date_modified:min", "date_modified", True),
            ("date_modified:max", "date_modified", False),
            ("date_created:min", "date_created", True),
            ("date_created:max", "date_created", False),
        ),
    )
    rows: list[MetafieldRec] = []
    for rec in ctx.state.metafields.values():
        if rec.resource_type != kind.resource_type or not visible(rec, ctx.client_id):
            continue
        if resource_ids is not None and rec.resource_id not in resource_ids:
            continue
        if (namespaces and rec.namespace not in namespaces) or (keys and rec.key not in keys):
            continue
        if within(rec, bounds):
            rows.append(rec)
    rows.sort(key=lambda r: r.id, reverse=req.query.get("direction") == "desc")
    page, meta = v3_page(req, rows)
    data = [select_fields(metafield_json(kind, r), req) for r in page]
    return Response(200, {"data": data, "meta": meta})


def _create(ctx: Context, kind: Kind, rid: int, item: dict[str, Any], index: Index) -> MetafieldRec:
    values = fields_for(item, creating=True)
    index.check(kind, rid, values["namespace"], values["key"], None)
    now = ctx.now()
    rec = MetafieldRec(
        id=ctx.state.new_id("metafield"),
        resource_type=kind.resource_type,
        resource_id=rid,
        namespace=values["namespace"],
        key=values["key"],
        value=values["value"],
        permission_set=values["permission_set"],
        date_created=now,
        date_modified=now,
        description=values.get("description", ""),
        owner_client_id=ctx.client_id,
    )
    ctx.state.metafields[rec.id] = rec
    index.add(rec)
    return rec


def _update(
    ctx: Context, kind: Kind, rec: MetafieldRec, item: dict[str, Any], index: Index
) -> None:
    values = fields_for(item, creating=False)
    if foreign_change(kind, rec, values, ctx.client_id):
        raise f.FieldError("owner_client_id", OWNED_403)
    namespace = values.get("namespace", rec.namespace)
    key = values.get("key", rec.key)
    if rec.owner_client_id == ctx.client_id:  # another's keeps its namespace and key
        index.check(kind, rec.resource_id, namespace, key, rec.id)
    index.remove(rec)
    for name, value in values.items():
        setattr(rec, name, value)
    rec.date_modified = ctx.now()
    index.add(rec)


def _existing(ctx: Context, kind: Kind, mid: Any) -> MetafieldRec:
    rec = ctx.state.metafields.get(mid) if f.is_int(mid) else None
    if rec is None or rec.resource_type != kind.resource_type or not visible(rec, ctx.client_id):
        raise f.FieldError("id", f"Metafield {mid} does not exist.")
    return rec


def _body_list(req: Request) -> list[Any]:
    body = req.json()
    if not isinstance(body, list) or not body:
        raise v3_error(400, "Input is invalid", {"body": "Expected a non-empty JSON array."})
    return body


def _batch_write(ctx: Context, req: Request, kind: Kind, op: str) -> Response:
    items = _body_list(req)
    index = Index(ctx.state, kind.resource_type, ctx.client_id)
    data: list[Any] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        try:
            if op == "delete":
                rec = _existing(ctx, kind, item)
                index.remove(rec)
                del ctx.state.metafields[rec.id]
                data.append(rec.id)
                continue
            if not isinstance(item, dict):
                raise f.FieldError("item", "must be an object")
            if op == "create":
                rid = 0 if kind is STORE else item.get("resource_id")
                if not f.is_int(rid) or not kind.exists(ctx.state, rid):
                    raise f.FieldError("resource_id", f"{kind.resource_type} {rid} does not exist.")
                data.append(metafield_json(kind, _create(ctx, kind, rid, item, index)))
            else:
                rec = _existing(ctx, kind, item.get("id"))
                _update(ctx, kind, rec, item, index)
                data.append(metafield_json(kind, rec))
        except f.FieldError as exc:
            # Name the item the way the request did: id (update, delete) or resource_id,
            # namespace and key (create).
            details: dict[str, Any] = {exc.field: exc.message}
            if op == "create" and isinstance(item, dict):
                for name in ("resource_id", "namespace", "key"):
                    details.setdefault(name, item.get(name))
            else:
                details["id"] = item.get("id") if isinstance(item, dict) else item
            errors.append(item_error(exc.message, details))
    status, body = batch_reply(data, errors)
    return Response(status, body, dirty=DIRTY if data else frozenset())


def _batch_routes(router: Router, path: str, kind: Kind) -> None:
    def get(ctx: Context, req: Request) -> Response:
        ids = int_list(req, "resource_id:in")
        return _list(ctx, req, kind, set(ids) if ids else None)

    def writer(op: str) -> Callable[[Context, Request], Response]:
        return lambda ctx, req: _batch_write(ctx, req, kind, op)

    router.add("GET", path, get)
    for method, op in (("POST", "create"), ("PUT", "update"), ("DELETE", "delete")):
        router.add(method, path, writer(op))


def _single_routes(
    router: Router, path: str, kind: Kind, resource_id: Callable[[Context, Request], int]
) -> None:
    """Per-resource endpoints: list/create on `path`, get/update/delete on `path/{metafield_id}`."""

    def one(ctx: Context, req: Request) -> tuple[int, MetafieldRec]:
        rid = resource_id(ctx, req)
        rec = ctx.state.metafields.get(req.int_param("metafield_id"))
        if (
            rec is None
            or rec.resource_type != kind.resource_type
            or rec.resource_id != rid
            or not visible(rec, ctx.client_id)
        ):
            if kind is ORDER:  # orders.v3.yml's NotFound has an `errors` array
                body = {"status": 404, "title": NOT_FOUND, "type": STATUS_DOC, "errors": []}
                raise ApiError(404, body)
            raise v3_error(404, NOT_FOUND)
        return rid, rec

    def list_(ctx: Context, req: Request) -> Response:
        return _list(ctx, req, kind, {resource_id(ctx, req)})

    def create(ctx: Context, req: Request) -> Response:
        rid = resource_id(ctx, req)
        item = req.json()
        if not isinstance(item, dict):
            raise v3_error(422, "The request body must be a metafield object.")
        try:
            rec = _create(ctx, kind, rid, item, Index(ctx.state, kind.resource_type, ctx.client_id))
        except f.FieldError as exc:
            status = 409 if exc.field == "key" and "already exists" in exc.message else 422
            raise v3_error(status, exc.message, {exc.field: exc.message}) from None
        return Response(200, {"data": metafield_json(kind, rec), "meta": {}}, dirty=DIRTY)

    def get(ctx: Context, req: Request) -> Response:
        _, rec = one(ctx, req)
        return Response(200, {"data": metafield_json(kind, rec), "meta": {}})

    def put(ctx: Context, req: Request) -> Response:
        _, rec = one(ctx, req)
        item = req.json()
        if not isinstance(item, dict):
            raise v3_error(422, "The request body must be a metafield object.")
        try:
            _update(ctx, kind, rec, item, Index(ctx.state, kind.resource_type, ctx.client_id))
        except f.FieldError as exc:
            status = 403 if exc.field == "owner_client_id" else 422
            raise v3_error(status, exc.message, {exc.field: exc.message}) from None
        return Response(200, {"data": metafield_json(kind, rec), "meta": {}}, dirty=DIRTY)

    def delete(ctx: Context, req: Request) -> Response:
        _, rec = one(ctx, req)
        del ctx.state.metafields[rec.id]
        return Response(204, None, dirty=DIRTY)

    if kind is not STORE:
        router.add("GET", path, list_)
        router.add("POST", path, create)
    router.add("GET", path + "/{metafield_id}", get)
    router.add("PUT", path + "/{metafield_id}", put)
    router.add("DELETE", path + "/{metafield_id}", delete)


def _product_id(ctx: Context, req: Request) -> int:
    pid = req.int_param("product_id")
    if pid not in ctx.state.products:
        raise v3_error(404, "The requested product was not found.")
    return pid


def _variant_id(ctx: Context, req: Request) -> int:
    pid, vid = req.int_param("product_id"), req.int_param("variant_id")
    variant = ctx.state.variants.get(vid)
    if variant is None or variant.product_id != pid:
        raise v3_error(404, "The requested variant was not found.")
    return vid


def _order_id(ctx: Context, req: Request) -> int:
    oid = req.int_param("order_id")
    if oid not in ctx.state.orders:
        raise v3_error(404, "The requested order was not found.")
    return oid


def register(router: Router) -> None:
    # Batch paths first: "/v3/catalog/products/metafields" must not read "metafields" as an id
    # (ids are digits only, so the order matters only for readability).
    _batch_routes(router, "/v3/catalog/products/metafields", PRODUCT)
    _batch_routes(router, "/v3/catalog/variants/metafields", VARIANT)
    _batch_routes(router, "/v3/orders/metafields", ORDER)
    _batch_routes(router, "/v3/store/metafields", STORE)
    _single_routes(router, "/v3/catalog/products/{product_id}/metafields", PRODUCT, _product_id)
    _single_routes(
        router,
        "/v3/catalog/products/{product_id}/variants/{variant_id}/metafields",
        VARIANT,
        _variant_id,
    )
    _single_routes(router, "/v3/orders/{order_id}/metafields", ORDER, _order_id)
    _single_routes(router, "/v3/store/metafields", STORE, lambda ctx, req: 0)
