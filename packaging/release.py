"""What the release job publishes: the CHANGELOG section of a version and the installers' SHA-256 sums.

    python packaging/release.py notes VERSION [OUT]     the "## VERSION" section of CHANGELOG.md
    python packaging/release.py checksums DIR VERSION   checks DIR holds exactly the three
                                                        installers of VERSION, writes DIR/SHA256SUMS
The installers job runs `notes` first on a tag, so a release without notes fails in a minute,
not after the builds. SHA256SUMS is in `sha256sum` format: `sha256sum -c SHA256SUMS` (Linux),
`shasum -a 256 -c SHA256SUMS` (macOS) or Get-FileHash (Windows) verify a download.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import metadata  # noqa: E402  (packaging/ is not a package)

CHANGELOG = metadata.ROOT / "CHANGELOG.md"
SUMS = "SHA256SUMS"
# Each installer the matrix builds, by platform tag, and how its file name ends.
INSTALLERS = {
    "windows-x86_64": "-setup.exe",
    "macos-arm64": ".dmg",
    "macos-x86_64": ".dmg",
}


def installer_names(version: str) -> list[str]:
    return [metadata.archive_stem(tag, version) + ending for tag, ending in INSTALLERS.items()]


def release_notes(changelog: str, version: str) -> str:
    """The body of the `## VERSION` section (also `## [VERSION]`, `## vVERSION`, with a date
    after it), without its heading; an error when there is none or it is empty."""
    heading = re.compile(rf"^## \[?v?{re.escape(version)}\]?(?:\s|$)")
    lines = changelog.splitlines()
    for start, line in enumerate(lines):
        if heading.match(line):
            body = []
            for following in lines[start + 1 :]:
                if following.startswith("## "):
                    break
                body.append(following)
            notes = "\n".join(body).strip()
            if not notes:
                raise SystemExit(f"CHANGELOG.md: the section of {version} is empty")
            return notes + "\n"
    raise SystemExit(
        f"CHANGELOG.md has no '## {version}' section: rename '## Unreleased' to it before tagging"
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path, version: str) -> Path:
    """SHA256SUMS for the three installers, after checking nothing is missing or extra."""
    expected = installer_names(version)
    present = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != SUMS)
    missing = sorted(set(expected) - set(present))
    extra = sorted(set(present) - set(expected))
    if missing or extra:
        raise SystemExit(
            f"installers of {version}: missing {missing or 'none'}, unexpected {extra or 'none'}"
        )
    sums = folder / SUMS
    sums.write_text(
        "".join(f"{sha256(folder / name)}  {name}\n" for name in expected), encoding="utf-8"
    )
    return sums


def main(argv: list[str]) -> int:
    if len(argv) in (2, 3) and argv[0] == "notes":
        notes = release_notes(CHANGELOG.read_text(encoding="utf-8"), argv[1])
        if len(argv) == 3:
            Path(argv[2]).write_text(notes, encoding="utf-8")
        else:
            sys.stdout.write(notes)
        return 0
    if len(argv) == 3 and argv[0] == "checksums":
        sums = write_checksums(Path(argv[1]), argv[2])
        sys.stdout.write(sums.read_text(encoding="utf-8"))
        return 0
    raise SystemExit("usage: release.py notes VERSION [OUT] | checksums DIR VERSION")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
