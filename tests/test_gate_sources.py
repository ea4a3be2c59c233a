"""Findings from their source: each page and question names its Markdown file when built.

Tiny sites, built in this process with the project's settings and theme,
then checked by the gate: a finding is reported in the file its text was
typed in, at that line, and never merged with one from another file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_sites import TinySite, page, question

import project
from sitecheck import Finding, check_site, format_report, locate_in_sources, run_gate
from sitecheck.core import SOURCE_ATTRIBUTE

# The old hand-written page's line: a reference Markdown keeps (&ecute;), a
# word split by a stray `;` that the typography sets a no-break space before,
# and a bare reference Markdown escapes, so that the reader sees it.
OLD_LINE = "Nous protégeons la cyber-sécurit&ecute; de vos systès;mes, et l&eacute ensemble."
OLD_MISTAKES = ("&ecute;", "systès;mes", "l&eacute")
QUESTION = "faq/01-securite.md"
PAGE = "pages/engagements.md"


def findings_in(findings, tiny: TinySite, relative: str):
    return [f for f in findings if Path(f.path) == tiny.content / relative]


@pytest.fixture(scope="module")
def old_line_site(tmp_path_factory):
    """The old line in a question and in a page of a tiny site, built for development."""
    tiny = TinySite(tmp_path_factory.mktemp("old-line"))
    tiny.write(QUESTION, question(1, "securite", f"La réponse.\n\n{OLD_LINE}"))
    tiny.write(PAGE, page("Nos engagements", OLD_LINE))
    return tiny, tiny.build()


def test_the_typography_changed_the_broken_word(old_line_site):
    # What the entities rule must see through: a no-break space before the `;`.
    _, site = old_line_site
    for name in ("index.html", "engagements.html"):
        assert "systès\u202f;mes" in site.pages[name].html, name
        assert "l&amp;eacute ensemble" in site.pages[name].html, name


@pytest.mark.parametrize("relative", [QUESTION, PAGE])
def test_the_old_line_gives_three_entities_findings_at_its_line(old_line_site, relative):
    tiny, site = old_line_site
    findings = check_site(site, ["entities"], tiny.inputs())
    line = tiny.line_of(relative, OLD_LINE)
    found = findings_in(findings, tiny, relative)
    assert [(f.line, f.rule) for f in found] == [(line, "entities")] * 3, format_report(findings)
    for mistake in OLD_MISTAKES:
        assert sum(mistake in f.message for f in found) == 1, (mistake, format_report(found))
    # Nothing else: each finding is in one of the two files.
    assert len(findings) == 6, format_report(findings)


@pytest.fixture(scope="module")
def twin_site(tmp_path_factory):
    """The same misspelling in two questions; a misspelled summary repeated in the answer."""
    tiny = TinySite(tmp_path_factory.mktemp("twins"))
    tiny.write("faq/01-a.md", question(1, "a", "Nous vérifions l'auhtenticité des accès."))
    tiny.write("faq/02-b.md", question(2, "b", "Une autre phrase.\n\nEt l'auhtenticité ici."))
    summary = "Les techniciens on besoin d'un accès."
    tiny.write("faq/03-c.md", question(3, "c", f"Une réponse.\n\n{summary}", summary=summary))
    tiny.write(
        "pages/activites.md",
        page("Les feuilles d'activtés", "Le texte.\n\nLes feuilles d'activtés du mois."),
    )
    return tiny, tiny.build()


def test_the_same_misspelling_in_two_files_is_two_findings(twin_site):
    tiny, site = twin_site
    findings = [
        f for f in check_site(site, ["spelling"], tiny.inputs()) if "auhtenticité" in f.message
    ]
    assert sorted((Path(f.path).name, f.line) for f in findings) == [
        ("01-a.md", tiny.line_of("faq/01-a.md", "auhtenticité")),
        ("02-b.md", tiny.line_of("faq/02-b.md", "auhtenticité")),
    ], format_report(findings)
    # Each names the one place it was built, not the other file's.
    assert all(f.message.count("index.html:") == 1 for f in findings), format_report(findings)


def test_a_finding_in_an_answer_is_not_reported_at_the_summary(twin_site):
    tiny, site = twin_site
    [finding] = [
        f for f in check_site(site, ["grammar"], tiny.inputs()) if Path(f.path).name == "03-c.md"
    ]
    summary_line, answer_line = tiny.lines_of("faq/03-c.md", "Les techniciens on besoin")
    assert summary_line == tiny.line_of("faq/03-c.md", "summary:")
    assert finding.line == answer_line, finding


def test_a_title_is_reported_at_its_front_matter_and_the_text_at_its_body(twin_site):
    tiny, site = twin_site
    findings = findings_in(
        check_site(site, ["spelling"], tiny.inputs()), tiny, "pages/activites.md"
    )
    # The <title> and the <h1> are one finding, at the title; the body's is another.
    assert sorted(f.line for f in findings) == [
        tiny.line_of("pages/activites.md", "title:"),
        tiny.line_of("pages/activites.md", "du mois"),
    ], format_report(findings)


def test_text_no_source_names_stays_at_the_built_page(tmp_path):
    tiny = TinySite(tmp_path)
    tiny.write("faq/01-a.md", question(1, "a", "La réponse."))
    # Written in the page's source, but shown only by the footer's template: not its text.
    tiny.write("pages/contact.md", page("Contact", "Écrivez-nous : Mentions légales."))
    site = tiny.build()
    html = site.pages["index.html"].html
    footer_line = html[: html.index("Mentions légales", html.index("<footer"))].count("\n") + 1
    finding = Finding("index.html", footer_line, "spelling", "m", "Mentions légales")
    [kept] = locate_in_sources([finding], tiny.content, site=site)
    assert (kept.path, kept.line) == ("index.html", footer_line)
    # Without the page's names (a hand-written page), every source is searched.
    [moved] = locate_in_sources([finding], tiny.content)
    assert Path(moved.path) == tiny.content / "pages/contact.md"


def test_only_development_builds_name_their_sources(tmp_path, release_build):
    tiny = TinySite(tmp_path)
    tiny.write("faq/01-a.md", question(1, "a", "La réponse."))
    site = tiny.build()
    names = {
        name: [str(tag[SOURCE_ATTRIBUTE]) for tag in built.soup.select(f"[{SOURCE_ATTRIBUTE}]")]
        for name, built in site.pages.items()
    }
    assert names["index.html"] == ["pages/index.md", "faq/01-a.md", "faq/01-a.md"]
    # The production build (publishconf.py) of the real site names nothing, in no file.
    for path in release_build.output.rglob("*"):
        if path.is_file() and path.suffix not in (".gz", ".br", ".png", ".ico", ".jpg"):
            assert SOURCE_ATTRIBUTE not in path.read_text(encoding="utf-8", errors="replace"), path


def test_the_preview_rules_report_a_textarea_left_open_in_an_answer(tmp_path, capsys):
    tiny = TinySite(tmp_path)
    tiny.write("faq/01-a.md", question(1, "a", "La réponse.\n\n<textarea>\n\nLa suite."))
    tiny.write("faq/02-b.md", question(2, "b", "Une autre réponse."))
    tiny.build()
    findings = run_gate(tiny.output, tiny.inputs(), ["entities", "typography", "links", "document"])
    report = capsys.readouterr().out
    document = [f for f in findings if f.rule == "document" and f.path == "index.html"]
    messages = " | ".join(f.message for f in document)
    assert "<textarea> is never closed" in messages, report
    assert "the footer is lost" in messages, report
    assert '"b" is not an element' in messages, report
    assert ": document: <textarea> is never closed" in report


def test_project_gate_inputs_follow_the_content_folder(tmp_path):
    inputs = project.gate_inputs(tmp_path, "https://www.cimw.example")
    assert inputs.word_list == tmp_path / project.WORD_LIST.name
    assert inputs.grammar_exceptions == tmp_path / project.GRAMMAR_EXCEPTIONS.name
    assert (inputs.jar, inputs.typography_table) == (project.VNU_JAR, project.TYPOGRAPHY_TABLE)
    assert inputs.site_netloc == "www.cimw.example"
    with pytest.raises(AttributeError):
        inputs.site_url = "https://ailleurs.example"  # type: ignore[misc]


def test_without_source_names_words_in_two_files_stay_at_the_built_page(tmp_path):
    content = tmp_path / "content"
    (content / "faq").mkdir(parents=True)
    for name in ("01-a.md", "02-b.md"):
        (content / "faq" / name).write_text("---\ntitle: Q\n---\n\nDe l'auhtenticité.\n")
    (content / "faq" / "03-c.md").write_text("---\ntitle: Q\n---\n\nDes activtés.\n")
    findings = [
        Finding("index.html", 40, "spelling", "auhtenticité", "l'auhtenticité"),
        Finding("index.html", 52, "spelling", "auhtenticité", "l'auhtenticité"),
        Finding("index.html", 60, "spelling", "activtés", "activtés"),
    ]
    located = locate_in_sources(findings, content, tmp_path)
    assert [str(f) for f in located] == [
        "index.html:40: spelling: auhtenticité",
        "index.html:52: spelling: auhtenticité",
        "content/faq/03-c.md:5: spelling: activtés (in index.html:60)",
    ]
