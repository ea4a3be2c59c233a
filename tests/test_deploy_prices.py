"""The price record of a release, and the rule that a changed price needs a new `reviewed` date.

Small home pages here; the refusal on a real server is in test_publish.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.prices import (
    QuestionPrices,
    parse_record,
    price_record,
    question_files,
    record_text,
    unreviewed_changes,
)


def home_page(amount: str, reviewed: str = "2026-11-26") -> str:
    return (
        "<main>"
        '<section aria-labelledby="combien"><h2 id="combien">Combien ?</h2>'
        f"<p>Le jour est à {amount}.</p>"
        f"<table><tr><th>Forfait 2</th><td>{amount}</td></tr></table>"
        f'<p class="reviewed">Mis à jour le <time datetime="{reviewed}">26 novembre</time></p>'
        "</section>"
        '<section id="quand"><h2>Quand ?</h2><p>Du lundi au vendredi, 9 h à 18 h.</p>'
        "<p>Mis à jour le 3 mars 2026</p></section>"
        "</main>"
    )


REPO = Path(__file__).resolve().parent.parent
FILES = {"combien": ("content/faq/05-combien.md", "2026-11-26")}


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("300\u00a0€", "300 €"),
        ("1\u202f500\u00a0€", "1 500 €"),
        ("12,50 €", "12,50 €"),
        ("300€", "300 €"),
    ],
)
def test_the_amounts_and_the_reviewed_date_are_read_from_each_question(written, read):
    record = price_record(home_page(written), FILES)
    # A row heading ending in a digit is not part of the amount: each text node is read alone.
    assert record["combien"] == QuestionPrices((read, read), "2026-11-26", FILES["combien"][0])
    assert record["quand"] == QuestionPrices((), "3 mars 2026", "the question #quand")


def test_a_changed_price_under_the_same_reviewed_date_is_named_with_its_file():
    live = price_record(home_page("300 €"), FILES)
    new = price_record(home_page("350 €"), FILES)
    problems = unreviewed_changes(live, new)
    assert problems == [
        "content/faq/05-combien.md: the prices shown changed (300 €, 300 € → 350 €, 350 €) but "
        "`reviewed` is still 2026-11-26: set `reviewed` to the day you checked them"
    ]


@pytest.mark.parametrize(
    "new_page",
    [
        home_page("300 €"),  # nothing changed
        home_page("350 €", reviewed="2026-12-01"),  # a new price with a new date
        home_page("300 €", reviewed="2026-12-01"),  # a new date alone
        "<main></main>",  # the question was removed
    ],
)
def test_prices_that_did_not_change_or_were_reviewed_pass(new_page):
    live = price_record(home_page("300 €"), FILES)
    assert unreviewed_changes(live, price_record(new_page, FILES)) == []


def test_a_record_reads_back_and_a_damaged_one_is_none():
    record = price_record(home_page("300 €"), FILES)
    assert parse_record(record_text(record)) == record
    for damaged in ("", "[]", '{"combien": {"amounts": []}}', "{not json"):
        assert parse_record(damaged) is None, damaged


def test_every_question_of_the_site_has_its_file():
    questions = sorted((REPO / "content" / "faq").glob("*.md"))
    files = question_files([REPO / "content" / "faq"], REPO)
    assert sorted(source for source, _ in files.values()) == [
        q.relative_to(REPO).as_posix() for q in questions
    ]
