"""The window's flows: first start, connecting and switching stores, dialogs, crash reports."""

from __future__ import annotations

import copy
import logging
import sys
import traceback
from dataclasses import replace
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLineEdit

from ..services.context import AppContext
from ..services.credentials import (
    KeychainUnavailableError,
    get_token,
    keychain_status,
    save_token,
)
from ..services.forget import Forgotten, forget_store
from ..services.logs import log_tail, register_secret
from ..services.settings import Settings, StoreEntry, save_settings
from ..services.views import ViewRows
from .dialogs.connect import ConnectDialog
from .dialogs.crash import CrashDialog
from .dialogs.settings import SettingsDialog
from .dialogs.welcome import WelcomeDialog
from .main_window import MainWindow
from .nightly import NightlyInWindow, apply_nightly_choice, gather_settings_inputs
from .plain_text import Button, ask, ask_text, inform
from .rows_reader import LoadedRows
from .store_controller import StoreController
from .store_records import StoreRecordsDialogs
from .tasks import Task, TaskRunner

log = logging.getLogger("backorder_desktop.ui")


class AppShell(QObject):
    crashed = Signal(str)
    store_forgotten = Signal(object)  # Forgotten: the token, cache file (and mail password) gone

    def __init__(
        self,
        context: AppContext,
        runner: TaskRunner,
        controller: StoreController,
        *,
        interactive: bool = True,
    ) -> None:
        """Built by the composition root (app.py: `build_shell`), which owns the graph."""
        super().__init__()
        self.context = context
        self.data_dir = context.data_dir
        self.settings_folder = context.settings_folder
        assert context.log_file is not None, "the context sets up logging before the window"
        self.log_file = context.log_file
        self.interactive = interactive
        self.qsettings = QSettings(
            str(self.settings_folder / "window.ini"), QSettings.Format.IniFormat
        )
        # Not parented to the shell: the composition root owns the runner, and the window's
        # controller keeps using it until the window itself is gone.
        self.runner = runner
        self.controller = controller
        self.controller.settings_saved.connect(self._on_controller_settings_saved)
        self.mail_sink: Any = None
        self.demo_mailbox: Any = None  # demo mode: the IMAP server customers' replies wait in
        self.window = MainWindow(self.controller, self.log_file.parent)
        self.window.restore_state(self.qsettings)
        self.nightly = NightlyInWindow(self.controller)  # the nightly job's time, window open
        self.demo_store: Any = None
        self._session_tokens: dict[str, str] = {}  # tokens typed this session (no keychain)
        self.crash_dialog: CrashDialog | None = None
        self.records = StoreRecordsDialogs(
            self.controller, self.runner, self.window, self.report_bug
        )

        self.window.connect_requested.connect(self.connect_store)
        self.window.store_switch_requested.connect(self.switch_store)
        self.window.settings_requested.connect(self.show_settings)
        self.window.outbox_requested.connect(self.records.show_outbox)
        self.window.conflicts_requested.connect(self.records.show_conflicts)
        self.window.store_check_requested.connect(self.records.show_store_check)
        self.window.forget_requested.connect(self.forget_current_store)
        self.runner.bug_found.connect(self.report_bug)
        self.controller.token_rejected.connect(self._on_controller_token_rejected)
        self.window.set_stores(self.settings.stores, self.settings.current_store)

    @property
    def settings(self) -> Settings:
        """The one live copy (the context's), shared with the controller."""
        return self.context.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.context.settings = settings

    # --- start ------------------------------------------------------------------------------
    def start(self, *, demo: bool) -> None:
        self.window.show()
        if not demo:  # secrets live in memory only without a keychain: the merchant must know
            self.runner.run(  # asking the OS for its keychain may block: off the GUI thread
                "keychain status",
                lambda **_: keychain_status(),
                on_success=lambda status: self.window.show_error(status) if status else None,
            )
        if demo:
            self.start_demo()
        elif self.settings.current_store and self.settings.store(self.settings.current_store):
            self.switch_store(self.settings.current_store)
        elif self.interactive:
            QTimer.singleShot(0, self.show_welcome)

    def show_welcome(self) -> None:
        dialog = WelcomeDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        if dialog.choice == WelcomeDialog.DEMO:
            self.start_demo()
        elif dialog.choice == WelcomeDialog.CONNECT:
            self.connect_store()

    def start_demo(self) -> None:
        # Imported here: the demo store is a separate server, started only on request.
        from ..demo_store import DemoStore

        if self.demo_store is None:
            self.demo_store = DemoStore(data_dir=self.data_dir).start()
        if self.mail_sink is None:
            # Demo notices go to an embedded SMTP sink; the "Sent mail" viewer reads its folder.
            from ..demo_store.mail_sink import MailSink

            # Demo customers answer some notices; their replies wait in the demo mailbox.
            self.mail_sink = MailSink(self.data_dir, auto_replies=True).start()
            self.controller.mail_sink = (self.mail_sink.host, self.mail_sink.port)
            self.controller.mail_sink_folder = self.mail_sink.folder
        if self.demo_mailbox is None:
            # The demo inbox over IMAP (loopback): "Fetch replies" reads it as a real one.
            from ..demo_store.demo_replies import demo_inbox
            from ..demo_store.imap_server import ImapServer
            from ..services.notices.replies import DEMO_IMAP_PASSWORD, DEMO_IMAP_USER

            self.demo_mailbox = ImapServer(
                demo_inbox(self.data_dir), user=DEMO_IMAP_USER, password=DEMO_IMAP_PASSWORD
            ).start()
            self.controller.demo_mailbox = (self.demo_mailbox.host, self.demo_mailbox.port)
        store = self.demo_store
        register_secret(store.token)
        entry = StoreEntry(store.store_hash, store.api_url, "Demo store", demo=True)
        self._remember(entry)
        self.controller.open_store(entry, store.token)

    def stop(self) -> None:
        self.window.save_state(self.qsettings)
        self.qsettings.sync()
        self.controller.close_store()
        if self.demo_store is not None:
            self.demo_store.stop()
            self.demo_store = None
        if self.mail_sink is not None:
            self.mail_sink.stop()
            self.mail_sink = None
        if self.demo_mailbox is not None:
            self.demo_mailbox.stop()
            self.demo_mailbox = None

    # --- stores -----------------------------------------------------------------------------
    def _remember(self, entry: StoreEntry) -> None:
        self.settings.add_store(entry)
        self._save_settings()
        self.window.set_stores(self.settings.stores, entry.store_hash)

    def _on_controller_settings_saved(self, settings: Settings) -> None:
        self.settings = settings
        self._save_settings()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings_folder, self.settings)
        except OSError as exc:
            self.window.show_error(f"Settings could not be saved: {exc}")

    def forget_current_store(self, *, confirm: bool = True) -> Task | None:
        """File > Forget this store: its token and (with the last store) the mail password
        leave the keychain, its cache file is deleted (off the GUI thread: a keychain may
        block or ask; `store_forgotten` follows). BigCommerce keeps everything."""
        entry = self.controller.entry
        if entry is None:
            self.window.show_error(self.tr("No store is open."))
            return None
        name = entry.label or entry.store_hash
        question = self.tr(
            "Forget {0} on this computer?\n\nIts access token is deleted from the keychain and "
            "its local cache file is deleted; changes still waiting in the outbox are lost. "
            "The store itself on BigCommerce is not changed. The mail password is deleted with "
            "the last store."
        ).format(name)
        if confirm and ask(self.window, self.tr("Forget this store"), question) != Button.Yes:
            return None
        self.controller.close_store()
        self._session_tokens.pop(entry.store_hash, None)
        self.controller.entry = None
        self.controller.rows_loaded.emit(LoadedRows(ViewRows()))
        self.window.connection_label.setText(self.tr("Not connected"))
        # The worker changes a copy; the live settings take its store list once it is done.
        scratch = copy.deepcopy(self.settings)
        data_dir = self.data_dir

        def work(**_: Any) -> Forgotten:
            return forget_store(data_dir, scratch, entry.store_hash)

        def done(result: Forgotten) -> None:
            self.settings.stores = scratch.stores
            self.settings.current_store = scratch.current_store
            self._save_settings()
            self.window.set_stores(self.settings.stores, self.settings.current_store)
            self.window.show_error(self.tr("{0} was forgotten on this computer.").format(name))
            self.store_forgotten.emit(result)

        return self.runner.run("forget store", work, on_success=done)

    def connect_store(self) -> None:
        dialog = ConnectDialog(self.runner, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.entry is None:
            return
        entry, token = dialog.entry, dialog.token

        def saved(warning: str) -> None:
            if warning:
                inform(self.window, self.tr("No keychain"), warning)
            self._remember(entry)
            self.controller.open_store(entry, token)

        self.keep_token(entry, token, then=saved)

    def keep_token(self, entry: StoreEntry, token: str, *, then: Any) -> None:
        """Into the keychain off the GUI thread (a keychain may block, or ask the user);
        with no keychain the token is kept for this session and `then(warning)` says so."""

        def work(**_: Any) -> str:
            try:
                save_token(entry.store_hash, token)
            except KeychainUnavailableError as exc:
                return str(exc)
            return ""

        def done(warning: str) -> None:
            if warning:
                self._session_tokens[entry.store_hash] = token
            then(warning)

        self.runner.run("save token", work, on_success=done)

    def switch_store(self, store_hash: str) -> None:
        entry = self.settings.store(store_hash)
        if entry is None:
            return
        if entry.demo:
            self.start_demo()
            return
        known = self._session_tokens.get(store_hash)
        if known:
            self._open_with_token(entry, known)
            return
        self.runner.run(  # the keychain is read off the GUI thread
            "read token",
            lambda **_: get_token(store_hash) or "",
            on_success=lambda token: self._open_with_token(entry, token),
        )

    def _open_with_token(self, entry: StoreEntry, token: str) -> None:
        store_hash = entry.store_hash
        if not token and self.interactive:
            # No keychain (e.g. Linux without one): the cache first, then the question, so the
            # window is not empty while the merchant looks for the token.
            self.controller.open_cached(entry, then=lambda: self._ask_token_then_open(entry))
            return
        if not token:
            self.window.show_error(
                f"No token for {entry.label or store_hash}: reconnect it with File > Connect a store."
            )
            return
        self.settings.current_store = store_hash
        self._save_settings()
        self.controller.open_store(entry, token)

    def _ask_token_then_open(self, entry: StoreEntry) -> None:
        if self.controller.entry is None or self.controller.entry.store_hash != entry.store_hash:
            return  # another store was opened meanwhile
        token = self._ask_token(entry)
        if not token:
            self.window.show_error(
                f"Showing {entry.label or entry.store_hash} from the cache: no token, so "
                "nothing is synced or sent. Reconnect it with File > Connect a store."
            )
            return
        self.settings.current_store = entry.store_hash
        self._save_settings()
        self.controller.open_store(entry, token)

    def _on_controller_token_rejected(self, entry: StoreEntry) -> None:
        """Pushing is paused: ask for a new token; with it, reopen the store (the outbox goes
        out first, then the sync)."""
        token = self.ask_new_token(entry) if self.interactive else ""
        if not token:
            self.window.show_error(
                f"BigCommerce refused the access token for {entry.label or entry.store_hash}. "
                "Pushing is paused and your changes wait in the outbox: reconnect the store "
                "(File > Connect a store) with a new token."
            )
            return
        # No keychain: the token is kept for this session only.
        self.keep_token(
            entry, token, then=lambda _warning: self.controller.open_store(entry, token)
        )

    def ask_new_token(self, entry: StoreEntry) -> str:
        return self._ask_secret(
            self.tr("New access token"),
            self.tr(
                "BigCommerce refused the access token for {0} (revoked or expired).\n"
                "Pushing is paused; your changes wait in the outbox.\n"
                "Paste a new token to carry on:"
            ).format(entry.label or entry.store_hash),
        )

    def _ask_token(self, entry: StoreEntry) -> str:
        token = self._ask_secret(
            self.tr("Access token"),
            self.tr(
                "No keychain holds the token for {0}.\n"
                "Paste it to connect (it is kept in memory only until you quit):"
            ).format(entry.label or entry.store_hash),
        )
        if token:
            self._session_tokens[entry.store_hash] = token
        return token

    def _ask_secret(self, title: str, text: str) -> str:
        """A token typed in a password box, or "" if cancelled; from then on it is redacted
        wherever it could show (logs, crash reports)."""
        secret, ok = ask_text(self.window, title, text, QLineEdit.EchoMode.Password)
        secret = secret.strip() if ok else ""
        if secret:
            register_secret(secret)
        return secret

    # --- dialogs ----------------------------------------------------------------------------
    def show_settings(self) -> None:
        # The cache and the OS scheduler are read off the GUI thread.
        self.runner.run(
            "settings",
            gather_settings_inputs(self.controller),
            on_success=lambda found: self._show_settings_dialog(*found),
        )

    def _show_settings_dialog(self, locations: list[Any], nightly: Any = None) -> None:
        dialog = SettingsDialog(self.settings, locations, self.window, nightly=nightly)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            # The nightly time is saved once the OS scheduler has taken it (apply_nightly_choice).
            chosen = replace(dialog.result_settings(), nightly_at=self.settings.nightly_at)
            self.controller.save_settings(chosen)  # the shell writes them
            apply_nightly_choice(self.controller, dialog.nightly_at(), nightly)

    # --- bugs -------------------------------------------------------------------------------
    def report_bug(self, details: str) -> None:
        """The crash dialog (the task runner or the excepthook logged the traceback)."""
        self.crashed.emit(details)
        if self.crash_dialog is not None and self.crash_dialog.isVisible():
            return
        self.crash_dialog = CrashDialog(details, log_tail(self.log_file), self.window)
        self.crash_dialog.show()

    def install_excepthook(self) -> None:
        def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
            if issubclass(kind, KeyboardInterrupt):
                sys.__excepthook__(kind, exc, tb)
                return
            details = "".join(traceback.format_exception(kind, exc, tb))
            log.error("unexpected error:\n%s", details)
            self.report_bug(details)

        sys.excepthook = hook
