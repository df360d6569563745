"""`--version` and `status` start quickly because they import only what they use (the time
itself is measured in benchmarks/bench_startup.py; here, the import set)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from backorder_desktop.cache import open_cache
from backorder_desktop.cli.parser import COMMANDS, build_parser, command_word
from backorder_desktop.services.paths import cache_path

PROBE = """
import json, sys
from backorder_desktop.__main__ import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""
HEAVY = ("httpx", "keyring", "PySide6", "smtplib", "jinja2")


def _imports(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *argv],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    doc = json.loads(out.read_text())
    return doc["code"], set(doc["modules"])


def test_version_imports_the_parser_only(tmp_path: Path) -> None:
    code, modules = _imports(tmp_path, "--version")
    assert code == 0
    ours = {m for m in modules if m.startswith("backorder_desktop")}
    assert ours == {"backorder_desktop", "backorder_desktop.__main__", "backorder_desktop.cli",
                    "backorder_desktop.cli.parser"}  # fmt: skip
    assert not {m for m in modules if m.split(".")[0] in (*HEAVY, "sqlite_utils")}


def test_status_reads_the_cache_without_http_keychain_mail_or_qt(tmp_path: Path) -> None:
    # A cache an earlier sync made (a new one is created and migrated: a writer's work).
    open_cache(cache_path(tmp_path / "data", "abc123")).close()
    code, modules = _imports(
        tmp_path, "--data-dir", str(tmp_path / "data"), "--store-hash", "abc123", "status"
    )
    assert code == 0
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    # Reading needs sqlite3 alone (cache/core.py LazyDatabase); sqlite-utils is for writers.
    assert "sqlite_utils" not in modules
    # A count of the waiting lines, not the queue with ETAs, shipments and notices.
    assert not {"backorder_desktop.cache.backorder_queue", "backorder_desktop.domain.eta"} & modules
    # Only the error classes of sync/ and mail/ (every failure is classified the same way).
    allowed = {"backorder_desktop.sync.progress", "backorder_desktop.mail.errors"}
    for layer in ("sync.", "mail.", "ui", "demo_store", "cli.commands", "cli.cmd_notify"):
        found = {m for m in modules if m.startswith(f"backorder_desktop.{layer}")} - allowed
        assert not found, found
    assert "backorder_desktop.cache.database" in modules  # it did read the cache


def test_a_command_registers_only_its_own_grammar_but_knows_every_name() -> None:
    parser = build_parser(["status"])
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert set(subparsers.choices) == set(COMMANDS)  # type: ignore[attr-defined]
    # Every command still parses in full when it is the one asked for.
    args = build_parser(["release", "--all-ready"]).parse_args(["release", "--all-ready"])
    assert args.all_ready is True
    assert command_word(["--data-dir", "status", "sync", "--full"]) == "sync"
    assert command_word(["--data-dir=x", "--json", "status"]) == "status"
    assert command_word(["--version"]) is None
