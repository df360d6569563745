"""Store text printed by the command line cannot drive the terminal (issue 18)."""

from __future__ import annotations

from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from tests.support.cli import run_cli
from tests.support.notices import backorder_for

HOSTILE_EMAIL = "sam\x1b[2J\x1b]0;pwned\x07@example.com"
HOSTILE_NAME = "Sam\u202eevil\x9b2J"


def test_control_characters_in_store_text_are_printed_harmlessly(tmp_path: Path) -> None:
    with DemoStore(seed=3, products=20, orders=6) as store:
        order_id = backorder_for(store, HOSTILE_NAME, "Doe", HOSTILE_EMAIL)
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0

        human = run_cli(*base, "backorders", token=store.token)
        assert human.code == 0, human.err
        assert str(order_id) in human.out
        for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert raw not in human.out + human.err
        # Shown, not dropped: the merchant sees something odd is in that address.
        assert "sam\\x1b[2J\\x1b]0;pwned\\x07@example.com" in human.out

        as_json = run_cli(*base, "backorders", "--json", token=store.token)
        assert as_json.code == 0
        for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert raw not in as_json.out
        emails = {line["customer_email"] for line in as_json.json()}
        assert HOSTILE_EMAIL in emails  # a script still gets the exact value back
