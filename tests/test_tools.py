"""Each task needs only what it uses: tools by tier, and the dev group for the tests only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, copy_project, run_invoke

import toolchain
from deploy.target import TRANSPORTS
from sitecheck import RULES

SERVERS_AND_BROWSERS = {
    "/usr/sbin/sshd",
    "/usr/sbin/apache2",
    "chromium",
    "chromedriver",
    "firefox-esr",
    "w3m",
}


def test_every_rule_that_declares_tools_is_a_rule_of_the_gate():
    assert set(toolchain.RULE_TOOLS) | set(toolchain.RULE_NODE_FILES) <= set(RULES)


def test_each_tier_needs_only_what_it_uses():
    # Rules that read HTML in Python need nothing installed.
    assert toolchain.check_tools(["entities", "typography", "links", "document"]) == {}
    assert toolchain.check_node_files(["entities", "typography", "links", "document"]) == ()
    assert set(toolchain.check_tools(["spelling"]).values()) == {"hunspell", "hunspell-fr"}
    assert set(toolchain.check_tools(["grammar"]).values()) == {"python3-grammalecte"}
    assert set(toolchain.check_tools(["validity"]).values()) == {"default-jre-headless"}
    assert toolchain.check_node_files(["validity"]) == (toolchain.VNU_JAR,)
    publish = toolchain.publish_tools("ssh")
    assert set(publish.values()) == {
        "hunspell",
        "hunspell-fr",
        "python3-grammalecte",
        "default-jre-headless",
        "git",
        "rsync",
        "openssh-client",
    }
    # An SFTP-only host is reached without rsync.
    assert set(toolchain.publish_tools("sftp").values()) == set(publish.values()) - {"rsync"}
    assert set(toolchain.TRANSPORT_TOOLS) == set(TRANSPORTS)
    # No author task installs a server or a browser; the tests do.
    for tier in (toolchain.ALL_RULE_TOOLS, publish):
        assert not SERVERS_AND_BROWSERS & set(tier)
    assert SERVERS_AND_BROWSERS - {"chromedriver"} <= set(toolchain.SYSTEM_TOOLS)
    assert "chromium-driver" not in toolchain.SYSTEM_TOOLS.values(), "nothing uses chromedriver"


def test_a_missing_tool_is_asked_for_by_its_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(toolchain.ToolsMissing) as error:
        toolchain.install_system_tools(toolchain.check_tools(["spelling"]), as_root=False)
    assert "Missing tools: hunspell." in str(error.value)
    assert "sudo apt-get install -y --no-install-recommends hunspell" in str(error.value)
    assert "java" not in str(error.value)
    toolchain.install_system_tools(toolchain.check_tools(["typography"]), as_root=False)


def test_dev_python_adds_the_dev_group_under_uv(monkeypatch):
    monkeypatch.setenv("UV", "/opt/uv/bin/uv")
    assert toolchain.dev_python() == [
        "/opt/uv/bin/uv",
        "run",
        "--project",
        str(REPO),
        "--group",
        "dev",
        "python",
    ]
    monkeypatch.delenv("UV")
    assert toolchain.dev_python() == [sys.executable]


def empty_path(tmp_path: Path, *commands: str) -> dict:
    """An environment whose PATH holds only `commands`, as on a machine with nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for command in commands:
        (bin_dir / command).symlink_to(shutil.which(command))
    return {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"}


def test_check_of_python_rules_installs_and_needs_nothing(site, tmp_path):
    root = copy_project(tmp_path / "project")  # no node_modules, no npm, no apt-get
    rules = "typography,entities,links,document"
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "check", "--path", str(site.output), "--rules", rules],
        cwd=root,
        env=empty_path(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 findings" in result.stdout
    assert not (root / "node_modules").exists()


def uv_command() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed: run the tests with ./run test, which installs it")
    return uv


def test_build_does_not_install_the_dev_group_and_test_does(tmp_path):
    root = copy_project(tmp_path / "fresh")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "UV", "UV_RUN_RECURSION_DEPTH", "PYTHONPATH")
    }
    env["PATH"] = f"{Path(uv_command()).parent}:/usr/bin:/bin"
    # Which packages go in, not their bytecode: compiling every library twice
    # would be most of this test's time.
    env["UV_COMPILE_BYTECODE"] = "0"
    built = subprocess.run(
        ["./run", "build"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stdout + built.stderr
    python = root / ".venv" / "bin" / "python"
    for module in ("pytest", "playwright", "marionette_driver"):
        imported = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
        assert imported.returncode != 0, f"./run build installed {module}"

    tested = subprocess.run(
        ["./run", "test", "--args", "--collect-only -q tests/test_placeholders.py"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "tests collected" in tested.stdout


def test_publishing_to_an_sftp_host_asks_for_no_rsync(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in toolchain.publish_tools("sftp"):
        if not tool.startswith("/"):
            (bin_dir / tool).symlink_to(shutil.which(tool))
    assert not (bin_dir / "rsync").exists()
    settings = tmp_path / "settings.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom publishconf import *\n"
        f"PATH = {str(REPO / 'content')!r}\nTHEME = {str(REPO / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(REPO / 'plugins')!r}]\n"
        "PUBLISH_TARGET = 'sftp://nowhere.invalid/site'\n"
        "PUBLISH_CHECK_URL = ''\n"
    )
    result = run_invoke(
        "publish",
        "--allow-dirty",
        "--settings",
        str(settings),
        env={"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # Past the tools: the publish stops where it reaches for the host.
    assert "cannot reach sftp://nowhere.invalid/site" in output, output
    assert "rsync" not in output


@pytest.mark.parametrize(
    ("task", "failure"),
    [
        ("publish", "Not published"),
        ("releases", "No releases listed"),
        ("rollback", "Not rolled back"),
        ("unlock", "Not unlocked"),
    ],
)
def test_a_settings_file_pelican_refuses_stops_each_publishing_task_with_its_name(
    tmp_path, task, failure
):
    settings = tmp_path / "broken_settings.py"
    settings.write_text("PATH = 'no-such-folder'\n")
    result = run_invoke(task, "--settings", str(settings))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{failure}: broken_settings.py: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
