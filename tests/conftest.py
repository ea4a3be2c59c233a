"""Shared fixtures: the real site built once, and tiny sites built to fail."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "plugins"))

from tasks import pelican_build  # noqa: E402


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


def build_real_site(tmp: Path, **overrides) -> BuiltSite:
    """Build the repository's content into `tmp`, as `invoke build` does."""
    settings = {"OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "cache")}
    settings.update(overrides)
    pelican_build(REPO / "pelicanconf.py", settings)
    return BuiltSite(tmp / "output")


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The real site, built once per test session with warnings as errors."""
    return build_real_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def site_450(tmp_path_factory) -> BuiltSite:
    """The real site with another day rate."""
    return build_real_site(tmp_path_factory.mktemp("site450"), DAY_RATE=450)


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
template: home
save_as: index.html
url: ""
---

Introduction.
"""


def good_faq(position: int = 1, anchor: str = "une-question") -> str:
    return GOOD_FAQ.format(position=position, anchor=anchor)


class TinySite:
    """A site of a few files in a temporary folder, built by `invoke build`."""

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
        return subprocess.run(
            [sys.executable, "-m", "invoke", "--search-root", str(REPO),
             "build", "--settings", str(settings_file)],
            cwd=self.root, capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "250", "HOME": str(self.root)},
        )


@pytest.fixture
def tiny_site(tmp_path) -> TinySite:
    return TinySite(tmp_path)
