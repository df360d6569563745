"""Secrets stay secret: after a full session of use, neither the access token nor the SMTP
password is in any file under the data dir, the logs, or any command's output; data files are
readable only by the user; http and unverified TLS are refused for the network."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backorder_desktop.bigcommerce import BigCommerceClient
from backorder_desktop.bigcommerce.errors import InsecureUrlError
from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from tests.support.cli import Result, files_containing, run_cli

pytestmark = pytest.mark.slow
SMTP_USER, SMTP_PASSWORD = "shop-mailer", "Sm7p-pa55word-9f3c"


def test_a_full_session_leaves_no_token_or_smtp_password_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    outputs: list[Result] = []
    monkeypatch.setenv("BACKORDER_SMTP_PASSWORD", SMTP_PASSWORD)
    with (
        DemoStore(seed=4, products=80) as store,
        MailSink(login=(SMTP_USER, SMTP_PASSWORD)) as sink,
    ):
        base = ["--data-dir", str(data), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
                "--smtp-user", SMTP_USER, "--mail-from", "orders@shop.example"]  # fmt: skip

        def cli(*args: str, expect: int = 0, token: str = store.token) -> Result:
            result = run_cli(*base, *args, token=token)
            outputs.append(result)
            assert result.code == expect, (args, result.err)
            return result

        cli("sync", "--json")
        cli("sync")
        lines = cli("backorders", "--json").json()
        sku = lines[0]["sku"]
        qty = sum(line["qty_waiting"] for line in lines if line["sku"] == sku)
        cli("backorders")
        skus = sorted(v.sku for v in store.state.variants.values())[:40]
        cli("set-backorder", "--sku", ",".join(skus), "--limit", "5", "--eta", "2027-04-01")
        cli("set-backorder", "--sku", ",".join(skus), "--limit", "6", "--dry-run", "--json")
        cli("shipments", "add", "--supplier", "Acme", "--expected", "2027-01-02", "--ref",
            "PO-SEC", f"--line={sku}:{qty}")  # fmt: skip
        cli("shipments", "receive", "PO-SEC", f"--line={sku}:{qty}", "--release", "--json")
        cli("release", "--all-ready")
        cli(*smtp, "notify", "--dry-run", "--json")
        # Things going wrong print and log errors: a wrong SMTP password, a revoked token.
        monkeypatch.setenv("BACKORDER_SMTP_PASSWORD", SMTP_PASSWORD + "-wrong")
        cli(*smtp, "notify", "--json", expect=1)
        monkeypatch.setenv("BACKORDER_SMTP_PASSWORD", SMTP_PASSWORD)
        sent = cli(*smtp, "notify", "--json").json()
        cli("push")
        cli("status")
        cli("report", "--json")
        # A token one character off (never the same token: it may already end in "x").
        wrong = store.token[:-1] + ("y" if store.token.endswith("x") else "x")
        cli("sync", expect=1, token=wrong)

        assert sent["sent"] > 0 and sink.logins >= 1  # mail really went out with a login
        assert sink.failed_logins >= 1  # and the wrong password was really tried

    for secret in (store.token, SMTP_PASSWORD):
        assert files_containing(data, secret) == []
        for result in outputs:
            assert secret not in result.out and secret not in result.err
    assert list((data / "logs").glob("*.log")), "the session was logged"
    assert (data / "stores").is_dir()

    if os.name == "posix":
        shared = [p for p in [data, *data.rglob("*")] if stat.S_IMODE(p.stat().st_mode) & 0o077]
        assert shared == [], "files other users can read"


@pytest.mark.parametrize(
    "url",
    ["http://api.bigcommerce.com", "http://10.0.0.5:8080", "http://127.0.0.1.example.com"],
)
def test_plain_http_is_refused_for_anything_but_loopback(url: str) -> None:
    with pytest.raises(InsecureUrlError, match="not secure"):
        BigCommerceClient(url, "abc123", "token-never-sent")


def test_tls_verification_is_on_for_the_network() -> None:
    client = BigCommerceClient("https://api.bigcommerce.com", "abc123", "token-never-sent")
    try:
        pool = client._transport.http._transport._pool  # type: ignore[attr-defined]
        context = pool._ssl_context
        assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname
    finally:
        client.close()
