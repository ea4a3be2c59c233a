"""The quality gate: each rule catches its broken case, and the real site passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_pages import NBSP, NNBSP, old_page, page
from samples import COMPANY_VAT
from servers import StaticServer
from support import REPO, run_invoke

from project import TYPOGRAPHY_TABLE, VNU_JAR, gate_inputs, public_url
from sitecheck import (
    RULES,
    Finding,
    Page,
    Site,
    check_site,
    format_report,
    locate_in_sources,
    validity,
)
from sitecheck.rules import check_document, check_entities, check_links, resolve
from sitecheck.spelling import check_spelling, misspelled
from sitecheck.typography import check_typography, load_checks, typography_findings
from sitecheck.validity import check_validity

WORDS = REPO / "content" / "words.txt"
CHECKS = load_checks(TYPOGRAPHY_TABLE)


def rules_and_lines(findings):
    return [(f.rule, f.line) for f in findings]


def write_site(root: Path, pages: dict[str, str]) -> Path:
    for name, html in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    return root


# -- entities ----------------------------------------------------------------


def test_entities_pass_on_known_references():
    assert (
        list(check_entities(page("<p>R&amp;D, caf&eacute;, 300&nbsp;€, &#8217; &#x2019;</p>")))
        == []
    )


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("<p>cyber-sécurit&ecute; de vos</p>", "unknown character reference &ecute;"),
        ("<p>vos systès;mes</p>", "word broken by ';': systès;mes"),
        ("<p>Q&A et &copy 2026</p>", "bare &A"),
        ('<p><a href="/?a=1&b=2">x</a></p>', "bare &b"),
        ("<p>&#8217 x</p>", "has no closing ';'"),
    ],
)
def test_entities_flag_broken_references(body, words):
    findings = list(check_entities(page(body)))
    assert findings
    assert all(f.rule == "entities" for f in findings)
    assert any(words in f.message for f in findings), findings
    assert findings[0].line == 11  # the body's line in the page


# -- typography --------------------------------------------------------------


def test_typography_passes_french_text():
    text = (
        f"<p>Il dit «{NBSP}bonjour{NBSP}»{NBSP}: c\u2019est 300{NBSP}€ pour 20{NBSP}%"
        f"{NNBSP}; vraiment{NNBSP}? Oui{NNBSP}!</p><p><code>a: b; 'c' \"d\"</code></p>"
        f"<p>https://exemple.fr/a?b</p><p>Vraiment{NNBSP}?!</p>"
    )
    assert list(check_typography(page(text), CHECKS)) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('Il dit "bonjour".', "straight quote"),
        ("l'assistance", "straight apostrophe"),
        ("Vraiment?", "no narrow no-break space before ?"),
        ("Vraiment ?", "plain space before ?"),
        ("Attention!", "before !"),
        ("un; deux", "before ;"),
        ("Note: ceci", "no no-break space before :"),
        ("Note : ceci", "plain space before :"),
        (f"«bonjour{NBSP}»", "after «"),
        (f"«{NBSP}bonjour»", "before »"),
        ("300€", "between the number and €"),
        ("300 €", "between the number and €"),
        ("20%", "between the number and %"),
    ],
)
def test_typography_flags_each_rule(text, words):
    findings = list(check_typography(page(f"<p>{text}</p>"), CHECKS))
    assert any(words in f.message and f.rule == "typography" and f.line == 11 for f in findings), (
        findings
    )


def test_typography_sees_a_mark_at_the_start_of_a_node():
    assert list(typography_findings(f"{NNBSP}?", CHECKS, previous="Vraiment")) == []
    assert [m for m, _ in typography_findings("?", CHECKS, previous="Vraiment")] == [
        "no narrow no-break space before ?"
    ]


def test_typography_checks_the_title_and_description():
    findings = list(
        check_typography(
            Page(
                "p.html",
                (
                    '<html lang="fr"><head><title>Combien ?</title>'
                    '<meta name="description" content="C\'est ça"></head><body></body></html>'
                ),
            ),
            CHECKS,
        )
    )
    assert {f.message.split(":")[0] for f in findings} == {
        "plain space before ?",
        "straight apostrophe '; use \u2019",
    }


# -- document ----------------------------------------------------------------


def test_document_passes_a_good_page():
    assert (
        list(check_document(page("<h2 id='a'>A</h2><h3>B</h3><h2>C</h2><img src='x.png' alt=''>")))
        == []
    )


@pytest.mark.parametrize(
    ("good", "bad", "words"),
    [
        ('lang="fr"', 'lang="en"', 'lang="fr"'),
        ("<title>Titre</title>", "<title> </title>", "empty or missing <title>"),
        ('content="Une page."', 'content=""', "meta description"),
        ("<h1>Titre</h1>", "<h1>Titre</h1><h1>Encore</h1>", "2 <h1> elements"),
        ("<h1>Titre</h1>", "<h1>Titre</h1><h3>Trop bas</h3>", "<h3> after <h1>"),
        ("<main>", '<main><p id="x">a</p><p id="x">b</p>', 'id "x" is used twice'),
        ("<main>", '<main><img src="a.png">', "has no alt attribute"),
        ("<main>", "<main><script>alert(1)</script>", "inline <script>"),
        ("<main>", '<main><p style="color:red">a</p>', "style= attribute"),
        ("<main>", '<main><a href="#" onclick="x()">a</a>', "onclick= event handler"),
        ("<main>", '<main><img src="https://cdn.example/a.png" alt="">', "from another host"),
        (
            '<meta charset="utf-8">',
            '<link rel="stylesheet" href="https://fonts.example/css">',
            "from another host",
        ),
    ],
)
def test_document_flags_each_rule(good, bad, words):
    broken = page("").html.replace(good, bad, 1)
    assert broken != page("").html
    findings = list(check_document(Page("index.html", broken)))
    assert any(words in f.message and f.rule == "document" for f in findings), findings


# -- links -------------------------------------------------------------------


@pytest.fixture
def linked_site(tmp_path):
    return Site(
        write_site(
            tmp_path,
            {
                "index.html": page('<h2 id="combien-ça-coûte">Prix</h2>').html,
                "contact.html": page("<p>Contact</p>", "contact.html").html,
                "docs/guide.html": page('<p id="haut">Guide</p>', "docs/guide.html").html,
                "docs/index.html": page("<p>Docs</p>", "docs/index.html").html,
                "theme/css/main.css": "body{}",
            },
        )
    )


def test_resolve():
    assert resolve("index.html", "/") == "index.html"
    assert resolve("docs/guide.html", "../contact.html") == "contact.html"
    assert resolve("docs/guide.html", "/docs/") == "docs/index.html"
    assert resolve("index.html", "caf%C3%A9.html") == "café.html"


@pytest.mark.parametrize(
    "href",
    [
        "/",
        "contact.html",
        "/contact.html",
        "#combien-%C3%A7a-co%C3%BBte",
        "#combien-ça-coûte",
        "/#combien-ça-coûte",
        "docs/guide.html#haut",
        "/docs/",
        "/theme/css/main.css",
        "mailto:contact@cimw.fr",
        "tel:+33199000000",
        "https://example.org/page",
    ],
)
def test_links_pass(linked_site, href):
    assert list(check_links(page(f'<p><a href="{href}">x</a></p>'), linked_site)) == []


@pytest.mark.parametrize(
    ("href", "words"),
    [
        ("contacts.html", "no file contacts.html"),
        ("/docs/missing/", "no file docs/missing/index.html"),
        ("#nulle-part", 'no id "nulle-part" in index.html'),
        ("contact.html#haut", 'no id "haut" in contact.html'),
        ("mailto:contact.cimw.fr", "malformed e-mail"),
        ("tel:01 99 00 00 00", "malformed phone"),
        ("javascript:alert(1)", "unexpected link scheme"),
        ("", "empty link"),
    ],
)
def test_links_flag_broken_targets(linked_site, href, words):
    findings = list(check_links(page(f'<p><a href="{href}">x</a></p>'), linked_site))
    assert [f.rule for f in findings] == ["links"]
    assert words in findings[0].message
    assert findings[0].line == 11


def test_resources_from_the_site_own_address_are_not_from_another_host():
    html = page("", head='<link rel="stylesheet" href="https://www.cimw.fr/theme/css/main.css">')
    assert list(check_document(html, "www.cimw.fr")) == []
    [finding] = check_document(html, "cimw.fr")
    assert "from another host" in finding.message


def test_links_to_the_site_own_absolute_url_are_internal(linked_site):
    good = page('<p><a href="https://www.cimw.fr/contact.html">x</a></p>')
    bad = page('<p><a href="https://www.cimw.fr/contacts.html">x</a></p>')
    assert list(check_links(good, linked_site, "www.cimw.fr")) == []
    assert len(list(check_links(bad, linked_site, "www.cimw.fr"))) == 1


# -- spelling ----------------------------------------------------------------


def test_spelling_knows_french_and_the_project_words():
    assert (
        misspelled(["L\u2019assistance à maîtrise d\u2019œuvre de CIMW, selon le RGPD."], WORDS)
        == set()
    )


def test_spelling_flags_misspellings_where_they_are():
    findings = list(
        check_spelling([page("<p>De l\u2019auhtenticité des feuilles d\u2019activtés.</p>")], WORDS)
    )
    assert {(f.rule, f.line) for f in findings} == {("spelling", 11)}
    words = " ".join(f.message for f in findings)
    assert "auhtenticité" in words
    assert "activtés" in words


def test_spelling_without_the_word_list_flags_the_names():
    assert "CIMW" in misspelled(["CIMW"], None)


# -- validity ----------------------------------------------------------------


# -- reporting and sources ---------------------------------------------------


def test_findings_point_at_the_markdown_source(tmp_path):
    content = tmp_path / "content"
    (content / "faq").mkdir(parents=True)
    (content / "faq" / "q.md").write_text(
        "---\ntitle: Q\n---\n\nUne ligne.\nLa cyber-sécurit&ecute; ici.\n"
    )
    findings = [
        Finding("index.html", 40, "entities", "unknown character reference &ecute;", "&ecute;"),
        Finding("contact.html", 12, "entities", "unknown character reference &ecute;", "&ecute;"),
        Finding("index.html", 3, "document", "empty or missing <title>"),
    ]
    located = locate_in_sources(findings, content, tmp_path)
    assert [str(f) for f in located] == [
        "content/faq/q.md:6: entities: unknown character reference &ecute; "
        "(in index.html:40, contact.html:12)",
        "index.html:3: document: empty or missing <title>",
    ]


def test_report_groups_by_rule_and_counts():
    report = format_report(
        [
            Finding("b.html", 2, "links", "b"),
            Finding("a.html", 9, "entities", "x"),
            Finding("a.html", 1, "links", "a"),
        ]
    )
    assert report.splitlines() == [
        "== entities (1)",
        "a.html:9: entities: x",
        "== links (2)",
        "a.html:1: links: a",
        "b.html:2: links: b",
        "3 findings (entities 1, links 2)",
    ]
    assert format_report([]) == "0 findings"


# -- the real site, and the old one ------------------------------------------


def test_the_real_site_passes_every_rule(site):
    findings = check_site(site.output, RULES, gate_inputs(site_url=public_url()))
    assert findings == [], format_report(findings)


# The company's production build passes every rule in test_publish.py: its
# first publish runs the whole gate on it and must pass.
@pytest.mark.parametrize("fixture", ["site_ei"])
def test_the_site_with_real_legal_details_passes_every_rule(request, fixture):
    findings = check_site(
        request.getfixturevalue(fixture).output,
        RULES,
        gate_inputs(site_url=COMPANY_VAT["SITE_PUBLIC_URL"]),
    )
    assert findings == [], format_report(findings)


def test_the_gate_catches_the_old_site_broken_references():
    messages = [f.message for f in check_entities(old_page())]
    assert "unknown character reference &ecute;" in messages
    assert any("systès;mes" in m for m in messages)


def test_the_gate_catches_the_old_site_misspellings():
    words = {f.needle for f in check_spelling([old_page()], WORDS)}
    assert {"l'auhtenticité", "d'activtés", "standardes"} <= words


def test_the_gate_catches_the_old_site_typography():
    messages = " ".join(f.message for f in check_typography(old_page(), CHECKS))
    assert "straight apostrophe" in messages
    assert "no no-break space before :" in messages
    assert "plain space before ?" in messages


# -- the task ----------------------------------------------------------------


def invoke_check(path: Path, *args):
    return run_invoke("check", "--path", str(path), *args)


def test_invoke_check_exits_1_with_the_report(tmp_path):
    write_site(tmp_path, {"index.html": page("<p>cyber-sécurit&ecute;, l'auhtenticité</p>").html})
    # The rules that find something here; every rule runs in test_readme's `check` example.
    result = invoke_check(tmp_path, "--rules", "entities,spelling,typography")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "index.html:11: entities: unknown character reference &ecute;" in lines
    assert any(line.startswith("index.html:11: spelling:") for line in lines)
    assert any(line.startswith("index.html:11: typography: straight apostrophe") for line in lines)
    assert lines[-1] == "4 findings (entities 1, spelling 2, typography 1)", lines[-1]


def test_invoke_check_exits_0_on_a_clean_site(tmp_path):
    write_site(tmp_path, {"index.html": page("<p>Une page correcte.</p>").html})
    result = invoke_check(tmp_path, "--rules", "entities,spelling,typography,links,document")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "0 findings"


def test_invoke_check_refuses_an_unknown_rule(tmp_path):
    write_site(tmp_path, {"index.html": page("<p>x</p>").html})
    result = invoke_check(tmp_path, "--rules", "orthographe")
    assert result.returncode != 0
    assert "unknown rule orthographe" in result.stdout + result.stderr


def test_validity_checks_the_stylesheet(tmp_path):
    write_site(tmp_path, {"theme/css/main.css": "p {\n  color: red;\n  colr: blue;\n}\n"})
    findings = list(check_validity(tmp_path, VNU_JAR))
    assert [(f.path, f.line, f.rule) for f in findings] == [("theme/css/main.css", 3, "validity")]


class VnuSpy:
    """vnu's runs (a Java started), each with the files it was given."""

    def __init__(self, monkeypatch):
        self.runs: list[list[str]] = []
        real = validity.vnu_messages

        def spy(command, files):
            if files:
                self.runs.append([Path(file).name for file in files])
            return real(command, files)

        monkeypatch.setattr(validity, "vnu_messages", spy)


