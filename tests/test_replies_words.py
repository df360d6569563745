"""What a customer's reply asks for: the answers notices invite, in the templates' language
(English: the only one mail/default_templates.py ships), quotes and signatures left out."""

from __future__ import annotations

import pytest

from backorder_desktop.domain.reply_words import excerpt, own_words, suggest
from backorder_desktop.mail.default_templates import DEFAULTS
from backorder_desktop.mail.reply_mail import parse_reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cancel
        ("Cancel", "cancel"),
        ("Please cancel my order.", "cancel"),
        ("I'd like a refund please", "cancel"),
        ("I no longer want it, sorry.", "cancel"),
        ("Too long. I can't wait that long, please cancel.", "cancel"),
        # keep / wait
        ("Wait", "keep"),
        ("keep", "keep"),
        ("No problem, I'll wait.", "keep"),
        ("Happy to wait for it", "keep"),
        ("Please keep my order.", "keep"),
        ("Don't cancel, I still want it", "keep"),
        ("That's fine, thanks!", "keep"),
        # ship what you have
        ("Ship what you have", "ship_partial"),
        ("Please send what is in stock now and the rest later.", "ship_partial"),
        ("Could you ship what you've got?", "ship_partial"),
        ("A partial shipment is fine", "ship_partial"),
        ("Ship them separately please", "ship_partial"),
        # nothing a machine should decide
        ("Is there a discount for the wait?", None),
        ("Ship what you have or cancel, whatever is quicker", None),
        ("I can't wait to get it!", None),
        ("", None),
        ("When will it ship?", None),
    ],
)
def test_the_usual_answers_become_a_suggestion(text: str, expected: str | None) -> None:
    assert suggest(text) == expected


def test_the_templates_ship_in_english_only() -> None:
    """The suggestions cover the templates' languages: if a template in another language
    ships, its answers belong in domain/reply_words.py too."""
    words = " ".join(t.subject + t.intro + t.text for t in DEFAULTS.values()).lower()
    assert "order" in words and "thank you" in words
    assert not any(w in words for w in (" bestellung", " commande", " pedido", " ordine"))


def test_quoted_lines_on_wrote_blocks_outlook_headers_and_signatures_are_dropped() -> None:
    gmail = "Ok to wait.\n\nOn Mon, 7 Dec 2026 at 10:00, Shop <s@x.com>\nwrote:\n> cancel\n"
    assert own_words(gmail) == "Ok to wait."
    inline = "> Do you want to cancel?\nNo, I'll wait\n> Or ship what is in stock?\n"
    assert own_words(inline) == "No, I'll wait" and suggest(inline) == "keep"
    outlook = (
        "Ship what you have.\n\n-----Original Message-----\nFrom: Shop\nSent: Monday\n"
        "Please cancel.\n"
    )
    assert suggest(outlook) == "ship_partial"
    header_block = "Cancel please\n________________________________\nFrom: Shop\nWait"
    assert suggest(header_block) == "cancel"
    signature = "I'll wait\n-- \nSam Lee\nNo refunds on sale items\n"
    assert own_words(signature) == "I'll wait" and suggest(signature) == "keep"
    mobile = "Cancel\n\nSent from my iPhone\n\n> ship what you have"
    assert suggest(mobile) == "cancel"
    closing = "Ok, I'll wait.\n\nKind regards,\nSam Cancel-Smith\n"
    assert own_words(closing) == "Ok, I'll wait." and suggest(closing) == "keep"
    assert own_words("Thanks!") == "Thanks!"  # a closing with nothing before it stays


def test_the_excerpt_is_one_short_line_of_the_customers_words() -> None:
    text = "Hello,\n\n" + "very " * 100 + "long.\n> quoted"
    line = excerpt(text, limit=50)
    assert "\n" not in line and len(line) == 50 and line.endswith("…")
    assert "quoted" not in excerpt(text)


def test_an_encoded_sender_name_with_a_comma_keeps_its_address() -> None:
    raw = (
        b"From: =?utf-8?q?D=C3=B6e=2C_Jo?= <Jo.Doe@Example.com>\r\n"
        b"Subject: =?iso-8859-1?q?R=E9ponse?=\r\nIn-Reply-To: <n1@shop>\r\n"
        b"References: <n0@shop>\r\n <n1@shop>\r\n\r\nI'll wait\r\n"
    )
    mail = parse_reply(raw)
    assert (mail.sender, mail.sender_name, mail.subject) == (
        "jo.doe@example.com",
        "Döe, Jo",
        "Réponse",
    )
    assert mail.refs == ("<n1@shop>", "<n0@shop>")
