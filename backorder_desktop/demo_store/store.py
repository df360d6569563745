"""`DemoStore`: builds or loads the state and serves the BigCommerce API on a local port."""

from __future__ import annotations

import logging
import secrets
import socket
import string
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .accounts import ALL_SCOPES, Account
from .dataset import DEMO_CLIENT_ID, generate_state
from .dates import now_utc
from .engine import Engine, Outcome, RequestRecord
from .faults import FaultInjector
from .persist import StateFiles
from .ratelimit import RateLimiter
from .records import StoreState
from .serving import Served, serve_in_thread
from .shoppers import LiveShoppers

log = logging.getLogger("backorder_desktop.demo_store")
STATE_SUBDIR = "demo-store"
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits


def _random_token() -> str:
    # Shaped like a BigCommerce access token (31 lowercase alphanumerics).
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(31))


def _random_hash() -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(10))


@dataclass(frozen=True, slots=True)
class DemoStoreConfig:
    """What the store was built with (`DemoStore.config`); the token is deliberately absent."""

    data_dir: Path | None
    seed: int
    products: int | None
    orders: int | None
    native_backorders: bool
    rate_limit: tuple[int, float]
    latency_ms: int
    host: str
    port: int
    reset: bool
    scopes: frozenset[str] = ALL_SCOPES


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients expect from the live API
    server_version = "BackorderDemoStore/1"
    timeout = 60  # idle keep-alive connections close after this long
    demo: DemoStore

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header, off by `clock_skew_s` to stand for a store clock (or a laptop's)
        # that is wrong: `doctor` reports the skew.
        if timestamp is None:
            timestamp = time.time() + self.demo.clock_skew_s
        return super().date_time_string(timestamp)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        log.debug("demo store %s: " + format, self.address_string(), *args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        outcome: Outcome = self.demo.engine.handle(self.command, self.path, headers, body)
        if outcome.drop:
            # Close the socket with no response at all (a dropped connection).
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(outcome.status)
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        if outcome.body is not None:
            self.send_header("Content-Length", str(len(outcome.body)))
        elif outcome.status != 204:
            self.send_header("Content-Length", "0")
        # Headers and body in one write: two small writes meet Nagle and delayed ACKs (~40 ms).
        self._headers_buffer.append(b"\r\n")  # type: ignore[attr-defined]
        if outcome.body is not None:
            self._headers_buffer.append(outcome.body)  # type: ignore[attr-defined]
        try:
            self.flush_headers()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its timeout ran out during a "slow" fault).
            self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _serve  # noqa: N815 (stdlib names)

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.demo._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.demo._track(self.connection, add=False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # socketserver prints tracebacks to stderr; a dropped client is routine here.
        log.debug("demo store: connection from %s ended abruptly", client_address, exc_info=True)


class DemoStore(Served):
    """A BigCommerce-speaking HTTP server on 127.0.0.1 with a seeded, persistent dataset.

    See the package docstring for the API; `state` is documented in `records.py`.
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        seed: int = 1,
        products: int | None = None,
        orders: int | None = None,
        native_backorders: bool = True,
        rate_limit: tuple[int, float] = (150, 30.0),
        latency_ms: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        store_hash: str | None = None,
        token: str | None = None,
        reset: bool = False,
        cache_listings: bool = False,
        live_shoppers: float = 0.0,
        inventory_delay_s: float = 0.0,
        scopes: frozenset[str] = ALL_SCOPES,
        default_location: int | None = None,
    ) -> None:
        """`cache_listings`: see `listing_cache.ListingCache` (only if nothing but HTTP requests
        change the state: not for tests that edit `state` directly). `scopes`: the OAuth scopes
        of the store's token (accounts.py); `default_location`: make that location the default
        (BigCommerce names it with `is_default`, not by id).

        `live_shoppers`: orders a minute placed on a seeded timer while the store runs
        (`shoppers.py`); `inventory_delay_s`: inventory writes are answered at once and applied
        that many seconds later, as BigCommerce applies them asynchronously."""
        self.config = DemoStoreConfig(
            Path(data_dir) if data_dir is not None else None,
            seed,
            products,
            orders,
            native_backorders,
            (int(rate_limit[0]), float(rate_limit[1])),
            latency_ms,
            host,
            port,
            reset,
            frozenset(scopes),
        )
        self._files = StateFiles(Path(data_dir) / STATE_SUBDIR) if data_dir is not None else None
        if self._files is not None and reset:
            self._files.discard()
        state = self._files.load() if self._files is not None else None
        fresh = state is None
        if state is None:
            state = generate_state(
                seed=seed, products=products, orders=orders, store_hash=store_hash or _random_hash()
            )
        if store_hash is not None and state.store_hash != store_hash:
            state.store_hash = store_hash
            fresh = True
        if default_location is not None:
            if default_location not in state.locations:
                raise ValueError(f"the store has no location {default_location}")
            for loc in state.locations.values():
                loc.is_default = loc.id == default_location
        self._token = token or _random_token()
        self.faults = FaultInjector(latency_ms=latency_ms, seed=seed)
        self._limiter = RateLimiter(*self.config.rate_limit)
        self.engine = Engine(
            state,
            native_backorders=native_backorders,
            limiter=self._limiter,
            faults=self.faults,
            token=self._token,
            account=Account(DEMO_CLIENT_ID, frozenset(scopes)),
            persist=self._persist,
            api_url=lambda: self.api_url,
            now=now_utc,
            cache_listings=cache_listings,
            shopper_seed=seed,
        )
        self.engine.inventory_delay_s = max(0.0, float(inventory_delay_s))
        self._shopper_rate = max(0.0, float(live_shoppers))
        if fresh and self._files is not None:
            self._files.save(state)
        self.clock_skew_s = 0.0  # added to the Date header of every answer
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    # -- what clients need ---------------------------------------------------------------------
    @property
    def state(self) -> StoreState:
        """The live dataset (mutated by requests; hold no reference across requests you make)."""
        return self.engine.state

    @property
    def store_hash(self) -> str:
        return self.engine.state.store_hash

    @property
    def token(self) -> str:
        return self.engine.token

    @property
    def api_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo store is not running: call start() first")
        return f"http://{self.config.host}:{self._server.server_port}"

    @property
    def requests(self) -> list[RequestRecord]:
        return self.engine.records()

    def clear_requests(self) -> None:
        self.engine.clear_records()

    def revoke_token(self) -> None:
        """Every request is refused with 401 until `set_token`."""
        self.engine.token = _random_token()

    def set_token(self, new: str) -> None:
        if not new:
            raise ValueError("the token must not be empty")
        self.engine.token = new

    def set_scopes(self, scopes: frozenset[str] | set[str]) -> None:
        """The OAuth scopes of the store's token from now on (accounts.SCOPES parameters)."""
        self.engine.account = Account(self.engine.account.client_id, frozenset(scopes))

    def refuse_refunds(self, order_id: int, refuse: bool = True) -> None:
        """Make the order's payment gateway decline refunds (or accept them again): its
        payment method becomes `refunds.REFUSING_PAYMENT_METHOD` (saved with the state)."""
        from .refunds import REFUSING_PAYMENT_METHOD

        with self.engine.lock:
            order = self.engine.state.orders[order_id]
            order.payment_method = REFUSING_PAYMENT_METHOD if refuse else "Credit Card"
            self._persist(frozenset({"orders"}))

    def add_account(self, client_id: str, scopes: frozenset[str] = ALL_SCOPES) -> str:
        """A second store-level API account; returns its token (never saved)."""
        token = _random_token()
        self.engine.other_accounts[token] = Account(client_id, frozenset(scopes))
        return token

    @property
    def client_id(self) -> str:
        """The API account of `token` (the `owner_client_id` of the metafields it creates)."""
        return self.engine.account.client_id

    def use_quota(self, requests: int) -> None:
        """Other apps spend `requests` of the current quota window (the quota is shared)."""
        self._limiter.spend(requests)

    def set_rate_limit(self, quota: int, window_s: float) -> None:
        self._limiter.configure(quota, window_s)

    @property
    def shoppers(self) -> LiveShoppers:
        """Web orders placed while staff work: `buy`, `script`, `start(rate)`, `sales`."""
        return self.engine.shoppers

    @property
    def inventory_delay_s(self) -> float:
        return self.engine.inventory_delay_s

    @inventory_delay_s.setter
    def inventory_delay_s(self, seconds: float) -> None:
        self.engine.inventory_delay_s = max(0.0, float(seconds))

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until every inventory write accepted so far has been applied."""
        self.engine.settle(timeout)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> DemoStore:
        if self._server is not None:
            return self
        handler = type("DemoStoreHandler", (_Handler,), {"demo": self})
        server = _Server((self.config.host, self.config.port), handler)
        self._server = server
        self._stopped.clear()
        self._thread = serve_in_thread(server, "demo-store", poll_interval=0.1)
        if self._shopper_rate > 0:
            self.engine.shoppers.start(self._shopper_rate)
        log.info("demo store serving %s (store %s)", self.api_url, self.store_hash)
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.engine.shoppers.stop()
        self.engine.settle()
        server.shutdown()
        server.server_close()
        with self._connections_lock:
            open_now = list(self._connections)
        for conn in open_now:  # keep-alive connections would otherwise live on
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._stopped.set()

    def serve_forever(self) -> None:
        """Serve until `stop()` is called from another thread or the process is interrupted."""
        self.start()
        try:
            while not self._stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    # -- internals -----------------------------------------------------------------------------
    def _persist(self, sections: frozenset[str]) -> None:
        # Called with the state lock held, right after a mutating request.
        if self._files is not None:
            self._files.save(self.engine.state, set(sections))

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