def test_validity_flags_invalid_markup_and_checks_each_file_once_as_it_is(tmp_path, monkeypatch):
    site = write_site(
        tmp_path / "site",
        {"a.html": page("<p>x</p>").html, "b.html": page("<span><div>x</div></span>").html},
    )
    cache = tmp_path / "cache"
    vnu = VnuSpy(monkeypatch)

    def findings():
        return [(f.path, f.line, f.message) for f in check_validity(site, VNU_JAR, cache)]

    checked = findings()
    assert [(path, line) for path, line, _ in checked] == [("b.html", 11)]
    assert "not allowed as child" in checked[0][2]
    assert findings() == checked  # from the cache alone
    assert vnu.runs == [["a.html", "b.html"]]
    (site / "a.html").write_text(page("<span><div>y</div></span>").html, encoding="utf-8")
    assert [path for path, _, _ in findings()] == ["a.html", "b.html"]
    assert vnu.runs[-1] == ["a.html"]


def test_an_unreadable_validity_entry_is_checked_again(tmp_path):
    cache = validity.MessageCache(tmp_path, ["vnu"], VNU_JAR)
    cache.put("good", [{"type": "error", "url": "file:/x.html", "lastLine": 3}])
    assert cache.get("good") == [{"type": "error", "lastLine": 3}]  # kept without its file
    for entry, text in {"cut": "[{", "other": '{"a": 1}', "odd": "[1]"}.items():
        (tmp_path / f"{entry}.json").write_text(text, encoding="utf-8")
        assert cache.get(entry) is None, entry
    assert cache.get("missing") is None


