"""The installers agree: build.spec, the Inno Setup script and the macOS script name the same
version, app name and icon files, and the bundle leaves out what the app never loads. (The frozen
app itself is built and smoke-tested by `make package` in CI; the release workflow is checked in
tests/test_release_workflow.py.)
"""

from __future__ import annotations

import importlib.util
import re
import struct
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest

import backorder_desktop
from backorder_desktop.services import paths

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = ROOT / "build.spec"
INNO = PACKAGING / "windows" / "backorder-desktop.iss"
DMG_SCRIPT = PACKAGING / "macos" / "make_dmg.sh"
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
VERSION = backorder_desktop.__version__
APP_NAME = "Backorder Desktop"
VERSION_LITERAL = re.compile(r"(?<![\w.])\d+\.\d+\.\d+(?![\w.])")
# Version-like numbers in the packaging files that are not the app's version.
NOT_APP_VERSIONS = {"10.0.17763"}  # Windows 10 1809: the installer's MinVersion


def load(name: str) -> types.ModuleType:
    """A packaging/ script as a module (packaging/ is not a package; its scripts add it to
    sys.path, which is undone here)."""
    spec = importlib.util.spec_from_file_location(f"packaging_{name}", PACKAGING / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


metadata = load("metadata")


# --- build.spec, executed the way PyInstaller executes it, on each platform ------------------


@dataclass
class Call:
    kind: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class SpecRun:
    calls: list[Call] = field(default_factory=list)

    def of(self, kind: str) -> list[Call]:
        return [call for call in self.calls if call.kind == kind]


def fake_pyinstaller(monkeypatch: pytest.MonkeyPatch) -> None:
    """Just enough of PyInstaller's modules for build.spec to run without PyInstaller."""

    class QtLibraryInfo:
        def collect_plugins(self, plugin_type: str) -> list[tuple[str, str]]:
            return []

    class Recorded:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.args, self.kwargs = args, kwargs

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package: []  # type: ignore[attr-defined]
    qt = types.ModuleType("PyInstaller.utils.hooks.qt")
    qt.QtLibraryInfo = QtLibraryInfo  # type: ignore[attr-defined]
    versioninfo = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in (
        "FixedFileInfo StringFileInfo StringStruct StringTable VarFileInfo VarStruct VSVersionInfo"
    ).split():
        setattr(versioninfo, name, type(name, (Recorded,), {}))
    modules = {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.utils.hooks.qt": qt,
        "PyInstaller.utils.win32": types.ModuleType("PyInstaller.utils.win32"),
        "PyInstaller.utils.win32.versioninfo": versioninfo,
    }
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)


Toc = list[tuple[str, str, str]]


