"""Mail settings in use: the SMTP connection to send through, and the merchant's templates."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from backorder_desktop.cache import Cache
from backorder_desktop.cache.private_files import ensure_private_dir, read_text
from backorder_desktop.mail.default_templates import DEFAULTS, TemplateSet
from backorder_desktop.mail.message import AddressError, build_message, parse_mailbox
from backorder_desktop.mail.smtp import PLAIN, MailError, SmtpConfig, SmtpSender
from backorder_desktop.mail.templates import RenderedMail, TemplateError, validate_template
from backorder_desktop.services.credentials import get_smtp_password
from backorder_desktop.services.logs import register_secret
from backorder_desktop.services.settings import Settings
from backorder_desktop.services.sync_control.metafield_writes import FieldWrite, queue_field_writes

log = logging.getLogger("backorder_desktop.mail")

TEMPLATES_FILE = "notice_templates.json"
SHARED_TEMPLATES_KEY = "notice_templates"  # store metafield: the templates every laptop uses
DEMO_SENDER = "orders@demo-outdoor.example"
DEMO_SENDER_NAME = "Demo Outdoor Co."


def smtp_config(
    settings: Settings, *, sink: tuple[str, int] | None = None, with_password: bool = True
) -> SmtpConfig:
    """How to send: the saved settings (password from keychain or environment), or, in demo
    mode, the embedded mail sink at `sink` = (host, port). `with_password=False` skips the
    keychain (a check or a store name needs no password; a keychain call can be slow)."""
    sender, sender_name = split_sender(settings.mail_from, settings.mail_from_name)
    if sink is not None:
        return SmtpConfig(
            host=sink[0],
            port=sink[1],
            security=PLAIN,
            sender=sender or DEMO_SENDER,
            sender_name=sender_name or DEMO_SENDER_NAME,
        )
    password = ""
    if with_password:
        password = get_smtp_password(settings.smtp_host, settings.smtp_user)
        register_secret(password)
    return SmtpConfig(
        host=settings.smtp_host.strip(),
        port=settings.smtp_port,
        security=settings.smtp_security,
        user=settings.smtp_user.strip(),
        password=password,
        sender=sender,
        sender_name=sender_name,
    )


def split_sender(mail_from: str, name: str = "") -> tuple[str, str]:
    """(address, display name) of the sender: `mail_from` may be `Shop <shop@x.com>`, whose
    name then wins over the saved From name. An invalid value is kept as it is, for
    `SmtpConfig.check` to refuse with its reason."""
    try:
        own_name, address = parse_mailbox(mail_from)
    except AddressError:
        return mail_from.strip(), name.strip()
    return address, own_name or name.strip()


def store_name(config: SmtpConfig) -> str:
    """What templates call the store: the sender's name, else the sender's domain."""
    return config.sender_name or config.sender.partition("@")[2] or "our store"


def send_test_email(config: SmtpConfig, to: str) -> None:
    """One short message through `config`; raises MailError with a plain reason."""
    try:
        _name, address = parse_mailbox(to or config.sender)
    except ValueError as exc:
        raise MailError(str(exc)) from exc
    text = (
        "This is a test message from Backorder Desktop.\n\n"
        f"Your mail settings work: sent through {config.host}:{config.port} "
        f"({config.security}) at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n"
    )
    message = build_message(
        sender=config.sender,
        sender_name=config.sender_name,
        to=address,
        to_name="",
        subject="Backorder Desktop: test email",
        text=text,
        html=f"<p>{text.replace(chr(10), '<br>')}</p>",
    )
    with SmtpSender(config) as sender:
        sender.send(message)


# --- templates ------------------------------------------------------------------------------


def _edits(raw: object) -> dict[str, TemplateSet]:
    """The valid edited kinds of a stored {kind: {part: text}} document."""
    out: dict[str, TemplateSet] = {}
    for kind, parts in (raw if isinstance(raw, dict) else {}).items():
        if kind not in DEFAULTS or not isinstance(parts, dict):
            continue
        base = asdict(DEFAULTS[kind])
        base.update({k: str(v) for k, v in parts.items() if k in base})
        candidate = TemplateSet(**base)
        try:
            validate_template(kind, candidate)
        except TemplateError as exc:
            log.warning("saved %s template not used: %s", kind, exc)
            continue
        out[kind] = candidate
    return out


def shared_templates(cache: Cache) -> dict[str, TemplateSet] | None:
    """The templates every laptop of the store shares (a store metafield), None if no laptop
    has shared any yet."""
    fields = cache.metafields.by_key("store", SHARED_TEMPLATES_KEY)
    if not fields:
        return None
    newest = max(fields, key=lambda m: m.date_modified or datetime.min.replace(tzinfo=UTC))
    try:
        return _edits(json.loads(newest.value))
    except ValueError as exc:
        log.warning("shared notice templates unreadable (%s): using this laptop's", exc)
        return None


def load_templates(folder: Path, cache: Cache | None = None) -> dict[str, TemplateSet]:
    """The templates in use: the merchant's edits over the defaults; with the store's `cache`,
    the edits shared by every laptop of the store, else this computer's file. An edit that no
    longer validates (e.g. after an upgrade) falls back to the default, with a warning."""
    out = dict(DEFAULTS)
    shared = shared_templates(cache) if cache is not None else None
    if shared is not None:
        out.update(shared)
        return out
    path = folder / TEMPLATES_FILE
    if not path.exists():
        return out
    try:
        raw = json.loads(read_text(path))  # never through a symlink
    except (OSError, ValueError) as exc:
        log.warning("notice templates unreadable (%s): using the defaults", exc)
        return out
    out.update(_edits(raw))
    return out


def save_template(
    folder: Path, kind: str, template: TemplateSet, cache: Cache | None = None
) -> RenderedMail:
    """Validate, then save (over the shared set when `cache` is given, so another laptop's
    edits of other kinds are kept); a template with an error raises TemplateError and is NOT
    saved. `share_templates` then publishes the file to the other laptops."""
    rendered = validate_template(kind, template)
    current = load_templates(folder, cache)
    current[kind] = template
    _write(folder, current)
    return rendered


def reset_template(folder: Path, kind: str, cache: Cache | None = None) -> None:
    current = load_templates(folder, cache)
    current[kind] = DEFAULTS[kind]
    _write(folder, current)


def share_templates(cache: Cache, folder: Path, *, now: datetime | None = None) -> int:
    """Publish this computer's templates to the store metafield every laptop reads (through
    the outbox). Returns how many kinds are edited."""
    edited = {k: asdict(t) for k, t in load_templates(folder).items() if t != DEFAULTS.get(k)}
    value = json.dumps(edited, ensure_ascii=False, sort_keys=True)
    queue_field_writes(
        cache,
        [FieldWrite("store", None, SHARED_TEMPLATES_KEY, value)],
        batch_id="templates",
        kind="templates",
        now=now,
    )
    return len(edited)


def _write(folder: Path, templates: dict[str, TemplateSet]) -> None:
    # Only edited kinds are stored, so improved defaults reach kinds the merchant never touched.
    edited = {kind: asdict(t) for kind, t in templates.items() if t != DEFAULTS.get(kind)}
    ensure_private_dir(folder)
    fd, tmp = tempfile.mkstemp(prefix=".templates-", dir=folder)  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(edited, handle, indent=2, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / TEMPLATES_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
