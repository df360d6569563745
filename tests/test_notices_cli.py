"""`notify` and `backorders` as scripts use them (../shared/CLI.md), in a subprocess."""

from __future__ import annotations

from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink, read_messages
from tests.support.cli import run_cli


def test_notify_dry_run_then_send_through_smtp_options_then_nothing_left(tmp_path: Path) -> None:
    with DemoStore(seed=5) as store, MailSink() as sink:
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        smtp = ["--smtp-host", "127.0.0.1", "--smtp-port", str(sink.port), "--smtp-plain",
                "--mail-from", "orders@shop.example"]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0

        dry = run_cli(*base, *smtp, "notify", "--dry-run", "--json", token=store.token)
        assert dry.code == 0, dry.err
        planned = dry.json()
        assert planned["dry_run"] is True and planned["sent"] == 0
        assert len(planned["notices"]) >= 10 and sink.messages() == []
        assert {n["kind"] for n in planned["notices"]} == {"confirmation"}

        sent = run_cli(*base, *smtp, "notify", "--json", token=store.token)
        assert sent.code == 0, sent.err
        report = sent.json()
        assert report["sent"] == len(planned["notices"]) and report["failed"] == []
        assert set(report) >= {"sent", "skipped_duplicates", "failed", "dry_run"}
        messages = sink.messages()
        assert sorted(r for m in messages for r in m.rcpt_tos) == sorted(
            n["to"] for n in planned["notices"]
        )
        assert {m.message["From"].addresses[0].addr_spec for m in messages} == {
            "orders@shop.example"
        }

        again = run_cli(*base, *smtp, "notify", "--json", token=store.token)
        assert again.code == 0 and again.json()["sent"] == 0
        assert len(sink.messages()) == len(messages)

        listed = run_cli(*base, "backorders", "--json", token=store.token).json()
        told = {n["order_id"]: n["eta"] for n in planned["notices"]}
        for line in listed:
            assert line["notified_eta"] == line["eta"]
            if told[line["order_id"]] is not None:
                assert line["eta"] <= told[line["order_id"]]


def test_demo_mode_sends_to_the_embedded_sink_kept_in_the_data_dir(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path), "--demo"]
    assert run_cli(*args, "sync").code == 0
    result = run_cli(*args, "notify", "--json")
    assert result.code == 0, result.err
    kept = read_messages(tmp_path / "demo-mail")
    assert result.json()["sent"] == len(kept) > 0
    assert run_cli(*args, "notify", "--json").json()["sent"] == 0


def test_notify_without_a_mail_server_is_a_clear_error(tmp_path: Path) -> None:
    with DemoStore(seed=5) as store:
        base = ["--data-dir", str(tmp_path), "--api-url", store.api_url, "--store-hash",
                store.store_hash]  # fmt: skip
        assert run_cli(*base, "sync", token=store.token).code == 0
        result = run_cli(*base, "notify", token=store.token)
        assert result.code == 1
        assert "SMTP host" in result.err and "Traceback" not in result.err
