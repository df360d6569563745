"""Mail settings in use: the SMTP connection to send through, and the merchant's templates."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from ..cache.private_files import ensure_private_dir, read_text
from ..mail.default_templates import DEFAULTS, TemplateSet
from ..mail.message import AddressError, build_message, parse_mailbox
from ..mail.smtp import PLAIN, MailError, SmtpConfig, SmtpSender
from ..mail.templates import RenderedMail, TemplateError, validate_template
from .credentials import get_smtp_password
from .logs import register_secret
from .settings import Settings

log = logging.getLogger("backorder_desktop.mail")

TEMPLATES_FILE = "notice_templates.json"
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


def load_templates(folder: Path) -> dict[str, TemplateSet]:
    """The templates in use: the merchant's edits over the defaults. An edit that no longer
    validates (e.g. after an upgrade) falls back to the default, with a warning in the log."""
    out = dict(DEFAULTS)
    path = folder / TEMPLATES_FILE
    if not path.exists():
        return out
    try:
        raw = json.loads(read_text(path))  # never through a symlink
    except (OSError, ValueError) as exc:
        log.warning("notice templates unreadable (%s): using the defaults", exc)
        return out
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


def save_template(folder: Path, kind: str, template: TemplateSet) -> RenderedMail:
    """Validate, then save; a template with an error raises TemplateError and is NOT saved."""
    rendered = validate_template(kind, template)
    current = load_templates(folder)
    current[kind] = template
    _write(folder, current)
    return rendered


def reset_template(folder: Path, kind: str) -> None:
    current = load_templates(folder)
    current[kind] = DEFAULTS[kind]
    _write(folder, current)


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
