"""The live preview's parts, on small inputs: problems, special files, paths, pages."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from watchfiles import Change

import preview
from preview import RELOAD_SOCKET, BuildReport, DevPages, Preview, Problem
from project import CONTENT_CACHE, VALIDITY_CACHE

QUESTION = """\
---
title: Une question ?
position: cinq
anchor: une-question
summary: Une réponse.
reviewed: 2026-11-26
---

Un prix {prix_inconnu} ici.
"""


@pytest.fixture
def question(tmp_path) -> Path:
    path = tmp_path / "content" / "faq" / "01-une-question.md"
    path.parent.mkdir(parents=True)
    path.write_text(QUESTION, encoding="utf-8")
    return path


@pytest.mark.usefixtures("question")
def test_build_problems_tell_the_front_matter_from_the_body(tmp_path):
    name = "content/faq/01-une-question.md"
    error = (
        "FrontMatterError: 2 problems in FAQ front matter:\n"
        f"{name}:3: position: expected a whole number from 1, got 'cinq'\n"
        f"{name}:9: {{prix_inconnu}}: not a placeholder"
    )
    problems = preview.build_problems(error, tmp_path)
    assert [(p.path, p.line, p.part) for p in problems] == [
        (name, 3, "front matter"),
        (name, 9, "body"),
    ]
    assert str(problems[0]) == f"{name}:3: in the front matter: position: expected a whole " + (
        "number from 1, got 'cinq'"
    )
    assert str(problems[1]) == f"{name}:9: in the body: {{prix_inconnu}}: not a placeholder"


def test_build_problems_keep_what_names_no_file(tmp_path):
    error = "ERROR: theme/templates/page.html:4: TemplateSyntaxError: unexpected '}'\nValueError: x"
    problems = preview.build_problems(error, tmp_path)
    assert problems == [
        Problem("theme/templates/page.html", 4, "TemplateSyntaxError: unexpected '}'"),
        Problem("", 0, "ValueError: x"),
    ]
    assert str(problems[1]) == "ValueError: x"


def test_a_file_without_front_matter_is_all_front_matter_problems(tmp_path):
    path = tmp_path / "content" / "pages" / "vide.md"
    path.parent.mkdir(parents=True)
    path.write_text("Pas d'en-tête.\n", encoding="utf-8")
    assert preview.problem_part("content/pages/vide.md", 1, tmp_path) == "front matter"
    assert preview.problem_part("theme/templates/base.html", 1, tmp_path) == ""


def test_special_files_name_pipes_and_sockets_not_files(tmp_path):
    extra = tmp_path / "content" / "extra"
    extra.mkdir(parents=True)
    (extra / "favicon.ico").write_bytes(b"\0")
    os.mkfifo(extra / "tube")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(extra / "prise"))
        problems = preview.special_files([tmp_path / "content"], tmp_path)
    assert sorted(str(p) for p in problems) == [
        "content/extra/prise: a socket, not a file: the site is built from files only; "
        "remove it or move it out of the folder",
        "content/extra/tube: a named pipe, not a file: the site is built from files only; "
        "remove it or move it out of the folder",
    ]
    (extra / "tube").unlink()
    (extra / "prise").unlink()
    assert preview.special_files([tmp_path / "content"], tmp_path) == []


def test_an_editors_temporary_file_is_no_change(tmp_path):
    kept = tmp_path / "kept.md"
    kept.write_text("x")
    temporary = str(tmp_path / ".kept.md.swp~")
    removed = str(tmp_path / "removed.md")
    found = {
        (Change.added, temporary),
        (Change.deleted, temporary),
        (Change.modified, str(kept)),
        (Change.deleted, removed),
    }
    assert preview.saved(found) == {str(kept), removed}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", "index.html"),
        ("index.html", "index.html"),
        ("theme/", "theme/index.html"),
        ("theme", "theme/index.html"),
        ("theme/css/main.css", None),
        ("../secret.html", None),
    ],
)
def test_resolve_names_the_page_a_path_asks_for(tmp_path, path, expected):
    output = tmp_path / "output"
    (output / "theme" / "css").mkdir(parents=True)
    page = preview.resolve(output, path)
    assert (page[0] if page else None) == expected


def test_setup_changes_are_settings_theme_and_plugins():
    assert preview.touches_setup([preview.DEV_SETTINGS])
    assert preview.touches_setup([preview.THEME / "templates" / "base.html"])
    assert preview.touches_setup([preview.PLUGINS / "cimw" / "faq.py"])
    assert not preview.touches_setup([preview.CONTENT / "faq" / "01-x.md"])


PAGE = b"<!DOCTYPE html><html><head><title>t</title></head><body><main>m</main></body></html>"


def dev_pages(tmp_path: Path, report: BuildReport, findings=None) -> DevPages:
    state = Preview(output=tmp_path / "output", report=report, findings=findings or {})
    return DevPages(state)


def test_a_page_gets_the_reload_script_and_its_findings_only(tmp_path):
    finding = "content/faq/01-x.md:9: links: /factures.html: no file <here>"
    pages = dev_pages(tmp_path, BuildReport((), 0.1), {"index.html": (finding,)})
    shown = BeautifulSoup(pages.page(PAGE, "index.html"), "html.parser")
    script = shown.select_one("head script[data-preview-version]")
    assert script["data-preview-version"] == pages.version()
    assert RELOAD_SOCKET in script.get_text()
    banner = shown.select_one("body dialog[open].dev-findings")
    assert banner is not None
    assert [li.get_text() for li in banner.select("li")] == [finding]
    assert banner.select_one('form[method="dialog"] button')
    other = BeautifulSoup(pages.page(PAGE, "contact.html"), "html.parser")
    assert other.select_one("head script[data-preview-version]")
    assert other.select_one("dialog") is None


def test_the_error_page_lists_each_problem_with_its_file(tmp_path):
    problems = (
        Problem("content/faq/01-x.md", 3, "position: expected a whole number", "front matter"),
        Problem("", 0, "<script>alert(1)</script>"),
    )
    pages = dev_pages(tmp_path, BuildReport(("content/faq/01-x.md",), 0.1, problems))
    shown = BeautifulSoup(pages.error_page(), "html.parser")
    assert shown.html["lang"] == "fr"
    assert shown.select_one("head script")["data-preview-version"] == pages.version()
    items = shown.select("main li")
    assert [li.code.get_text() if li.code else "" for li in items] == ["content/faq/01-x.md:3", ""]
    assert "in the front matter: position: expected a whole number" in items[0].get_text()
    # The messages are text, never markup.
    assert shown.select("main script") == []
    assert "<script>alert(1)</script>" in items[1].get_text()


def test_the_summary_says_what_changed_and_what_was_made():
    built = BuildReport(("content/faq/01-x.md",), 0.043, (), 5, 4)
    assert built.summary("10:00:00") == (
        "10:00:00 content/faq/01-x.md changed: built in 0.04 s, 5 questions, 4 pages"
    )
    failed = BuildReport(("content/faq/01-x.md",), 0.01, (Problem("a.md", 2, "bad"),))
    assert failed.summary("10:00:00").splitlines() == [
        "10:00:00 content/faq/01-x.md changed: build failed in 0.01 s, 1 problem "
        "(the pages show them until the build succeeds):",
        "  a.md:2: bad",
    ]


def test_a_busy_port_is_in_use_and_a_free_one_is_not():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert preview.port_in_use("127.0.0.1", port)
    assert not preview.port_in_use("127.0.0.1", port)


def test_compiled_templates_follow_an_edited_template_and_new_settings(tmp_path):
    from jinja2 import Environment, FileSystemLoader

    template = tmp_path / "page.html"
    template.write_text("avant {{ x }}", encoding="utf-8")
    cache = preview.TemplateCache()
    cache.for_inputs("settings-1")

    def render() -> str:
        # A fresh environment per build, as Pelican makes, sharing the compiled templates.
        env = Environment(loader=FileSystemLoader(tmp_path))
        cache.attach(type("Generator", (), {"env": env})())
        return env.get_template("page.html").render(x=1)

    assert render() == "avant 1"
    compiled = cache.compiled
    assert render() == "avant 1"
    template.write_text("après {{ x }}", encoding="utf-8")
    assert render() == "après 1"
    cache.for_inputs("settings-1")
    assert cache.compiled is compiled
    cache.for_inputs("settings-2")
    assert cache.compiled is not compiled


def test_the_content_cache_is_one_per_inputs_and_leaves_the_other_caches(tmp_path):
    settings = preview.ROOT / "pelicanconf.py"
    cache = tmp_path / "cache" / CONTENT_CACHE.name
    kept = cache.parent / VALIDITY_CACHE.name
    kept.mkdir(parents=True)
    (kept / "entry.json").write_text("[]")
    first = preview.content_cache([settings], cache)
    first.mkdir(parents=True)
    other = preview.content_cache([preview.ROOT / "publishconf.py"], cache)
    assert other != first
    assert list(cache.iterdir()) == []
    assert sorted(path.name for path in cache.parent.iterdir()) == sorted([cache.name, kept.name])
    assert (kept / "entry.json").is_file()
    assert preview.content_cache([settings], cache) == first
