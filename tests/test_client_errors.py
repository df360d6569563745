"""HTTP client error mapping (401/403/404/4xx/5xx shapes of V2 and V3) and token redaction."""

from __future__ import annotations

import logging

import httpx
import pytest

from backorder_desktop.bigcommerce import errors
from tests.support.client_mock import STORE, TOKEN, make_client

V3_422 = {
    "status": 422,
    "title": "JSON data is missing or invalid",
    "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
    "errors": {"settings.0.backorder_limit": "must be a non-negative integer"},
}
OUT_OF_STOCK_409 = [
    {
        "status": 409,
        "message": "Quantities of one or more products are out of stock or did not meet quantity requirements.",
        "details": {
            "errors": [
                {
                    "type": "OutOfStock",
                    "message": "Only 55 left",
                    "variant_id": 74,
                    "location_id": 1,
                    "available_quantity": 10,
                    "available_quantity_for_backorder": 45,
                }
            ]
        },
    }
]


def _raising(status: int, body: object = None, text: str | None = None) -> errors.BigCommerceError:
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text)
        return httpx.Response(status, json=body)

    h = make_client(handler, max_retries=0)
    with pytest.raises(errors.BigCommerceError) as caught:
        h.client.request("PUT", "/v3/inventory/locations/1/items", json={"settings": []})
    return caught.value


def test_401_says_the_store_rejected_the_token() -> None:
    error = _raising(401, {"status": 401, "title": "Unauthorized"})
    assert isinstance(error, errors.AuthError)
    assert "the store rejected the access token" in error.message.lower()
    assert TOKEN not in error.message


def test_403_names_the_missing_scope_as_the_control_panel_shows_it() -> None:
    # BigCommerce's body names no scope: the app names it from the endpoint.
    body = {"status": 403, "title": "You don't have a required scope to access the endpoint"}
    error = _raising(403, body)
    assert isinstance(error, errors.ScopeError)
    assert error.scope == "Store Inventory"
    assert '"Store Inventory" scope (modify)' in error.message
    assert "/v3/inventory" not in error.message


def test_403_for_another_accounts_record_is_not_a_scope() -> None:
    body = {"status": 403, "title": "This metafield belongs to another API account."}
    error = _raising(403, body)
    assert isinstance(error, errors.ScopeError)
    assert error.scope is None
    assert "same API account" in error.message


def test_404_names_the_path() -> None:
    error = _raising(404, {"status": 404, "title": "Not Found"})
    assert isinstance(error, errors.NotFoundError)
    assert "/v3/inventory/locations/1/items" in error.message


def test_v3_422_keeps_bigcommerce_message_and_field_errors() -> None:
    error = _raising(422, V3_422)
    assert isinstance(error, errors.ValidationError)
    assert error.status == 422
    assert "JSON data is missing or invalid" in error.message
    assert [(e.item_id, e.message) for e in error.item_errors] == [
        ("settings.0.backorder_limit", "must be a non-negative integer")
    ]


def test_v2_409_out_of_stock_names_the_variant() -> None:
    error = _raising(409, OUT_OF_STOCK_409)
    assert isinstance(error, errors.ValidationError)
    assert "out of stock" in error.message
    assert [(e.item_id, e.message) for e in error.item_errors] == [(74, "Only 55 left")]


@pytest.mark.parametrize("status", [400, 413])
def test_other_client_errors_are_validation_errors(status: int) -> None:
    error = _raising(status, {"status": status, "title": "The request payload is too large."})
    assert isinstance(error, errors.ValidationError)
    assert "too large" in error.message


def test_a_non_json_error_page_gives_a_clean_message() -> None:
    error = _raising(502, text="<html><body>Bad gateway</body></html>")
    assert isinstance(error, errors.ServerError)
    assert "<html" not in error.message


def test_check_connection_404_says_the_store_hash_may_be_wrong() -> None:
    h = make_client(lambda r: httpx.Response(404, json={"status": 404, "title": "Not Found"}))
    with pytest.raises(errors.NotFoundError) as caught:
        h.client.check_connection()
    assert "store hash may be wrong" in caught.value.message
    assert STORE in caught.value.message
    assert h.client.request_count == 1


def test_check_connection_is_one_cheap_request() -> None:
    h = make_client(lambda r: httpx.Response(200, json={"data": [], "meta": {}}))
    h.client.check_connection()
    assert len(h.requests) == 1
    assert h.requests[0].url.params["limit"] == "1"


def test_check_connection_rejects_a_server_that_is_not_bigcommerce() -> None:
    h = make_client(lambda r: httpx.Response(200, text="<html>hello</html>"))
    with pytest.raises(errors.BigCommerceError, match="API URL"):
        h.client.check_connection()


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, errors.AuthError), (403, errors.ScopeError), (500, errors.ServerError)],
)
def test_check_connection_raises_typed_errors(status: int, kind: type) -> None:
    h = make_client(lambda r: httpx.Response(status, json={"title": "x"}), max_retries=0)
    with pytest.raises(kind):
        h.client.check_connection()


def test_token_echoed_by_the_server_is_redacted_from_errors() -> None:
    body = {"status": 422, "title": f"bad token {TOKEN} given", "errors": {"x": TOKEN}}
    error = _raising(422, body)
    assert TOKEN not in error.message
    assert TOKEN not in str(error)
    assert error.item_errors and all(TOKEN not in e.message for e in error.item_errors)


def test_token_never_appears_in_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    h = make_client(lambda r: httpx.Response(500, json={"title": TOKEN}), max_retries=1)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(errors.ServerError):
        h.client.request("GET", "/v3/catalog/products")
    # Even someone logging the token on our logger gets it masked.
    logging.getLogger("backorder_desktop.bigcommerce").warning("token is %s", TOKEN)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "/v3/catalog/products" in text  # the request lines are there...
    assert "500" in text
    assert TOKEN not in text  # ...without the token
    assert "***" in text


def test_offline_error_message_has_no_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused {TOKEN}", request=request)

    h = make_client(handler, max_retries=1)
    with pytest.raises(errors.OfflineError) as caught:
        h.client.request("GET", "/v3/x")
    assert TOKEN not in str(caught.value)
