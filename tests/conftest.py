"""Shared fixtures: the real site built once, and tiny sites built to fail."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "plugins"))

import pelicanconf  # noqa: E402
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


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> BuiltSite:
    """The real site, built once per test session with warnings as errors."""
    return build_real_site(tmp_path_factory.mktemp("site"))


# -- the truth, read from the sources -----------------------------------------


@dataclass(frozen=True)
class Question:
    """A published question as its file states it."""

    front_matter: dict
    body: str

    @property
    def title(self) -> str:
        return self.front_matter["title"]

    @property
    def anchor(self) -> str:
        return self.front_matter["anchor"]


def faq_sources(root: Path = REPO) -> list[Question]:
    """The published questions, read from content/faq, in page order."""
    questions = []
    for path in sorted((root / "content" / "faq").glob("*.md")):
        _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
        front_matter = yaml.safe_load(header)
        if front_matter.get("status", "published") == "published":
            questions.append(Question(front_matter, body))
    return sorted(questions, key=lambda question: question.front_matter["position"])


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


# Two full sets of business and legal facts as CIMW could confirm them: test
# values, none real. Every fact the production build requires is set.
FILLED_LEGAL = {
    "SITE_PUBLIC_URL": "https://www.cimw.example",
    # A company that charges VAT and shows prices with VAT too.
    "PUBLISHER_KIND": "company",
    "PUBLISHER_NAME": "CIMW",
    "PUBLISHER_LEGAL_FORM": "SARL",
    "PUBLISHER_SHARE_CAPITAL": "10 000 €",
    "PUBLISHER_RCS": "RCS Paris 123 456 789",
    "PUBLISHER_SIREN": "123 456 789",
    "PUBLISHER_VAT_NUMBER": "FR12 123456789",
    "PUBLISHER_ADDRESS": "1 rue de la Paix, 75002 Paris",
    "PUBLICATION_DIRECTOR": "Jeanne Martin",
    "PUBLICATION_DIRECTOR_ROLE": "gérante, représentante légale de la société",
    "CONTACT_EMAIL": "contact@cimw.example",
    "CONTACT_PHONE": "+33 1 23 45 67 89",
    "HOST_NAME": "Hébergement Durand",
    "HOST_ADDRESS": "2 place de la République, 69002 Lyon",
    "HOST_PHONE": "+33 4 12 34 56 78",
    "HOST_LOG_RETENTION": "un an",
    "MAIL_PROVIDER": "Messagerie Bernard",
    "PRIVACY_TRANSFERS": (),
    "CONTACT_RETENTION": "trois ans après notre dernier échange",
    "SECURITY_TXT_LANGUAGES": ("fr",),
    "VAT_REGIME": "charged",
    "VAT_RATE": 20,
    "PRICING_BILLABLE_DAYS_PER_YEAR": 210,
}

# An entrepreneur individuel under the VAT franchise, with an hourly rate, a
# day rate of its own and an English-speaking security contact.
FILLED_EI = {
    **{
        key: value
        for key, value in FILLED_LEGAL.items()
        if key not in ("PUBLISHER_LEGAL_FORM", "PUBLISHER_SHARE_CAPITAL", "PUBLISHER_RCS")
        and not key.startswith("PUBLICATION_")
    },
    "PUBLISHER_KIND": "ei",
    "PUBLISHER_SURNAME": "Martin",
    "PUBLISHER_GIVEN_NAMES": "Jeanne Marie",
    "PUBLISHER_NAME": "CIMW Martin",
    "PUBLISHER_SIREN": "987 654 321",
    "PUBLISHER_VAT_NUMBER": "",
    "PUBLISHER_ADDRESS": "12 rue des Lilas, 33000 Bordeaux",
    "MAIL_PROVIDER": "Courriel Express",
    "PRIVACY_TRANSFERS": (
        (
            "Courriel Express, fournisseur de messagerie",
            "États-Unis",
            "clauses contractuelles types de la Commission européenne",
        ),
    ),
    "SECURITY_TXT_LANGUAGES": ("fr", "en"),
    # Another day rate than the settings', whatever the author sets there.
    "DAY_RATE": pelicanconf.DAY_RATE + 150,
    "VAT_REGIME": "franchise",
    "VAT_RATE": None,
    "HOURLY_RATE": 70,
    "PRICING_BILLABLE_DAYS_PER_YEAR": 218,
}


def settings_of(overrides: dict) -> dict:
    """The settings a build with these overrides uses: pelicanconf.py's, then the overrides."""
    import pelicanconf

    settings = {name: getattr(pelicanconf, name) for name in dir(pelicanconf) if name.isupper()}
    settings.update(overrides)
    return settings


# Both are built as production builds them: refusing any fact left unconfirmed.
@pytest.fixture(scope="session")
def site_filled(tmp_path_factory) -> BuiltSite:
    """The real site of a company charging VAT, every fact filled in."""
    return build_real_site(
        tmp_path_factory.mktemp("filled"), **FILLED_LEGAL, LEGAL_REQUIRE_REAL_VALUES=True
    )


@pytest.fixture(scope="session")
def site_ei(tmp_path_factory) -> BuiltSite:
    """The real site of an entrepreneur individuel under the VAT franchise, every fact filled in."""
    return build_real_site(
        tmp_path_factory.mktemp("ei"), **FILLED_EI, LEGAL_REQUIRE_REAL_VALUES=True
    )


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
        return run_invoke(
            "build",
            "--settings",
            str(settings_file),
            cwd=self.root,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "250", "HOME": str(self.root)},
        )


@pytest.fixture
def tiny_site(tmp_path) -> TinySite:
    return TinySite(tmp_path)


def serve_site(built: BuiltSite, tmp_path_factory):
    from browsing import StaticServer

    server = StaticServer(built.output, tmp_path_factory.mktemp("http") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served(site, tmp_path_factory):
    """The real site served on 127.0.0.1 for the browsers, stopped by its process id."""
    yield from serve_site(site, tmp_path_factory)


@pytest.fixture(scope="session")
def served_filled(site_filled, tmp_path_factory):
    """The company's site, prices with and without VAT, served like `served`."""
    yield from serve_site(site_filled, tmp_path_factory)


@pytest.fixture(scope="session")
def served_ei(site_ei, tmp_path_factory):
    """The entrepreneur individuel's site, served like `served`."""
    yield from serve_site(site_ei, tmp_path_factory)


@pytest.fixture(scope="session")
def sshd(tmp_path_factory):
    """One throwaway OpenSSH server for every publishing test, stopped by its process id."""
    from servers import SshServer

    server = SshServer(tmp_path_factory.mktemp("sshd"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def release_build(tmp_path_factory) -> BuiltSite:
    """The real site built once with the production settings and the legal fields filled in."""
    tmp = tmp_path_factory.mktemp("release")
    settings = {"OUTPUT_PATH": str(tmp / "output"), "CACHE_PATH": str(tmp / "cache")}
    settings.update(FILLED_LEGAL, SITEURL=FILLED_LEGAL["SITE_PUBLIC_URL"])
    settings["RELEASE_ID"] = "20260101-000000-000000"
    pelican_build(REPO / "publishconf.py", settings)
    return BuiltSite(tmp / "output")
