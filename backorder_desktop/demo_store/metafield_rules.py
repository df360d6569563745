"""Metafield resources, limits and JSON: what may be created or changed, and how it looks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import fields as f
from .dates import iso
from .records import MetafieldRec, StoreState

VALUE_MAX = 65_535
PER_RESOURCE_MAX = 250  # per resource and API client (products_catalog.v3.yml, metafields)
STORE_MAX = 10_000  # store-level metafields per client (spec README)
PERMISSION_SETS = ("app_only", "read", "write", "read_and_sf_access", "write_and_sf_access")


@dataclass(frozen=True, slots=True)
class Kind:
    """One metafield resource type and the rules that differ between them."""

    resource_type: str
    exists: Callable[[StoreState, int], bool]
    limit: int = PER_RESOURCE_MAX
    # store_information.v3.yml types the store metafield's id and resource_id as strings.
    string_ids: bool = False
    owner: str = "resource"

    def ref(self, rid: int) -> str:
        return f"{self.resource_type} {rid}"


PRODUCT = Kind("product", lambda s, rid: rid in s.products, owner="product")
VARIANT = Kind("variant", lambda s, rid: rid in s.variants, owner="variant")
ORDER = Kind("order", lambda s, rid: rid in s.orders, owner="order")
STORE = Kind("store", lambda s, rid: rid == 0, limit=STORE_MAX, string_ids=True, owner="store")


def metafield_json(kind: Kind, rec: MetafieldRec) -> dict[str, Any]:
    return {
        "id": str(rec.id) if kind.string_ids else rec.id,
        "key": rec.key,
        "value": rec.value,
        "namespace": rec.namespace,
        "permission_set": rec.permission_set,
        "resource_type": rec.resource_type,
        "resource_id": str(rec.resource_id) if kind.string_ids else rec.resource_id,
        "description": rec.description,
        "date_created": iso(rec.date_created),
        "date_modified": iso(rec.date_modified),
        "owner_client_id": rec.owner_client_id,
    }


def fields_for(item: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validated metafield fields of a request item (FieldError on the first bad one)."""
    out: dict[str, Any] = {}
    if creating:
        for key in ("permission_set", "namespace", "key", "value"):
            if key not in item:
                raise f.FieldError(key, "is required")
    if "permission_set" in item:
        out["permission_set"] = f.choice(item, "permission_set", PERMISSION_SETS)
    for key in ("namespace", "key"):
        if key in item:
            out[key] = f.text(item, key, min_length=1, max_length=64)
    if "value" in item:
        out["value"] = f.text(item, "value", min_length=1, max_length=VALUE_MAX)
    if "description" in item:
        out["description"] = f.text(item, "description", max_length=255)
    return out


class Index:
    """Metafields grouped per resource and API account, for the per-resource limit and the
    (namespace, key) rule: both hold per account, so a second account may create a duplicate
    (spec README, "Learned since")."""

    def __init__(self, state: StoreState, resource_type: str, owner: str) -> None:
        self.owner = owner
        self.by_resource: dict[int, dict[tuple[str, str], int]] = {}
        for rec in state.metafields.values():
            if rec.resource_type == resource_type and rec.owner_client_id == owner:
                self.by_resource.setdefault(rec.resource_id, {})[(rec.namespace, rec.key)] = rec.id

    def check(self, kind: Kind, rid: int, namespace: str, key: str, own_id: int | None) -> None:
        taken = self.by_resource.get(rid, {})
        holder = taken.get((namespace, key))
        if holder is not None and holder != own_id:
            raise f.FieldError(
                "key",
                f"A metafield with namespace '{namespace}' and key '{key}' already exists on {kind.ref(rid)}.",
            )
        if own_id is None and len(taken) >= kind.limit:
            raise f.FieldError(
                "resource_id", f"{kind.ref(rid)} already has {kind.limit} metafields."
            )

    def add(self, rec: MetafieldRec) -> None:
        if rec.owner_client_id != self.owner:
            return
        self.by_resource.setdefault(rec.resource_id, {})[(rec.namespace, rec.key)] = rec.id

    def remove(self, rec: MetafieldRec) -> None:
        if rec.owner_client_id != self.owner:
            return
        self.by_resource.get(rec.resource_id, {}).pop((rec.namespace, rec.key), None)


OWNED_403 = (
    "This metafield belongs to another API account: only the account that created it may "
    "change its namespace, key or permission set."
)


def visible(rec: MetafieldRec, client_id: str) -> bool:
    """`app_only` metafields are visible only to the API account that made them (spec README)."""
    return rec.permission_set != "app_only" or rec.owner_client_id == client_id


def foreign_change(kind: Kind, rec: MetafieldRec, values: dict[str, Any], client_id: str) -> bool:
    """Whether `values` change what only the owning account may change (spec README)."""
    if rec.owner_client_id == client_id:
        return False
    guarded = ("namespace", "key", "permission_set") + (("value",) if kind is PRODUCT else ())
    return any(name in values and values[name] != getattr(rec, name) for name in guarded)


def item_error(message: str, details: dict[str, Any]) -> dict[str, Any]:
    # Error objects of batch metafield replies (products_catalog.v3.yml, components "Error").
    return {"status": 422, "title": message, "type": "", "errors": details}


def batch_reply(data: list[Any], errors: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """200 when everything succeeded, else 422 with data, errors and meta (spec README)."""
    meta = {"total": len(data) + len(errors), "success": len(data), "failed": len(errors)}
    return (422 if errors else 200), {"data": data, "errors": errors, "meta": meta}
