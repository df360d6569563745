"""Notify customers: who gets what (rendered HTML and text), edit the intro, send."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...domain.notice_log import CONSENT, DELAY, KIND_LABELS
from ...domain.notices import DueNotice
from ...mail.smtp import MailError
from ...mail.templates import NoticeRenderer, TemplateError
from ...services.notices.mail_setup import load_templates, smtp_config, store_name
from ...services.notices.notify import (
    NoticeOptions,
    NoticePlan,
    SendReport,
    count_text,
    line_options,
    prepare_notices,
)
from ...services.notices.notify_now import notify_now
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..store_controller import StoreController
from ..tasks import Task
from ..theme import colours
from ..widgets import fit_to_screen
from .dates_needed import DatesNeededBar
from .message_parts import MessageParts
from .notify_recipients import RecipientsPane


class NotifyPreviewDialog(QDialog):
    """Preview every due notice, then send them in the background over one SMTP connection."""

    def __init__(
        self,
        controller: StoreController,
        plan: NoticePlan,
        parent: QWidget | None = None,
        *,
        scope_note: str = "",
    ):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Notify customers"))
        self.controller = controller
        self.plan = plan
        session = controller.session
        cache = session.cache if session is not None and session.cache_exists else None
        self.renderer = NoticeRenderer(load_templates(controller.settings_folder, cache))
        self.intros = {kind: self.renderer.default_intro(kind) for kind in KIND_LABELS}
        self.line_options = line_options(plan)
        self.task: Task | None = None
        self.report: SendReport | None = None
        # Without the password: the keychain is read once, on the worker, when sending.
        settings = controller.settings
        self.store_name = store_name(smtp_config(settings, sink=self._sink(), with_password=False))

        kinds = Counter(KIND_LABELS.get(n.kind, n.kind) for n in plan.due)
        summary = PlainLabel(
            self.tr("{0}: {1}.").format(
                count_text(plan.due),
                ", ".join(f"{n} × {label}" for label, n in sorted(kinds.items())),
            )
            + (f"\n{scope_note}" if scope_note else ""),
            self,
        )
        summary.setAccessibleName(self.tr("What will be sent"))
        summary.setWordWrap(True)

        self.recipients = RecipientsPane(plan.due, self)
        self.view = self.recipients.view
        self.exclude_button = self.recipients.exclude_button
        self.recipients.changed.connect(self._update_send_button)

        self.intro_kind = QComboBox(self)
        self.intro_kind.setAccessibleName(self.tr("Intro for notice kind"))
        for kind in sorted({n.kind for n in plan.due}, key=list(KIND_LABELS).index):
            self.intro_kind.addItem(KIND_LABELS[kind], kind)
        self.intro = QPlainTextEdit(self)
        self.intro.setAccessibleName(self.tr("Intro text"))
        self.intro.setMaximumHeight(90)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName(self.tr("Delay reason"))
        self.reason.setPlaceholderText(self.tr("Optional: why the delay (shown to customers)"))
        self.reason.setEnabled(any(n.kind in (DELAY, CONSENT) for n in plan.due))
        self.subject = PlainLabel(self)
        self.subject.setWordWrap(True)
        self.parts = MessageParts(self)
        self.html, self.text = self.parts.html, self.parts.text
        self.error = PlainLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {colours().failed.name()}")
        right = QWidget(self)
        form = QFormLayout()
        form.addRow(self.tr("Intro for"), self.intro_kind)
        form.addRow(self.tr("Intro"), self.intro)
        form.addRow(self.tr("Delay reason"), self.reason)
        form.addRow(self.tr("Subject"), self.subject)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(form)
        right_layout.addWidget(self.parts, 1)
        right_layout.addWidget(self.error)

        splitter = QSplitter(self)
        splitter.addWidget(self.recipients)
        splitter.addWidget(right)
        splitter.setSizes([560, 520])

        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(self.tr("Sending progress"))
        self.progress.setVisible(False)
        self.result = PlainLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName(self.tr("Send result"))
        self.send_button = QPushButton(self)
        # Sending cannot be taken back: never the button Enter presses (issue 18).
        self.send_button.setAutoDefault(False)
        self.send_button.setDefault(False)
        self.cancel_button = QPushButton(self.tr("Stop sending"), self)
        self.cancel_button.setAccessibleName(self.tr("Stop sending"))
        self.cancel_button.setVisible(False)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setAccessibleName(self.tr("Close"))
        self.send_button.clicked.connect(self.send)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.close_button.clicked.connect(self.reject)
        self.progress.setMinimumWidth(320)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if plan.unconfirmed:
            warning = PlainLabel(
                self.tr(
                    "{0} notices may already have been sent when the app stopped (the mail "
                    "server never confirmed them). They count as sent and will not be sent again; "
                    "check your mail provider's sent log if in doubt."
                ).format(len(plan.unconfirmed)),
                self,
            )
            warning.setWordWrap(True)
            warning.setStyleSheet(f"color: {colours().warning.name()}")
            layout.addWidget(warning)
        # Lines promising nothing until staff date them (issue 14), and the action that does.
        self.dates_needed = DatesNeededBar(controller, plan.state.queue if plan.state else [])
        layout.addWidget(self.dates_needed)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        keyboard_friendly(self)
        fit_to_screen(self, 1180, 720)

        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(200)
        self._render_timer.timeout.connect(self.render_current)
        self.intro_kind.currentIndexChanged.connect(self._on_intro_kind_changed)
        self.intro.textChanged.connect(self._on_intro_text_changed)
        self.reason.textChanged.connect(lambda _t: self._render_timer.start())
        self.view.selection_changed.connect(self.render_current)
        self._on_intro_kind_changed()
        self.view.table.selectRow(0)
        self.view.table.setFocus()
        self._update_send_button()
        self.render_current()

    # --- preview ------------------------------------------------------------------------------
    def included(self) -> list[DueNotice]:
        """What Send sends (RecipientsPane.included)."""
        return self.recipients.included()

    def _update_send_button(self) -> None:
        included = self.included()
        count = len(included)
        text = self.tr("Send {0}").format(count_text(included))
        if self.recipients.filtered():
            text += self.tr(" (only the rows shown)")
        self.send_button.setText(text)
        self.send_button.setAccessibleName(self.send_button.text())
        self.send_button.setEnabled(count > 0 and self.task is None and self.report is None)

    def _on_intro_kind_changed(self, *_: object) -> None:
        kind = self.intro_kind.currentData()
        self.intro.blockSignals(True)
        self.intro.setPlainText(self.intros.get(kind, ""))
        self.intro.blockSignals(False)

    def _on_intro_text_changed(self) -> None:
        kind = self.intro_kind.currentData()
        if kind:
            self.intros[kind] = self.intro.toPlainText()
        self._render_timer.start()

    def options(self) -> NoticeOptions:
        return NoticeOptions(
            store_name=self.store_name,
            intros=dict(self.intros),
            reason=self.reason.text(),
            excluded=self.recipients.excluded_keys(),
            store_url=self.controller.settings.store_url,
            shop_contact=self.controller.settings.shop_contact,
            line_options=self.line_options,
        )

    def _sink(self) -> tuple[str, int] | None:
        entry = self.controller.entry
        return self.controller.mail_sink if entry is not None and entry.demo else None

    def render_current(self) -> None:
        recipient = self.recipients.current()
        if recipient is None:
            self.subject.setText("")
            self.html.setHtml("")
            self.text.setPlainText("")
            return
        try:
            options = self.options()
            [prepared] = prepare_notices(
                [recipient.notice], self.renderer, replace(options, excluded=frozenset())
            )
        except TemplateError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        to = f"{recipient.notice.customer_name} <{recipient.notice.email}>"
        self.subject.setText(f"{prepared.mail.subject}\n{self.tr('To')}: {to}")
        self.html.setHtml(prepared.mail.html)
        self.text.setPlainText(prepared.mail.text)

    # --- sending ------------------------------------------------------------------------------
    def send(self) -> None:
        session = self.controller.session
        if session is None:
            return
        settings, sink = self.controller.settings, self._sink()
        try:
            smtp_config(settings, sink=sink, with_password=False).check()
        except MailError as exc:
            self.result.setText(exc.message)
            return
        options = self.options()
        wanted = {n.key for n in self.included()}
        renderer = self.renderer
        checkin_days = self.controller.settings.checkin_days
        checkin_max = self.controller.settings.checkin_max

        def work(progress: Any, cancelled: Any) -> SendReport:
            config = smtp_config(settings, sink=sink)  # reads the keychain: not on the GUI thread
            # The same use case as the CLI's `notify` (services/notices/notify_now.py): re-read other
            # laptops' notices, plan, keep only what the merchant previewed, claim, send, push.
            done = notify_now(
                session,
                config,
                renderer,
                options,
                checkin_days=checkin_days,
                checkin_max=checkin_max,
                only=wanted,
                progress=progress,
                cancelled=cancelled,
            )
            return done.result.report

        self.progress.setRange(0, len(wanted))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.result.setText(self.tr("Sending…"))
        self.task = self.controller.runner.run(
            "notify",
            work,
            on_success=self._on_task_succeeded,
            on_error=self._on_task_failed,
            on_bug=self._on_task_bug,
            on_progress=self._on_task_progressed,
        )
        self._update_send_button()

    def _on_task_progressed(self, _stage: str, done: Any, total: Any) -> None:
        self.progress.setRange(0, int(total))
        self.progress.setValue(int(done))

    def _on_cancel_clicked(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _finish(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self._update_send_button()
        self.controller.reload_rows()

    def _on_task_succeeded(self, report: SendReport) -> None:
        self.report = report
        lines = [
            self.tr("Sent {0} notices.").format(len(report.sent)),
        ]
        if report.failed:
            lines.append(self.tr("Failed {0}:").format(len(report.failed)))
            lines += [f"  #{item.notice.order_id} {item.notice.email}: {error}"
                      for item, error in report.failed]  # fmt: skip
        if report.uncertain:
            lines.append(
                self.tr("{0} may have been sent when the connection broke (not re-sent).").format(
                    len(report.uncertain)
                )
            )
        if report.not_sent:
            lines.append(self.tr("{0} not sent: {1}").format(len(report.not_sent), report.error))
        if report.skipped_duplicates:
            lines.append(
                self.tr("{0} skipped: already sent or no longer due.").format(
                    report.skipped_duplicates
                )
            )
        self.result.setText("\n".join(lines))
        self._finish()

    def _on_task_failed(self, _exc: BaseException, message: str) -> None:
        self.result.setText(message)
        self._finish()

    def _on_task_bug(self, _exc: BaseException, details: str) -> None:
        self.controller.runner.bug_found.emit(details)
        self.result.setText(self.tr("Sending stopped on an unexpected error."))
        self._finish()

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()  # stops between two emails; what was sent is recorded
        super().reject()
