"""A second window on the same data dir: say so, and bring the running one to the front."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMessageBox, QWidget

RAISE = b"raise\n"
_NO_WINDOW_MANAGER = ("offscreen", "minimal")  # raising there only prints a Qt warning
_TIMEOUT_MS = 1500


class InstanceServer(QObject):
    """Listens on the data dir's channel; `raise_requested` when a second instance asks."""

    raise_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)

    def listen(self) -> bool:
        # We hold the data dir lock, so a channel left by a crashed instance is stale.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.disconnected.connect(socket.deleteLater)

    def _on_socket_ready_read(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket):
            return
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            socket.write(b"ok\n")
            socket.flush()
            self.raise_requested.emit()


def ask_running_instance_to_raise(name: str) -> bool:
    """True when an instance answered on `name` and was asked to come to the front."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(RAISE)
    socket.flush()
    answered = socket.waitForReadyRead(_TIMEOUT_MS)
    socket.disconnectFromServer()
    return answered


def bring_to_front(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    if QGuiApplication.platformName() not in _NO_WINDOW_MANAGER:
        window.raise_()
        window.activateWindow()


def already_running_dialog(data_dir: str, parent: QWidget | None = None) -> QMessageBox:
    """Told, not asked to choose a data dir: "Bring it to front" or "Close"."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Backorder Desktop is already running")
    box.setText("Backorder Desktop is already open for this data folder.")
    box.setInformativeText(
        f"{data_dir}\n\nOnly one window can use a data folder at a time, so that no change is "
        "sent twice. Switch to the open window instead."
    )
    box.setAccessibleName("Backorder Desktop is already running")
    front = box.addButton("Bring it to front", QMessageBox.ButtonRole.AcceptRole)
    front.setAccessibleName("Bring the running window to the front")
    close = box.addButton(QMessageBox.StandardButton.Close)
    close.setAccessibleName("Close")
    box.setDefaultButton(front)
    return box
