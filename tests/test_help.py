"""`./run TASK --help` shows the task's help for every task, and writes nothing; so does -h."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# A task line of `./run --list`: two spaces, the name, two spaces or more, its summary.
TASK_LINE = re.compile(r"^  (?P<name>[a-z][a-z-]*)  +\S")
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", ".tools", "node_modules", "output*", "cache", "test-artifacts", "*cache*"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project's sources, where a task that writes does no harm."""
    root = tmp_path_factory.mktemp("help") / "project"
    shutil.copytree(REPO, root, ignore=NOT_SOURCES, symlinks=True)
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    # `./run` finds the uv running the tests through $UV (or installs its own), and
    # uses this Python environment rather than making one in the copy.
    # The environment is this run's, installed and compiled already: uv need not
    # look at the bytecode of every library again for each of these runs.
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "UV_PROJECT_ENVIRONMENT": sys.prefix,
        "UV_COMPILE_BYTECODE": "0",
    }
    return subprocess.run(
        ["sh", str(root / "run"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def listed_tasks(root: Path) -> list[str]:
    listing = run(root, "--list")
    assert listing.returncode == 0, listing.stderr
    return [m["name"] for line in listing.stdout.splitlines() if (m := TASK_LINE.match(line))]


def files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under `root`, with its size and modification time."""
    return {
        str(path.relative_to(root)): (path.lstat().st_size, path.lstat().st_mtime_ns)
        for path in root.rglob("*")
    }


def help_problems(task: str, result: subprocess.CompletedProcess, binary: str) -> list[str]:
    """What is wrong with the output of `TASK --help`: nothing when it is the task's help."""
    problems = []
    if result.returncode != 0:
        problems.append(f"exit {result.returncode}: {result.stderr.strip()}")
    if f"Usage: {binary} [--core-opts] {task} " not in result.stdout:
        problems.append(f"no usage line in {result.stdout.strip()!r}")
    if "Docstring:" not in result.stdout:
        problems.append("no description")
    return problems


def test_the_menu_lists_the_tasks(project):
    tasks = listed_tasks(project)
    assert {"serve", "build", "check", "new-faq", "test", "bench", "publish"} <= set(tasks)
    assert len(tasks) == len(set(tasks))


# `-h` is invoke's own short flag, read by the same code as --help; the menu reads
# both itself only for a task with a positional argument (new-faq): one of each.
SHORT_FLAG_TASKS = ["new-faq", "build"]


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_task_shows_its_help_and_writes_nothing(project, flag):
    before = files(project)
    problems = {}
    tasks = listed_tasks(project)
    if flag == "-h":
        assert set(SHORT_FLAG_TASKS) <= set(tasks)
        tasks = SHORT_FLAG_TASKS
    for task in tasks:
        if found := help_problems(task, run(project, task, flag), "./run"):
            problems[task] = found
        written = sorted(set(files(project).items()) - set(before.items()))
        if written:
            problems.setdefault(task, []).append(f"wrote {[name for name, _ in written]}")
            before = files(project)
    assert not problems, problems


def test_new_faq_help_with_a_question_given_shows_help_too(project, tmp_path):
    faq_dir = tmp_path / "faq"
    result = run(project, "new-faq", "Une question ?", "--directory", str(faq_dir), "--help")
    assert help_problems("new-faq", result, "./run") == []
    assert not faq_dir.exists()


def test_the_check_catches_invoke_writing_a_question_titled_help(tmp_path):
    # invoke's own program gives `--help` to new-faq's question: the bug the menu fixes.
    faq_dir = tmp_path / "faq"
    invoke = [sys.executable, "-m", "invoke", "--search-root", str(REPO)]
    result = subprocess.run(
        [*invoke, "new-faq", "--help", "--directory", str(faq_dir)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert help_problems("new-faq", result, "invoke")
    assert [path.name for path in faq_dir.iterdir()] == ["01-help.md"]
