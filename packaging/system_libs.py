"""System libraries the Linux bundle leaves to the system, with the libraries only they need.

The CUPS client library (pulled in by Qt's print support plugin) brings GnuTLS, Kerberos, Avahi
and friends: about 9 MB. Every Linux desktop that can print has its own libcups, which also
matches the local print server; where there is none, Qt's printing falls back to PDF output.
Called from build.spec on Linux, after PyInstaller resolved the dependencies.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

LEFT_TO_THE_SYSTEM = ["libcups.so.2"]

Entry = tuple[str, str, str]  # PyInstaller's TOC entry: (destination, source, type)


def needed(path: str) -> set[str]:
    """The DT_NEEDED names of one ELF file (direct dependencies only, unlike ldd)."""
    result = subprocess.run(["objdump", "-p", path], capture_output=True, text=True, check=False)
    return {
        line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("NEEDED")
    }


def closure(starts: Iterable[str], graph: dict[str, set[str]], stop: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = [name for name in starts if name not in stop]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(dep for dep in graph.get(name, ()) if dep not in stop and dep not in seen)
    return seen


def leave_to_the_system(
    binaries: list[Entry], names: list[str] = LEFT_TO_THE_SYSTEM
) -> list[Entry]:
    """`binaries` without `names` and the libraries nothing else in the bundle needs."""
    by_name = {Path(dest).name: entry for entry in binaries for dest in [entry[0]]}
    graph = {name: needed(entry[1]) for name, entry in by_name.items()}
    dropped = {name for name in names if name in by_name}
    if not dropped:
        return binaries
    candidates = closure(dropped, graph, stop=set()) - dropped
    others = set(by_name) - dropped - candidates
    still_needed = closure(others, graph, stop=dropped)
    orphans = dropped | (candidates - still_needed)
    return [entry for entry in binaries if Path(entry[0]).name not in orphans]
