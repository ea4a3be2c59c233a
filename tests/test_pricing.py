"""Prices derived from DAY_RATE: the pure functions."""

from __future__ import annotations

import pytest

from cimw.pricing import fill_prices, price_table, validate_settings, whole_euros

NNBSP, NBSP = "\u202f", "\u00a0"


def euros(text: str) -> str:
    """'1 300 €' written with plain spaces -> the French no-break spacing."""
    number, _ = text.rsplit(" ", 1)
    return number.replace(" ", NNBSP) + NBSP + "€"


@pytest.mark.parametrize(
    ("rate", "day", "hour", "monthly"),
    [
        (300, "300 €", "43 €", ["1 300 €", "2 600 €", "3 900 €", "5 200 €", "6 500 €"]),
        (450, "450 €", "64 €", ["1 950 €", "3 900 €", "5 850 €", "7 800 €", "9 750 €"]),
        (1000, "1 000 €", "143 €", ["4 333 €", "8 667 €", "13 000 €", "17 333 €", "21 667 €"]),
    ],
)
def test_price_table(rate, day, hour, monthly):
    table = price_table({"DAY_RATE": rate})
    assert table.day_rate.text == euros(day)
    assert table.hourly_rate.text == euros(hour)
    assert [b.amount.text for b in table.monthly] == [euros(m) for m in monthly]
    assert [b.days_per_week for b in table.monthly] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("value", "rounded"), [(42.5, 43), (42.49, 42), (3.5, 4), (2.5, 3)])
def test_rounding_is_to_the_nearest_euro_halves_up(value, rounded):
    assert whole_euros(value) == rounded


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "DAY_RATE is missing"),
        ({"DAY_RATE": "300"}, "DAY_RATE must be a number"),
        ({"DAY_RATE": 0}, "got 0"),
        ({"DAY_RATE": -1}, "got -1"),
        ({"DAY_RATE": True}, "got True"),
        ({"DAY_RATE": 300, "PRICING_HOURS_PER_DAY": 0}, "PRICING_HOURS_PER_DAY"),
        ({"DAY_RATE": 300, "PRICING_DAYS_PER_WEEK": []}, "PRICING_DAYS_PER_WEEK"),
    ],
)
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        validate_settings(settings)


def test_good_settings_pass():
    validate_settings({"DAY_RATE": 300})
    validate_settings({"DAY_RATE": 412.5, "PRICING_DAYS_PER_WEEK": [1, 7]})


def test_fill_prices_replaces_known_placeholders():
    table = price_table({"DAY_RATE": 300})
    html, unknown = fill_prices(
        "<p>Le jour : {{ day_rate }}, l'heure : {{hourly_rate}}.</p>\n<p>{{ price_table }}</p>",
        "faq/x.md",
        table,
        "<table></table>",
    )
    assert html == f"<p>Le jour : 300{NBSP}€, l'heure : 43{NBSP}€.</p>\n<table></table>"
    assert unknown == []


def test_fill_prices_reports_unknown_placeholders():
    table = price_table({"DAY_RATE": 300})
    html, unknown = fill_prices("<p>{{ tarif }} et {{ }}</p>", "faq/x.md", table, "")
    assert unknown == [
        "faq/x.md: unknown placeholder {{ tarif }}",
        "faq/x.md: unknown placeholder {{ }}",
    ]
    assert "{{ tarif }}" in html
