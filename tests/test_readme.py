"""The README's examples of tasks run as written, and its tables list the tasks there are.

The checks of every file of the documentation (names, tables, links) are in
test_docs.py; these are the README's own.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml
from documents import commands, names_in, section, table_rows, task_flags
from servers import free_port, wait_for
from support import REPO, copy_project

import toolchain

README = (REPO / "README.md").read_text(encoding="utf-8")
# What the author runs day to day; run for real below, on a copy of the project.
AUTHOR_TASKS = ("new-faq", "build", "check", "serve", "clean")


def readme_commands() -> list[list[str]]:
    return commands(README)


def task_table() -> dict[str, str]:
    """The rows of the README's task table: task name -> its task cell."""
    return {
        names_in(row[1])[0].split()[0]: names_in(row[1])[0]
        for row in table_rows(section(README, "Tasks"), "group")
    }


def test_the_readme_shows_commands_of_every_author_task():
    shown = {arguments[0] for arguments in readme_commands()}
    assert set(AUTHOR_TASKS) <= shown
    assert {"test", "publish", "rollback"} <= shown


def test_the_task_table_lists_every_task_with_its_flags():
    flags = task_flags()
    rows = task_table()
    assert set(rows) == set(flags), "the README's task table and tasks.py differ"
    for name, cell in rows.items():
        assert set(re.findall(r"--[a-z-]+", cell)) <= flags[name], cell
        for flag in flags[name]:
            assert flag in cell, f"{name} {flag} is not in the README's task table"


def test_the_tools_table_names_tasks():
    flags = task_flags()
    rows = table_rows(section(README, "Two commands"), "task")
    assert rows, "no table of the tools each task needs"
    for row in rows:
        for name in names_in(row[0]):
            assert name in flags, f"the README's tools table names {name}, which is no task"


def check_tier_path(tmp_path: Path) -> str:
    """A PATH with the tools of every rule of the gate and nothing else."""
    bin_dir = tmp_path / "check-bin"
    bin_dir.mkdir()
    for tool in toolchain.ALL_RULE_TOOLS:
        if not tool.startswith("/"):
            (bin_dir / tool).symlink_to(shutil.which(tool))
    return str(bin_dir)


def run_task(root: Path, arguments: list[str], env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "invoke", *arguments],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def serve_briefly(root: Path, arguments: list[str]) -> str:
    """Run a serve example until it serves the home page; return the page."""
    port = free_port()
    # Servers started by the tests listen on this machine only.
    arguments = [word if word != "0.0.0.0" else "127.0.0.1" for word in arguments]
    log = root / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "invoke", *arguments, "--port", str(port)],
            cwd=root,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

        def home_page() -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                return page.read().decode("utf-8")

        try:
            return wait_for(
                home_page, 60, f"{shlex.join(arguments)} serving", details=log.read_text
            )
        finally:
            process.terminate()
            process.wait(timeout=10)


def next_position(root: Path) -> int:
    return 1 + max(
        yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["position"]
        for path in (root / "content" / "faq").glob("*.md")
    )


def test_the_author_examples_of_the_readme_run(tmp_path):
    root = copy_project(tmp_path / "project")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    examples = [arguments for arguments in readme_commands() if arguments[0] in AUTHOR_TASKS]
    examples.sort(key=lambda arguments: AUTHOR_TASKS.index(arguments[0]))
    check_env = {"PATH": check_tier_path(tmp_path), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    for arguments in examples:
        command = shlex.join(arguments)
        if arguments[0] == "new-faq":
            position = next_position(root)
            result = run_task(root, arguments)
            assert result.returncode == 0, f"{command}: {result.stderr}"
            question = arguments[1]
            written = next(root.glob(f"content/faq/{position:02d}-*.md"))
            assert f"content/faq/NN-{written.name[3:]}" in README, written.name
            assert yaml.safe_load(written.read_text().split("---")[1])["title"] == question
            refused = run_task(root, ["build"])
            assert refused.returncode != 0, command
            assert written.name in refused.stderr, command
            written.unlink()
        elif arguments[0] == "serve":
            assert "<h1>" in serve_briefly(root, arguments), command
        elif arguments[0] == "check":
            # Only the tools of the rules on the PATH: no browser, Apache or sshd.
            result = run_task(root, arguments, env=check_env)
            assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
            assert "0 findings" in result.stdout, command
        else:
            result = run_task(root, arguments)
            assert result.returncode == 0, f"{command}: {result.stderr}"
        if arguments[0] == "build":
            assert (root / "output" / "index.html").is_file(), command
        if arguments[0] == "clean":
            assert not (root / "output").exists(), command
