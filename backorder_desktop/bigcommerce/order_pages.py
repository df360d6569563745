"""An incremental orders listing read lazily: orders the caller already holds stay undecoded.

An incremental sync lists every order changed within the cursor's overlap, most of them the
copies the cache already holds (a busy minute, or orders imported in one second): a page is up
to 250 orders of several kB each. Parsing it all into dicts sat on the sync's critical path,
before the stock read that the changed orders name. Here msgspec splits the page into each
order's raw JSON without building Python objects for it, reads only `id` and `date_modified`,
and parses whole only the orders the caller does not hold (`mapping.held_order` decides, on the
same fields the careful path reads). A page msgspec cannot split (not a JSON array of objects)
is read by the careful path (`paging.read_v2_page`), which gives what it always gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx
import msgspec

from .error_mapping import parse_json
from .mapping import held_order
from .paging import JSON, V2Reader, read_v2_page


class _Head(msgspec.Struct, gc=False):
    id: Any = None
    date_modified: Any = None


_ITEMS = msgspec.json.Decoder(list[msgspec.Raw])
_HEAD = msgspec.json.Decoder(_Head)


def changed_orders(unchanged: Mapping[int, datetime]) -> V2Reader:
    """A V2 page reader (`paging.iter_v2`) that leaves out the orders `unchanged` holds."""

    def read(response: httpx.Response, path: str) -> tuple[list[JSON], int, Any]:
        if response.status_code == 204 or not unchanged:
            return read_v2_page(response, path)
        try:
            raws = _ITEMS.decode(response.content)
            heads = [_HEAD.decode(raw) for raw in raws]
        except (msgspec.DecodeError, httpx.ResponseNotRead):
            return read_v2_page(response, path)
        if not raws:
            return [], 0, None
        kept: list[JSON] = []
        for raw, head in zip(raws, heads, strict=True):
            if held_order({"id": head.id, "date_modified": head.date_modified}, unchanged):
                continue
            data = parse_json(bytes(raw))
            if not isinstance(data, dict):
                return read_v2_page(response, path)  # names what is wrong
            kept.append(data)
        return kept, len(raws), heads[0].id

    return read
