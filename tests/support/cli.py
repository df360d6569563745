"""Run the real `backorder-desktop` command in a subprocess, as a script or a scheduler would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*args: str, token: str | None = None, timeout: float = 120) -> Result:
    env = dict(os.environ)
    env.pop("BIGCOMMERCE_ACCESS_TOKEN", None)
    if token is not None:
        env["BIGCOMMERCE_ACCESS_TOKEN"] = token
    proc = subprocess.run(
        [sys.executable, "-m", "backorder_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def files_containing(folder: Path, secret: str) -> list[Path]:
    needle = secret.encode()
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]
