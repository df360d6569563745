"""Proxies from the environment never see loopback API traffic; network traffic keeps them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.errors import BigCommerceError
from backorder_desktop.demo_store import DemoStore


class RecordingProxy:
    """A real TCP listener standing in for a proxy: records the first line of each request and
    answers 502, so nothing goes further."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(4096)
                self.lines.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    server = RecordingProxy()
    url = f"http://127.0.0.1:{server.port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, url)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.close()


def test_loopback_api_requests_never_go_to_an_environment_proxy(
    proxy: RecordingProxy, tmp_path: Path
) -> None:
    with DemoStore(seed=2, products=5, orders=2) as store:
        client = BigCommerceClient(store.api_url, store.store_hash, store.token)
        try:
            client.request("GET", "/v3/catalog/products")
            client.request("GET", "/v2/orders")
        finally:
            client.close()
        assert [r.path for r in store.requests] == ["/v3/catalog/products", "/v2/orders"]
    assert proxy.lines == []  # the token never reached the proxy


def test_network_api_requests_still_use_the_environment_proxy(proxy: RecordingProxy) -> None:
    client = BigCommerceClient("https://api.bigcommerce.example", "abc123", "tok", max_retries=0)
    try:
        with pytest.raises(BigCommerceError):
            client.request("GET", "/v3/catalog/products")
    finally:
        client.close()
    assert proxy.lines and proxy.lines[0].startswith("CONNECT api.bigcommerce.example:443")
