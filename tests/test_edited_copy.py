"""The author's everyday edits, and the facts CIMW fills in, keep the suite green.

A copy of the project gets what the README invites: a new day rate, a new
question written with `new-faq`, a retitled question and two questions
swapped; then the tests that depend on the content run on the copy, in a
process of their own, and must pass there too. Two more copies get every
business and legal fact filled in, as the first publish requires (a company
charging VAT, an entrepreneur individuel under the franchise), and the tests
that read the facts must pass there too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from samples import SAMPLES, settings_source
from support import REPO, copy_project, faq_sources

# The modules with tests marked `content`: they read the questions or the prices.
CONTENT_MODULES = [
    "tests/test_site.py",
    "tests/test_seo.py",
    "tests/test_pricing.py",
    "tests/test_placeholders.py",
    "tests/test_text_browser.py",
    "tests/test_chromium.py",
]

# The modules whose tests read the facts: they must hold for any true facts.
FACTS_MODULES = [
    "tests/test_site.py",
    "tests/test_seo.py",
    "tests/test_pricing.py",
    "tests/test_legal.py",
]

NEW_QUESTION = "Sous quel délai intervenez-vous ?"
NEW_SUMMARY = "Nous intervenons sous cinq jours ouvrés, plus vite en cas d'urgence."
NEW_ANSWER = """\
Nous intervenons sous cinq jours ouvrés après la signature du bon de commande.

En cas d'urgence, une demi-journée de dépannage peut être planifiée dès le
lendemain ; elle est facturée {{ by_the_hour }}.
"""
NEW_TITLE = "Quel est le prix d'une journée ?"


def run(root, *args, timeout=600):
    # A run of its own, not a worker of this one.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=timeout
    )


def passes(root, marks: str, modules: list[str]) -> None:
    """The tests of `modules` selected by `marks` pass on the copy at `root`.

    One process: one browser of each kind, beside this run's own workers.
    """
    result = run(
        root, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-m", marks, *modules
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout), result.stdout[-2000:]


def edit_like_an_author(root) -> int:
    """Make the README's everyday edits in the project at `root`; return the new day rate."""
    settings = root / "pelicanconf.py"
    text = settings.read_text(encoding="utf-8")
    rate = 450 if "\nDAY_RATE = 450\n" not in text else 600
    settings.write_text(re.sub(r"(?m)^DAY_RATE = .*$", f"DAY_RATE = {rate}", text))

    written = run(root, "-m", "invoke", "new-faq", NEW_QUESTION)
    assert written.returncode == 0, written.stderr
    new_file = next(root.glob("content/faq/*-sous-quel-delai-intervenez-vous.md"))
    new_file.write_text(
        new_file.read_text(encoding="utf-8").replace(
            "summary: ''  # to write: the answer in one or two sentences",
            f'summary: "{NEW_SUMMARY}"',
        )
        + NEW_ANSWER,
        encoding="utf-8",
    )

    files = {
        question.anchor: next(
            path
            for path in (root / "content" / "faq").glob("*.md")
            if f"\nanchor: {question.anchor}\n" in path.read_text(encoding="utf-8")
        )
        for question in faq_sources(root)
    }
    order = [question.anchor for question in faq_sources(root)]
    last = files[order[-2]]  # the last question before the new one
    last.write_text(
        re.sub(r"(?m)^title: .*$", f'title: "{NEW_TITLE}"', last.read_text(encoding="utf-8"))
    )
    first, second = files[order[0]], files[order[1]]
    first_text, second_text = first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")
    position = re.compile(r"(?m)^position: .*$")
    first.write_text(position.sub(position.search(second_text).group(0), first_text))
    second.write_text(position.sub(position.search(first_text).group(0), second_text))
    return rate


def test_every_module_with_content_tests_runs_on_the_edited_copy():
    # Marked by the decorator, or with the content pages by browsing's pages_marked.
    marked = re.compile(r"mark\.content\b|pages_marked\(")
    modules = {
        f"tests/{path.name}"
        for path in (REPO / "tests").glob("test_*.py")
        if path.name != Path(__file__).name and marked.search(path.read_text(encoding="utf-8"))
    }
    assert modules == set(CONTENT_MODULES)


def test_the_content_tests_pass_on_an_edited_copy(tmp_path):
    root = copy_project(tmp_path / "edited")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    before = faq_sources(root)
    rate = edit_like_an_author(root)

    after = faq_sources(root)
    assert len(after) == len(before) + 1
    assert [q.anchor for q in after[:2]] == [q.anchor for q in reversed(before[:2])]
    assert after[-2].title == NEW_TITLE
    assert after[-1].title == NEW_QUESTION
    assert f"\nDAY_RATE = {rate}\n" in (root / "pelicanconf.py").read_text()

    passes(root, "content and not generated", CONTENT_MODULES)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_facts_tests_pass_with_every_fact_filled_in(tmp_path, sample):
    root = copy_project(tmp_path / sample)
    settings = root / "pelicanconf.py"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + "\n# Filled in by CIMW.\n"
        + settings_source(SAMPLES[sample]),
        encoding="utf-8",
    )
    passes(root, "not generated", FACTS_MODULES)
