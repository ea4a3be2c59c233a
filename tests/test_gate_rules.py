"""The gate's new checks on small pages (each one passing, each one failing), and its table."""

from __future__ import annotations

import subprocess
import sys

import pytest
from gate_sites import TinySite, question

import project
import toolchain
from sitecheck import FAST_RULES, RULES, GateInputs, Page, check_site
from sitecheck.rules import bad_code_point, check_document, check_entities

NNBSP, NBSP = "\u202f", "\u00a0"


def home(answers: str = "<p>La réponse.</p>", intro: str = "<p>Introduction.</p>") -> Page:
    """A home page as the theme writes it: two questions in <main>, then the footer."""
    return Page(
        "index.html",
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<title>Accueil</title>\n<meta name="description" content="Une page.">\n</head>\n'
        "<body>\n"
        '<main id="contenu">\n<div class="wrap">\n<h1>Accueil</h1>\n'
        f'<div class="intro">\n{intro}\n</div>\n'
        '<section class="faq-entry" aria-labelledby="a">\n<h2 id="a">Une question ?</h2>\n'
        f"{answers}\n</section>\n"
        '<section class="faq-entry" aria-labelledby="b">\n<h2 id="b">Une autre ?</h2>\n'
        "<p>Une autre réponse.</p>\n</section>\n"
        "</div>\n</main>\n"
        '<footer class="site-footer">\n<p>CIMW</p>\n</footer>\n'
        "</body>\n</html>\n",
    )


# The line of the first question's answer in home().
ANSWER_LINE = home().html.splitlines().index("<p>La réponse.</p>") + 1


def document(page: Page) -> list[str]:
    return [f"{f.line}: {f.message}" for f in check_document(page)]


# -- structure, as a browser parses it ----------------------------------------


def test_a_page_a_browser_builds_as_written_passes():
    assert document(home()) == []
    assert document(home("<p>Une <em>réponse</em>.</p>\n<ul>\n<li>a</li>\n</ul>")) == []


@pytest.mark.parametrize("element", ["textarea", "title", "xmp", "plaintext"])
def test_an_unclosed_raw_text_element_swallows_the_page(element):
    found = document(home(f"<p>La réponse.</p>\n<{element}>"))
    assert f"{ANSWER_LINE + 1}: <{element}> is never closed: a browser shows the rest" in found[0]
    assert any("the footer is lost" in message for message in found), found
    assert any('<section> "b" is not an element' in message for message in found), found


def test_an_unclosed_comment_swallows_the_page():
    found = document(home("<p>La réponse.</p>\n<!-- à reprendre"))
    assert found[0].startswith(f"{ANSWER_LINE + 1}: a comment is never closed"), found


def test_a_stray_main_end_tag_in_an_answer_moves_the_rest_out_of_main():
    found = document(home("<p>La réponse.</p>\n</main>"))
    assert found[0].startswith(f"{ANSWER_LINE + 1}: a browser repairs the markup here: "), found
    assert "End tag (main) seen too early" in found[0]
    assert any('<section> "b" falls outside <main>' in message for message in found), found


def test_an_unclosed_div_in_an_answer_is_repaired_where_it_ends():
    found = document(home("<div class='note'>\n<p>La réponse.</p>"))
    # The browser closes the <div> at </section>, the line after the answer.
    assert found == [
        f"{ANSWER_LINE + 2}: a browser repairs the markup here: End tag (section) seen too "
        "early. Expected other end tag. (an unclosed or stray tag?)"
    ]


def test_an_unclosed_div_in_the_introduction_is_reported():
    found = document(home(intro="<div>\n<p>Introduction.</p>"))
    assert found
    assert "a browser repairs the markup here" in found[0], found


# -- elements the Content-Security-Policy or the site forbids ----------------


@pytest.mark.parametrize(
    ("markup", "words"),
    [
        ('<iframe src="/carte.html" title="Carte"></iframe>', "<iframe>: frames are forbidden"),
        ('<object data="/a.pdf"></object>', "<object>: plugins are forbidden"),
        ('<embed src="/a.swf">', "<embed>: plugins are forbidden"),
        ('<form action="/envoi"><button>Envoyer</button></form>', "form-action 'none'"),
        ('<base href="/">', "base-uri 'none'"),
        ('<meta http-equiv="refresh" content="0; url=/contact.html">', "never reloads"),
        ('<meta http-equiv="Refresh" content="30">', "not even to its own host"),
    ],
)
def test_forbidden_elements_are_reported(markup, words):
    found = document(home(f"<p>La réponse.</p>\n{markup}"))
    assert [message for message in found if words in message] == [
        next(f"{ANSWER_LINE + 1}: {m.split(': ', 1)[1]}" for m in found if words in m)
    ], found


def test_allowed_meta_and_links_pass():
    allowed = '<meta http-equiv="content-type" content="text/html; charset=utf-8">'
    assert document(home(f"<p>La réponse.</p>\n{allowed}\n<a href='/contact.html'>x</a>")) == []


# -- character references ------------------------------------------------------


def entities(body: str) -> list[str]:
    return [f"{f.line}: {f.message}" for f in check_entities(home(body))]


