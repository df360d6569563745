"""Notice claims age by BigCommerce's clock: a laptop 30 days ahead deletes nobody's claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from backorder_desktop.domain.models import METAFIELD_NAMESPACE
from backorder_desktop.mail.templates import NoticeRenderer
from backorder_desktop.services.notices.notice_claims import CLAIM_PREFIX, claim_notices
from backorder_desktop.services.notices.notify import NoticeOptions, prepare_notices
from backorder_desktop.services.sync_control.syncing import push_outbox, sync_store
from tests.support.notices import STORE_NAME, notice_rig, open_session


def _claims(rig_store: object) -> set[tuple[int | None, str]]:
    state = rig_store.state  # type: ignore[attr-defined]
    return {
        (m.resource_id, m.key)
        for m in state.metafields.values()
        if m.namespace == METAFIELD_NAMESPACE and m.key.startswith(CLAIM_PREFIX)
    }


def test_a_laptop_clock_30_days_ahead_does_not_take_other_laptops_claims(tmp_path: Path) -> None:
    with notice_rig(tmp_path) as rig:
        prepared = prepare_notices(
            rig.plan().due, NoticeRenderer(), NoticeOptions(store_name=STORE_NAME)
        )
        assert prepared
        mine = claim_notices(rig.session, prepared)  # laptop A holds the claims
        assert len(mine.won) == len(prepared)
        held = _claims(rig.store)
        assert len(held) == len(prepared)

        ahead = open_session(rig.store, tmp_path / "laptop-b")
        try:
            sync_store(ahead)
            later = datetime.now(UTC) + timedelta(days=30)  # laptop B's clock is wrong
            theirs = claim_notices(ahead, prepared, now=later)
            assert theirs.won == [] and len(theirs.lost) == len(prepared)
            push_outbox(ahead)
            assert _claims(rig.store) >= held  # laptop A's claims were not deleted as "old"
            again = claim_notices(ahead, prepared, now=later)
            assert again.won == []  # so B never sends A's notices a second time
            deletes = [r for r in ahead.cache.outbox.rows() if r.action == "delete"]
            assert deletes == []
        finally:
            ahead.close()
