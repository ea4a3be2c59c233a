"""The README's examples of tasks run as written: the README cannot drift from the code."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml
from invoke import Collection
from servers import free_port, wait_for
from support import REPO, copy_project

import tasks
import toolchain

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMAND_RE = re.compile(r"(?:\./run|uv run(?: --no-dev)? invoke)\s+(?P<rest>.*)")
TASK_RE = re.compile(r"[a-z][a-z-]*")
# What the author runs day to day; run for real below, on a copy of the project.
AUTHOR_TASKS = ("new-faq", "build", "check", "serve", "clean")


def readme_commands() -> list[list[str]]:
    """Every task command the README shows, in a code block or a code span, as arguments."""
    snippets = [
        line for block in re.findall(r"```sh\n(.*?)```", README, re.S) for line in block.split("\n")
    ]
    snippets += re.findall(r"(?<!`)`([^`\n]+)`(?!`)", README)
    commands = []
    for snippet in snippets:
        match = COMMAND_RE.fullmatch(snippet.strip())
        if match:
            arguments = shlex.split(match.group("rest"), comments=True)
            if arguments and TASK_RE.fullmatch(arguments[0]) and arguments not in commands:
                commands.append(arguments)
    return commands


def task_flags() -> dict[str, set[str]]:
    """Each task of tasks.py and its long flags, as `invoke --help TASK` shows them."""
    collection = Collection.from_module(tasks)
    return {
        name: {
            f"--{argument.names[0]}"
            for argument in collection[name].get_arguments()
            if not argument.positional
        }
        for name in collection.task_names
    }


def table_rows() -> dict[str, str]:
    """The rows of the README's task table: task name -> its first cell."""
    section = README.split("\n## Tasks\n", 1)[1].split("\n## ", 1)[0]
    return {
        cell.split()[0]: cell
        for cell in re.findall(r"^\|(?: [a-z]+ \|)? `([^`]+)` \|", section, re.M)
        if cell.split()[0] != "task"
    }


def test_the_readme_shows_commands_of_every_author_task():
    shown = {arguments[0] for arguments in readme_commands()}
    assert set(AUTHOR_TASKS) <= shown
    assert {"test", "publish", "rollback"} <= shown


def test_every_command_of_the_readme_names_a_task_and_its_flags():
    flags = task_flags()
    for arguments in readme_commands():
        task, *rest = arguments
        assert task in flags, f"README runs {shlex.join(arguments)}: no task {task}"
        for word in rest:
            if word.startswith("--"):
                assert word.split("=")[0] in flags[task], f"README: {shlex.join(arguments)}"


def test_the_task_table_lists_every_task_with_its_flags():
    flags = task_flags()
    rows = table_rows()
    assert set(rows) == set(flags), "the README's task table and tasks.py differ"
    for name, cell in rows.items():
        assert set(re.findall(r"--[a-z-]+", cell)) <= flags[name], cell
        for flag in flags[name]:
            assert flag in README, f"{name} {flag} is not in the README"


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
            assert refused.returncode != 0 and written.name in refused.stderr, command
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
