"""Sent mail (demo mode): every message the embedded mail sink received, newest first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...demo_store.demo_replies import demo_inbox, reply_to
from ...demo_store.mail_sink import SinkMessage, read_messages
from ..formatting import format_datetime
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel, ask_text
from ..records_view import RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel
from ..widgets import fit_to_screen
from .message_parts import MessageParts


def _messages_view() -> RecordsView:
    columns = [
        Column("when", "Received", lambda m: m.received_at,
               lambda m: f"{format_datetime(m.received_at)} {m.received_at:%H:%M:%S}"),
        Column("to", "To", lambda m: ", ".join(m.rcpt_tos)),
        Column("subject", "Subject", lambda m: m.subject),
    ]  # fmt: skip
    model = RecordsTableModel(columns, row_key=lambda m: m.id)
    view = RecordsView("Sent mail", model)
    view.fit_columns([150, 240, 420])
    return view


class SentMailDialog(QDialog):
    def __init__(self, controller: StoreController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sent mail (demo)"))
        self.controller = controller
        self.folder: Path | None = controller.mail_sink_folder
        self.view = _messages_view()
        self.headers = PlainLabel(self)
        self.headers.setWordWrap(True)
        self.parts = MessageParts(self, source=True)
        self.html, self.text = self.parts.html, self.parts.text
        assert self.parts.raw is not None
        self.raw = self.parts.raw
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.headers)
        body_layout.addWidget(self.parts, 1)
        splitter = QSplitter(self)
        splitter.addWidget(self.view)
        splitter.addWidget(body)
        splitter.setSizes([620, 560])
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setAccessibleName(self.tr("Refresh sent mail"))
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setAccessibleName(self.tr("Close"))
        self.reply_button = QPushButton(self.tr("Reply as the customer…"), self)
        self.reply_button.setAccessibleName(self.tr("Reply as the customer"))
        self.reply_button.setToolTip(
            self.tr("Try replies: write the customer's answer to this notice; Fetch replies "
                    "under Open backorders then reads it from the demo mailbox")
        )  # fmt: skip
        self.reply_button.clicked.connect(self.reply_as_customer)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reply_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.view.selection_changed.connect(self._show_selected)
        keyboard_friendly(self)
        fit_to_screen(self, 1200, 680)
        self.refresh()

    def refresh(self) -> None:
        folder = self.folder
        if folder is None:
            self.headers.setText(self.tr("No demo mail sink is running."))
            return

        def work(**_: Any) -> list[SinkMessage]:
            return sorted(read_messages(folder), key=lambda m: m.received_at, reverse=True)

        self.controller.runner.run("sent mail", work, on_success=self._on_loaded)

    def _on_loaded(self, messages: list[SinkMessage]) -> None:
        self.view.set_rows(messages)
        if messages and not self.view.selected_rows():
            self.view.table.selectRow(0)

    def _show_selected(self) -> None:
        rows = self.view.selected_rows()
        if not rows:
            return
        message: SinkMessage = rows[0]
        parsed = message.message
        self.headers.setText(
            "\n".join(
                f"{name}: {parsed.get(name, '')}" for name in ("From", "To", "Subject", "Date")
            )
        )
        self.html.setHtml(message.body("html"))
        self.text.setPlainText(message.body("plain"))
        self.raw.setPlainText(message.raw.decode("utf-8", "replace"))

    def reply_as_customer(self, answer: str | None = None) -> None:
        """Demo: the selected notice's customer answers (`answer`, else asked for)."""
        rows = self.view.selected_rows()
        if not rows:
            return
        message: SinkMessage = rows[0]
        if answer is None:
            answer, ok = ask_text(
                self,
                self.tr("Reply as the customer"),
                self.tr("What does {0} answer? (e.g. \"I'll wait\", \"Please cancel\", "
                        "\"Ship what you have\")").format(", ".join(message.rcpt_tos)),
            )  # fmt: skip
            if not ok or not answer.strip():
                return
        demo_inbox(self.controller.data_dir).add(reply_to(message.raw, answer))
        self.headers.setText(
            self.tr("Reply put in the demo mailbox: 'Fetch replies' under Open backorders "
                    "reads it.")
        )  # fmt: skip
