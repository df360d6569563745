"""Table definitions and the ordered list of schema migrations (version = PRAGMA user_version)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a migration runs, not by every reader (cache/core.py)
    import sqlite_utils

Migration = Callable[["sqlite_utils.Database"], None]

# Rebuildable from the store: `Cache.rebuild()` drops and recreates exactly these. Children
# (variants, order_lines) go with their parents through ON DELETE CASCADE.
CACHE_TABLES: dict[str, str] = {
    "products": """
        CREATE TABLE products (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            sku TEXT NOT NULL,
            inventory_tracking TEXT NOT NULL,
            availability TEXT NOT NULL,
            price REAL NOT NULL,
            preorder_release_date TEXT,
            preorder_message TEXT NOT NULL DEFAULT '',
            availability_description TEXT NOT NULL DEFAULT '',
            date_modified TEXT
        )""",
    "variants": """
        CREATE TABLE variants (
            id INTEGER PRIMARY KEY,
            product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
            sku TEXT NOT NULL,
            option_label TEXT NOT NULL DEFAULT '',
            price REAL,
            inventory_level INTEGER NOT NULL,
            upc TEXT NOT NULL DEFAULT '',
            gtin TEXT NOT NULL DEFAULT '',
            purchasing_disabled INTEGER NOT NULL DEFAULT 0
        )""",
    "locations": """
        CREATE TABLE locations (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            label TEXT NOT NULL,
            is_default INTEGER NOT NULL DEFAULT 0
        )""",
    # No foreign key to variants: inventory is listed separately from the catalog, so a variant
    # created between the two listings must not make the whole sync fail.
    "inventory": """
        CREATE TABLE inventory (
            variant_id INTEGER NOT NULL,
            location_id INTEGER NOT NULL,
            on_hand INTEGER NOT NULL,
            available_to_sell INTEGER NOT NULL,
            qty_backordered INTEGER,
            backorder_limit INTEGER,
            PRIMARY KEY (variant_id, location_id)
        )""",
    "orders": """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            status_id INTEGER NOT NULL,
            date_created TEXT NOT NULL,
            date_modified TEXT NOT NULL,
            customer_id INTEGER NOT NULL,
            customer_email TEXT NOT NULL,
            customer_name TEXT NOT NULL,
            total_inc_tax REAL NOT NULL,
            currency_code TEXT NOT NULL,
            staff_notes TEXT NOT NULL DEFAULT ''
        )""",
    "order_lines": """
        CREATE TABLE order_lines (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
            product_id INTEGER NOT NULL,
            variant_id INTEGER NOT NULL,
            sku TEXT NOT NULL,
            name TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            quantity_shipped INTEGER NOT NULL,
            price_inc_tax REAL NOT NULL,
            quantity_backordered INTEGER,
            option_label TEXT NOT NULL DEFAULT ''
        )""",
    # BigCommerce numbers metafields per resource type endpoint, so the key includes the type.
    "metafields": """
        CREATE TABLE metafields (
            resource_type TEXT NOT NULL,
            id INTEGER NOT NULL,
            resource_id INTEGER,
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            date_modified TEXT,
            PRIMARY KEY (resource_type, id)
        )""",
}

CACHE_INDEXES: tuple[str, ...] = (
    "CREATE INDEX variants_product ON variants(product_id)",
    "CREATE INDEX variants_sku ON variants(sku)",
    "CREATE INDEX orders_status ON orders(status_id)",
    "CREATE INDEX order_lines_order ON order_lines(order_id)",
    "CREATE INDEX order_lines_variant ON order_lines(variant_id)",
    "CREATE INDEX metafields_key ON metafields(resource_type, namespace, key)",
    "CREATE INDEX metafields_resource ON metafields(resource_type, resource_id)",
)

# Durable: the app's own records, never dropped by a rebuild.
DURABLE_TABLES: dict[str, str] = {
    "outbox": """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            batch_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            method TEXT NOT NULL,
            path TEXT NOT NULL,
            body TEXT,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL
        )""",
    "ledger": """
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            batch_id TEXT,
            ref TEXT NOT NULL DEFAULT '',
            order_id INTEGER,
            line_id INTEGER,
            variant_id INTEGER,
            sku TEXT NOT NULL DEFAULT '',
            qty INTEGER NOT NULL DEFAULT 0,
            payload TEXT,
            created_at TEXT NOT NULL
        )""",
    "sync_state": """
        CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )""",
    "app_state": """
        CREATE TABLE app_state (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (namespace, key)
        )""",
}

DURABLE_INDEXES: tuple[str, ...] = (
    "CREATE INDEX outbox_state ON outbox(state, id)",
    "CREATE INDEX outbox_batch ON outbox(batch_id)",
    "CREATE INDEX ledger_kind ON ledger(kind, line_id)",
    "CREATE INDEX ledger_order ON ledger(order_id)",
)


def create_cache_tables(db: sqlite_utils.Database) -> None:
    for sql in (*CACHE_TABLES.values(), *CACHE_INDEXES):
        db.execute(sql)


def drop_cache_tables(db: sqlite_utils.Database) -> None:
    # Children first, so no foreign key is left pointing at a dropped parent.
    for name in reversed(tuple(CACHE_TABLES)):
        db.execute(f"DROP TABLE IF EXISTS [{name}]")


def _v1_initial(db: sqlite_utils.Database) -> None:
    for sql in (*DURABLE_TABLES.values(), *DURABLE_INDEXES):
        db.execute(sql)
    create_cache_tables(db)


def _rebuild_cache_tables(db: sqlite_utils.Database) -> None:
    """Recreate the cache tables from the current definitions; the next sync is a full one."""
    drop_cache_tables(db)
    create_cache_tables(db)
    db.execute("DELETE FROM sync_state WHERE substr(key, 1, 7) = 'cursor:'")


_OUTBOX_V3 = """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        batch_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'set')),
        resource TEXT NOT NULL,
        target INTEGER,
        body TEXT,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL
    )"""
_LEGACY_METAFIELDS = {
    "/v3/catalog/products/metafields": "product",
    "/v3/catalog/variants/metafields": "variant",
    "/v3/orders/metafields": "order",
    "/v3/store/metafields": "store",
}


def _legacy_operation(method: str, path: str) -> tuple[str, str, int | None]:
    """(action, resource, target) of a row queued as raw HTTP before v3. The only place outside
    bigcommerce/ that reads a path: once, for rows written by an older version."""
    plain = path.split("?", 1)[0].rstrip("/")
    actions = {"POST": "create", "PUT": "update", "DELETE": "delete"}
    if plain in _LEGACY_METAFIELDS and method in actions:
        return actions[method], f"metafields:{_LEGACY_METAFIELDS[plain]}", None
    if method == "PUT" and plain == "/v3/catalog/products":
        return "update", "products", None
    if method == "PUT" and plain == "/v3/catalog/variants":
        return "update", "variants", None
    if method == "PUT" and plain == "/v3/inventory/adjustments/absolute":
        return "set", "stock", None
    if method == "POST" and plain == "/v3/inventory/adjustments/relative":
        return "create", "stock_changes", None
    parts = plain.split("/")
    if method == "PUT" and parts[:3] == ["", "v2", "orders"] and len(parts) == 4:
        return "update", "order", int(parts[3])
    if method == "PUT" and parts[:4] == ["", "v3", "inventory", "locations"] and len(parts) == 6:
        return "set", "location_items", int(parts[4])
    raise ValueError(f"outbox row {method} {path} is not a write this app queues")


def _typed_outbox(db: sqlite_utils.Database) -> None:
    """Rewrite the outbox as typed operations; a row the app never queued is kept as failed."""
    rows = list(db.execute("SELECT * FROM outbox ORDER BY id").fetchall())
    columns = [d[0] for d in db.execute("SELECT * FROM outbox LIMIT 0").description]
    db.execute("ALTER TABLE outbox RENAME TO outbox_v2")
    db.execute(_OUTBOX_V3)
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        try:
            action, resource, target = _legacy_operation(row["method"], row["path"])
        except (ValueError, IndexError):
            action, resource, target = "update", "unknown", None
            row["state"], row["last_error"] = "failed", f"Not a known change: {row['path']}"
        del row["method"], row["path"]
        row.update(action=action, resource=resource, target=target)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        # Column names come from the table itself, values are bound: nothing from outside.
        sql = f"INSERT INTO outbox ({names}) VALUES ({marks})"  # noqa: S608
        db.execute(sql, list(row.values()))
    db.execute("DROP TABLE outbox_v2")
    for sql in DURABLE_INDEXES[:2]:
        db.execute(sql)


# The Message-ID each notice went out with, and the customers' replies read back over IMAP
# (issue 19.3). Durable: replies are the customers' words, never rebuilt from the store.
_REPLY_TABLES = (
    """
    CREATE TABLE notice_messages (
        message_id TEXT NOT NULL,
        order_id INTEGER NOT NULL,
        notice_id TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT '',
        recipient TEXT NOT NULL DEFAULT '',
        sent_at TEXT NOT NULL,
        PRIMARY KEY (message_id, order_id)
    )""",
    """
    CREATE TABLE replies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL,
        order_id INTEGER NOT NULL,
        notice_message_id TEXT NOT NULL,
        mailbox TEXT NOT NULL DEFAULT '',
        uid INTEGER,
        sender TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        received TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        suggestion TEXT,
        state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'done', 'dismissed')),
        handled_action TEXT,
        handled_at TEXT,
        UNIQUE (message_id, order_id)
    )""",
    "CREATE INDEX replies_order ON replies(order_id, state)",
)


def _reply_tables(db: sqlite_utils.Database) -> None:
    for sql in _REPLY_TABLES:
        db.execute(sql)


def _v5_stock_writes(db: sqlite_utils.Database) -> None:
    """Relative stock writes in flight: what the store had before each, for the read-back."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS stock_writes (
            row_id INTEGER PRIMARY KEY,
            state TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'uncertain')),
            before TEXT,
            before_at TEXT,
            sent_at TEXT NOT NULL,
            found TEXT,
            reason TEXT
        )"""
    )


# Append only; never edit a migration that has shipped. A change to a cache table can simply
# drop and recreate the cache tables and clear the sync cursors (the next sync refills them).
MIGRATIONS: Sequence[Migration] = (
    _v1_initial,
    _rebuild_cache_tables,  # v2: orders.staff_notes (a release appends to the notes)
    _typed_outbox,  # v3: outbox rows are operations (action, resource, target), no URL
    _reply_tables,  # v4: notices' Message-IDs and customers' replies (issue 19.3)
    _v5_stock_writes,  # v5: relative stock writes and their read-back (cache/stock_writes.py)
)
