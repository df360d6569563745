"""Settings: sync interval, default inventory location, release status."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

from ...domain.models import Location
from ...services.settings import RELEASE_STATUSES, Settings
from ..keyboard import keyboard_friendly


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, locations: list[Location], parent: QWidget | None = None
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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName(self.tr("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Sync every"), self.interval)
        form.addRow(self.tr("Default inventory location"), self.location)
        form.addRow(self.tr("Released orders move to"), self.release)
        form.addRow(buttons)
        keyboard_friendly(self)

    def result_settings(self) -> Settings:
        return replace(
            self._settings,
            sync_interval_minutes=self.interval.value(),
            default_location_id=self.location.currentData(),
            release_status_id=int(self.release.currentData()),
        )