@pytest.fixture
def local_http_server(tmp_path):
    """A plain HTTP server on 127.0.0.1 standing in for another host."""
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "ok.html").write_text("ok")
    server = StaticServer(tmp_path / "www", tmp_path / "server.log")
    yield server.url
    server.stop()


def test_external_links_are_listed_and_fetched_on_request(tmp_path, local_http_server):
    site_dir = write_site(
        tmp_path / "site",
        {
            "index.html": page(
                f'<p><a href="{local_http_server}/ok.html">a</a> '
                f'<a href="{local_http_server}/missing.html">b</a></p>'
            ).html
        },
    )
    listed = invoke_check(site_dir, "--rules", "links")
    assert listed.returncode == 0, listed.stdout
    assert f"{local_http_server}/missing.html  (index.html)" in listed.stdout
    fetched = invoke_check(site_dir, "--rules", "links", "--external")
    assert fetched.returncode == 1
    assert f"index.html:1: external: {local_http_server}/missing.html: HTTP 404" in fetched.stdout
    assert "ok.html:" not in fetched.stdout.split("External links")[0]


def test_a_production_build_is_checked_against_the_address_it_states(release_build):
    from sitecheck import canonical_address

    address = canonical_address(release_build.output)
    assert address == COMPANY_VAT["SITE_PUBLIC_URL"]
    own = check_site(release_build.output, ["document", "links"], gate_inputs(site_url=address))
    assert own == []
    # Checked against another address, its own absolute links would come from another host.
    other = check_site(
        release_build.output, ["document"], gate_inputs(site_url="https://ailleurs.invalid")
    )
    assert any("from another host" in finding.message for finding in other)
    result = run_invoke("check", "--path", str(release_build.output), "--rules", "document,links")
    assert result.returncode == 0, result.stdout + result.stderr
