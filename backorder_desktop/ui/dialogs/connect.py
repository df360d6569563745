"""Connect a store: store hash and token, a connection test that names missing scopes."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...bigcommerce import BigCommerceClient
from ...services.logs import register_secret
from ...services.paths import validate_store_hash
from ...services.settings import StoreEntry
from ...services.sync_control.connect import AccessReport, check_store_access
from ...services.sync_control.session import DEFAULT_API_URL
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..tasks import TaskRunner
from ..widgets import SAVE_CANCEL, named_buttons

STORE_PATH = re.compile(r"/stores/([A-Za-z0-9_-]{1,64})(?:/|$)")


def test_connection(api_url: str, store_hash: str, token: str) -> AccessReport:
    with BigCommerceClient(api_url, store_hash, token, timeout=15.0, max_retries=1) as client:
        return check_store_access(client)


class ConnectDialog(QDialog):
    """On accept: `.entry` (StoreEntry) and `.token` (kept in memory; saved to the keychain)."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Connect your store"))
        self._runner = runner
        self.entry: StoreEntry | None = None
        self.token = ""

        self.store_hash = QLineEdit(self)
        self.store_hash.setPlaceholderText("abc123")
        self.store_hash.setAccessibleName(self.tr("Store hash"))
        self.token_edit = QLineEdit(self)
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setAccessibleName(self.tr("API access token"))
        self.label = QLineEdit(self)
        self.label.setPlaceholderText(self.tr("e.g. My shop"))
        self.label.setAccessibleName(self.tr("Store name"))
        form = QFormLayout()
        form.addRow(self.tr("Store hash"), self.store_hash)
        form.addRow(self.tr("Access token"), self.token_edit)
        form.addRow(self.tr("Name (optional)"), self.label)
        # The box comes before its field (creation order is Tab order): Tab reaches "Advanced",
        # then the URL inside it, never a URL field hiding above its own switch.
        advanced = QGroupBox(self.tr("Advanced"), self)
        advanced.setCheckable(True)
        advanced.setChecked(False)
        advanced.setAccessibleName(self.tr("Advanced settings"))
        self.advanced = advanced
        self.api_url = QLineEdit(DEFAULT_API_URL, advanced)
        self.api_url.setAccessibleName(self.tr("API URL"))
        advanced_form = QFormLayout(advanced)
        advanced_form.addRow(self.tr("API URL"), self.api_url)
        advanced.toggled.connect(self.api_url.setEnabled)
        self.api_url.setEnabled(False)

        help_text = PlainLabel(
            self.tr(
                "Create one store-level API account in BigCommerce (Settings > API) with "
                "Products, Store Inventory, Orders and Information & Settings set to modify, and "
                "Store Locations set to read-only. The token is kept in your system keychain, "
                "never in a file. Use this same API account (and token) on every computer of the "
                "store: records are owned by the account that made them, so a second account "
                "would not share ETAs, notices and shipments."
            ),
            self,
        )
        help_text.setWordWrap(True)
        self.result = PlainLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName(self.tr("Connection test result"))

        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.run_test)
        self.buttons = named_buttons(self, SAVE_CANCEL)
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        self.store_hash.textChanged.connect(self._on_store_hash_text_changed)
        for field in (self.store_hash, self.token_edit, self.label, self.api_url):
            field.textEdited.connect(self._on_field_edited)

        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addLayout(form)
        layout.addWidget(advanced)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self.last_report: AccessReport | None = None
        keyboard_friendly(self)

    def _on_store_hash_text_changed(self, text: str) -> None:
        """A pasted API path (https://api.bigcommerce.com/stores/abc123/v3/) gives its hash."""
        found = STORE_PATH.search(text)
        if found and found.group(1) != text:
            self.store_hash.setText(found.group(1))

    def _on_field_edited(self, _text: str) -> None:
        # What the last test or save said was about the old values.
        self.result.clear()

    def _values(self) -> tuple[str, str, str] | None:
        store_hash = self.store_hash.text().strip()
        token = self.token_edit.text().strip()
        api_url = self.api_url.text().strip() or DEFAULT_API_URL
        try:
            validate_store_hash(store_hash)
        except ValueError as exc:
            self._show(str(exc), error=True)
            return None
        if not token:
            self._show(self.tr("Paste the API account's access token."), error=True)
            return None
        register_secret(token)
        return api_url, store_hash, token

    def _show(self, text: str, *, error: bool) -> None:
        colour = "#b00020" if error else "#1b5e20"
        self.result.setStyleSheet(f"color: {colour}")  # BigCommerce's words stay plain text
        self.result.setText(text)

    def run_test(self) -> None:
        values = self._values()
        if values is None:
            return
        self.test_button.setEnabled(False)
        self._show(self.tr("Testing…"), error=False)

        def work(**_: Any) -> AccessReport:
            return test_connection(*values)

        self._runner.run(
            "test connection",
            work,
            on_success=self._on_test_succeeded,
            on_error=self._on_test_failed,
            on_done=lambda: self.test_button.setEnabled(True),
        )

    def _on_test_succeeded(self, report: AccessReport) -> None:
        self.test_button.setEnabled(True)
        self.last_report = report
        self._show(report.summary(), error=not report.ok)

    def _on_test_failed(self, _exc: BaseException, message: str) -> None:
        self._show(message, error=True)

    def _on_buttons_accepted(self) -> None:
        values = self._values()
        if values is None:
            return
        api_url, store_hash, token = values
        # The shell saves the token to the keychain, off the GUI thread.
        self.entry = StoreEntry(store_hash, api_url, self.label.text().strip() or store_hash)
        self.token = token
        self.accept()
