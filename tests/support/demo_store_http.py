"""A thin httpx client for the demo store tests, optionally checking traffic against the specs."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from backorder_desktop.demo_store import DemoStore


class DemoApi:
    """Requests to `{api_url}/stores/{hash}` with the store's token; `validate` checks each
    request and response against the official specs (tests.support.openapi)."""

    def __init__(
        self, store: DemoStore, *, validate: bool = False, token: str | None = None
    ) -> None:
        self.store = store
        self.validate = validate
        self.base = f"{store.api_url}/stores/{store.store_hash}"
        self.http = httpx.Client(
            base_url=self.base,
            headers={
                "X-Auth-Token": store.token if token is None else token,
                "Accept": "application/json",
            },
            timeout=30.0,
        )
        self.checked = 0

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        if self.validate:
            from tests.support.openapi import validate_httpx_request, validate_httpx_response

            validate_httpx_request(response.request)
            validate_httpx_response(response)
            self.checked += 1
        return response

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.call("GET", path, params=params)

    def put(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return self.call("PUT", path, json=body, params=params)

    def post(self, path: str, body: Any, **params: Any) -> httpx.Response:
        return self.call("POST", path, json=body, params=params)

    def delete(self, path: str, body: Any = None) -> httpx.Response:
        if body is None:
            return self.call("DELETE", path)
        return self.call("DELETE", path, json=body)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> DemoApi:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def order_body(
    product_id: int, variant_id: int, quantity: int, *, status_id: int = 11
) -> dict[str, Any]:
    """A POST /v2/orders body for one catalog line."""
    return {
        "status_id": status_id,
        "customer_id": 0,
        "billing_address": {
            "first_name": "Zoë",
            "last_name": "O'Brien",
            "street_1": "1 Main Street",
            "city": "Austin",
            "state": "Texas",
            "zip": "78751",
            "country": "United States",
            "country_iso2": "US",
            "email": "zoe@example.com",
        },
        "products": [{"product_id": product_id, "variant_id": variant_id, "quantity": quantity}],
    }


def stock_identity(store: DemoStore, variant_id: int) -> dict[str, int]:
    """How a stock write names this variant: by product id when its product tracks stock by
    product (BigCommerce refuses the variant id then, inventory.v3.yml), else by variant id."""
    state = store.state
    product = state.products[state.variants[variant_id].product_id]
    if product.inventory_tracking == "product":
        return {"product_id": product.id}
    return {"variant_id": variant_id}