def run_spec(
    monkeypatch: pytest.MonkeyPatch, platform: str, found: tuple[Toc, Toc] = ([], [])
) -> SpecRun:
    """Runs build.spec as PyInstaller would on `platform`; `found` is what the analysis collects
    (datas, binaries: (destination, source, kind) entries) before the spec filters it."""
    fake_pyinstaller(monkeypatch)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec's own path insert is undone
    for name in ("metadata", "qt_plugins"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    run = SpecRun()

    def recorder(kind: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> Call:
            call = Call(kind, args, kwargs)
            run.calls.append(call)
            return call

        return record

    analysis = recorder("Analysis")

    def make_analysis(*args: Any, **kwargs: Any) -> Any:
        analysis(*args, **kwargs)
        datas, binaries = found
        return types.SimpleNamespace(
            pure=[],
            scripts=[],
            binaries=list(binaries),
            datas=[*kwargs.get("datas", []), *datas],
        )

    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "SPECPATH": str(ROOT),
        "Analysis": make_analysis,
        **{kind: recorder(kind) for kind in ("PYZ", "EXE", "COLLECT", "BUNDLE")},
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
    for name in ("metadata", "qt_plugins"):
        sys.modules.pop(name, None)
    return run


def version_strings(version_info: Any) -> dict[str, str]:
    """The string table of a (fake) VSVersionInfo built by the spec."""
    string_file_info = version_info.kwargs["kids"][0]
    table = string_file_info.args[0][0]
    return {struct_.args[0]: struct_.args[1] for struct_ in table.args[1]}


@pytest.fixture
def mac_spec(monkeypatch: pytest.MonkeyPatch) -> SpecRun:
    return run_spec(monkeypatch, "darwin")


@pytest.fixture
def windows_spec(monkeypatch: pytest.MonkeyPatch) -> SpecRun:
    return run_spec(monkeypatch, "win32")


@pytest.fixture
def linux_spec(monkeypatch: pytest.MonkeyPatch) -> SpecRun:
    return run_spec(monkeypatch, "linux")


def test_version_has_one_source() -> None:
    assert metadata.VERSION == VERSION
    # Nothing that packages the app writes a version of its own: each reads the package's.
    for path in (SPEC, INNO, DMG_SCRIPT, WORKFLOW, PACKAGING / "metadata.py"):
        text = path.read_text(encoding="utf-8")
        found = set(VERSION_LITERAL.findall(text)) - NOT_APP_VERSIONS
        assert not found, f"{path.name} hard-codes a version: {found}"


def test_spec_builds_a_macos_bundle_with_version_icon_and_notarisable_plist(
    mac_spec: SpecRun,
) -> None:
    (bundle,) = mac_spec.of("BUNDLE")
    assert bundle.kwargs["name"] == f"{APP_NAME}.app"
    assert bundle.kwargs["version"] == VERSION
    assert Path(bundle.kwargs["icon"]) == ROOT / "packaging/icons/backorder-desktop.icns"
    plist = bundle.kwargs["info_plist"]
    assert plist["CFBundleShortVersionString"] == plist["CFBundleVersion"] == VERSION
    assert plist["CFBundleName"] == plist["CFBundleDisplayName"] == APP_NAME
    assert bundle.kwargs["bundle_identifier"] == plist["CFBundleIdentifier"]
    assert re.fullmatch(r"[A-Za-z0-9.-]+", plist["CFBundleIdentifier"])
    assert plist["NSHighResolutionCapable"] is True
    assert plist["LSMinimumSystemVersion"] and plist["NSPrincipalClass"] == "NSApplication"
    (exe,) = mac_spec.of("EXE")
    assert exe.kwargs["console"] is False


def test_spec_builds_windowed_and_console_exes_with_icon_and_version_resource(
    windows_spec: SpecRun,
) -> None:
    exes = {call.kwargs["name"]: call.kwargs for call in windows_spec.of("EXE")}
    assert exes["backorder-desktop"]["console"] is False
    assert exes["backorder-desktop-cli"]["console"] is True
    for name, exe in exes.items():
        assert Path(exe["icon"]) == ROOT / "packaging/icons/backorder-desktop.ico"
        strings = version_strings(exe["version"])
        assert strings["ProductVersion"] == strings["FileVersion"] == VERSION
        assert strings["ProductName"] == APP_NAME
        assert strings["OriginalFilename"] == f"{name}.exe"
    assert not windows_spec.of("BUNDLE")
    (collect,) = windows_spec.of("COLLECT")
    assert collect.kwargs["name"] == "backorder-desktop"  # dist/backorder-desktop/
    assert len(collect.args) >= 2  # both executables share one bundle


def test_spec_bundles_resources_and_leaves_unused_qt_out(linux_spec: SpecRun) -> None:
    (analysis,) = linux_spec.of("Analysis")
    assert Path(analysis.args[0][0]) == PACKAGING / "launch.py"
    assert (str(ROOT / "resources"), "resources") in analysis.kwargs["datas"]
    excludes = set(analysis.kwargs["excludes"])
    assert {"PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick"} <= excludes
    assert {"PySide6.QtWebEngineCore", "PySide6.QtPdf"} <= excludes
    assert not excludes & {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"}
    assert not excludes & {"keyring", "secretstorage", "jeepney"}  # the keychain backends
    # Whatever Qt module the app's code imports is bundled (a feature added QtPrintSupport).
    for path in (ROOT / "backorder_desktop").rglob("*.py"):
        for name in re.findall(r"\bPySide6\.(Qt\w+)", path.read_text(encoding="utf-8")):
            assert f"PySide6.{name}" not in excludes, f"{path.name} imports {name}"
    (exe,) = linux_spec.of("EXE")
    assert exe.kwargs["name"] == "backorder-desktop" and exe.kwargs["console"] is False
    assert exe.kwargs["strip"] is True  # pyenv's libpython carries debug symbols
    assert not linux_spec.of("BUNDLE")


def test_spec_leaves_out_qt_plugins_no_desktop_needs_but_keeps_the_platforms() -> None:
    qt_plugins = load("qt_plugins")
    kept = [
        ("platforms", "libqxcb.so"),
        ("platforms", "libqwayland.so"),
        ("platforms", "libqoffscreen.so"),
        ("platforms", "qwindows.dll"),
        ("platforms", "libqcocoa.dylib"),
        ("iconengines", "libqsvgicon.so"),
        ("imageformats", "libqsvg.so"),
        ("imageformats", "qico.dll"),
        ("platformthemes", "libqxdgdesktopportal.so"),
        ("styles", "qmodernwindowsstyle.dll"),
        ("platforminputcontexts", "libibusplatforminputcontextplugin.so"),
    ]
    dropped = [
        ("platformthemes", "libqgtk3.so"),
        ("platforms", "libqvnc.so"),
        ("platforms", "libqeglfs.so"),
        ("generic", "libqtuiotouchplugin.so"),
        ("imageformats", "libqjpeg.so"),
        ("platforminputcontexts", "libqtvirtualkeyboardplugin.so"),
        ("platforminputcontexts", "qtvirtualkeyboardplugin.dll"),
    ]
    assert not [p for p in kept if qt_plugins.left_out(*p)]
    assert all(qt_plugins.left_out(*p) for p in dropped)


QT_TRANSLATIONS = {
    # PyInstaller's destination for Qt's .qm files: PySide6/Qt/translations on Linux and macOS,
    # PySide6/translations on Windows (its Qt hooks' qt_rel_dir); the size is what it would cost.
    "linux": "PySide6/Qt/translations/qtbase_de.qm",
    "darwin": "PySide6/Qt/translations/qtbase_de.qm",
    "win32": "PySide6\\translations\\qtbase_de.qm",
}


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_spec_leaves_qt_translations_out_on_every_platform(
    monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    keep = [
        ("resources/icon.svg", str(ROOT / "resources/icon.svg"), "DATA"),
        ("backorder_desktop/mail/templates/notice.txt", "/src/notice.txt", "DATA"),
        ("PySide6/Qt/resources/qtwebengine.pak", "/x/qtwebengine.pak", "DATA"),
    ]
    translations = [
        (QT_TRANSLATIONS[platform], "/wheel/qtbase_de.qm", "DATA"),
        (QT_TRANSLATIONS[platform].replace("qtbase_de", "qt_help_fr"), "/wheel/q.qm", "DATA"),
    ]
    run = run_spec(monkeypatch, platform, found=(keep + translations, []))
    (collect,) = run.of("COLLECT")
    collected_datas = collect.args[-1]
    assert [entry for entry in collected_datas if entry in translations] == []
    assert all(entry in collected_datas for entry in keep)


def test_translation_filter_knows_both_path_shapes_and_nothing_else() -> None:
    qt_plugins = load("qt_plugins")
    assert qt_plugins.left_out_data("PySide6/Qt/translations/qtbase_de.qm")  # Linux, macOS
    assert qt_plugins.left_out_data("PySide6\\translations\\qtbase_de.qm")  # Windows
    assert qt_plugins.left_out_data("PySide6/translations/qtwebengine_locales/de.pak")
    assert not qt_plugins.left_out_data("resources/translations/app_de.qm")  # the app's own
    assert not qt_plugins.left_out_data("PySide6/Qt/lib/QtCore.framework/Resources/Info.plist")
    assert not qt_plugins.left_out_data("backorder_desktop/translations.py")


def test_windows_bundle_leaves_the_software_opengl_dll_out_while_nothing_renders_with_opengl(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    binaries = [
        ("PySide6/opengl32sw.dll", "/wheel/opengl32sw.dll", "BINARY"),
        ("PySide6/Qt6Gui.dll", "/wheel/Qt6Gui.dll", "BINARY"),
        ("PySide6/plugins/platforms/qwindows.dll", "/wheel/qwindows.dll", "BINARY"),
    ]
    run = run_spec(monkeypatch, "win32", found=([], binaries))
    (collect,) = run.of("COLLECT")
    collected = [entry[0] for entry in collect.args[-2]]
    assert collected == ["PySide6/Qt6Gui.dll", "PySide6/plugins/platforms/qwindows.dll"]
    # The decision holds only while the app's code imports no Qt module that renders with
    # OpenGL; one that does gets the fallback back.
    assert not metadata.qt_modules_used() & load("qt_plugins").OPENGL_MODULES
    qt_plugins = load("qt_plugins")
    assert not qt_plugins.left_out_binary("PySide6/opengl32sw.dll", {"QtWidgets", "QtOpenGL"})
    assert qt_plugins.left_out_binary("PySide6\\opengl32sw.dll", {"QtWidgets", "QtCharts"})


def test_linux_bundle_leaves_cups_to_the_system_but_keeps_what_others_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    system_libs = load("system_libs")
    graph = {
        "/q/libcupsprintersupport.so": {"libcups.so.2", "libQt6PrintSupport.so.6"},
        "/s/libcups.so.2": {"libgnutls.so.30", "libssl.so.3", "libz.so.1"},
        "/s/libgnutls.so.30": {"libnettle.so.8"},
        "/s/libnettle.so.8": set(),
        "/s/libssl.so.3": {"libcrypto.so.3"},
        "/s/libcrypto.so.3": set(),
        "/s/libz.so.1": set(),
        "/q/libQt6PrintSupport.so.6": {"libz.so.1"},
        "/p/_ssl.so": {"libssl.so.3"},
    }
    monkeypatch.setattr(system_libs, "needed", lambda path: graph[path])
    binaries = [(f"_internal/{Path(src).name}", src, "BINARY") for src in graph]
    kept = {Path(dest).name for dest, _, _ in system_libs.leave_to_the_system(binaries)}
    # CUPS and what only CUPS needs go; the plugin stays (it loads the system's libcups);
    # libraries something else in the bundle needs stay.
    assert not kept & {"libcups.so.2", "libgnutls.so.30", "libnettle.so.8"}
    assert {"libcupsprintersupport.so", "libssl.so.3", "libcrypto.so.3", "libz.so.1"} <= kept


# --- the Inno Setup script --------------------------------------------------------------------


def inno_defines() -> dict[str, str]:
    text = INNO.read_text(encoding="utf-8")
    return dict(re.findall(r"^#define\s+(\w+)\s+(.+?)\s*$", text, re.MULTILINE))


def inno_setup_section() -> dict[str, str]:
    text = INNO.read_text(encoding="utf-8")
    section = text.split("[Setup]", 1)[1].split("\n[", 1)[0]
    return dict(re.findall(r"^(\w+)=(.*)$", section, re.MULTILINE))


def from_inno(relative: str) -> Path:
    """A path in the Inno script, relative to the script's folder (Inno's SourcePath)."""
    return (INNO.parent / Path(*PureWindowsPath(relative.strip('"')).parts)).resolve()


def test_inno_script_names_the_app_icon_and_bundle_the_spec_builds(
    windows_spec: SpecRun,
) -> None:
    defines = inno_defines()
    assert defines["AppName"].strip('"') == APP_NAME
    exe = windows_spec.of("EXE")[0].kwargs
    assert defines["AppExeName"].strip('"') == f"{exe['name']}.exe"
    assert from_inno(defines["IconFile"]) == Path(exe["icon"]) == metadata.ICON_ICO
    assert from_inno(defines["BundleDir"]) == ROOT / "dist" / "backorder-desktop"
    setup = inno_setup_section()
    assert setup["SetupIconFile"] == "{#IconFile}"
    assert setup["UninstallDisplayIcon"] == r"{app}\{#AppExeName}"


def test_inno_script_takes_the_version_the_spec_writes_into_the_exe(
    windows_spec: SpecRun,
) -> None:
    defines = inno_defines()
    assert defines["AppVersion"] == 'GetStringFileInfo(BuiltExe, "ProductVersion")'
    assert "BundleDir" in defines["BuiltExe"] and "AppExeName" in defines["BuiltExe"]
    windowed = windows_spec.of("EXE")[0].kwargs
    assert version_strings(windowed["version"])["ProductVersion"] == VERSION
    setup = inno_setup_section()
    assert setup["AppVersion"] == "{#AppVersion}"
    assert "{#AppVersion}" in setup["OutputBaseFilename"]


def test_inno_installer_refuses_windows_older_than_10_1809() -> None:
    setup = inno_setup_section()
    # Windows 10 1809 (build 17763); Qt 6 needs 1703 or later, Windows 8.1 and 7 never.
    assert setup["MinVersion"] == "10.0.17763"
    assert setup["ArchitecturesAllowed"] == "x64compatible"


def test_inno_installs_per_user_upgrades_in_place_and_keeps_data_unless_asked() -> None:
    setup = inno_setup_section()
    assert setup["PrivilegesRequired"] == "lowest"  # no admin rights by default
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    text = INNO.read_text(encoding="utf-8")
    assert re.search(r"^Name: \"\{autoprograms\}\\\{#AppName\}\"", text, re.MULTILINE)
    # The uninstaller deletes the app's data folder only after a Yes (default No), never silently.
    assert inno_defines()["DataDirName"].strip('"') == paths.APP_NAME
    code = text.split("[Code]", 1)[1]
    assert "{localappdata}\\{#DataDirName}" in code
    assert "MB_DEFBUTTON2" in code and "UninstallSilent()" in code
    assert code.index("IDYES") < code.index("DelTree")


# --- the macOS script ---------------------------------------------------------------------------


def shell_assignments(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {k: v.strip('"') for k, v in re.findall(r"^([A-Z_]+)=(\S.*)$", text, re.MULTILINE)}


def test_dmg_script_names_the_app_icon_and_version_the_spec_builds(mac_spec: SpecRun) -> None:
    values = shell_assignments(DMG_SCRIPT)
    bundle = mac_spec.of("BUNDLE")[0].kwargs
    assert values["APP_NAME"] == APP_NAME
    assert values["APP"] == "dist/${APP_NAME}.app" and bundle["name"] == f"{APP_NAME}.app"
    assert values["EXE_NAME"] == mac_spec.of("EXE")[0].kwargs["name"]
    assert ROOT / values["ICON_FILE"] == Path(bundle["icon"]) == metadata.ICON_ICNS
    # The version is read back from the Info.plist the spec writes.
    assert "CFBundleShortVersionString" in values["VERSION"]
    assert '"$APP/Contents/Info.plist"' in values["VERSION"]
    assert bundle["info_plist"]["CFBundleShortVersionString"] == VERSION
    assert "${VERSION}" in values["DMG"]


def test_dmg_script_links_applications_and_signs_only_with_the_secrets() -> None:
    text = DMG_SCRIPT.read_text(encoding="utf-8")
    assert 'ln -s /Applications "$staging/Applications"' in text
    assert "Code signing skipped" in text and "Notarisation skipped" in text
    sign_guard = text.index('if [[ -n "${MACOS_CERTIFICATE:-}"')
    assert sign_guard < text.index('sign "$file"') < text.index('sign "$APP"')
    assert (
        'if $signed; then\n  codesign --force --timestamp --sign "$MACOS_SIGNING_IDENTITY" "$DMG"'
        in text
    )
    notarise_guard = text.index('if $signed && [[ -n "${APPLE_ID:-}"')
    assert notarise_guard < text.index("xcrun notarytool submit")
    assert "--options runtime" in text  # hardened runtime: notarisation refuses without it


# --- icons ---------------------------------------------------------------------------------------


def test_icons_are_made_from_the_current_svg() -> None:
    icons = load("icons")
    assert icons.stale_reason() is None


def test_ico_holds_every_windows_size_and_icns_the_retina_ones() -> None:
    ico = metadata.ICON_ICO.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind) == (0, 1)
    sizes = {struct.unpack_from("<B", ico, 6 + 16 * i)[0] or 256 for i in range(count)}
    assert {16, 24, 32, 48, 256} <= sizes
    icns = metadata.ICON_ICNS.read_bytes()
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    kinds, offset = set(), 8
    while offset < len(icns):
        kinds.add(icns[offset : offset + 4])
        offset += struct.unpack_from(">I", icns, offset + 4)[0]
    assert {b"ic07", b"ic08", b"ic09", b"ic10", b"ic13", b"ic14"} <= kinds
    png = metadata.ICON_PNG.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack_from(">II", png, 16) == (512, 512)


# --- the build environment ---------------------------------------------------------------------


def test_build_environment_has_no_pyside6_meta_wheel_and_pins_pyinstaller() -> None:
    requirements = metadata.package_requirements()
    names = {re.split(r"[=<>!~ ]", r, maxsplit=1)[0].lower() for r in requirements}
    assert "pyside6-essentials" in names and "pyinstaller" in names
    # Addons is there for QtCharts only; the bundle keeps the Qt modules the code imports.
    assert "pyside6" not in names
    assert "PySide6.QtCharts" not in metadata.QT_EXCLUDES
    assert "PySide6.QtWebEngineCore" in metadata.QT_EXCLUDES
    assert all("==" in r for r in requirements)


def test_windows_version_numbers_follow_the_package_version() -> None:
    assert metadata.version_tuple("1.2.3") == (1, 2, 3, 0)
    assert metadata.version_tuple("2.0rc1") == (2, 0, 0, 0)  # a pre-release is not patch 1
    assert metadata.version_tuple("1.4.10.dev3") == (1, 4, 10, 0)
    assert metadata.version_tuple(VERSION)[:2] == tuple(int(p) for p in VERSION.split(".")[:2])


@pytest.fixture(autouse=True)
def _no_stray_modules() -> Iterator[None]:
    yield
    for name in ("metadata", "qt_plugins", "icons"):
        module = sys.modules.get(name)
        if module is not None and str(PACKAGING) in str(getattr(module, "__file__", "")):
            sys.modules.pop(name, None)
