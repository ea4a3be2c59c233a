"""The real site, built once: structure, FAQ assembly, prices, typography."""

from __future__ import annotations

import re
import sys

import pytest
from samples import COMPANY_VAT, UNCONFIRMED
from support import REPO, facts_of, faq_sources, shows

import pelicanconf

# Every test here reads the content or the prices.
pytestmark = pytest.mark.content


NNBSP = "\u202f"


def visible_text(soup) -> str:
    return soup.select_one("body").get_text(" ")


def test_home_shows_the_questions_in_order(site):
    soup = site.soup()
    questions = soup.select("main section.faq-entry > h2[id]")
    expected = faq_sources()
    assert expected, "no question in content/faq"
    assert [h2["id"] for h2 in questions] == [question.anchor for question in expected]
    for h2, question in zip(questions, expected, strict=True):
        assert shows(h2.get_text(), question.title), (h2.get_text(), question.title)


def test_table_of_contents_links_every_question(site):
    soup = site.soup()
    toc_targets = [a["href"] for a in soup.select("nav.toc a")]
    ids = [h2["id"] for h2 in soup.select("main section.faq-entry > h2[id]")]
    assert toc_targets == [f"#{i}" for i in ids]
    toc_texts = [a.get_text() for a in soup.select("nav.toc a")]
    assert toc_texts == [h2.get_text() for h2 in soup.select("section.faq-entry > h2")]


def test_back_to_top_follows_each_answer_and_targets_the_top(site):
    soup = site.soup()
    sections = soup.select("section.faq-entry")
    for section in sections:
        last = section.find_all(recursive=False)[-1]
        link = last.select_one("a")
        assert link.get_text() == "Revenir en haut de page"
        target = soup.find(id=link["href"][1:])
        # The target is the page header: the first element of the body after the skip link.
        assert target is not None
        assert target.name == "header"
        assert target.find_previous("main") is None


# Language, title, description, headings, ids, fragment links, scripts, style=
# and resources from other hosts are the gate's document and links rules, run
# on the real site by test_check.py. What the gate does not check:
def test_every_page_starts_with_the_skip_link_and_has_the_landmarks(site):
    for page in site.pages():
        soup = site.soup(page.name)
        first_link = soup.select_one("body a")
        assert first_link["href"] == "#contenu"
        assert "skip-link" in first_link["class"]
        assert soup.select_one("main#contenu")
        for landmark in ("header", "nav", "main", "footer"):
            assert soup.select_one(landmark), f"{page.name}: no <{landmark}>"


def test_navigation_marks_the_current_page(site):
    home = site.soup().select('nav.site-nav a[aria-current="page"]')
    contact = site.soup("contact.html").select('nav.site-nav a[aria-current="page"]')
    assert [a.get_text() for a in home] == ["Accueil"]
    assert [a.get_text() for a in contact] == ["Contact"]


def test_no_blog_furniture(site):
    names = {p.relative_to(site.output).as_posix() for p in site.output.rglob("*") if p.is_file()}
    names = {re.sub(r"\.[0-9a-f]{8}\.css$", ".HASH.css", name) for name in names}
    assert names == {
        "index.html",
        "contact.html",
        "404.html",
        "mentions-legales.html",
        "confidentialite.html",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
        "theme/css/main.HASH.css",
        ".htaccess",
        ".well-known/security.txt",
        "version.txt",
        "theme/images/favicon.svg",
        "theme/images/apple-touch-icon.png",
        "theme/images/cimw-card.svg",
        "theme/images/cimw-card.png",
    }
    text = visible_text(site.soup())
    for word in ("Powered by", "Pelican", "Catégorie", "Tags", "optimisé pour"):
        assert word not in text


def test_contact_page_shows_the_settings(site_filled):
    soup = site_filled.soup("contact.html")
    contact = facts_of(COMPANY_VAT).contact
    assert soup.select_one(f'main a[href="mailto:{contact.email}"]')
    # In international form, shown as written in France.
    assert contact.phone.href == "tel:+33123456789"
    assert soup.select_one(f'main a[href="{contact.phone.href}"]').get_text() == (
        "01\u00a023\u00a045\u00a067\u00a089"
    )


