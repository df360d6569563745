"""Notice templates editor: subject, intro, HTML and text parts, live preview, placeholders."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
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
from ...services.mail_setup import load_templates, reset_template, save_template
from ..plain_text import OfflineTextBrowser, PlainLabel
from ..theme import colours

PREVIEW_DEBOUNCE_MS = 250


class TemplatesDialog(QDialog):
    """A template with an error is shown with the error and is never saved."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Notice templates"))
        self.folder = folder
        self.templates = load_templates(folder)
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
        self.resize(1200, 760)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.kind.currentIndexChanged.connect(self._load_kind)
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

    def _load_kind(self, *_: object) -> None:
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
            rendered = validate_template(self.current_kind(), self.edited())
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
            save_template(self.folder, kind, self.edited())
        except TemplateError as exc:
            self._show_error(str(exc) + " " + self.tr("The template was not saved."))
            return False
        except OSError as exc:
            self._show_error(self.tr("Could not save the template: {0}").format(exc))
            return False
        self.templates = load_templates(self.folder)
        self.reset_button.setEnabled(self.templates[kind] != DEFAULTS[kind])
        self._show_ok(self.tr("Saved."))
        return True

    def reset(self) -> None:
        reset_template(self.folder, self.current_kind())
        self.templates = load_templates(self.folder)
        self._load_kind()
        self._show_ok(self.tr("Back to the default template."))
