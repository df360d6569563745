"""Bad input everywhere, property-based: CSV imports, scanner codes, typed numbers and dates,
settings files and the app's records in metafields either parse or give a clear error, never
a crash; what parses is what was meant."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from email import message_from_bytes, policy
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backorder_desktop.domain.bulk import VariantEdit
from backorder_desktop.domain.bulk_csv import read_csv, write_csv
from backorder_desktop.domain.bulk_input import KEEP, BulkInputError, parse_eta, parse_limit
from backorder_desktop.domain.models import UNLIMITED_BACKORDER_LIMIT
from backorder_desktop.domain.notice_log import parse_log
from backorder_desktop.domain.shipment_rules import (
    MAX_QUANTITY,
    InputError,
    parse_expected_date,
    parse_line_spec,
    parse_quantity,
    read_archive,
)
from backorder_desktop.domain.shipments import Shipment, ShipmentLine
from backorder_desktop.mail.message import NOTICE_ID_HEADER, AddressError, build_message
from backorder_desktop.services.dock.dock import DockContext
from backorder_desktop.services.dock.shipment_csv import lines_from_csv
from backorder_desktop.services.settings import Settings, load_settings, save_settings

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SKU = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)
    .map(str.strip)
    .filter(lambda s: s and "," not in s and '"' not in s and s.casefold() not in ("sku",))
)
CSV_CELL = st.text(st.sampled_from(list("ab1;,\t\"'\r\n {}%-:0é€")), max_size=12)


def _clear(message: str) -> bool:
    return bool(message.strip()) and "Traceback" not in message


# --- CSV import (bulk edit) ------------------------------------------------------------------


@FAST
@given(data=st.binary(max_size=400))
@example(data=b"\xff\xfe\x00")
@example(data=b"sku,limit\n")
@example(data=b'sku,limit\n"unterminated,5\n')
def test_any_bytes_as_a_bulk_csv_give_rows_or_a_clear_refusal(data: bytes) -> None:
    try:
        result = read_csv(data)
    except BulkInputError as exc:
        assert _clear(str(exc))
        return
    for row in result.rows:
        assert row.sku and row.line >= 2 and row.edit != VariantEdit()
    for problem in result.problems:
        assert problem.line >= 2 and _clear(problem.reason)
    assert len({r.sku for r in result.rows}) == len(result.rows)  # a SKU counts once


@FAST
@given(rows=st.lists(st.lists(CSV_CELL, min_size=1, max_size=5), max_size=8))
def test_any_grid_under_a_valid_header_gives_rows_or_line_numbered_problems(
    rows: list[list[str]],
) -> None:
    text = "sku,limit,eta,message\n" + "\n".join(",".join(r) for r in rows)
    try:
        result = read_csv(text.encode("utf-8"))
    except BulkInputError as exc:
        assert _clear(str(exc))
        return
    for problem in result.problems:
        assert _clear(problem.reason)


@FAST
@given(
    edits=st.dictionaries(
        SKU,
        st.tuples(
            st.one_of(st.none(), st.integers(0, 10**6), st.just(UNLIMITED_BACKORDER_LIMIT)),
            st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        ),
        min_size=1,
        max_size=6,
    )
)
# A SKU that already starts with the apostrophe an export adds (found by hypothesis).
@example(edits={"=": (None, None), "'=": (None, None), "''-x": (1, None)})
def test_an_exported_csv_reads_back_as_the_same_edits(
    edits: dict[str, tuple[int | None, date | None]],
) -> None:
    text = write_csv([(sku, limit, eta, "", "", "") for sku, (limit, eta) in edits.items()])
    result = read_csv(text.encode("utf-8"))
    assert result.problems == []
    got = {row.sku: (row.edit.limit, row.edit.eta) for row in result.rows}
    # An empty ETA cell leaves the ETA as it is (none): re-importing an export changes nothing.
    assert got == {
        sku: (limit, KEEP if eta is None else eta) for sku, (limit, eta) in edits.items()
    }


@FAST
@given(text=st.text(max_size=300))
@example(text="sku,qty\nA,1\nA,2\n")
@example(text="\ufeffsku;quantity\nB;-3\n")
def test_any_text_as_a_shipment_csv_is_all_lines_or_one_clear_refusal(text: str) -> None:
    try:
        lines = lines_from_csv(text)
    except InputError as exc:
        assert _clear(str(exc))
        return
    assert lines and all(line.sku and 0 < line.qty_expected <= MAX_QUANTITY for line in lines)
    assert len({line.sku for line in lines}) == len(lines)  # the same SKU twice is merged


# --- scanner and typed input -----------------------------------------------------------------


def _dock() -> DockContext:
    lines = (ShipmentLine("TENT-2P", 4), ShipmentLine("Lamp:Blue", 2))
    shipment = Shipment("s-1", "PO-1", "sup", "ordered", date(2027, 1, 1), lines)
    codes = {"tent-2p": "TENT-2P", "lamp:blue": "Lamp:Blue", "12345678905": "TENT-2P"}
    return DockContext(shipment=shipment, codes=codes)


@FAST
@given(code=st.text(max_size=40))
@example(code="\x00\r\n")
@example(code="０１２３")  # full-width digits from a phone keyboard
def test_any_scanned_or_typed_code_resolves_to_a_line_of_the_shipment_or_nothing(
    code: str,
) -> None:
    assert _dock().resolve(code) in (None, "TENT-2P", "Lamp:Blue")


@FAST
@given(zeros=st.integers(0, 3), pad=st.sampled_from(["", " ", "\t", "\n"]))
def test_a_upc_scans_the_same_as_a_gtin_with_leading_zeros_and_stray_whitespace(
    zeros: int, pad: str
) -> None:
    assert _dock().resolve(pad + "0" * zeros + "12345678905" + pad) == "TENT-2P"
    assert _dock().resolve(pad + "tent-2P" + pad) == "TENT-2P"


@FAST
@given(text=st.one_of(st.text(max_size=20), st.integers().map(str), st.floats().map(str)))
def test_quantities_are_whole_non_negative_bounded_or_refused(text: str) -> None:
    try:
        value = parse_quantity(text)
    except InputError as exc:
        assert _clear(str(exc))
        return
    assert 0 <= value <= MAX_QUANTITY and int(text.strip().lstrip("+")) == value


@FAST
@given(text=st.text(max_size=40))
@example(text="SKU:5:x")
@example(text=":3")
@example(text="A:B:C:1:2")
def test_receipt_lines_parse_or_are_refused(text: str) -> None:
    try:
        sku, qty, rejected = parse_line_spec(text, with_rejected=True)
    except InputError as exc:
        assert _clear(str(exc))
        return
    assert sku == sku.strip() and sku and qty >= 0 and rejected >= 0


@FAST
@given(
    text=st.one_of(
        st.text(max_size=20),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(["off", "unlimited", "1e9", "2147483648", "  7 ", "-0", "３"]),
    )
)
def test_backorder_limits_are_in_range_or_refused(text: str) -> None:
    try:
        value = parse_limit(text)
    except BulkInputError as exc:
        assert _clear(str(exc))
        return
    assert value is None or 0 <= value <= UNLIMITED_BACKORDER_LIMIT


@FAST
@given(text=st.one_of(st.text(max_size=20), st.dates().map(str), st.datetimes().map(str)))
@example(text="2027-02-30")
@example(text="0000-01-01")
def test_dates_exist_on_the_calendar_or_are_refused(text: str) -> None:
    for parse, error in ((parse_eta, BulkInputError), (parse_expected_date, InputError)):
        try:
            value = parse(text)
        except error as exc:
            assert _clear(str(exc))
            continue
        assert value is None or isinstance(value, date)


# --- settings files --------------------------------------------------------------------------

JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=True),
        st.text(max_size=10),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
SETTING_KEYS = [f.name for f in fields(Settings)]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.dictionaries(st.sampled_from(SETTING_KEYS), JSON_VALUE).map(
            lambda d: json.dumps(d, default=str).encode()
        ),
    )
)
def test_a_corrupted_settings_file_gives_defaults_or_sane_values_and_is_kept(
    tmp_path_factory, raw: bytes
) -> None:
    folder: Path = tmp_path_factory.mktemp("settings")
    (folder / "settings.json").write_bytes(raw)
    loaded, warning = load_settings(folder)
    assert isinstance(loaded, Settings)
    if warning is not None:
        assert _clear(warning)
        assert (folder / "settings.json.corrupt").read_bytes() == raw  # nothing lost
    save_settings(folder, loaded)  # whatever was read can be saved and read back as is
    again, second = load_settings(folder)
    assert second is None and again == loaded


# --- the app's records in BigCommerce (other apps can edit metafields) --------------------------


@FAST
@given(value=st.one_of(st.text(max_size=200), JSON_VALUE.map(json.dumps)))
@example(value='[{"id": null, "kind": "eta", "sent_at": "not a date", "lines": 7}]')
@example(value='{"id": "s-1", "lines": [{"sku": "A", "qty_expected": 1e308}]}')
def test_metafield_values_from_the_store_parse_or_are_skipped(value: str) -> None:
    records = parse_log(value, order_id=101)
    assert all(r.order_id == 101 for r in records)
    assert isinstance(read_archive(value), list)
    try:
        shipment = Shipment.from_json(value)
    except ValueError as exc:
        assert _clear(str(exc))
    else:
        assert all(line.qty_expected >= 0 for line in shipment.lines)


# --- email headers from customer data ---------------------------------------------------------

HEADERISH = st.text(
    st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from("\r\n:")),
    max_size=60,
)


@FAST
@given(name=HEADERISH, subject=HEADERISH, store=HEADERISH)
@example(name="Sam\r\nBcc: x@evil.example", subject="Hi\nReply-To: a@b.c", store="Shop\u2028X: 1")
def test_customer_names_and_subjects_never_add_a_header_or_a_recipient(
    name: str, subject: str, store: str
) -> None:
    try:
        msg = build_message(
            sender="orders@shop.example",
            sender_name=store,
            to="sam@example.com",
            to_name=name,
            subject=subject,
            text="t",
            html="<p>h</p>",
            notice_id="n-1",
        )
        raw = msg.as_bytes()
    except AddressError as exc:
        assert _clear(str(exc))
        return
    parsed = message_from_bytes(raw, policy=policy.default)
    headers = {k.lower() for k in parsed.keys()}
    assert headers <= {
        "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        NOTICE_ID_HEADER.lower(),
    }  # fmt: skip
    assert [a.addr_spec for a in parsed["To"].addresses] == ["sam@example.com"]
    assert [a.addr_spec for a in parsed["From"].addresses] == ["orders@shop.example"]
