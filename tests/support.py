"""Helpers the tests share: the project's folders, copies, builds, and the truth of the sources.

Fixtures live in conftest.py; everything a test imports lives here or in
another support module (browsing, servers, deploying, samples).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "plugins"))

from cimw.frontmatter import Question as QuestionHeader  # noqa: E402
from cimw.frontmatter import read_front_matter  # noqa: E402
from project import build as pelican_build  # noqa: E402

# What a copy of the project leaves out: generated, installed or local files.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".tools",
    "node_modules",
    "output",
    "output.*",
    "publish-build",
    "cache",
    "test-artifacts",
    "__pycache__",
    ".pytest_cache",
    "*.pyc",
    ".ruff_cache",
    ".mypy_cache",
)


def made_once(tmp_path_factory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder `make` fills once for the whole run, whichever worker asks first.

    The other workers wait for it (a lock in the run's shared temporary
    folder) and then read the same folder: a build or a publish that several
    test files need costs one run, not one per worker.
    """
    root = tmp_path_factory.getbasetemp()
    # A worker's folder is popen-gwN inside the run's own.
    if root.name.startswith("popen-gw"):
        root = root.parent
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


def copy_project(destination: Path) -> Path:
    """Copy the project's sources (no build, cache or installed tools) into `destination`."""
    shutil.copytree(REPO, destination, ignore=NOT_SOURCES, symlinks=True, dirs_exist_ok=True)
    return destination


class BuiltSite:
    """A built output folder, with parsed pages."""

    def __init__(self, output: Path):
        self.output = output

    def html(self, name: str = "index.html") -> str:
        return (self.output / name).read_text(encoding="utf-8")

    def soup(self, name: str = "index.html") -> BeautifulSoup:
        return BeautifulSoup(self.html(name), "html.parser")

    def pages(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))


def invoke_command(*args: str) -> list[str]:
    """The command line of a project task, run as the README runs it (uv run invoke)."""
    return [sys.executable, "-m", "invoke", "--search-root", str(REPO), *args]


def run_invoke(
    *args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run a project task in a fresh process; return its exit code and output."""
    return subprocess.run(
        invoke_command(*args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def build_real_site(tmp: Path, **overrides) -> BuiltSite:
    """Build the repository's content into `tmp`, as `invoke build` does."""
    settings = {"OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "cache")}
    settings.update(overrides)
    pelican_build(REPO / "pelicanconf.py", settings)
    return BuiltSite(tmp / "output")


# -- the truth, read from the sources -----------------------------------------


@dataclass(frozen=True)
class Question:
    """A published question as its file states it, read by the site's own front-matter parser."""

    header: QuestionHeader
    body: str
    path: Path

    @property
    def front_matter(self) -> dict:
        return self.header.model_dump()

    @property
    def title(self) -> str:
        return self.header.title

    @property
    def anchor(self) -> str:
        return self.header.anchor


def faq_sources(root: Path = REPO) -> list[Question]:
    """The published questions, read from content/faq, in page order."""
    questions = []
    for path in sorted((root / "content" / "faq").glob("*.md")):
        front = read_front_matter(str(path), path.read_text(encoding="utf-8"), "question")
        assert isinstance(front.header, QuestionHeader)
        if front.header.status == "published":
            questions.append(Question(front.header, front.body, path))
    return sorted(questions, key=lambda question: question.header.position)


def faq_front_matter() -> list[dict]:
    """The published questions' front matter, in page order."""
    return [question.front_matter for question in faq_sources()]


def pricing_anchor() -> str:
    """The anchor of the question that shows the price table."""
    return next(q.anchor for q in faq_sources() if "{{ price_table }}" in q.body)


def as_typed(text: str) -> str:
    """Text with French typography undone and white space removed, for comparing."""
    for typographic, typed in (("’", "'"), ("«", '"'), ("»", '"'), ("…", "...")):
        text = text.replace(typographic, typed)
    return "".join(text.split())  # no-break spaces are white space too


def shows(shown: str, written: str) -> bool:
    """Whether `shown` is the text `written` in a source, its placeholders filled with anything."""
    pattern = ".+?".join(re.escape(part) for part in re.split(r"\{\{ \w+ \}\}", as_typed(written)))
    return re.fullmatch(pattern, as_typed(shown)) is not None


def outcome(call, *args, **kwargs):
    """What a call returned, or the exception it raised: for a property either may hold."""
    try:
        return call(*args, **kwargs)
    except Exception as error:  # the test tells the kinds apart
        return error


def facts_of(overrides: dict | None = None):
    """The facts a build with these overrides states, parsed by the site's own model."""
    from cimw.facts import parse_facts

    return parse_facts(settings_of(overrides or {}))


def settings_of(overrides: dict) -> dict:
    """The settings a build with these overrides uses: pelicanconf.py's, then the overrides."""
    import pelicanconf

    settings = {name: getattr(pelicanconf, name) for name in dir(pelicanconf) if name.isupper()}
    settings.update(overrides)
    return settings


GOOD_FAQ = """\
---
title: Une question ?
position: {position}
anchor: {anchor}
summary: La réponse en bref.
reviewed: 2026-11-26
---

La réponse.
"""

HOME = """\
---
title: Accueil
summary: La page d'accueil.
reviewed: 2026-01-15
template: home
save_as: index.html
url: ""
---

Introduction.
"""


def good_faq(position: int = 1, anchor: str = "une-question") -> str:
    return GOOD_FAQ.format(position=position, anchor=anchor)


class TinySite:
    """A site of a few files in a temporary folder, built in this process as `./run build` does.

    `build` answers like the command: exit code 1 and "Build failed: …" on
    stderr when the build stops. A few tests run the command itself.
    """

    def __init__(self, root: Path):
        self.root = root
        self.write("content/pages/index.md", HOME)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def build(self, settings: str = "") -> subprocess.CompletedProcess:
        settings_file = self.write(
            "settings.py",
            f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
            "from pelicanconf import *\n"
            f"THEME = {str(REPO / 'theme')!r}\n"
            f"PLUGIN_PATHS = [{str(REPO / 'plugins')!r}]\n"
            "PATH = 'content'\nOUTPUT_PATH = 'output'\nCACHE_PATH = 'cache'\n" + settings,
        )
        from project import BuildError, build_into, load_settings

        previous = Path.cwd()
        os.chdir(self.root)  # messages name files from where the author runs the build
        try:
            output = Path(load_settings(settings_file)["OUTPUT_PATH"])
            build_into(settings_file, output)
        except BuildError as error:
            return subprocess.CompletedProcess(["build"], 1, "", f"Build failed: {error}\n")
        finally:
            os.chdir(previous)
        return subprocess.CompletedProcess(["build"], 0, f"Site built into {output}/\n", "")
