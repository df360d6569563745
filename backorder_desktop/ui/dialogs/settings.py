"""Settings: sync interval, the nightly job, default inventory location, release status."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTime, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from ...domain.models import Location
from ...services.settings import RELEASE_STATUSES, Settings
from ...services.sync_control.schedule import NightlyStatus
from ..formatting import format_date
from ..keyboard import keyboard_friendly
from ..plain_text import PlainLabel
from ..widgets import SAVE_CANCEL, named_buttons

KIND_NAMES = {
    "schtasks": "Windows Task Scheduler",
    "launchd": "a macOS LaunchAgent",
    "systemd": "a systemd user timer",
    "cron": "your crontab",
}


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: Settings,
        locations: list[Location],
        parent: QWidget | None = None,
        *,
        nightly: NightlyStatus | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self.interval = QSpinBox(self)
        self.interval.setRange(0, 24 * 60)
        self.interval.setSuffix(self.tr(" min"))
        self.interval.setSpecialValueText(self.tr("only on start and F5"))
        self.interval.setValue(settings.sync_interval_minutes)
        self.interval.setAccessibleName(self.tr("Sync interval"))
        self._build_nightly(settings, nightly)
        self.location = QComboBox(self)
        self.location.setAccessibleName(self.tr("Default inventory location"))
        self.location.addItem(self.tr("The store's default location"), None)
        for loc in locations:
            self.location.addItem(f"{loc.label} ({loc.code})", loc.id)
        index = self.location.findData(settings.default_location_id)
        self.location.setCurrentIndex(max(0, index))
        self.release = QComboBox(self)
        self.release.setAccessibleName(self.tr("Release status"))
        for status_id, name in RELEASE_STATUSES.items():
            self.release.addItem(name, status_id)
        self.release.setCurrentIndex(max(0, self.release.findData(settings.release_status_id)))
        buttons = named_buttons(self, SAVE_CANCEL)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Sync every"), self.interval)
        form.addRow(self.tr("Every night at…"), self.nightly_row)
        form.addRow("", self.nightly_state)
        form.addRow(self.tr("Last nightly run"), self.last_run_row)
        form.addRow(self.tr("Default inventory location"), self.location)
        form.addRow(self.tr("Released orders move to"), self.release)
        form.addRow(buttons)
        keyboard_friendly(self)

    def _build_nightly(self, settings: Settings, nightly: NightlyStatus | None) -> None:
        # The OS scheduler's job is the truth; the saved setting is what this window last set.
        installed_at = nightly.state.at if nightly is not None else None
        at = installed_at or settings.nightly_at
        self.nightly = QCheckBox(self.tr("Sync and send the due notices"), self)
        self.nightly.setAccessibleName(self.tr("Every night"))
        self.nightly.setChecked(bool(installed_at or (nightly is None and at)))
        self.nightly_time = QTimeEdit(self)
        self.nightly_time.setDisplayFormat("HH:mm")
        self.nightly_time.setAccessibleName(self.tr("Nightly time"))
        hour, minute = (int(p) for p in (at or "02:00").split(":"))
        self.nightly_time.setTime(QTime(hour, minute))
        self.nightly_time.setEnabled(self.nightly.isChecked())
        self.nightly.toggled.connect(self.nightly_time.setEnabled)
        self.nightly_row = QWidget(self)
        row = QHBoxLayout(self.nightly_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nightly)
        row.addWidget(self.nightly_time)
        row.addStretch(1)
        self._status = nightly
        self.nightly_state = PlainLabel(self._state_text(nightly), self)
        self.nightly_state.setWordWrap(True)
        self.nightly.toggled.connect(lambda _on: self.nightly_state.setText(self._state_text()))
        last = nightly.last if nightly is not None else None
        self.last_run = PlainLabel(self._last_text(nightly), self)
        self.last_run.setWordWrap(True)
        self.last_run.setAccessibleName(self.tr("Last nightly run"))
        self.open_preview = QPushButton(self.tr("What it sent…"), self)
        self.open_preview.setAccessibleName(self.tr("Open what the last nightly run sent"))
        self._preview = Path(last.preview) if last is not None and last.preview else None
        self.open_preview.setVisible(self._preview is not None)
        self.open_preview.clicked.connect(self._on_open_preview_clicked)
        self.last_run_row = QWidget(self)
        last_row = QHBoxLayout(self.last_run_row)
        last_row.setContentsMargins(0, 0, 0, 0)
        last_row.addWidget(self.last_run, 1)
        last_row.addWidget(self.open_preview)

    def _state_text(self, nightly: NightlyStatus | None = None) -> str:
        nightly = nightly or self._status
        if nightly is None:
            return self.tr("The computer's scheduler could not be read.")
        where = KIND_NAMES.get(nightly.state.kind, nightly.state.kind)
        if self.nightly.isChecked() != nightly.state.installed:
            return (
                self.tr("Once saved, {0} runs it every night, even with this window closed.")
                if self.nightly.isChecked()
                else self.tr(
                    "Once saved, the job is removed: notices go only when you click Notify."
                )
            ).format(where)
        if nightly.state.installed:
            return self.tr(
                "On: {0} runs it at {1}, even with this window closed. Customers get the "
                "same notices as with Notify, never one twice."
            ).format(where, nightly.state.at)
        return self.tr(
            "Off: notices go only when you click Notify. Turned on, the job is kept by {0}."
        ).format(where)

    def _last_text(self, nightly: NightlyStatus | None) -> str:
        last = nightly.last if nightly is not None else None
        if last is None:
            return self.tr("never")
        try:
            local = datetime.fromisoformat(last.started).astimezone()
            when = f"{format_date(local.date())} {local:%H:%M}"
        except ValueError:
            when = last.started
        return f"{when}: {last.summary()}"

    def _on_open_preview_clicked(self) -> None:
        if self._preview is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._preview)))

    def nightly_at(self) -> str:
        """ "HH:MM" when the nightly job is chosen, else ""."""
        if not self.nightly.isChecked():
            return ""
        return self.nightly_time.time().toString("HH:mm")

    def result_settings(self) -> Settings:
        return replace(
            self._settings,
            nightly_at=self.nightly_at(),
            sync_interval_minutes=self.interval.value(),
            default_location_id=self.location.currentData(),
            release_status_id=int(self.release.currentData()),
        )