def test_contact_placeholders_are_marked_not_linked(site_unconfirmed):
    soup = site_unconfirmed.soup("contact.html")
    marked = [span.get_text() for span in soup.select("main .placeholder")]
    assert marked == [str(UNCONFIRMED["CONTACT_EMAIL"]), str(UNCONFIRMED["CONTACT_PHONE"])]
    assert not soup.select('main a[href^="mailto:"], main a[href^="tel:"]')


def test_404_page_links_back_with_root_relative_urls(site):
    soup = site.soup("404.html")
    assert soup.h1.get_text() == "Page introuvable"
    assert soup.select_one('link[rel="stylesheet"]')["href"].startswith("/")
    assert soup.select_one('main a[href="/"]')


def test_seed_errors_are_gone(site):
    html = site.html()
    for error in (
        "&ecute;",
        "systès;mes",
        "auhtenticité",
        "activtés",
        "standardes",
        "R.G.P.D.",
        "C.N.I.L.",
        "R.G.S.",
        "cyber-sécurit",
        "oeuvre",
        "Site optimisé pour",
        "ne laisser pas",
        "comment je peux",
    ):
        assert error not in html, error


def test_french_typography_in_the_output(site):
    soup = site.soup()
    text = visible_text(soup)
    assert "'" not in text, "straight apostrophe left in the text"
    assert '"' not in text
    assert re.search(r"[^\u202f\s][;!?]", text) is None, "no narrow no-break space before ; ! ?"
    assert re.search(r"[^\u00a0]:", text.replace("https:", "")) is None
    # The questions end with one: the rules above had something to check.
    assert f"{NNBSP}?" in text
    assert "’" in text or "'" not in "".join(q.title + q.body for q in faq_sources())


def test_every_plugin_is_listed_and_ran(site):
    # One plugin; every module of it is loaded by its register().
    assert pelicanconf.PLUGINS == ["cimw"]
    modules = {f"cimw.{p.stem}" for p in (REPO / "plugins" / "cimw").glob("*.py")}
    assert modules - {"cimw.__init__"} <= set(sys.modules)
    soup = site.soup()
    assert soup.select("nav.toc li"), "faq plugin: no table of contents"
    assert soup.select("table.price-table"), "pricing plugin: no price table"
    question = soup.select_one("section.faq-entry h2").get_text()
    assert question.endswith(NNBSP + "?"), "typography plugin: no narrow space before ?"
    assert "{{" not in site.html(), "a placeholder was left in the output"


def test_the_day_rate_is_written_only_in_the_settings():
    amount = re.compile(r"\d[\d\s\u202f\u00a0]*(€|euros?\b|&euro;)")
    for folder in ("content", "theme"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".md", ".html", ".css", ".svg", ".xml", ".txt"):
                assert not amount.search(path.read_text(encoding="utf-8")), path
    settings = (REPO / "pelicanconf.py").read_text(encoding="utf-8")
    assert re.search(r"(?m)^DAY_RATE = \d+(\.\d+)?$", settings), "DAY_RATE is not a number"


def test_production_settings_give_absolute_urls(tmp_path):
    from support import build_real_site

    import publishconf

    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "stale.html").write_text("left from an earlier build")
    production = build_real_site(
        tmp_path,
        **COMPANY_VAT,
        **{key: getattr(publishconf, key) for key in ("RELATIVE_URLS", "DELETE_OUTPUT_DIRECTORY")},
        SITEURL=COMPANY_VAT["SITE_PUBLIC_URL"],
    )
    soup = production.soup()
    stylesheet = soup.select_one('link[rel="stylesheet"]')["href"]
    assert re.fullmatch(
        re.escape(COMPANY_VAT["SITE_PUBLIC_URL"]) + r"/theme/css/main\.[0-9a-f]{8}\.css",
        stylesheet,
    )
    assert soup.select_one("a.brand")["href"] == f"{COMPANY_VAT['SITE_PUBLIC_URL']}/"
    assert not (production.output / "stale.html").exists(), "the output was not cleaned"
