"""Notice templates: escaping, strict placeholders, the sandbox, saving only what validates;
header values that cannot inject headers."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from backorder_desktop.domain.notice_log import KINDS
from backorder_desktop.mail.default_templates import DEFAULTS
from backorder_desktop.mail.message import AddressError, build_message, one_line
from backorder_desktop.mail.templates import (
    NoticeRenderer,
    TemplateError,
    notice_context,
    sample_notice,
    validate_template,
)
from backorder_desktop.services.notices.mail_setup import (
    TEMPLATES_FILE,
    load_templates,
    reset_template,
    save_template,
)


def render(kind: str, **context_overrides: object):
    notice = sample_notice(kind)
    renderer = NoticeRenderer()
    context = notice_context(notice, store_name="Shop", intro=renderer.default_intro(kind))
    context.update(context_overrides)
    return renderer.render(notice, context)


@pytest.mark.parametrize("kind", KINDS)
def test_every_default_template_validates_and_says_what_the_customer_needs(kind: str) -> None:
    validate_template(kind, DEFAULTS[kind])
    mail = render(kind)
    assert "#1042" in mail.subject and "\n" not in mail.subject
    assert "Sam O'Brien" in mail.text and "Trail tent, 2 person" in mail.text
    if kind in ("confirmation", "check_in"):
        assert "12 December 2026" in mail.text
    if kind == "delay":
        assert "was 1 December 2026, now 12 December 2026" in mail.text
        for option in ("Wait", "Ship what is in stock", "Cancel"):
            assert option in mail.text and option in mail.html


def test_html_is_escaped_and_text_is_not() -> None:
    mail = render("confirmation", customer_name="O'Brien & <b>Sons</b>")
    assert "O&#39;Brien &amp; &lt;b&gt;Sons&lt;/b&gt;" in mail.html
    assert "<b>Sons</b>" not in mail.html
    assert "O'Brien & <b>Sons</b>" in mail.text


def test_an_unknown_placeholder_is_a_clear_error_even_in_a_branch_not_taken() -> None:
    bad = replace(DEFAULTS["delay"], html="{% if reason %}{{ custmer_name }}{% endif %}")
    with pytest.raises(TemplateError) as caught:
        validate_template("delay", bad)
    message = str(caught.value)
    assert "HTML part of the Delay template" in message
    assert "unknown placeholder 'custmer_name'" in message
    assert "customer_name" in message.split("use:")[1]  # the list of what exists


def test_syntax_errors_and_misspelt_item_fields_name_the_part_and_line() -> None:
    broken = replace(DEFAULTS["confirmation"], text="Hello\n{% for line in lines %}\n{{ line }")
    with pytest.raises(
        TemplateError, match=r"Text part of the Backorder confirmation template, line 3"
    ):
        validate_template("confirmation", broken)
    typo = replace(
        DEFAULTS["confirmation"], text="{% for line in lines %}{{ line.nmae }}{% endfor %}"
    )
    with pytest.raises(TemplateError, match="nmae"):
        validate_template("confirmation", typo)
    with pytest.raises(TemplateError, match="subject"):
        validate_template("confirmation", replace(DEFAULTS["confirmation"], subject="  "))


def test_templates_run_in_a_sandbox() -> None:
    evil = replace(DEFAULTS["released"], text="{{ lines.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateError):
        validate_template("released", evil)


def test_a_template_with_an_error_is_not_saved(tmp_path: Path) -> None:
    good = replace(DEFAULTS["confirmation"], intro="Thanks a lot!")
    save_template(tmp_path, "confirmation", good)
    assert load_templates(tmp_path)["confirmation"].intro == "Thanks a lot!"
    before = (tmp_path / TEMPLATES_FILE).read_text()
    with pytest.raises(TemplateError):
        save_template(tmp_path, "confirmation", replace(good, subject="{{ nope }}"))
    assert (tmp_path / TEMPLATES_FILE).read_text() == before
    assert load_templates(tmp_path)["confirmation"] == good
    reset_template(tmp_path, "confirmation")
    assert load_templates(tmp_path)["confirmation"] == DEFAULTS["confirmation"]


def test_an_unreadable_or_invalid_saved_template_falls_back_to_the_default(tmp_path: Path) -> None:
    (tmp_path / TEMPLATES_FILE).write_text('{"delay": {"subject": "{{ oops }}"}}')
    assert load_templates(tmp_path)["delay"] == DEFAULTS["delay"]
    (tmp_path / TEMPLATES_FILE).write_text("not json")
    assert load_templates(tmp_path) == DEFAULTS


def test_header_values_cannot_add_headers() -> None:
    assert one_line("Sale!\r\nBcc: x@evil.example\u2028X: y") == "Sale! Bcc: x@evil.example X: y"
    msg = build_message(
        sender="shop@example.com",
        sender_name="Shop\nReply-To: evil@example.com",
        to="sam@example.com",
        to_name="Sam\r\nBcc: evil@example.com",
        subject="Your order\r\nBcc: evil@example.com",
        text="t",
        html="<p>h</p>",
        notice_id="id\nX-Evil: 1",
    )
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed.get_all("Bcc") is None and parsed.get_all("Reply-To") is None
    assert parsed.get_all("X-Evil") is None
    assert parsed["To"].addresses[0].addr_spec == "sam@example.com"
    for bad in (
        "a@b.example\r\nBcc: c@d.example",
        "a@b.example, c@d.example",
        "<a@b.example>",
        "nope",
    ):
        with pytest.raises(AddressError):
            build_message(sender="s@example.com", sender_name="", to=bad, to_name="",
                          subject="s", text="t", html="h")  # fmt: skip
