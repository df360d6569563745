"""Saving and loading the demo store's state: compact JSON, written atomically (temp + rename)."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from .records import (
    AddressRec,
    BackorderMessageRec,
    CustomerRec,
    InventoryRec,
    LineRec,
    LocationRec,
    MetafieldRec,
    OptionRec,
    OptionValueRec,
    OrderRec,
    ProductRec,
    RefundItemRec,
    RefundPaymentRec,
    RefundRec,
    ShipmentItemRec,
    ShipmentRec,
    StoreState,
    VariantOptionRec,
    VariantRec,
)

FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"

_DT = "datetime"
_PAIRS = "pairs"
# Per record class, the fields that need more than JSON's own types. Records are saved as
# lists in field order, with the field names once per class in the file's "schemas" table, so
# a later version may add fields (with defaults) and still read an older file.
_CODECS: dict[type, dict[str, Any]] = {
    LocationRec: {"created_at": _DT, "updated_at": _DT},
    OptionValueRec: {},
    OptionRec: {"values": [OptionValueRec]},
    VariantOptionRec: {},
    ProductRec: {
        "date_created": _DT,
        "date_modified": _DT,
        "preorder_release_date": _DT,
        "options": [OptionRec],
    },
    VariantRec: {"option_values": [VariantOptionRec]},
    InventoryRec: {},
    CustomerRec: {},
    AddressRec: {},
    LineRec: {"options": _PAIRS},
    ShipmentItemRec: {},
    ShipmentRec: {"date_created": _DT, "items": [ShipmentItemRec]},
    RefundItemRec: {},
    RefundPaymentRec: {},
    RefundRec: {"created": _DT, "items": [RefundItemRec], "payments": [RefundPaymentRec]},
    OrderRec: {
        "date_created": _DT,
        "date_modified": _DT,
        "date_shipped": _DT,
        "billing_address": AddressRec,
        "shipping_address": AddressRec,
        "lines": [LineRec],
        "shipments": [ShipmentRec],
        "refunds": [RefundRec],
    },
    MetafieldRec: {"date_created": _DT, "date_modified": _DT},
    BackorderMessageRec: {"created_at": _DT, "updated_at": _DT},
}
_NAMES: dict[type, list[str]] = {cls: [f.name for f in dataclasses.fields(cls)] for cls in _CODECS}


def _enc_value(value: Any, codec: Any) -> Any:
    if value is None:
        return None
    if codec == _DT:
        return int(value.timestamp())
    if codec == _PAIRS:
        return [list(p) for p in value]
    if isinstance(codec, list):
        return [_encode(v) for v in value]
    if isinstance(codec, type):
        return _encode(value)
    return value


def _dec_value(value: Any, codec: Any, schemas: dict[str, list[str]]) -> Any:
    if value is None:
        return None
    if codec == _DT:
        return datetime.fromtimestamp(value, UTC)
    if codec == _PAIRS:
        return [(str(a), str(b)) for a, b in value]
    if isinstance(codec, list):
        return [_decode(codec[0], v, schemas) for v in value]
    if isinstance(codec, type):
        return _decode(codec, value, schemas)
    return value


# Per class: one attrgetter for all fields, and the positions that need a codec. Encoding the
# large store's catalog field by field took about a second per save.
_PLANS: dict[type, tuple[Callable[[Any], tuple[Any, ...]], list[tuple[int, Any]]]] = {
    cls: (
        attrgetter(*_NAMES[cls]),
        [(i, _CODECS[cls][name]) for i, name in enumerate(_NAMES[cls]) if name in _CODECS[cls]],
    )
    for cls in _CODECS
}


def _encode(obj: Any) -> list[Any]:
    getter, special = _PLANS[type(obj)]
    row = list(getter(obj))
    for i, codec in special:
        row[i] = _enc_value(row[i], codec)
    return row


def _decode(cls: type, row: list[Any], schemas: dict[str, list[str]]) -> Any:
    names = schemas.get(cls.__name__, _NAMES[cls])
    codecs = _CODECS[cls]
    known = set(_NAMES[cls])
    kwargs = {
        name: _dec_value(value, codecs.get(name), schemas)
        for name, value in zip(names, row, strict=False)
        if name in known
    }
    return cls(**kwargs)


# The state is saved in sections so a write touches only what changed (the large store's catalog
# alone takes about a second to encode). A small manifest names the current file of each section;
# replacing the manifest (temp + rename) is the one atomic step that switches to a new state.
SECTIONS: dict[str, tuple[str, ...]] = {
    "catalog": ("products", "variants"),
    "inventory": ("inventory",),
    "orders": ("customers", "orders"),
    "metafields": ("metafields",),
    "store": ("locations", "backorder_messages"),
}
_ROW_CLASSES: dict[str, type] = {
    "products": ProductRec,
    "variants": VariantRec,
    "inventory": InventoryRec,
    "customers": CustomerRec,
    "orders": OrderRec,
    "metafields": MetafieldRec,
    "locations": LocationRec,
    "backorder_messages": BackorderMessageRec,
}


def _collection(state: StoreState, name: str) -> list[Any]:
    return list(getattr(state, name).values())


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + "-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class StateFiles:
    """The state files of one data dir: full saves, partial saves by section, and loading."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, str] = {}
        self._generation = 0

    @property
    def manifest(self) -> Path:
        return self.directory / MANIFEST_FILE

    def exists(self) -> bool:
        return self.manifest.exists()

    def discard(self) -> None:
        """Forget the saved state (reset): remove the manifest and every section file."""
        if self.directory.exists():
            for path in self.directory.glob("*.json"):
                path.unlink(missing_ok=True)
        self._files = {}

    def save(self, state: StoreState, sections: set[str] | None = None) -> None:
        """Write the given sections (all when None, or when nothing was saved yet)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        todo = set(SECTIONS) if sections is None or not self._files else set(sections)
        self._generation += 1
        old = dict(self._files)
        for section in sorted(todo):
            name = f"{section}-{self._generation:06d}.json"
            doc = {key: [_encode(r) for r in _collection(state, key)] for key in SECTIONS[section]}
            _write_atomic(
                self.directory / name, json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
            )
            self._files[section] = name
        manifest = {
            "version": FORMAT_VERSION,
            "generation": self._generation,
            "schemas": {cls.__name__: names for cls, names in _NAMES.items()},
            "store_hash": state.store_hash,
            "created_at": int(state.created_at.timestamp()),
            "native_backorders_since": int(state.native_backorders_since.timestamp()),
            "seed": state.seed,
            "next_ids": state.next_ids,
            "inventory_settings": state.inventory_settings,
            "sections": self._files,
        }
        _write_atomic(
            self.manifest, json.dumps(manifest, separators=(",", ":"), ensure_ascii=False)
        )
        for section, name in old.items():
            if self._files.get(section) != name:
                (self.directory / name).unlink(missing_ok=True)

    def load(self) -> StoreState | None:
        if not self.manifest.exists():
            return None
        doc = json.loads(self.manifest.read_text(encoding="utf-8"))
        if doc.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported demo store state version {doc.get('version')!r}")
        schemas: dict[str, list[str]] = doc.get("schemas", {})
        state = StoreState(
            store_hash=doc["store_hash"],
            created_at=datetime.fromtimestamp(doc["created_at"], UTC),
            native_backorders_since=datetime.fromtimestamp(doc["native_backorders_since"], UTC),
            seed=int(doc["seed"]),
            inventory_settings=dict(doc.get("inventory_settings", {})),
            next_ids={str(k): int(v) for k, v in doc.get("next_ids", {}).items()},
        )
        self._files = {str(k): str(v) for k, v in doc["sections"].items()}
        self._generation = int(doc.get("generation", 0))
        for section, name in self._files.items():
            body = json.loads((self.directory / name).read_text(encoding="utf-8"))
            for key in SECTIONS[section]:
                cls = _ROW_CLASSES[key]
                rows = [_decode(cls, row, schemas) for row in body.get(key, [])]
                if key == "inventory":
                    state.inventory = {(r.variant_id, r.location_id): r for r in rows}
                else:
                    setattr(state, key, {r.id: r for r in rows})
        return state
