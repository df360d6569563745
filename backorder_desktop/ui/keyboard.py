"""Keyboard manners every dialog shares: Tab leaves tables and text boxes, focus is visible."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QLayout,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QWidget,
)


class _CurrentOnFocus(QObject):
    """A table taking focus with no current cell gets its first one, so the focus frame shows
    where the keyboard is (a table with none showed nothing at all)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QAbstractItemView):
            model = watched.model()
            if model is not None and not watched.currentIndex().isValid() and model.rowCount():
                watched.selectionModel().setCurrentIndex(
                    model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate
                )
        return False


def tab_leaves_table(table: QAbstractItemView) -> None:
    """Tab moves to the next control instead of walking the cells (arrows still do)."""
    table.setTabKeyNavigation(False)
    helper = _CurrentOnFocus(table)
    table.installEventFilter(helper)


def tab_leaves_text(*boxes: QPlainTextEdit | QTextEdit) -> None:
    """Tab moves on instead of typing a tab character (Ctrl+Tab is not needed to get out)."""
    for box in boxes:
        box.setTabChangesFocus(True)
        if isinstance(box, QTextBrowser):
            # A browser's Tab walks its links before leaving (a previewed notice has some).
            flags = box.textInteractionFlags()
            box.setTextInteractionFlags(flags & ~Qt.TextInteractionFlag.LinksAccessibleByKeyboard)


def _takes_tab(widget: QWidget) -> bool:
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def layout_order(root: QWidget) -> list[QWidget]:
    """The controls under `root` as the layouts place them: top to bottom, left to right, a
    splitter's panes one after the other, a group box's switch before what it holds."""
    out: list[QWidget] = []

    def widget(w: QWidget) -> None:
        if w.objectName().startswith("qt_"):
            return
        if isinstance(w, QTabWidget):
            if _takes_tab(w.tabBar()):
                out.append(w.tabBar())
            for n in range(w.count()):
                widget(w.widget(n))
            return
        if _takes_tab(w) and not isinstance(w, QGroupBox | QScrollArea):
            out.append(w)
            return
        if isinstance(w, QGroupBox) and w.isCheckable():
            out.append(w)
        if isinstance(w, QSplitter | QStackedWidget):
            for n in range(w.count()):
                widget(w.widget(n))
        elif isinstance(w, QScrollArea):
            inner = w.widget()
            if inner is not None:
                widget(inner)
        elif w.layout() is not None:
            layout(w.layout())

    def layout(lay: QLayout) -> None:
        for n in range(lay.count()):
            item = lay.itemAt(n)
            if item.widget() is not None:
                widget(item.widget())
            elif item.layout() is not None:
                layout(item.layout())

    if root.layout() is not None:
        layout(root.layout())
    return out


def tab_in_layout_order(root: QWidget) -> None:
    """Tab follows the layout (reading order), whatever order the widgets were made in: a
    table made before its dialog joined the chain last, after the buttons below it."""
    for tabs in root.findChildren(QTabWidget):
        # The tab bar is the stop; the tab widget itself only passed focus on to it, which put
        # a second stop at the end of the chain.
        tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    chain = layout_order(root)
    for first, second in zip(chain, chain[1:], strict=False):
        QWidget.setTabOrder(first, second)


def keyboard_friendly(root: QWidget) -> None:
    """Tab leaves every table and text box under `root` and follows the layout (call once the
    dialog is built)."""
    tab_in_layout_order(root)
    for table in root.findChildren(QAbstractItemView):
        if table.objectName().startswith("qt_"):
            continue
        tab_leaves_table(table)
    for box in root.findChildren(QPlainTextEdit) + root.findChildren(QTextEdit):
        tab_leaves_text(box)
