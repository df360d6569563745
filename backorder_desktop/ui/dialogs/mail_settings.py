"""Mail settings: SMTP server, security, login (password in the keychain), sender, check-ins."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.consent import NONE, US
from ...mail.imap import IMAP_DEFAULT_PORTS, IMAP_SSL, IMAP_STARTTLS, ImapConfig, ImapReader
from ...mail.message import AddressError, parse_mailbox
from ...mail.smtp import DEFAULT_PORTS, PLAIN, SSL, STARTTLS, MailError, SmtpConfig
from ...mail.templates import order_url
from ...services.credentials import (
    KeychainUnavailableError,
    get_imap_password,
    get_smtp_password,
    save_imap_password,
    save_smtp_password,
)
from ...services.dock.cancelling import good_news_enabled, set_good_news
from ...services.logs import register_secret
from ...services.notices.consent import describe_default, policy_choice, set_delay_policy
from ...services.notices.mail_setup import send_test_email, smtp_config, split_sender
from ...services.notices.replies import imap_config
from ...services.settings import Settings
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel, inform
from ..store_controller import StoreController
from ..theme import colours
from ..widgets import SAVE_CANCEL, named_buttons

SECURITY_LABELS = {STARTTLS: "STARTTLS (port 587)", SSL: "SSL/TLS (port 465)", PLAIN: "None"}
# No plain choice: IMAP without TLS is refused (mail/imap.py), except on loopback (demo, tests).
IMAP_SECURITY_LABELS = {IMAP_SSL: "SSL/TLS (port 993)", IMAP_STARTTLS: "STARTTLS (port 143)"}


class MailSettingsDialog(QDialog):
    def __init__(self, controller: StoreController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Mail settings"))
        self.controller = controller
        settings = controller.settings
        self.host = QLineEdit(settings.smtp_host, self)
        self.host.setAccessibleName(self.tr("SMTP host"))
        self.host.setPlaceholderText("smtp.example.com")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(settings.smtp_port)
        self.port.setAccessibleName(self.tr("SMTP port"))
        self.security = QComboBox(self)
        self.security.setAccessibleName(self.tr("SMTP security"))
        for mode, label in SECURITY_LABELS.items():
            self.security.addItem(self.tr(label), mode)
        self.security.setCurrentIndex(max(0, self.security.findData(settings.smtp_security)))
        self.security.currentIndexChanged.connect(self._on_security_changed)
        self.user = QLineEdit(settings.smtp_user, self)
        self.user.setAccessibleName(self.tr("SMTP user"))
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("SMTP password"))
        self._had_password = bool(get_smtp_password(settings.smtp_host, settings.smtp_user))
        self.password.setPlaceholderText(
            self.tr("saved in the keychain") if self._had_password else ""
        )
        self.sender = QLineEdit(settings.mail_from, self)
        self.sender.setAccessibleName(self.tr("From address"))
        self.sender.setPlaceholderText("Your Store <orders@your-store.com>")
        self.sender_name = QLineEdit(settings.mail_from_name, self)
        self.sender_name.setAccessibleName(self.tr("From name"))
        self.sender_name.setPlaceholderText(self.tr("Your store's name"))
        self.checkin = QSpinBox(self)
        self.checkin.setRange(0, 365)
        self.checkin.setSuffix(self.tr(" days"))
        self.checkin.setSpecialValueText(self.tr("off"))
        self.checkin.setValue(settings.checkin_days)
        self.checkin.setAccessibleName(self.tr("Check-in notice every"))
        self.checkin.setToolTip(
            self.tr("While a line waits, send a short check-in with a countdown to the ETA")
        )
        self.store_url = QLineEdit(settings.store_url, self)
        self.store_url.setAccessibleName(self.tr("Storefront address"))
        self.store_url.setPlaceholderText("https://shop.example.com")
        self.store_url.setToolTip(self.tr("Notices link to the customer's order there"))
        self.shop_contact = QLineEdit(settings.shop_contact, self)
        self.shop_contact.setAccessibleName(self.tr("Shop contact details"))
        self.shop_contact.setPlaceholderText(self.tr("e.g. +1 555 0100, Mon-Fri 9-17"))
        self.checkin_max = QSpinBox(self)
        self.checkin_max.setRange(1, 52)
        self.checkin_max.setSuffix(self.tr(" per order"))
        self.checkin_max.setValue(settings.checkin_max)
        self.checkin_max.setAccessibleName(self.tr("At most this many check-ins"))
        self.checkin_max.setToolTip(
            self.tr("Check-ins stop after this many for one order; a customer with several "
                    "orders waiting gets one email for them all")
        )  # fmt: skip
        self.policy = QComboBox(self)
        self.policy.setAccessibleName(self.tr("Delay policy"))
        self._policy_was: str | None = None
        country: str | None = None
        if controller.session is not None:  # two small indexed reads of the store's cache
            self._policy_was, _in_force, country = policy_choice(controller.session.cache)
        self.policy.addItem(self.tr("Follow {0}").format(describe_default(country)), None)
        self.policy.addItem(self.tr("US rule: a second delay asks for consent"), US)
        self.policy.addItem(self.tr("None: delays never ask for consent"), NONE)
        self.policy.setCurrentIndex(max(0, self.policy.findData(self._policy_was)))
        self.policy.setEnabled(controller.session is not None)
        self.policy.setToolTip(
            self.tr("US FTC Mail Order Rule: a first delay tells the new date and the right to "
                    "cancel; a later delay, or one without a date, asks the customer's consent, "
                    "and without it by the reply-by day the order is cancelled and refunded. "
                    "Shared by every computer of this store.")
        )  # fmt: skip
        # Per store, in its cache: the window and the CLI's `notify` read the same switch.
        session = controller.session
        self._good_news_was = session is not None and good_news_enabled(session.cache)
        self.good_news = QCheckBox(self.tr("Tell customers when their date moves earlier"), self)
        self.good_news.setChecked(self._good_news_was)
        self.good_news.setEnabled(session is not None)
        self.good_news.setAccessibleName(self.tr("Good news notices"))
        self.good_news.setToolTip(
            self.tr("A 'good news' notice when a customer's ETA becomes earlier than the date "
                    "told, e.g. after customers ahead of them cancelled. Off by default.")
        )  # fmt: skip
        self.test_to = QLineEdit(settings.mail_from, self)
        self.test_to.setAccessibleName(self.tr("Send test email to"))
        self.test_button = QPushButton(self.tr("Send test email"), self)
        self.test_button.setAccessibleName(self.tr("Send test email"))
        self.test_button.clicked.connect(self.send_test)
        self._build_imap(settings)
        self.status = PlainLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Mail settings status"))
        if controller.entry is not None and controller.entry.demo:
            self.status.setText(
                self.tr("Demo store: notices go to the built-in mail sink (Sent mail…), "
                        "whatever is set here.")
            )  # fmt: skip

        buttons = named_buttons(self, SAVE_CANCEL)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        # Two pages, so the dialog fits a 1024x640 screen: sending notices, reading replies.
        self.pages = QTabWidget(self)
        self.pages.setAccessibleName(self.tr("Mail settings pages"))
        sending = QWidget(self.pages)
        form = QFormLayout(sending)
        form.addRow(self.tr("SMTP host"), self.host)
        form.addRow(self.tr("Port"), self.port)
        form.addRow(self.tr("Security"), self.security)
        form.addRow(self.tr("User"), self.user)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("From address"), self.sender)
        form.addRow(self.tr("From name"), self.sender_name)
        form.addRow(self.tr("Check-in notices every"), self.checkin)
        form.addRow(self.tr("At most"), self.checkin_max)
        form.addRow(self.tr("Good news"), self.good_news)
        form.addRow(self.tr("Storefront address"), self.store_url)
        form.addRow(self.tr("Shop contact"), self.shop_contact)
        form.addRow(self.tr("Delay policy"), self.policy)
        form.addRow(self.tr("Test email to"), self.test_to)
        form.addRow("", self.test_button)
        replies = QWidget(self.pages)
        imap_form = QFormLayout(replies)
        explain = PlainLabel(
            self.tr("The mailbox customers reply to. The app reads only replies to its notices, "
                    "read-only: nothing is marked read, moved or deleted. SSL/TLS or STARTTLS "
                    "only; the password is kept in the keychain."),
            replies,
        )  # fmt: skip
        explain.setWordWrap(True)
        imap_form.addRow(explain)
        imap_form.addRow(self.tr("IMAP host"), self.imap_host)
        imap_form.addRow(self.tr("IMAP port"), self.imap_port)
        imap_form.addRow(self.tr("IMAP security"), self.imap_security)
        imap_form.addRow(self.tr("IMAP user"), self.imap_user)
        imap_form.addRow(self.tr("IMAP password"), self.imap_password)
        imap_form.addRow(self.tr("IMAP folder"), self.imap_folder)
        imap_form.addRow("", self.imap_test_button)
        self.pages.addTab(sending, self.tr("Sending notices"))
        self.pages.addTab(replies, self.tr("Customers' replies"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(520, 0)
        keyboard_friendly(self)

    def _build_imap(self, settings: Settings) -> None:
        """The mailbox customers' replies arrive in: TLS only, the password in the keychain."""
        self.imap_host = QLineEdit(settings.imap_host, self)
        self.imap_host.setAccessibleName(self.tr("IMAP host"))
        self.imap_host.setPlaceholderText("imap.example.com")
        self.imap_port = QSpinBox(self)
        self.imap_port.setRange(1, 65535)
        self.imap_port.setValue(settings.imap_port)
        self.imap_port.setAccessibleName(self.tr("IMAP port"))
        self.imap_security = QComboBox(self)
        self.imap_security.setAccessibleName(self.tr("IMAP security"))
        for mode, label in IMAP_SECURITY_LABELS.items():
            self.imap_security.addItem(self.tr(label), mode)
        self.imap_security.setCurrentIndex(
            max(0, self.imap_security.findData(settings.imap_security))
        )
        self.imap_security.currentIndexChanged.connect(self._on_imap_security_changed)
        self.imap_user = QLineEdit(settings.imap_user, self)
        self.imap_user.setAccessibleName(self.tr("IMAP user"))
        self.imap_password = QLineEdit(self)
        self.imap_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.imap_password.setAccessibleName(self.tr("IMAP password"))
        had = bool(get_imap_password(settings.imap_host, settings.imap_user))
        self.imap_password.setPlaceholderText(self.tr("saved in the keychain") if had else "")
        self.imap_folder = QLineEdit(settings.imap_folder, self)
        self.imap_folder.setAccessibleName(self.tr("IMAP folder"))
        self.imap_test_button = QPushButton(self.tr("Check the inbox"), self)
        self.imap_test_button.setAccessibleName(self.tr("Check the inbox"))
        self.imap_test_button.setToolTip(self.tr("Log in and open the folder; nothing is read"))
        self.imap_test_button.clicked.connect(self.check_imap)

    def _on_imap_security_changed(self, _index: int) -> None:
        mode = self.imap_security.currentData()
        if self.imap_port.value() in IMAP_DEFAULT_PORTS.values():
            self.imap_port.setValue(IMAP_DEFAULT_PORTS[mode])

    def imap(self) -> ImapConfig:
        settings = self.edited()
        typed = self.imap_password.text()
        register_secret(typed)
        base = imap_config(settings)
        return replace(base, password=typed) if typed else base

    def check_imap(self) -> None:
        config = self.imap()
        try:
            config.check()
        except MailError as exc:
            self._show(exc.message, False)
            return
        self.imap_test_button.setEnabled(False)
        self._show(self.tr("Logging in to {0}…").format(config.host), True)

        def work(**_: Any) -> str:
            with ImapReader(config):
                return config.mailbox

        self.controller.runner.run(
            "check inbox",
            work,
            on_success=lambda folder: self._show(
                self.tr("The inbox works: '{0}' opened read-only.").format(folder), True
            ),
            on_error=lambda _exc, message: self._show(message, False),
            on_done=lambda: self.imap_test_button.setEnabled(True),
        )

    def _on_security_changed(self, _index: int) -> None:
        mode = self.security.currentData()
        if self.port.value() in DEFAULT_PORTS.values():
            self.port.setValue(DEFAULT_PORTS[mode])

    def edited(self) -> Settings:
        # "Shop Name <shop@example.com>" in From is the ordinary form: its name fills From name.
        sender, sender_name = split_sender(self.sender.text(), self.sender_name.text())
        return replace(
            self.controller.settings,
            smtp_host=self.host.text().strip(),
            smtp_port=self.port.value(),
            smtp_security=str(self.security.currentData()),
            smtp_user=self.user.text().strip(),
            mail_from=sender,
            mail_from_name=sender_name,
            checkin_days=self.checkin.value(),
            checkin_max=self.checkin_max.value(),
            store_url=self.store_url.text().strip(),
            shop_contact=self.shop_contact.text().strip(),
            imap_host=self.imap_host.text().strip(),
            imap_port=self.imap_port.value(),
            imap_security=str(self.imap_security.currentData()),
            imap_user=self.imap_user.text().strip(),
            imap_folder=self.imap_folder.text().strip() or "INBOX",
        )

    def config(self) -> SmtpConfig:
        settings = self.edited()
        typed = self.password.text()
        register_secret(typed)
        base = smtp_config(settings)
        return replace(base, password=typed) if typed else base

    def _show(self, text: str, ok: bool) -> None:
        colour = colours().ok if ok else colours().failed
        self.status.setStyleSheet(f"color: {colour.name()}")
        self.status.setText(text)

    def send_test(self) -> None:
        config = self.config()
        to = self.test_to.text().strip() or config.sender
        try:
            config.check()
        except MailError as exc:
            self._show(exc.message, False)
            return
        self.test_button.setEnabled(False)
        self._show(self.tr("Sending a test email…"), True)

        def work(**_: Any) -> str:
            send_test_email(config, to)
            return to

        self.controller.runner.run(
            "test email",
            work,
            on_success=self._on_test_sent,
            on_error=self._on_test_failed,
            on_done=lambda: self.test_button.setEnabled(True),
        )

    def _on_test_sent(self, to: str) -> None:
        self.test_button.setEnabled(True)
        self._show(self.tr("Test email sent to {0}.").format(to), True)

    def _on_test_failed(self, _exc: BaseException, message: str) -> None:
        self._show(message, False)

    def save(self) -> None:
        settings = self.edited()
        if settings.mail_from:
            try:
                parse_mailbox(settings.mail_from)
            except AddressError as exc:
                self._show(str(exc), False)
                return
        if settings.store_url and not order_url(settings.store_url, 1):
            self._show(
                self.tr("The storefront address must start with https:// (e.g. {0}).").format(
                    "https://shop.example.com"
                ),
                False,
            )
            return
        typed = self.password.text()
        if typed:
            if not settings.smtp_host or not settings.smtp_user:
                self._show(self.tr("Fill in the host and user to save a password."), False)
                return
            try:
                save_smtp_password(settings.smtp_host, settings.smtp_user, typed)
            except KeychainUnavailableError as exc:  # kept in memory for this session: say so
                inform(self, self.tr("No keychain"), str(exc))
        if settings.imap_host:
            try:
                imap_config(settings, with_password=False).check()
            except MailError as exc:  # e.g. IMAP without TLS to a server on the network
                self._show(exc.message, False)
                return
        typed_imap = self.imap_password.text()
        if typed_imap:
            if not settings.imap_host or not settings.imap_user:
                self._show(self.tr("Fill in the IMAP host and user to save its password."), False)
                return
            try:
                save_imap_password(settings.imap_host, settings.imap_user, typed_imap)
            except KeychainUnavailableError as exc:
                inform(self, self.tr("No keychain"), str(exc))
        self.controller.save_settings(settings)
        policy = self.policy.currentData()
        if self.policy.isEnabled() and policy != self._policy_was:
            self.controller.run_action(
                "delay policy", lambda session: set_delay_policy(session.cache, policy)
            )
        wanted = self.good_news.isChecked()
        if wanted != self._good_news_was:
            self.controller.run_action(
                "good news notices", lambda s: set_good_news(s.cache, wanted), push=False
            )
        self.accept()
