"""One API account per store, and what happens when there are two: metafields belong to the
account that made them (the demo store as the spec README says), a notice is never sent twice,
and every sync warns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from backorder_desktop.demo_store import DemoStore
from backorder_desktop.demo_store.mail_sink import MailSink
from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.notices.notice_claims import claim_key, claim_notices
from backorder_desktop.services.notices.notify import NoticeOptions, plan_notices, prepare_notices
from backorder_desktop.services.sync_control.session import StoreConnection, StoreSession
from backorder_desktop.services.sync_control.syncing import sync_store
from tests.support.cli import run_cli
from tests.support.demo_store_http import DemoApi
from tests.support.openapi import require_specs

PATH = "/v3/orders/metafields"


def test_the_demo_store_keeps_metafields_per_account_as_bigcommerce_does() -> None:
    require_specs()
    with DemoStore(seed=4, products=20, orders=10) as store:
        other = store.add_account("second-account-client")
        order = next(iter(store.state.orders))
        item = {
            "resource_id": order,
            "namespace": METAFIELD_NAMESPACE,
            "key": "notices",
            "value": "[]",
            "permission_set": "write",
        }
        with (
            DemoApi(store, validate=True) as mine,
            DemoApi(store, validate=True, token=other) as theirs,
        ):
            created = mine.post(PATH, [item])
            assert created.status_code == 200
            assert created.json()["data"][0]["owner_client_id"] == store.client_id
            # The same account cannot make a second one ...
            assert mine.post(PATH, [item]).status_code == 422
            # ... another account can: uniqueness is per account.
            duplicate = theirs.post(PATH, [item])
            assert duplicate.status_code == 200
            assert duplicate.json()["data"][0]["owner_client_id"] == "second-account-client"
            listed = mine.get(PATH, namespace=METAFIELD_NAMESPACE, key="notices").json()["data"]
            assert len([m for m in listed if m["resource_id"] == order]) == 2
            # Changing another account's key is 403 through the single endpoint.
            mid = created.json()["data"][0]["id"]
            single = f"/v3/orders/{order}/metafields/{mid}"
            whole = {k: item[k] for k in ("namespace", "key", "value", "permission_set")}
            refused = theirs.put(single, {**whole, "key": "renamed"})
            assert refused.status_code == 403
            assert theirs.put(single, {**whole, "value": "[1]"}).status_code == 200
            # An app_only metafield is invisible to other accounts.
            secret = {**item, "key": "private", "permission_set": "app_only"}
            sid = mine.post(PATH, [secret]).json()["data"][0]["id"]
            assert theirs.get(f"/v3/orders/{order}/metafields/{sid}").status_code == 404
            assert mine.get(f"/v3/orders/{order}/metafields/{sid}").status_code == 200


def _session(store: DemoStore, folder: Path, token: str) -> StoreSession:
    return StoreSession(folder, StoreConnection(store.store_hash, store.api_url), token)


def test_two_accounts_claiming_the_same_notices_send_each_once(tmp_path: Path) -> None:
    with DemoStore(seed=11) as store, MailSink():
        other = store.add_account("laptop-b-account")
        with (
            _session(store, tmp_path / "a", store.token) as a,
            _session(store, tmp_path / "b", other) as b,
        ):
            sync_store(a)
            sync_store(b)
            options = NoticeOptions(store_name="Shop")
            due_a = prepare_notices(plan_notices(a.cache).due, NoticeRenderer(), options)
            due_b = prepare_notices(plan_notices(b.cache).due, NoticeRenderer(), options)
            assert len(due_a) == len(due_b) >= 5  # both laptops see notices due
            won_a = claim_notices(a, due_a)
            won_b = claim_notices(b, due_b)  # a moment later, on the other API account
        today = date.today()
        claimed_by_a = {claim_key(p.notice, today) for p in won_a.won}
        assert len(won_a.won) == len(due_a)
        same = [p for p in due_b if claim_key(p.notice, today) in claimed_by_a]
        assert len(same) >= 5
        # The other account's claim is a claim: B sends none of the notices A claimed.
        assert not {claim_key(p.notice, today) for p in won_b.won} & claimed_by_a
        assert {id(p) for p, _ in won_b.lost} >= {id(p) for p in same}
        claims = [
            m
            for m in store.state.metafields.values()
            if m.resource_type == "order" and m.key.startswith("claim:")
        ]
        # Laptop B's duplicates exist in the store (its account may create them) ...
        assert {m.owner_client_id for m in claims} == {store.client_id, "laptop-b-account"}


def test_every_sync_warns_when_another_account_wrote_the_apps_records(tmp_path: Path) -> None:
    with DemoStore(seed=11, products=60, orders=60) as store:
        other = store.add_account("laptop-b-account")
        base = ["--api-url", store.api_url, "--store-hash", store.store_hash]
        first = run_cli("--data-dir", str(tmp_path / "b"), *base, "sync", token=other)
        assert first.code == 0 and "Warning" not in first.err  # B has not written yet
        with _session(store, tmp_path / "b", other) as b:
            options = NoticeOptions(store_name="Shop")
            due = prepare_notices(plan_notices(b.cache).due, NoticeRenderer(), options)
            claim_notices(b, due[:1])  # B writes with its own account
        again = run_cli("--data-dir", str(tmp_path / "b"), *base, "sync", token=other)
        assert again.code == 0
        assert "another API account" in again.err
        assert "same API account" in again.err and "Settings > API" in again.err
        assert other not in again.err + again.out
