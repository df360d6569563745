"""Notice templates editor: subject, intro, HTML and text parts, live preview, placeholders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.notice_log import KIND_LABELS
from ...mail.default_templates import DEFAULTS, TemplateSet
from ...mail.templates import PLACEHOLDERS, TemplateError, validate_template
from ...services.notices.mail_setup import (
    load_templates,
    reset_template,
    save_template,
    share_templates,
)
from ..keyboard import keyboard_friendly
from ..plain_text import OfflineTextBrowser, PlainLabel, ask
from ..store_controller import StoreController
from ..theme import colours
from ..widgets import fit_to_screen

PREVIEW_DEBOUNCE_MS = 250


class TemplatesDialog(QDialog):
    """A template with an error is shown with the error and is never saved."""

    def __init__(
        self,
        folder: Path,
        parent: QWidget | None = None,
        *,
        store_name: str = "Your Store",
        controller: StoreController | None = None,
    ) -> None:
        """`store_name`: what the preview signs with (the name the real notices use). With a
        `controller` the templates are the store's shared ones, and a save is shared."""
        super().__init__(parent)
        self.controller = controller
        self.store_name = store_name
        self._shown_kind = ""  # the kind whose texts the fields hold
        # Tests (and the window) may swap this for a stub: Save / Discard / Cancel.
        self.ask_unsaved = self._ask_unsaved
        self.setWindowTitle(self.tr("Notice templates"))
        self.folder = folder
        self.templates = load_templates(folder, self._cache())
        self.kind = QComboBox(self)
        self.kind.setAccessibleName(self.tr("Notice kind"))
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(self.tr(label), kind)
        self.subject = QLineEdit(self)
        self.subject.setAccessibleName(self.tr("Subject template"))
        self.intro = QPlainTextEdit(self)
        self.intro.setAccessibleName(self.tr("Default intro"))
        self.intro.setMaximumHeight(80)
        self.html = QPlainTextEdit(self)
        self.html.setAccessibleName(self.tr("HTML template"))
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(self.tr("Plain text template"))
        self.sources = QTabWidget(self)
        self.sources.setAccessibleName(self.tr("Template parts"))
        self.sources.addTab(self.html, self.tr("HTML part"))
        self.sources.addTab(self.text, self.tr("Text part"))

        self.preview_html = OfflineTextBrowser(self)
        self.preview_html.setAccessibleName(self.tr("HTML preview"))
        self.preview_text = QPlainTextEdit(self)
        self.preview_text.setReadOnly(True)
        self.preview_text.setAccessibleName(self.tr("Text preview"))
        self.preview_subject = PlainLabel(self)
        self.preview_subject.setWordWrap(True)
        self.previews = QTabWidget(self)
        self.previews.setAccessibleName(self.tr("Preview parts"))
        self.previews.addTab(self.preview_html, self.tr("HTML preview"))
        self.previews.addTab(self.preview_text, self.tr("Text preview"))
        help_text = "\n".join(f"{{{{ {name} }}}}: {what}" for name, what in PLACEHOLDERS.items())
        placeholders = PlainLabel(self.tr("Placeholders:\n") + help_text, self)
        placeholders.setWordWrap(True)

        self.error = PlainLabel(self)
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Template error"))
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setAccessibleName(self.tr("Save template"))
        self.reset_button = QPushButton(self.tr("Reset to default"), self)
        self.reset_button.setAccessibleName(self.tr("Reset template to default"))
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setAccessibleName(self.tr("Close"))
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        self.close_button.clicked.connect(self.reject)

        editor = QWidget(self)
        form = QFormLayout()
        form.addRow(self.tr("Notice"), self.kind)
        form.addRow(self.tr("Subject"), self.subject)
        form.addRow(self.tr("Intro"), self.intro)
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.sources, 1)
        editor_layout.addWidget(placeholders)
        preview = QWidget(self)
        preview_layout = QVBoxLayout(preview)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(self.preview_subject)
        preview_layout.addWidget(self.previews, 1)
        splitter = QSplitter(self)
        splitter.addWidget(editor)
        splitter.addWidget(preview)
        splitter.setSizes([600, 500])
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        keyboard_friendly(self)
        fit_to_screen(self, 1200, 760)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.subject.textChanged.connect(lambda _t: self._timer.start())
        for edit in (self.intro, self.html, self.text):
            edit.textChanged.connect(self._timer.start)
        self._load_kind()

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def edited(self) -> TemplateSet:
        return TemplateSet(
            subject=self.subject.text(),
            intro=self.intro.toPlainText(),
            html=self.html.toPlainText(),
            text=self.text.toPlainText(),
        )

    def unsaved(self) -> bool:
        """The fields differ from the saved template of the kind they show."""
        return bool(self._shown_kind) and self.edited() != self.templates[self._shown_kind]

    def _ask_unsaved(self) -> QMessageBox.StandardButton:
        label = self.kind.itemText(max(0, self.kind.findData(self._shown_kind)))
        return ask(
            self,
            self.tr("Unsaved template"),
            self.tr("The {0} template has changes that are not saved. Save them?").format(label),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )

    def _settle_unsaved(self) -> bool:
        """Before the edits leave the screen: save, drop or stay. True when they may go."""
        if not self.unsaved():
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            shown = self.kind.findData(self._shown_kind)
            current = self.kind.currentIndex()
            self.kind.blockSignals(True)
            self.kind.setCurrentIndex(shown)
            saved = self.save()
            self.kind.setCurrentIndex(current)
            self.kind.blockSignals(False)
            return saved
        return answer == QMessageBox.StandardButton.Discard

    def _on_kind_changed(self, *_: object) -> None:
        if self._settle_unsaved():
            self._load_kind()
            return
        self.kind.blockSignals(True)  # stay on the edited kind
        self.kind.setCurrentIndex(self.kind.findData(self._shown_kind))
        self.kind.blockSignals(False)

    def reject(self) -> None:  # Close, Esc and the window's X (QDialog's closeEvent) come here
        if self._settle_unsaved():
            self._shown_kind = ""  # settled: closeEvent must not ask again
            super().reject()

    def _load_kind(self, *_: object) -> None:
        self._shown_kind = self.current_kind()
        template = self.templates[self.current_kind()]
        for widget, value in (
            (self.subject, template.subject),
            (self.intro, template.intro),
            (self.html, template.html),
            (self.text, template.text),
        ):
            widget.blockSignals(True)
            if isinstance(widget, QLineEdit):
                widget.setText(value)
            else:
                widget.setPlainText(value)
            widget.blockSignals(False)
        self.reset_button.setEnabled(template != DEFAULTS[self.current_kind()])
        self.refresh_preview()

    def _show_error(self, text: str) -> None:
        self.error.setStyleSheet(f"color: {colours().failed.name()}")
        self.error.setText(text)

    def _show_ok(self, text: str) -> None:
        self.error.setStyleSheet(f"color: {colours().ok.name()}")
        self.error.setText(text)

    def refresh_preview(self) -> bool:
        """Render a sample notice; on an error show it and keep the last good preview."""
        self._timer.stop()
        try:
            rendered = validate_template(
                self.current_kind(), self.edited(), store_name=self.store_name
            )
        except TemplateError as exc:
            self._show_error(str(exc))
            return False
        self.error.setText("")
        self.preview_subject.setText(self.tr("Subject: {0}").format(rendered.subject))
        self.preview_html.setHtml(rendered.html)
        self.preview_text.setPlainText(rendered.text)
        return True

    def save(self) -> bool:
        kind = self.current_kind()
        try:
            save_template(self.folder, kind, self.edited(), self._cache())
        except TemplateError as exc:
            self._show_error(str(exc) + " " + self.tr("The template was not saved."))
            return False
        except OSError as exc:
            self._show_error(self.tr("Could not save the template: {0}").format(exc))
            return False
        self.templates = load_templates(self.folder, self._cache())
        self.reset_button.setEnabled(self.templates[kind] != DEFAULTS[kind])
        self._show_ok(self.tr("Saved."))
        self._share()
        return True

    def _cache(self) -> Any:
        session = self.controller.session if self.controller is not None else None
        return session.cache if session is not None and session.cache_exists else None

    def _share(self) -> None:
        """Every laptop of the store uses the same templates: publish them (off the GUI
        thread; they wait in the outbox when offline)."""
        if self._cache() is None or self.controller is None:
            return
        folder = self.folder
        self.controller.run_action("share templates", lambda s: share_templates(s.cache, folder))

    def reset(self) -> None:
        reset_template(self.folder, self.current_kind(), self._cache())
        self.templates = load_templates(self.folder, self._cache())
        self._share()
        self._load_kind()
        self._show_ok(self.tr("Back to the default template."))
