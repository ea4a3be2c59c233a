"""Placeholders: one strict syntax, filled wherever text reaches a visitor, or the build stops."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup
from support import good_faq

from cimw.placeholders import Catalogue, fill_text, placeholder_problems

KNOWN = Catalogue(
    frozenset({"day_rate", "by_the_hour", "price_table"}),
    blocks=frozenset({"price_table"}),
    unavailable={"hourly_rate": "needs HOURLY_RATE, which is not set"},
)
VALUES = {"day_rate": "300 €", "by_the_hour": "à l’heure", "price_table": "<table></table>"}
KNOWN_LIST = "{{ by_the_hour }}, {{ day_rate }}, {{ price_table }}"


@pytest.mark.parametrize(
    "text",
    [
        "Le jour coûte {{ day_rate }}, facturé {{ by_the_hour }}.",
        "{{ day_rate }}",
        "Avant.\n\n{{ price_table }}\n\nAprès.",
        "{{ price_table }}",
        "Pas d'accolade ici.",
    ],
)
def test_known_placeholders_where_they_can_be_filled_pass(text):
    assert placeholder_problems(text, KNOWN) == []


@pytest.mark.parametrize(
    ("text", "line", "token", "why"),
    [
        ("Prix : { day_rate }.", 1, "{ day_rate }", "not a placeholder"),
        ("Prix : {{ day_rate }.", 1, "{{ day_rate }", "not a placeholder"),
        ("Prix : {{day_rate}}.", 1, "{{day_rate}}", "not a placeholder"),
        ("Prix : {{ day_rate | upper }}.", 1, "{{ day_rate | upper }}", "not a placeholder"),
        ("Calcul : {{ 7 * 7 }}.", 1, "{{ 7 * 7 }}", "not a placeholder"),
        ("{% if day_rate %}cher", 1, "{% if day_rate %}", "not a placeholder"),
        ("Un\ndeux {{ day_rate\ntrois", 2, "{{ day_rate", "not a placeholder"),
        ("Un\ndeux\nday_rate }} trois", 3, "day_rate }}", "not a placeholder"),
        ("Un ensemble {a, b}.", 1, "{a, b}", "not a placeholder"),
        ("Prix : {{ tarif }}.", 1, "{{ tarif }}", "unknown placeholder"),
        ("L'heure : {{ hourly_rate }}.", 1, "{{ hourly_rate }}", "needs HOURLY_RATE"),
        ("Prix : {{ Day_Rate }}.", 1, "{{ Day_Rate }}", "not a placeholder"),
        ("Le tableau : {{ price_table }}", 1, "{{ price_table }}", "must be alone"),
        ("Avant.\n{{ price_table }}\n\nAprès.", 2, "{{ price_table }}", "must be alone"),
        ("title: {{ price_table }}", 1, "{{ price_table }}", "must be alone"),
    ],
)
def test_anything_else_with_a_brace_is_a_problem(text, line, token, why):
    problems = placeholder_problems(text, KNOWN)
    assert [(p.line, p.token) for p in problems] == [(line, token)]
    assert why in problems[0].why


def test_every_problem_of_a_text_is_reported():
    problems = placeholder_problems("{ a }\n\n{{ b }}\n{{ day_rate }} {{ c | d }}", KNOWN)
    assert [(p.line, p.token) for p in problems] == [
        (1, "{ a }"),
        (3, "{{ b }}"),
        (4, "{{ c | d }}"),
    ]


def test_fill_text_fills_inline_placeholders_only():
    assert fill_text("Un jour à {{ day_rate }} ?", VALUES, KNOWN.blocks) == "Un jour à 300 € ?"
    assert fill_text("{{ price_table }}", VALUES, KNOWN.blocks) == "{{ price_table }}"


def assert_fails(result, *words):
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"


def day_rate() -> str:
    """The day rate's amount as shown, from the settings the tiny sites import."""
    import pelicanconf

    euros = int(Decimal(str(pelicanconf.DAY_RATE)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{euros:,}".replace(",", "\u202f") + "\u00a0€"


PRICED_FAQ = """\
---
title: Pourquoi payer {{ day_rate }} par jour ?
position: 1
anchor: pourquoi-payer
summary: Parce qu'une journée vaut {{ day_rate }}.
reviewed: 2026-11-26
---

Un jour coûte {{ day_rate }}, le dépannage est facturé {{ by_the_hour }}.

{{ price_table }}
"""

PRICED_PAGE = """\
---
title: Tarif à {{ day_rate }}
summary: La journée est à {{ day_rate }} hors taxes.
reviewed: 2026-11-26
---

Le tarif : {{ day_rate }}.
"""


@pytest.mark.content
def test_placeholders_are_filled_everywhere_a_visitor_reads(tiny_site):
    tiny_site.write("content/faq/one.md", PRICED_FAQ)
    tiny_site.write("content/pages/tarif.md", PRICED_PAGE)
    result = tiny_site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    output = tiny_site.root / "output"
    home = BeautifulSoup((output / "index.html").read_text(), "html.parser")
    amount = day_rate()
    assert home.select_one("section.faq-entry h2").get_text().startswith(f"Pourquoi payer {amount}")
    assert home.select_one("nav.toc a").get_text().startswith(f"Pourquoi payer {amount}")
    assert f"Un jour coûte {amount}" in home.select_one("section.faq-entry").get_text()
    assert home.select_one("section.faq-entry table.price-table")
    graph = json.loads(home.select_one('script[type="application/ld+json"]').string)["@graph"]
    question = graph[0]["mainEntity"][0]
    assert question["name"].startswith(f"Pourquoi payer {amount}")
    assert amount in question["acceptedAnswer"]["text"]

    page = BeautifulSoup((output / "tarif.html").read_text(), "html.parser")
    assert page.h1.get_text().startswith(f"Tarif à {amount}")
    assert page.title.get_text().startswith(f"Tarif à {amount}")
    for selector in (
        'meta[name="description"]',
        'meta[property="og:description"]',
        'meta[name="twitter:description"]',
    ):
        assert page.select_one(selector)["content"].startswith(f"La journée est à {amount}")
    for selector in ('meta[property="og:title"]', 'meta[name="twitter:title"]'):
        assert page.select_one(selector)["content"].startswith(f"Tarif à {amount}")
    for built in output.rglob("*.html"):
        soup = BeautifulSoup(built.read_text(), "html.parser")
        for script in soup.select('script[type="application/ld+json"]'):
            assert "{{" not in script.string, built.name
            script.decompose()
        assert "{" not in str(soup), built.name
        assert "}" not in str(soup), built.name


@pytest.mark.parametrize(
    ("where", "broken", "line", "token"),
    [
        ("text", "Prix : { day_rate }.", 9, "{ day_rate }"),
        ("text", "Prix : {{ day_rate }.", 9, "{{ day_rate }"),
        ("text", "Prix : {{ day_rate | upper }}.", 9, "{{ day_rate | upper }}"),
        ("text", "Calcul : {{ 7 * 7 }}.", 9, "{{ 7 * 7 }}"),
        ("text", "Prix : {{ day_rat }}.", 9, "{{ day_rat }}"),
        ("text", "L'heure : {{ hourly_rate }}.", 9, "{{ hourly_rate }}"),
        ("text", "Le tableau : {{ price_table }}.", 9, "{{ price_table }}"),
        ("title", "title: Un prix de {{ day_rate }  ?", 2, "{{ day_rate }"),
        ("summary", "summary: Un prix de {day_rate}.", 5, "{day_rate}"),
    ],
)
def test_a_broken_placeholder_stops_the_build_naming_file_line_and_token(
    tiny_site, where, broken, line, token
):
    text = good_faq()
    if where == "title":
        text = text.replace("title: Une question ?", broken)
    elif where == "summary":
        text = text.replace("summary: La réponse en bref.", broken)
    else:
        text = text.replace("La réponse.", broken)
    tiny_site.write("content/faq/one.md", text)
    result = tiny_site.build()
    assert_fails(result, f"content/faq/one.md:{line}: {token}: ", KNOWN_LIST)
    assert not (tiny_site.root / "output" / "index.html").exists()


def test_a_broken_placeholder_in_a_page_is_named_too(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq())
    tiny_site.write(
        "content/pages/tarif.md",
        PRICED_PAGE.replace("Le tarif : {{ day_rate }}.", "Le tarif : {{ day_rate }} {{ x }}."),
    )
    assert_fails(tiny_site.build(), "content/pages/tarif.md:7: {{ x }}: unknown placeholder")


def test_a_placeholder_in_code_is_not_published(tiny_site):
    tiny_site.write(
        "content/faq/one.md", good_faq().replace("La réponse.", "Écrivez `{{ day_rate }}`.")
    )
    assert_fails(tiny_site.build(), "content/faq/one.md:9: {{ day_rate }}: not filled in the text")


@pytest.mark.content
def test_a_value_that_starts_with_a_placeholder_must_be_quoted(tiny_site):
    tiny_site.write(
        "content/faq/one.md",
        good_faq().replace("title: Une question ?", "title: {{ day_rate }} par jour ?"),
    )
    assert_fails(tiny_site.build(), "content/faq/one.md:2: front matter", "must be in quotes")
    tiny_site.write(
        "content/faq/one.md",
        good_faq().replace("title: Une question ?", 'title: "{{ day_rate }} par jour ?"'),
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stdout + result.stderr
    home = BeautifulSoup((tiny_site.root / "output" / "index.html").read_text(), "html.parser")
    question = home.select_one("section.faq-entry h2").get_text()
    assert question.startswith(day_rate())
    assert question.endswith("par jour\u202f?")
