"""Open backorders tab: the queue's actions (priority, partial, cancel, notify), Replies below."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout

from ...domain.notice_log import KIND_LABELS
from ...services.backorders import change_priority, set_partial_shipment
from ...services.notices.eta_preview import describe_moves, preview_priority
from ...services.notices.notify import count_text
from ..dialogs.dock_common import ask, run_read
from ..plain_text import inform
from ..rows_reader import LoadedRows, PatchedRows
from ..store_controller import StoreController
from ..theme import colours
from ..widgets import ElidedLabel
from .backorder_consent import ConsentActions
from .backorder_groups import GroupsPanel
from .backorders_view import AGING_WARNING_DAYS, build_backorders_view, summarise
from .panel import TabPanel
from .replies_panel import RepliesPanel
from .reply_actions import wire_reply_actions
from .shipments import add_order_waiting_button

REPLIES_MIN_HEIGHT = 200  # px: the header, the search line and about four replies


def tr(text: str) -> str:
    return QCoreApplication.translate("BackordersTab", text)


class BackordersPanel(TabPanel):
    """Queue, priorities, partial shipment, and the "Notify N customers" flow."""

    def __init__(self, controller: StoreController) -> None:
        super().__init__(controller, build_backorders_view(lambda: self.currency))
        self.set_legend(
            [
                (lambda: colours().failed, tr("ETA has passed")),
                (
                    lambda: colours().warning,
                    tr("waiting over {0} days").format(AGING_WARNING_DAYS),
                ),
            ]
        )
        self.currency = "USD"
        self.raise_button = self.add_action_button(
            tr("Raise priority"), tr("Selected orders go earlier in every queue they are in")
        )
        self.lower_button = self.add_action_button(
            tr("Lower priority"), tr("Selected orders go later in every queue they are in")
        )
        self.partial_button = self.add_action_button(
            tr("Allow partial shipment"),
            tr("Selected orders may ship the lines that are ready before the rest"),
        )
        self.cancel_button = self.add_action_button(
            tr("Cancel and refund…"),
            tr("Cancel the selected waiting lines and refund them through BigCommerce"),
        )
        self.notify_button = self.add_action_button(
            tr("Notify customers…"), tr("Preview and send every notice that is due")
        )
        self.mail_button = self.add_action_button(
            tr("Mail settings…"), tr("SMTP server, sender and check-in notices")
        )
        self.templates_button = self.add_action_button(
            tr("Templates…"), tr("Edit the notice emails, with a live preview")
        )
        self.sent_button = self.add_action_button(
            tr("Sent mail…"), tr("The demo store's mail sink: every notice sent in demo mode")
        )
        self.sent_button.setVisible(False)
        self.order_actions = add_order_waiting_button(self)
        # Consent to delays: orders whose consent expired or was refused go to the same
        # "Cancel and refund…" dialog, every waiting line of each.
        self.consent = ConsentActions(self)
        self.consent.cancel_refund_requested.connect(self.open_cancel_dialog)
        self.finish_actions_bar()

        self.groups = GroupsPanel(self)
        self.groups.scope_changed.connect(self._on_groups_scope_changed)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.view)
        self.summary = ElidedLabel("", self)
        self.summary.setAccessibleName(tr("Backorder summary"))
        summary_row = QHBoxLayout()
        summary_row.setContentsMargins(6, 6, 6, 0)
        summary_row.addWidget(self.groups.by)
        summary_row.addWidget(self.summary, 1)
        layout.addLayout(summary_row)
        # Customers' replies under the queue: the selected order's, else every unanswered one.
        self.replies = RepliesPanel(controller, self)
        wire_reply_actions(self.replies, controller, self.open_cancel_dialog)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.groups.wrap(self.view))
        self.split.addWidget(self.replies)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 1)
        self.split.setCollapsible(0, False)
        self.split.setCollapsible(1, False)  # folded, the replies keep their header line
        self.replies.expanded_changed.connect(self._on_replies_expanded)
        layout.addWidget(self.split, 1)
        layout.removeWidget(self.legend)  # the legend stays under the table
        layout.addWidget(self.legend)

        self.confirm = ask(self)  # tests swap it for a stub
        self.raise_button.clicked.connect(lambda: self._change_priority(+1))
        self.lower_button.clicked.connect(lambda: self._change_priority(-1))
        self.partial_button.clicked.connect(self._toggle_partial)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.notify_button.clicked.connect(self.open_notify_preview)
        self.mail_button.clicked.connect(self.open_mail_settings)
        self.templates_button.clicked.connect(self.open_templates)
        self.sent_button.clicked.connect(self.open_sent_mail)
        self.view.selection_changed.connect(self._update_buttons)
        self.view.selection_changed.connect(self._on_view_selection_changed)
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(100)
        self._summary_timer.timeout.connect(self._update_summary)
        for signal in (
            self.view.proxy.modelReset,
            self.view.proxy.layoutChanged,
            self.view.proxy.rowsInserted,
            self.view.proxy.rowsRemoved,
        ):
            signal.connect(lambda *_: self._summary_timer.start())
        controller.rows_loaded.connect(self._on_controller_rows_loaded)
        controller.rows_patched.connect(self._on_controller_rows_loaded)
        controller.store_opened.connect(lambda entry: self.sent_button.setVisible(entry.demo))
        self.dialog: Any = None
        self._unconfirmed_told = 0  # how many "maybe sent" notices the status bar mentioned
        self._update_buttons()
        self._update_summary()

    # --- rows -------------------------------------------------------------------------------
    def _on_controller_rows_loaded(self, loaded: LoadedRows | PatchedRows) -> None:
        self.currency = loaded.data.currency
        self.groups.set_rows(loaded.data.backorders)
        self._update_buttons()
        self._summary_timer.start()

    def _on_replies_expanded(self, expanded: bool) -> None:
        """Unfolded, the replies get a third of the room (at least a few rows' worth, at most
        half); folded, their header line, and the queue the rest."""
        total = sum(self.split.sizes())
        if total <= 0:
            return  # not laid out yet: the replies' maximum height holds them to their header
        if expanded:
            share = min(max(total // 3, REPLIES_MIN_HEIGHT), total // 2)
        else:
            share = self.replies.maximumHeight()
        self.split.setSizes([total - share, share])

    def _on_view_selection_changed(self) -> None:
        orders = self._selected_orders()
        self.replies.set_order(orders[0] if len(orders) == 1 else None)

    def _on_groups_scope_changed(self, predicate: Callable[[Any], bool] | None) -> None:
        self.view.proxy.set_scope(predicate)
        self._summary_timer.start()

    def _update_summary(self) -> None:
        self.summary.setText(summarise(self.view.visible_rows(), self.currency))
        self._update_buttons()  # the Notify button counts what the list shows

    def due_plan(self) -> Any:
        rows = self.controller.last_rows
        return rows.notices if rows is not None else None

    def _update_buttons(self) -> None:
        selected = self.view.selected_rows()
        has_selection = bool(selected) and self.controller.session is not None
        for button in (
            self.raise_button,
            self.lower_button,
            self.partial_button,
            self.cancel_button,
        ):
            button.setEnabled(has_selection)
        if selected and all(r.partial_allowed for r in selected):
            self.partial_button.setText(tr("No partial shipment"))
        else:
            self.partial_button.setText(tr("Allow partial shipment"))
        self.partial_button.setAccessibleName(self.partial_button.text())
        self.consent.update()
        plan, scope = self.notify_plan()
        count = len(plan.due) if plan is not None else 0
        if count and scope:
            # The list is filtered or has a selection: only what it shows is notified.
            self.notify_button.setText(tr("Notify {0}: {1}…").format(scope, count_text(plan.due)))
        elif count:
            self.notify_button.setText(tr("Notify {0}…").format(count_text(plan.due)))
        else:
            self.notify_button.setText(tr("Notify customers…"))
        self.notify_button.setAccessibleName(self.notify_button.text().rstrip("…"))
        self.notify_button.setEnabled(bool(count) and self.controller.session is not None)
        if plan is not None and plan.due:
            kinds = Counter(KIND_LABELS.get(n.kind, n.kind) for n in plan.due)
            self.notify_button.setToolTip(
                ", ".join(f"{label}: {n}" for label, n in sorted(kinds.items()))
            )
        unconfirmed = len(plan.unconfirmed) if plan is not None else 0
        if unconfirmed and unconfirmed != self._unconfirmed_told:
            self._unconfirmed_told = unconfirmed
            self.controller.message_posted.emit(
                tr("{0} notices may have been sent when the app stopped; they will not be sent "
                   "again (see 'Last notice').").format(len(plan.unconfirmed))
            )  # fmt: skip

    def notify_plan(self) -> tuple[Any, str]:
        """The notices the Notify button sends, and "" or the scope it is limited to: the
        selected orders, else the orders a filter shows, else every notice due."""
        plan = self.due_plan()
        if plan is None:
            return None, ""
        selected = self.view.selected_rows()
        if selected:
            return plan.only_orders(r.line.order_id for r in selected), tr("selected")
        shown = self.view.proxy.rowCount()
        if shown < self.view.model.rowCount():
            return plan.only_orders(r.line.order_id for r in self.view.visible_rows()), tr("shown")
        return plan, ""

    def _selected_orders(self) -> list[int]:
        return sorted({r.line.order_id for r in self.view.selected_rows()})

    # --- actions ----------------------------------------------------------------------------
    def _change_priority(self, delta: int) -> None:
        """Preview whose ETA moves and the delays it makes due; apply once confirmed."""
        orders = self._selected_orders()

        def apply() -> None:
            self.controller.run_action(
                "priority",
                lambda session: change_priority(session.cache, orders, delta),
                push=False,
            )

        def decide(moves: list[Any]) -> None:
            if not moves or self.confirm(
                tr("Change priority"),
                tr("This changes these customers' ETAs:\n\n{0}\n\nChange the priority?").format(
                    describe_moves(moves)
                ),
            ):
                apply()

        run_read(
            self.controller,
            "priority preview",
            lambda cache: preview_priority(cache, orders, delta),
            decide,
            self.controller.message_posted.emit,
        )

    def _toggle_partial(self) -> None:
        selected = self.view.selected_rows()
        allow = not (selected and all(r.partial_allowed for r in selected))
        orders = self._selected_orders()
        self.controller.run_action(
            "partial shipment",
            lambda session: set_partial_shipment(session.cache, orders, allow),
            push=False,
        )

    def _on_cancel_button_clicked(self) -> None:
        rows = self.view.selected_rows()
        lines: dict[int, list[tuple[str, int | None]]] = {}
        for r in rows:
            lines.setdefault(r.line.order_id, []).append((r.line.sku, r.line.qty_waiting))
        self.open_cancel_dialog(sorted(lines), lines)

    def open_cancel_dialog(
        self,
        order_ids: Iterable[int],
        lines: Mapping[int, Sequence[tuple[str, int | None]]] | None = None,
    ) -> Any:
        """The "Cancel and refund…" dialog for these orders: every waiting line of each, or
        only `lines` (order id -> [(sku, units or None for all that wait)]). Other parts of
        the app (consent expired, a customer's "cancel" reply) open it through this."""
        from ..dialogs.cancel import CancelDialog

        lines = lines or {}
        selection = {int(o): list(lines.get(int(o), ())) for o in order_ids}
        if not selection:
            inform(self, tr("Cancel and refund"), tr("Select the waiting lines to cancel."))
            return None
        self.dialog = CancelDialog(self.controller, selection, self)
        self.dialog.show()
        return self.dialog

    def open_notify_preview(self) -> None:
        from ..dialogs.notify_preview import NotifyPreviewDialog

        plan, scope = self.notify_plan()
        if plan is None or not plan.due:
            inform(self, tr("Notify customers"), tr("No notice is due."))
            return
        note = ""
        if scope:
            note = tr(
                "Only the notices about the {0} orders in Open backorders. Clear the selection "
                "and the filter there to notify everyone."
            ).format(scope)
        self.dialog = NotifyPreviewDialog(self.controller, plan, self, scope_note=note)
        self.dialog.show()

    def open_mail_settings(self) -> None:
        from ..dialogs.mail_settings import MailSettingsDialog

        self.dialog = MailSettingsDialog(self.controller, self)
        self.dialog.show()

    def open_templates(self) -> None:
        from ...services.notices.mail_setup import smtp_config, store_name
        from ..dialogs.templates import TemplatesDialog

        entry = self.controller.entry
        sink = self.controller.mail_sink if entry is not None and entry.demo else None
        name = store_name(smtp_config(self.controller.settings, sink=sink, with_password=False))
        if name == "our store" and entry is not None:  # no sender set up yet: the store's label
            name = entry.label or name
        self.dialog = TemplatesDialog(
            self.controller.settings_folder, self, store_name=name, controller=self.controller
        )
        self.dialog.show()

    def open_sent_mail(self) -> None:
        from ..dialogs.sent_mail import SentMailDialog

        self.dialog = SentMailDialog(self.controller, self)
        self.dialog.show()
