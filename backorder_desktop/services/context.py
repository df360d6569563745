"""Where the app's files are and what the merchant chose: resolved once, for window and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backorder_desktop.services.logs import setup_logging
from backorder_desktop.services.paths import default_data_dir, log_dir
from backorder_desktop.services.settings import Settings, load_settings, save_settings, settings_dir


@dataclass
class AppContext:
    """The data dir, the settings folder and the one live copy of the settings.

    Every front end reads the settings from here, so a choice made in the window (say the
    release status) is what `release` uses too: both resolve the folder the same way.
    """

    data_dir: Path
    settings_folder: Path
    settings: Settings = field(default_factory=Settings)
    settings_warning: str | None = None  # the saved file was unreadable: defaults in use
    log_file: Path | None = None

    @property
    def data_dir_chosen(self) -> bool:
        """True when the merchant gave `--data-dir` (settings then live in it too)."""
        return self.settings_folder == self.data_dir

    def save_settings(self, settings: Settings | None = None) -> None:
        """Make `settings` the live copy (if given) and write it atomically."""
        if settings is not None:
            self.settings = settings
        save_settings(self.settings_folder, self.settings)


def resolve_context(data_dir: Path | str | None) -> AppContext:
    """The context for an explicit `--data-dir` (everything lives there) or the platform's
    default folders (data in the user data dir, settings in the user config dir)."""
    explicit = Path(data_dir).expanduser() if data_dir else None
    folder = settings_dir(explicit)
    settings, warning = load_settings(folder)
    return AppContext(
        data_dir=explicit or default_data_dir(),
        settings_folder=folder,
        settings=settings,
        settings_warning=warning,
    )


def open_context(args: Any, *, with_logging: bool = True) -> AppContext:
    """The context of one run (`args.data_dir` from the command line), resolved once: a second
    call with the same `args` returns the same object."""
    existing = getattr(args, "context", None)
    if isinstance(existing, AppContext):
        return existing
    context = resolve_context(getattr(args, "data_dir", None))
    if with_logging:
        context.log_file = setup_logging(log_dir(context.data_dir))
    try:
        args.context = context
    except AttributeError:  # a plain object without attributes: nothing to remember it on
        pass
    return context
