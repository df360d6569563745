"""Replies beside Open backorders: customers' answers to notices for the selected order (or
every unanswered one), the suggested action, and one click to confirm it. Nothing is done
without that click. With nothing to confirm the panel folds to its one-line header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...cache import Cache
from ...domain.reply_words import CANCEL, KEEP, SHIP_PARTIAL, SUGGESTION_LABELS
from ...services.notices.replies import (
    Confirmed,
    FetchReport,
    ReplyRow,
    confirm_reply,
    fetch_replies,
    imap_config,
    imap_configured,
    list_replies,
    mark_reply_handled,
)
from ..dialogs.dock_common import run_read
from ..formatting import format_datetime
from ..plain_text import inform
from ..records_view import QuickFilter, RecordsView
from ..store_controller import StoreController
from ..table_model import Column, RecordsTableModel

ANSWERED_WORDS = {CANCEL: "cancelled", KEEP: "kept", SHIP_PARTIAL: "ships partial"}
UNLIMITED = 16_777_215  # QWIDGETSIZE_MAX: no maximum height


def tr(text: str) -> str:
    return QCoreApplication.translate("RepliesPanel", text)


def _state(row: ReplyRow) -> str:
    if row.state == "dismissed":
        return tr("read")
    if row.handled_action:
        return tr(ANSWERED_WORDS.get(row.handled_action, row.handled_action))
    return tr("to answer")


def _when(value: Any) -> str:
    """Day and time on this computer's clock (the reply's Date is stored in UTC)."""
    return f"{format_datetime(value)} {value.astimezone():%H:%M}"


def build_replies_view() -> RecordsView:
    columns = [
        Column("order", tr("Order"), lambda r: r.order_id, lambda r: f"#{r.order_id}",
               numeric=True),
        Column("suggestion", tr("Suggests"), lambda r: r.suggestion or "",
               lambda r: tr(SUGGESTION_LABELS[r.suggestion]) if r.suggestion else tr("(read it)")),
        Column("reply", tr("Reply"), lambda r: r.excerpt),
        Column("from", tr("From"), lambda r: r.sender),
        Column("received", tr("Received"), lambda r: r.received,
               lambda r: _when(r.received)),
        Column("state", tr("Answered"), _state),
    ]  # fmt: skip
    model = RecordsTableModel(columns, row_key=lambda r: r.id)
    quick = [QuickFilter(tr("To answer"), lambda r: not r.answered)]
    view = RecordsView("Replies", model, quick)
    view.fit_columns([60, 150, 260, 190, 120, 90])
    return view


class RepliesPanel(QWidget):
    """`set_order(id)` shows that order's replies, `set_order(None)` every unanswered one.

    Wiring for the neighbours (the integrator sets these):
    - `cancel_handler(order_id, reply_id)`: open the cancel-and-refund dialog (issue 19.2)
      for the order, and call `services.notices.replies.mark_reply_handled(cache, reply_id,
      "cancel")` once it is cancelled. Unset, staff are told where to cancel.
    - `record_consent(cache, order_id)`: the consent feature's (issue 19.1), run when staff
      confirm "keep"; unset, "keep" only marks the reply answered (the order stays queued).
    `reply_confirmed(order_id, action)` is emitted after every confirmed action.

    Folded (only the header line shows) while no reply waits for staff, unfolded when one
    arrives; a click on the header folds or unfolds it by hand. `expanded_changed(bool)` tells
    the tab, which gives the panel its share of the room when it unfolds.
    """

    reply_confirmed = Signal(object, str)  # order id, "cancel" | "keep" | "ship_partial"
    expanded_changed = Signal(bool)

    def __init__(self, controller: StoreController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.cancel_handler: Callable[[int, int], None] | None = None
        self.record_consent: Callable[[Cache, int], object] | None = None
        self.order_id: int | None = None
        # Replies that wait for staff, store-wide: a new one unfolds the panel. Staff's own
        # fold/unfold click holds until then (None: the panel follows what waits).
        self._waiting: frozenset[int] = frozenset()
        self._chosen: bool | None = None
        self.expanded = True
        self.title = QToolButton(self)  # the header: a click folds or unfolds the panel
        self.title.setAccessibleName(tr("Replies: show or hide"))
        self.title.setToolTip(tr("Show or hide the replies"))
        self.title.setAutoRaise(True)
        self.title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.fetch_button = QPushButton(tr("Fetch replies"), self)
        self.fetch_button.setAccessibleName(tr("Fetch replies"))
        self.fetch_button.setToolTip(tr("Read customers' replies to notices from the IMAP inbox"))
        self.show_answered = QCheckBox(tr("Answered too"), self)
        self.show_answered.setAccessibleName(tr("Show answered replies"))
        self.view = build_replies_view()
        self.text = QPlainTextEdit(self)  # plain text only: a reply is untrusted
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("Reply text"))
        self.text.setPlaceholderText(tr("Select a reply to read it."))
        self.confirm_button = QPushButton(tr("Confirm"), self)
        self.confirm_button.setAccessibleName(tr("Confirm suggested action"))
        self.other_button = QToolButton(self)
        self.other_button.setText(tr("Other answer"))
        self.other_button.setAccessibleName(tr("Other answer"))
        self.other_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.other_button)
        for action in (KEEP, SHIP_PARTIAL, CANCEL):
            item = menu.addAction(tr(SUGGESTION_LABELS[action]))
            item.triggered.connect(lambda _=False, a=action: self.confirm(a))
        menu.addSeparator()
        menu.addAction(tr("Read, nothing to do")).triggered.connect(self.dismiss)
        self.other_button.setMenu(menu)

        self.header = QWidget(self)
        top = QHBoxLayout(self.header)
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.show_answered)
        top.addWidget(self.fetch_button)
        actions = QHBoxLayout()
        actions.addWidget(self.confirm_button, 1)
        actions.addWidget(self.other_button)
        reader = QWidget(self)
        reader_layout = QVBoxLayout(reader)
        reader_layout.setContentsMargins(6, 0, 6, 6)
        reader_layout.addWidget(self.text, 1)
        reader_layout.addLayout(actions)
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(reader)
        self.splitter.setSizes([640, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)

        self.title.clicked.connect(lambda: self._choose(not self.expanded))
        self.fetch_button.clicked.connect(self.fetch)
        self.confirm_button.clicked.connect(lambda: self.confirm(self._suggested()))
        self.show_answered.toggled.connect(self._on_show_answered_toggled)
        self.view.selection_changed.connect(self._show_selected)
        controller.rows_loaded.connect(lambda _rows: self.reload())
        self._show_selected()
        self.title.setText(self._heading(0))
        self.set_expanded(False)  # until a read says a reply waits

    # --- folding ----------------------------------------------------------------------------
    def set_expanded(self, expanded: bool) -> None:
        """Folded, the panel is its header line: its maximum height hands the rest to the
        queue above it (the tab's splitter honours it)."""
        self.title.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        if expanded == self.expanded:
            return
        self.expanded = expanded
        self.splitter.setVisible(expanded)
        if expanded:
            self.setMaximumHeight(UNLIMITED)
        else:
            margins = self.layout().contentsMargins()
            header = self.header.sizeHint().height()
            self.setMaximumHeight(header + margins.top() + margins.bottom())
        self.expanded_changed.emit(expanded)

    def _choose(self, expanded: bool) -> None:
        self._chosen = expanded
        self.set_expanded(expanded)

    def _on_show_answered_toggled(self, on: bool) -> None:
        # Asking for the answered ones is asking to see them; back to those that wait, the
        # panel follows what waits again.
        self._chosen = True if on else None
        self.reload()

    # --- what is shown ----------------------------------------------------------------------
    def set_order(self, order_id: int | None) -> None:
        if order_id != self.order_id:
            self.order_id = order_id
            self.reload()

    def reload(self) -> None:
        order_id, answered = self.order_id, self.show_answered.isChecked()

        def read(cache: Cache) -> tuple[list[ReplyRow], frozenset[int]]:
            rows = list_replies(cache, order_id=order_id, unanswered=not answered)
            if order_id is None and not answered:
                return rows, frozenset(r.id for r in rows)
            return rows, frozenset(r.id for r in list_replies(cache, unanswered=True))

        run_read(self.controller, "replies", read, self._on_loaded, owner=self)

    def _heading(self, shown: int) -> str:
        if self.order_id is not None:
            text = tr("Replies about order #{0}").format(self.order_id)
        elif self.show_answered.isChecked():
            text = tr("Replies from customers")
        else:
            text = tr("Replies to answer")
        if shown:
            return text
        if self.order_id is None and not self.show_answered.isChecked():
            return tr("Replies · none to confirm")
        return tr("{0} · none").format(text)

    def _on_loaded(self, loaded: tuple[list[ReplyRow], frozenset[int]]) -> None:
        rows, waiting = loaded
        if waiting - self._waiting:
            self._chosen = None  # a reply arrived: it unfolds the panel, whatever was chosen
        self._waiting = waiting
        self.title.setText(self._heading(len(rows)))
        if self._chosen is not None:
            self.set_expanded(self._chosen)
        else:
            # Folded only while nothing waits store-wide: the selected order having no reply
            # must not make the queue above jump as staff click through it.
            self.set_expanded(bool(waiting) or (self.show_answered.isChecked() and bool(rows)))
        self.view.set_rows(rows)
        if rows and not self.view.selected_rows():
            self.view.table.selectRow(0)
        self._show_selected()

    def selected(self) -> ReplyRow | None:
        rows = self.view.selected_rows()
        return rows[0] if rows else None

    def _suggested(self) -> str | None:
        row = self.selected()
        return row.suggestion if row is not None else None

    def _show_selected(self) -> None:
        row = self.selected()
        open_reply = row is not None and not row.answered
        if row is None:
            self.text.setPlainText("")
        else:
            head = tr("From {0}, {1}\nSubject: {2}").format(
                row.sender, _when(row.received), row.subject
            )
            self.text.setPlainText(f"{head}\n\n{row.text}")
        if row is not None and row.suggestion:
            label = tr("Confirm: {0}").format(tr(SUGGESTION_LABELS[row.suggestion]))
        else:
            label = tr("No suggestion: choose an answer")
        self.confirm_button.setText(label)
        self.confirm_button.setAccessibleName(label)
        self.confirm_button.setEnabled(open_reply and bool(row and row.suggestion))
        self.other_button.setEnabled(open_reply)

    # --- actions ----------------------------------------------------------------------------
    def fetch(self) -> None:
        controller = self.controller
        demo = controller.demo_mailbox if controller.entry and controller.entry.demo else None
        if demo is None and not imap_configured(controller.settings):
            inform(
                self,
                tr("Replies"),
                tr("Set up the IMAP account of your shop's mailbox in Mail settings to read "
                   "customers' replies here."),
            )  # fmt: skip
            return
        session = controller.session
        if session is None:
            controller.message_posted.emit(tr("Connect a store first."))
            return
        settings = controller.settings
        self.fetch_button.setEnabled(False)

        def work(**_: Any) -> FetchReport:
            return fetch_replies(session.cache, imap_config(settings, demo=demo))

        controller.runner.run(
            "fetch replies",
            work,
            on_success=self._on_fetched,
            on_error=lambda _exc, message: controller.message_posted.emit(message),
            on_done=lambda: self.fetch_button.setEnabled(True),
        )

    def _on_fetched(self, report: FetchReport) -> None:
        self.controller.message_posted.emit(tr(report.summary()))
        self.reload()

    def confirm(self, action: str | None) -> None:
        row = self.selected()
        if row is None or action is None or row.answered:
            return
        if action == CANCEL:
            if self.cancel_handler is not None:
                self.cancel_handler(row.order_id, row.id)
            else:
                inform(
                    self,
                    tr("Cancel order #{0}").format(row.order_id),
                    tr("Cancel the order's waiting lines with 'Cancel and refund…' in Open "
                       "backorders; then mark this reply 'Read, nothing to do'."),
                )  # fmt: skip
            return
        consent = self.record_consent
        reply_id = row.id

        def work(session: Any) -> Confirmed:
            return confirm_reply(session.cache, reply_id, action, record_consent=consent)

        self.controller.run_action(
            "answer reply",
            work,
            on_success=lambda done: self.reply_confirmed.emit(done.order_id, done.action),
            # The order's choice (ship partial) and the customer's consent (keep) are shared
            # through the store.
            push=action == SHIP_PARTIAL or (action == KEEP and consent is not None),
        )

    def dismiss(self) -> None:
        row = self.selected()
        if row is None:
            return
        reply_id = row.id
        self.controller.run_action(
            "reply read", lambda session: mark_reply_handled(session.cache, reply_id), push=False
        )
