"""The grammar rule: Grammalecte on the visible text, block by block.

Planted sentences, one per class of mistake, each in another kind of block,
must be reported by `invoke check` with their file and line; their correct
twins must be reported by nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from gate_pages import NBSP, NNBSP, old_page, page
from support import REPO, copy_project

from project import GRAMMAR_EXCEPTIONS, TYPOGRAPHY_TABLE
from sitecheck import Finding, Page, locate_in_sources
from sitecheck.grammar import (
    DEBIAN_PYTHON,
    OPTIONS_OFF,
    PACKAGE,
    RULES_OFF,
    GrammarUnavailable,
    check_grammar,
    grammalecte_errors,
    page_blocks,
)
from sitecheck.typography import check_typography, load_checks

# (class of mistake, the kind of block it is planted in, the wrong sentence,
# its words reported, the correct twin). The page's title and summary are front matter.
PLANTED = [
    (
        "on / ont",
        "title",
        "Les techniciens on besoin d'un accès",
        "besoin",
        "Les techniciens ont besoin d'un accès",
    ),
    (
        "subjunctive after « il faut que »",
        "summary",
        "Il faut que vous faites une sauvegarde chaque semaine.",
        "faites",
        "Il faut que vous fassiez une sauvegarde chaque semaine.",
    ),
    (
        "noun and adjective agreement",
        "paragraph",
        "Nous proposons des prestation adaptées à chaque besoin.",
        "prestation",
        "Nous proposons des prestations adaptées à chaque besoin.",
    ),
    (
        "past participle after a preceding direct object",
        "heading",
        "Les documents que nous avons rédigé",
        "rédigé",
        "Les documents que nous avons rédigés",
    ),
    (
        "ses / ces",
        "list item",
        "Appliquez ses règles-là chaque jour.",
        "ses",
        "Appliquez ces règles-là chaque jour.",
    ),
    (
        "a / à",
        "table cell",
        "Nous intervenons a distance",
        "a",
        "Nous intervenons à distance",
    ),
    (
        "verb and subject agreement",
        "paragraph, inside an inline element",
        "Les clients *demande* une réponse rapide.",
        "demande",
        "Les clients *demandent* une réponse rapide.",
    ),
    (
        "adjective agreement with the subject",
        "paragraph, wrapped over two lines",
        "Ces règles sont\nincontournable pour tous.",
        "incontournable",
        "Ces règles sont\nincontournables pour tous.",
    ),
]


def planted_page(sentences: dict[str, str], title_suffix: str) -> str:
    """A Markdown page with one sentence in each kind of block."""
    return (
        "---\n"
        f"title: {sentences['title']}{title_suffix}\n"
        f"summary: {sentences['summary']}\n"
        "reviewed: 2026-11-26\n"
        "---\n\n"
        f"{sentences['paragraph']}\n\n"
        f"## {sentences['heading']}\n\n"
        f"- {sentences['list item']}\n"
        "- Une autre règle.\n\n"
        "| Intervention | Délai |\n"
        "| --- | --- |\n"
        f"| {sentences['table cell']} | Sous huit jours |\n\n"
        f"{sentences['paragraph, inside an inline element']}\n\n"
        "Une phrase correcte, puis une autre\n"
        f"qui continue. {sentences['paragraph, wrapped over two lines']}\n\n"
        "Voir [la page de contact](/contact.html), puis revenir.\n"
    )


def source_line(text: str, words: str) -> int:
    """The 1-based line of `text` on which the wrong words are."""
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(rf"(?<!\w){re.escape(words)}(?!\w)", line.replace("*", "")):
            return number
    raise AssertionError(f"{words!r} is not in the planted page")


@pytest.fixture(scope="module")
def planted_check(tmp_path_factory):
    """`invoke check` on a copy of the project with a planted page and its correct twin."""
    root = copy_project(tmp_path_factory.mktemp("planted"))
    (root / "node_modules").symlink_to(REPO / "node_modules")
    wrong = planted_page({kind: sentence for _, kind, sentence, _, _ in PLANTED}, "")
    right = planted_page({kind: twin for _, kind, _, _, twin in PLANTED}, " (corrigé)")
    (root / "content" / "pages" / "fautes.md").write_text(wrong, encoding="utf-8")
    (root / "content" / "pages" / "correct.md").write_text(right, encoding="utf-8")
    # An entry that allows nothing: the project's list is read, and it is reported.
    exceptions = root / "content" / "grammar-exceptions.txt"
    stale = "g2__conf_on_non_verbe__b1_a3_1 les techniciens on besoin d'un serveur"
    exceptions.write_text(exceptions.read_text(encoding="utf-8") + stale + "\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "check",
            "--rules",
            "entities,spelling,grammar,typography,links,document",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result, wrong, root


@pytest.mark.parametrize(
    ("mistake", "kind", "words"), [(m, kind, words) for m, kind, _, words, _ in PLANTED]
)
def test_check_reports_each_planted_mistake_at_its_line(planted_check, mistake, kind, words):
    result, wrong, _ = planted_check
    line = source_line(wrong, words)
    reported = [
        finding
        for finding in result.stdout.splitlines()
        if finding.startswith(f"content/pages/fautes.md:{line}: grammar: ")
        and f"(« {words} »" in finding
    ]
    assert len(reported) == 1, f"{mistake} ({kind}) not reported once:\n{result.stdout}"


def test_check_reports_the_planted_mistakes_and_nothing_else(planted_check):
    result, _, root = planted_check
    assert result.returncode == 1, result.stdout + result.stderr
    findings = [line for line in result.stdout.splitlines() if re.match(r"\S+:\d+: \w+: ", line)]
    # Nothing in the correct twin, nothing from another rule, nothing twice.
    planted = [f for f in findings if f.startswith("content/pages/fautes.md:")]
    assert len(planted) == len(PLANTED), result.stdout
    assert all(": grammar: " in f for f in planted)
    # The twin was built and checked: every corrected sentence is on its page.
    twin = BeautifulSoup(
        (root / "output" / "correct.html").read_text(encoding="utf-8"), "html.parser"
    )
    shown = " ".join([twin.get_text(), twin.select_one('meta[name="description"]')["content"]])
    for _, _, _, _, sentence in PLANTED:
        assert " ".join(sentence.replace("*", "").replace("'", "\u2019").split()) in " ".join(
            shown.split()
        )
    [stale] = [f for f in findings if f not in planted]
    stale_line = len(GRAMMAR_EXCEPTIONS.read_text(encoding="utf-8").splitlines()) + 1
    assert stale.startswith(f"content/grammar-exceptions.txt:{stale_line}: grammar: exception")
    assert "allows nothing on the site" in stale


def test_a_finding_names_the_words_the_suggestion_and_the_rule(planted_check):
    result, wrong, _ = planted_check
    line = source_line(wrong, "prestation")
    finding = next(f for f in result.stdout.splitlines() if f"fautes.md:{line}:" in f)
    assert re.fullmatch(
        rf"content/pages/fautes\.md:{line}: grammar: .+ \(« prestation » → prestations\) "
        r"\[[\w_]+\] \(in fautes\.html:\d+\)",
        finding,
    ), finding


def test_the_title_is_reported_once_at_its_front_matter_line(planted_check):
    """The title is shown in <title> and <h1>: one mistake, one finding."""
    result, _, _ = planted_check
    title = [f for f in result.stdout.splitlines() if f.startswith("content/pages/fautes.md:2:")]
    assert len(title) == 1, result.stdout
    assert re.search(r"\(in fautes\.html:\d+, fautes\.html:\d+\)$", title[0]), title


# -- blocks as the reader sees them ------------------------------------------


def texts(html: str) -> list[str]:
    return [block.text for block in page_blocks(page(html))]


def test_blocks_join_inline_elements_and_separate_block_elements():
    blocks = texts(
        "<p>Voir <a href='/'>la page</a>, puis <em>revenir</em>\n  ici.</p>"
        "<ul><li>Un<ul><li>Deux</li></ul></li></ul>"
        "<table><tr><th>Prix</th><td>300\u00a0€</td></tr></table>"
        "<p>Code <code>a ,b</code> fin.</p>"
    )
    assert "Voir la page, puis revenir ici." in blocks
    assert {"Un", "Deux", "Prix", "300\u00a0€", "Code fin."} <= set(blocks)
    assert texts("<p>un<br>deux</p>")[1:3] == ["un", "deux"]


def test_no_break_spaces_reach_grammalecte_intact():
    blocks = texts(f"<p>Combien ça coûte{NNBSP}? Voici{NBSP}: rien.</p>")
    assert f"Combien ça coûte{NNBSP}? Voici{NBSP}: rien." in blocks
    # With its own no-break space rules on, Grammalecte objects to plain spaces only.
    [with_nbsp, with_spaces] = grammalecte_errors(
        [f"Combien ça coûte{NNBSP}?", "Combien ça coûte ?"], options_off=(), rules_off=()
    )
    assert with_nbsp == []
    assert [error["option"] for error in with_spaces] == ["nbsp"]


def test_a_tag_before_a_comma_is_not_a_space_before_it():
    findings = check_grammar([page("<p>Voir <a href='/'>la page</a>, puis revenir.</p>")])
    assert findings == []
    # Had the text nodes been checked one by one, or joined with spaces, it would be.
    [split] = grammalecte_errors(["Voir la page , puis revenir."])
    assert split, "Grammalecte does report a space before a comma"


def test_placeholders_are_not_checked():
    wrong = "[une adresses inconnus]"  # mistakes, were it checked
    assert grammalecte_errors([f"Le siège est {wrong}."]) != [[]]
    html = page(
        f"<p>Le siège est <span class='placeholder'>{wrong}</span>, à "
        f"<span class='placeholder'>{wrong}</span>.</p>"
    ).html.replace("Une page.", f"Le siège est {wrong} : nous répondrons.")
    assert check_grammar([Page("index.html", html)]) == []
    shown = [block.text for block in page_blocks(Page("index.html", html))]
    assert {"Le siège est X, à X.", "Le siège est X : nous répondrons."} <= set(shown)


def test_the_title_and_the_description_are_checked():
    html = page("").html.replace("<title>Titre", "<title>Les clients demande")
    html = html.replace("Une page.", "Il faut que vous faites attention.")
    findings = check_grammar([Page("index.html", html)])
    assert sorted(f.line for f in findings) == [5, 6]


def test_the_old_site_grammar_mistakes_are_reported():
    messages = " ".join(f.message for f in check_grammar([old_page()]))
    assert "(« basé » → basée)" in messages  # « la prestation basé sur »
    assert "(« laisser » → laissez)" in messages  # « ne laisser pas votre navigateur »


# -- what is turned off, and why ---------------------------------------------


def test_every_turned_off_option_and_rule_has_a_reason():
    assert all(reason.strip() for reason in {**OPTIONS_OFF, **RULES_OFF}.values())


TYPOGRAPHY_EXAMPLES = [
    (rule["name"], written)
    for rule in tomllib.loads(TYPOGRAPHY_TABLE.read_text(encoding="utf-8"))["rule"]
    for written, _typeset in rule.get("examples", [])
]


def test_the_typography_rule_defects_are_not_reported_again():
    """Each defect of the typography table is the typography rule's to report, not grammar's.

    All the examples in one Grammalecte run, each its own page, named after its rule.
    """
    pages = [
        page(f"<p>{written}</p>", name=f"{number}-{rule}.html")
        for number, (rule, written) in enumerate(TYPOGRAPHY_EXAMPLES)
    ]
    assert [(f.path, f.message) for f in check_grammar(pages)] == []
    # Grammalecte knows most of them: what it says is turned off here, not missed.
    all_on = grammalecte_errors(
        [written for _, written in TYPOGRAPHY_EXAMPLES], options_off=(), rules_off=()
    )
    assert len(all_on) == len(TYPOGRAPHY_EXAMPLES)
    missed = [
        (rule, error)
        for (rule, _), errors in zip(TYPOGRAPHY_EXAMPLES, all_on, strict=True)
        for error in errors
        if error["option"] not in OPTIONS_OFF and error["rule"] not in RULES_OFF
    ]
    assert missed == []


def test_layout_rules_are_off():
    [all_on] = grammalecte_errors(["Un mot  puis un autre."], options_off=(), rules_off=())
    assert "esp" in {error["option"] for error in all_on}
    assert grammalecte_errors(["Un mot  puis un autre."]) == [[]]


def test_grammalecte_typography_the_typography_rule_lacks_is_kept():
    findings = check_grammar([page("<p>Un mot , puis un autre.Et la suite.</p>")])
    assert len(findings) == 2, findings
    checks = load_checks(TYPOGRAPHY_TABLE)
    assert list(check_typography(page("<p>Un mot , puis un autre.Et la suite.</p>"), checks)) == []


def test_an_unknown_option_or_rule_is_an_error():
    with pytest.raises(GrammarUnavailable, match="no option or rule typo_inconnue"):
        grammalecte_errors(["Une phrase."], rules_off=("typo_inconnue",))


def test_a_missing_grammalecte_names_the_package(tmp_path):
    with pytest.raises(GrammarUnavailable, match=f"apt-get install {PACKAGE}"):
        check_grammar([page("<p>Une phrase.</p>")], python=tmp_path / "python3")
    # A Python without the module: the virtualenv's own.
    with pytest.raises(GrammarUnavailable, match=f"not installed: apt-get install {PACKAGE}"):
        check_grammar([page("<p>Une phrase.</p>")], python=Path(sys.executable))
    assert DEBIAN_PYTHON.is_file()


# -- the exception list ------------------------------------------------------

WRONG = "<p>Les techniciens on besoin d\u2019un accès.</p><p>Un avis, et on besoin de rien.</p>"


def test_an_exception_allows_its_words_only(tmp_path):
    [finding, _] = check_grammar([page(WRONG)])
    rule = re.search(r"\[(\S+)\]$", finding.message).group(1)
    exceptions = tmp_path / "grammar-exceptions.txt"
    exceptions.write_text(f"# a comment\n\n{rule} techniciens on besoin d'un\n")
    findings = check_grammar([page(WRONG)], exceptions)
    assert [f.line for f in findings] == [11]
    assert "« besoin »" in findings[0].message


def test_a_stale_or_malformed_exception_is_reported(tmp_path):
    exceptions = tmp_path / "grammar-exceptions.txt"
    exceptions.write_text(
        "g2__conf_on_non_verbe__b1_a3_1 les techniciens ont besoin\n"
        "typo_inconnue on besoin\n"
        "g2__conf_on_non_verbe__b1_a3_1\n"
    )
    findings = check_grammar(
        [page("<p>Les techniciens ont besoin d\u2019un accès.</p>")], exceptions
    )
    assert [(Path(f.path).name, f.line) for f in findings] == [
        ("grammar-exceptions.txt", 3),
        ("grammar-exceptions.txt", 1),
        ("grammar-exceptions.txt", 2),
    ]
    assert "allows nothing on the site" in findings[1].message
    assert "expected a rule id, a space, then the words" in findings[0].message


def test_the_project_exception_list_is_well_formed():
    assert GRAMMAR_EXCEPTIONS.is_file()
    from sitecheck.grammar import read_exceptions

    assert read_exceptions(GRAMMAR_EXCEPTIONS)[1] == []


# -- from the built page to the Markdown line ---------------------------------


def test_a_finding_is_located_through_wraps_markup_and_whole_words(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        "Les documents que nous avons rédigés.\n"  # not « rédigé »: a longer word
        "Ces règles sont\n"
        "incontournable pour tous. Les clients *demande* une réponse, et\n"
        "[les documents](/docs.html) que nous avons rédigé.\n"
    )

    def located(needle, needle_at=0):
        finding = Finding("index.html", 1, "grammar", "m", needle, needle_at)
        [moved] = locate_in_sources([finding], content, tmp_path)
        return moved.path, moved.line

    assert located("sont incontournable pour tous", 5) == ("content/a.md", 3)
    assert located("sont incontournable pour tous", 0) == ("content/a.md", 2)
    assert located("clients demande une réponse") == ("content/a.md", 3)
    assert located("documents que nous avons rédigé") == ("content/a.md", 4)
    assert located("nous avons rédigé") == ("content/a.md", 4)
    assert located("absent d\u2019ici") == ("index.html", 1)
