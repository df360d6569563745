"""Entry script of the frozen app: PyInstaller runs a script, not `python -m backorder_desktop`."""

from __future__ import annotations

import os
import sys


def _give_windowed_exe_a_stdout() -> None:
    """A windowed Windows exe starts with sys.stdout/stderr = None.

    Started from a console (`--version`, `--smoke-test`, a headless command), write to that
    console; started from the Start menu, print into the void instead of raising. Output that a
    caller redirects (a pipe, a file) is already a valid stream and stays as it is.
    """
    if sys.platform != "win32" or (sys.stdout is not None and sys.stderr is not None):
        return
    import ctypes

    attach_parent_process = -1
    attached = bool(ctypes.windll.kernel32.AttachConsole(attach_parent_process))
    target = "CONOUT$" if attached else os.devnull
    if sys.stdout is None:
        sys.stdout = open(target, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(target, "w", encoding="utf-8", errors="replace")  # noqa: SIM115


if __name__ == "__main__":
    _give_windowed_exe_a_stdout()
    from backorder_desktop.__main__ import main

    sys.exit(main())