def test_valid_references_and_plain_ampersands_pass():
    assert (
        entities(
            "<p>R&amp;D, Q&amp;A, caf&eacute;, &#127; &#160; &#x10FFFF; &#8239; 1;2 un ; deux</p>\n"
            "<p><code>l&amp;eacute; &amp;ecute;</code> et <pre>a&amp;copy</pre></p>"
        )
        == []
    )


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        ("&#0;", "NUL"),
        ("&#x0;", "NUL"),
        ("&#xD800;", "a surrogate"),
        ("&#57343;", "a surrogate"),
        ("&#x110000;", "beyond Unicode"),
        ("&#128;", "a C1 control, which browsers read as windows-1252 €"),
        ("&#159;", "a C1 control, which browsers read as windows-1252 Ÿ"),
        ("&#x9F;", "a C1 control"),
    ],
)
def test_numeric_references_a_browser_changes_are_reported(reference, why):
    [message] = entities(f"<p>Un {reference} ici.</p>")
    assert message.startswith(f"{ANSWER_LINE}: numeric reference {reference} is {why}")


def test_bad_code_point_draws_the_line():
    assert [bad_code_point(r) is None for r in ("&#127;", "&#128;", "&#159;", "&#160;")] == [
        True,
        False,
        False,
        True,
    ]
    assert bad_code_point("&#x10FFFF;") is None
    assert bad_code_point("&#x110000;") is not None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("<p>et l&amp;eacute ensemble</p>", "“l&eacute” reaches the reader as text: write é"),
        ("<p>et l&amp;eacute; ensemble</p>", "“l&eacute;” reaches the reader as text"),
        ("<p>la s&#38;eacute;curité</p>", "“s&eacute;” reaches the reader as text"),
        ("<p>la s&#x26;#233;curité</p>", "“s&#233;” reaches the reader as text: write é"),
        ("<p>la s&#038;#233curité</p>", "“s&#233” reaches the reader as text: write é"),
        ("<p>cyber-sécurit&amp;ecute; ici</p>", "“sécurit&ecute;” reaches the reader as text"),
        (f"<p>vos systès{NNBSP};mes</p>", "word broken by ';': systès;mes"),
        (f"<p>vos systès{NBSP};mes</p>", "word broken by ';': systès;mes"),
        ("<p>vos systès&#8239;;mes</p>", "word broken by ';': systès;mes"),
        ("<p>vos systès&nbsp;;mes</p>", "word broken by ';': systès;mes"),
    ],
)
def test_references_and_broken_words_the_reader_sees_are_reported(body, words):
    found = entities(body)
    assert [message.split(": ", 1)[0] for message in found] == [str(ANSWER_LINE)], found
    assert words in found[0], found


def test_a_reference_shown_in_the_description_is_reported_at_its_line():
    page = home()
    page = Page(page.name, page.html.replace('content="Une page."', 'content="l&amp;eacute"'))
    assert [(f.line, f.needle) for f in check_entities(page)] == [(6, "l&eacute")]


def test_references_in_scripts_are_not_read():
    script = '<script type="application/ld+json">{"text": "l&eacute &ecute"}</script>'
    assert entities(f"<p>La réponse.</p>\n{script}") == []


# -- the table of rules --------------------------------------------------------


def test_every_list_of_rules_reads_the_table():
    assert tuple(RULES) == (
        "entities",
        "spelling",
        "grammar",
        "typography",
        "links",
        "document",
        "validity",
    )
    fast = tuple(name for name, rule in RULES.items() if rule.fast)
    assert fast == FAST_RULES
    tools = {name: dict(rule.tools) for name, rule in RULES.items() if rule.tools}
    assert tools == toolchain.RULE_TOOLS
    assert {"validity": (project.VNU_JAR,)} == toolchain.RULE_NODE_FILES
    assert all(name == rule.name for name, rule in RULES.items())


def test_the_check_task_help_lists_every_rule():
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "--search-root", str(project.ROOT), "check", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    help_text = " ".join(result.stdout.split())
    for name, rule in RULES.items():
        assert f"{name}: {rule.summary}" in help_text, help_text


def test_check_site_runs_only_the_rules_asked_for(tmp_path):
    (tmp_path / "index.html").write_text(home("<p>l&amp;eacute <a href='/x.html'>x</a></p>").html)
    assert {f.rule for f in check_site(tmp_path, ["links"])} == {"links"}
    assert {f.rule for f in check_site(tmp_path, ["entities", "links"])} == {"entities", "links"}
    with pytest.raises(ValueError, match="unknown rule orthographe"):
        check_site(tmp_path, ["orthographe"])
    with pytest.raises(ValueError, match="the typography rule needs the path of"):
        check_site(tmp_path, ["typography"], GateInputs())


def test_check_with_the_fast_rules_reports_a_textarea_left_open(tmp_path):
    tiny = TinySite(tmp_path)
    tiny.write("faq/01-a.md", question(1, "a", "La réponse.\n\n<textarea>\n\nLa suite."))
    tiny.build()
    result = subprocess.run(
        [
            *(sys.executable, "-m", "invoke", "--search-root", str(project.ROOT)),
            *("check", "--path", str(tiny.output)),
            *("--rules", "entities,typography,links,document"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    html = (tiny.output / "index.html").read_text(encoding="utf-8")
    line = html[: html.index("<textarea>")].count("\n") + 1
    expected = (
        f"index.html:{line}: document: <textarea> is never closed: "
        "a browser shows the rest of the page as its text"
    )
    assert expected in result.stdout.splitlines(), result.stdout
