"""`replies [--fetch]` as a script runs it (../shared/CLI.md): demo mailbox, JSON, errors."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from backorder_desktop.demo_store.demo_replies import INBOX_DIR
from backorder_desktop.demo_store.mail_sink import read_messages
from backorder_desktop.services.settings import Settings, save_settings
from tests.support.cli import run_cli
from tests.support.imap import USER, imap_server, reply
from tests.support.notices import order_number

KEYS = {"order_id", "from", "received", "excerpt", "suggestion"}


def _demo_answers(data_dir: Path) -> set[tuple[int, str]]:
    """(order, customer) of every reply the demo customers wrote, from the files themselves:
    each names a notice by In-Reply-To, whose subject carries the order number."""
    notices = {str(m.message["Message-ID"]): m for m in read_messages(data_dir / "demo-mail")}
    out = set()
    for path in sorted((data_dir / INBOX_DIR).glob("*.eml")):
        answer = message_from_bytes(path.read_bytes(), policy=policy.default)
        notice = notices[str(answer["In-Reply-To"])]
        out.add((order_number(notice), notice.rcpt_tos[0]))
    return out


def test_demo_replies_are_fetched_once_and_listed_as_json(tmp_path: Path) -> None:
    demo = ["--data-dir", str(tmp_path), "--demo"]
    assert run_cli(*demo, "sync").code == 0
    before = run_cli(*demo, "replies", "--json")
    assert before.code == 0 and before.json() == []
    sent = run_cli(*demo, "notify", "--json")
    assert sent.code == 0 and sent.json()["sent"] > 0

    fetched = run_cli(*demo, "replies", "--fetch", "--json")

    assert fetched.code == 0, fetched.err
    rows = fetched.json()
    expected = _demo_answers(tmp_path)
    assert expected and {(r["order_id"], r["from"]) for r in rows} == expected
    assert all(set(r) == KEYS for r in rows)
    assert {r["suggestion"] for r in rows} <= {"cancel", "keep", "ship_partial", None}
    assert {r["suggestion"] for r in rows} >= {"cancel", "keep", None}
    assert all(r["received"].endswith("Z") and r["excerpt"] for r in rows)
    again = run_cli(*demo, "replies", "--fetch", "--json")
    assert again.code == 0 and len(again.json()) == len(rows), "fetching twice stores once"
    human = run_cli(*demo, "replies")
    assert human.code == 0 and f"#{rows[0]['order_id']}" in human.out


def test_without_an_imap_account_or_with_a_wrong_password_it_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--data-dir", str(tmp_path), "--store-hash", "abc123"]
    missing = run_cli(*base, "replies", "--fetch")
    assert missing.code == 1 and "No IMAP account is set up" in missing.err

    with imap_server(tmp_path, monkeypatch) as server:
        server.mailbox.add(reply(sender="a@b.example", text="cancel", in_reply_to="<x@y>"))
        save_settings(
            tmp_path,
            Settings(imap_host="127.0.0.1", imap_port=server.port, imap_security="ssl",
                     imap_user=USER),
        )  # fmt: skip
        monkeypatch.setenv("BACKORDER_IMAP_PASSWORD", "not-the-password")
        wrong = run_cli(*base, "replies", "--fetch", "--json")
        assert wrong.code == 1 and wrong.out == ""
        assert f"refused the login for '{USER}'" in wrong.err
        assert "not-the-password" not in wrong.err
        assert server.failed_logins == 1
