"""The release build installs from a lock file with hashes that matches pyproject (issue 18)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "packaging" / "requirements.lock.txt"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of sha256 hashes) for every requirement in the lock."""
    out: dict[str, tuple[str, int]] = {}
    current = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line)
        if match:
            current = _name(match.group(1))
            out[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = out[current]
            out[current] = (version, hashes + 1)
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"an unpinned line in the lock: {line!r}")
    return out


def test_the_lock_pins_every_dependency_with_hashes_as_pyproject_does() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["package"]]
    lock = locked()
    for requirement in wanted:
        name, version = requirement.split("#")[0].strip().split("==")
        assert lock.get(_name(name), ("missing",))[0] == version, (
            f"{name}=={version} is not what the lock has: run `make lock`"
        )
    # Transitive dependencies too (the lock is much more than pyproject's list), each hashed.
    assert len(lock) > len(wanted) * 2
    assert all(hashes >= 1 for _version, hashes in lock.values()), "a requirement has no hash"
    # Per-platform dependencies of the build: the lock serves Windows, macOS and Linux.
    assert {"pywin32-ctypes", "pefile", "macholib"} <= set(lock)


def test_make_package_installs_only_the_locked_hashed_files() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(PKG_STAMP):", 1)[1].split("\n\n", 1)[0]
    installs = [line for line in recipe.splitlines() if "pip install" in line]
    assert installs and all("--require-hashes" in line and "$(LOCK)" in line for line in installs)
    assert "LOCK := packaging/requirements.lock.txt" in makefile
