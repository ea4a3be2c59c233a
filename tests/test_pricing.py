"""Prices: the pure functions, and what the built pages state for each set of facts.

Expected figures are worked out here from the settings, never typed: the day
rate, the hourly rate, VAT and the monthly estimates on the billable days.
"""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import pytest
from conftest import (
    FILLED_EI,
    FILLED_LEGAL,
    faq_front_matter,
    faq_sources,
    pricing_anchor,
    settings_of,
)

import pelicanconf
from cimw.pricing import (
    HOURLY_FROM_DAY_RATE,
    PLACEHOLDERS,
    hourly_euros,
    price_table,
    validate_settings,
    whole_euros,
)

NNBSP, NBSP = "\u202f", "\u00a0"
MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
PRICING_ANCHOR = pricing_anchor()
# The expected prices come from the settings and the pricing answer from content/faq.
pytestmark = pytest.mark.content


def euros(number: int) -> str:
    """1300 -> '1 300 €' with the French no-break spaces."""
    return f"{number:,}".replace(",", NNBSP) + NBSP + "€"


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def french_date(date) -> str:
    day = "1er" if date.day == 1 else str(date.day)
    return f"{day}{NBSP}{MONTHS[date.month - 1]} {date.year}"


class Expected:
    """What the site must state, worked out from the settings by the rules CIMW gave."""

    def __init__(self, overrides: dict):
        settings = settings_of(overrides)
        rate = Decimal(str(settings["DAY_RATE"]))
        self.vat_rate = settings["VAT_RATE"]
        self.regime = settings["VAT_REGIME"]
        self.day = half_up(rate)
        hourly = settings["HOURLY_RATE"]
        if hourly == HOURLY_FROM_DAY_RATE:
            hours = Decimal(settings["PRICING_HOURS_PER_DAY"])
            hourly = int((rate / hours).quantize(Decimal(1), rounding=ROUND_FLOOR))
        self.hourly = None if hourly is None else half_up(Decimal(str(hourly)))
        self.billable = settings["PRICING_BILLABLE_DAYS_PER_YEAR"]
        self.days_per_week = settings["PRICING_DAYS_PER_WEEK"]
        # A year's billable days are counted in five-day weeks; a month is a twelfth.
        self.monthly = [
            half_up(rate * self.billable * days / 5 / 12) for days in self.days_per_week
        ]

    def with_vat(self, number: int) -> int:
        return half_up(number * (1 + Decimal(str(self.vat_rate)) / 100))

    def cells(self, number: int) -> list[str]:
        """The price cells of a row: excluding VAT, then including it when its rate is set."""
        if self.vat_rate is None:
            return [euros(number)]
        return [euros(number), euros(self.with_vat(number))]


def pricing_section(site):
    return site.soup().select_one(f"section[aria-labelledby={PRICING_ANCHOR}]")


def one_line(text: str) -> str:
    return re.sub(r"[ \t\n]+", " ", text)


def table_rows(section) -> list[tuple[str, list[str]]]:
    return [
        (row.th.get_text(), [td.get_text() for td in row.select("td")])
        for row in section.select("table.price-table tbody tr")
    ]


def pricing_reviewed():
    return next(e for e in faq_front_matter() if e["anchor"] == PRICING_ANCHOR)["reviewed"]


# -- pure functions ------------------------------------------------------------


CONFIRMED = {"VAT_REGIME": "franchise", "PRICING_BILLABLE_DAYS_PER_YEAR": 218}


@pytest.mark.parametrize("rate", [300, 450, 1000, 412.5])
@pytest.mark.parametrize(
    "facts",
    [
        CONFIRMED,
        {**CONFIRMED, "VAT_REGIME": "charged", "VAT_RATE": 20, "HOURLY_RATE": 55},
        {**CONFIRMED, "VAT_REGIME": "charged", "VAT_RATE": 5.5, "HOURLY_RATE": "from_day_rate"},
        {**CONFIRMED, "VAT_REGIME": "charged", "PRICING_PROFESSIONALS_ONLY": True},
        {**CONFIRMED, "PRICING_BILLABLE_DAYS_PER_YEAR": 200, "PRICING_DAYS_PER_WEEK": (2, 5)},
    ],
)
def test_price_table_follows_the_settings(rate, facts):
    overrides = {**facts, "DAY_RATE": rate}
    expected = Expected(overrides)
    table = price_table(settings_of(overrides))
    assert [table.day_rate.amount.text] == [euros(expected.day)]
    if expected.vat_rate is None:
        assert table.day_rate.with_vat is None
    else:
        assert table.day_rate.with_vat.text == euros(expected.with_vat(expected.day))
    assert (table.hourly_rate and table.hourly_rate.amount.euros) == expected.hourly
    assert [e.days_per_week for e in table.monthly] == list(expected.days_per_week)
    assert [e.price.amount.text for e in table.monthly] == [euros(m) for m in expected.monthly]


def test_unconfirmed_billable_days_give_no_estimate():
    table = price_table(settings_of({"VAT_REGIME": "franchise"}))
    assert table.billable_days_per_year == pelicanconf.PRICING_BILLABLE_DAYS_PER_YEAR
    assert all(estimate.price is None for estimate in table.monthly)


@pytest.mark.parametrize("hours", [7, 8, 7.5])
@pytest.mark.parametrize("rate", [*range(1, 2001, 37), 300, 450, 301.5])
def test_an_hourly_rate_from_the_day_rate_never_makes_the_hours_cost_more_than_a_day(rate, hours):
    hourly = hourly_euros(
        {"DAY_RATE": rate, "PRICING_HOURS_PER_DAY": hours, "HOURLY_RATE": HOURLY_FROM_DAY_RATE}
    )
    assert hourly * hours <= rate < (hourly + 1) * hours


def test_no_hourly_rate_unless_set():
    assert hourly_euros({"DAY_RATE": 300}) is None
    assert price_table(settings_of(CONFIRMED)).hourly_rate is None


@pytest.mark.parametrize(("value", "rounded"), [(42.5, 43), (42.49, 42), (3.5, 4), (2.5, 3)])
def test_rounding_is_to_the_nearest_euro_halves_up(value, rounded):
    assert whole_euros(value) == rounded


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DAY_RATE": "300"}, "DAY_RATE must be a number"),
        ({"DAY_RATE": 0}, "got 0"),
        ({"DAY_RATE": -1}, "got -1"),
        ({"DAY_RATE": True}, "got True"),
        ({"PRICING_HOURS_PER_DAY": 0}, "PRICING_HOURS_PER_DAY"),
        ({"PRICING_DAYS_PER_WEEK": []}, "PRICING_DAYS_PER_WEEK"),
        ({"PRICING_DAYS_PER_WEEK": [1, 6]}, "from 1 to 5, got [1, 6]"),
        ({"HOURLY_RATE": "43"}, "HOURLY_RATE must be None"),
        ({"HOURLY_RATE": 0}, "HOURLY_RATE must be None"),
        ({"VAT_REGIME": "TTC"}, "VAT_REGIME must be 'charged'"),
        ({"VAT_REGIME": "charged"}, "'charged' needs VAT_RATE"),
        ({"VAT_REGIME": "charged", "VAT_RATE": 120}, "VAT_RATE must be a percentage"),
        ({"VAT_REGIME": "franchise", "VAT_RATE": 20}, "VAT_RATE is 20 but VAT_REGIME"),
        ({"PRICING_PROFESSIONALS_ONLY": "yes"}, "PRICING_PROFESSIONALS_ONLY must be True"),
        ({"PRICING_BILLABLE_DAYS_PER_YEAR": "218"}, "PRICING_BILLABLE_DAYS_PER_YEAR must be"),
        ({"PRICING_BILLABLE_DAYS_PER_YEAR": 400}, "got 400"),
    ],
)
def test_bad_settings_are_refused(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_settings(settings_of(overrides))


@pytest.mark.parametrize("name", ["DAY_RATE", "VAT_REGIME", "PRICING_BILLABLE_DAYS_PER_YEAR"])
def test_a_missing_fact_is_named(name):
    settings = settings_of({})
    del settings[name]
    with pytest.raises(ValueError, match=f"{name} is missing"):
        validate_settings(settings)


def test_every_problem_is_named_at_once():
    with pytest.raises(ValueError) as error:
        validate_settings(settings_of({"DAY_RATE": 0, "VAT_REGIME": "TTC", "HOURLY_RATE": -1}))
    for name in ("DAY_RATE", "VAT_REGIME", "HOURLY_RATE"):
        assert name in str(error.value)


def test_good_settings_pass():
    validate_settings(settings_of({}))  # the repository's placeholders pass in development
    validate_settings(settings_of(FILLED_LEGAL))
    validate_settings(settings_of(FILLED_EI))
    validate_settings(settings_of({"DAY_RATE": 412.5, "PRICING_DAYS_PER_WEEK": [1, 5]}))


# -- the built pages -----------------------------------------------------------


def test_company_charging_vat_states_prices_excluding_and_including_vat(site_filled):
    expected = Expected(FILLED_LEGAL)
    section = pricing_section(site_filled)
    text = one_line(section.get_text())
    day = euros(expected.day)
    with_vat = euros(expected.with_vat(expected.day))
    assert f"actuellement de {day}{NBSP}HT, soit {with_vat}{NBSP}TTC." in text
    headers = [th.get_text() for th in section.select("table.price-table thead th")]
    assert headers == ["Prestation", "Prix HT", "Prix TTC"]
    rows = table_rows(section)
    assert rows[0][1] == expected.cells(expected.day)
    assert [cells for _, cells in rows[1:]] == [expected.cells(m) for m in expected.monthly]
    note = one_line(" ".join(p.get_text() for p in section.select(".table-note")))
    assert f"TVA au taux de {expected.vat_rate}{NBSP}%" in note
    assert "TVA non applicable" not in text


def test_without_an_hourly_rate_hourly_billing_is_said_without_a_figure(site_filled):
    section = pricing_section(site_filled)
    sentence = next(p.get_text() for p in section.select("p") if "dépannage" in p.get_text())
    assert "facturées à l’heure," in one_line(sentence)
    assert "€" not in sentence
    assert not any("heure" in label.lower() for label, _ in table_rows(section))


def test_entrepreneur_under_the_franchise_states_prices_without_vat(site_ei):
    expected = Expected(FILLED_EI)
    section = pricing_section(site_ei)
    text = one_line(section.get_text())
    assert f"actuellement de {euros(expected.day)}." in text
    assert f"facturées à l’heure ({euros(expected.hourly)})," in text
    assert [th.get_text() for th in section.select("table.price-table thead th")] == [
        "Prestation",
        "Prix",
    ]
    rows = table_rows(section)
    assert rows[0][1] == [euros(expected.day)]
    assert rows[1] == ("Heure de dépannage", [euros(expected.hourly)])
    assert [cells for _, cells in rows[2:]] == [[euros(m)] for m in expected.monthly]
    assert "TVA non applicable, art. 293 B du CGI." in text
    for page in site_ei.pages():
        visible = site_ei.soup(page.name).select_one("body").get_text(" ")
        assert not re.search(r"\b(HT|TTC)\b|hors taxes", visible), page.name


def test_monthly_rows_are_labelled_estimates_with_their_formula(site_filled, site_ei):
    for built, overrides in ((site_filled, FILLED_LEGAL), (site_ei, FILLED_EI)):
        expected = Expected(overrides)
        section = pricing_section(built)
        labels = [label for label, _ in table_rows(section)][-len(expected.monthly) :]
        for label, days in zip(labels, expected.days_per_week, strict=True):
            assert label.startswith("Estimation"), label
            assert f"{days}{NBSP}jour" in label
        assert "Budget mensuel" not in section.get_text()
        note = one_line(section.select(".table-note")[-1].get_text())
        assert f"{expected.billable}{NBSP}jours facturables par an" in note
        assert f"prix du jour × {expected.billable} × jours par semaine ÷ 5 ÷ 12" in note


def test_a_new_day_rate_changes_every_amount(site_ei):
    old = pelicanconf.DAY_RATE
    assert FILLED_EI["DAY_RATE"] != old
    for page in site_ei.pages():
        html = site_ei.html(page.name)
        assert not re.search(rf"(?<![\d\u202f]){old}[\s\u00a0\u202f]*€", html), page.name


def test_an_hourly_rate_from_the_day_rate_is_explained(tmp_path):
    from conftest import build_real_site

    overrides = {**FILLED_LEGAL, "HOURLY_RATE": HOURLY_FROM_DAY_RATE}
    expected = Expected(overrides)
    section = pricing_section(build_real_site(tmp_path, **overrides))
    assert ("Heure de dépannage", expected.cells(expected.hourly)) in table_rows(section)
    hours = pelicanconf.PRICING_HOURS_PER_DAY
    assert f"prix du jour ÷ {hours}{NBSP}heures, arrondi à l’euro inférieur" in section.get_text()


def test_unconfirmed_facts_are_framed_in_development(site):
    section = pricing_section(site)
    framed = [span.get_text() for span in section.select(".placeholder")]
    assert pelicanconf.VAT_REGIME in framed
    assert pelicanconf.PRICING_BILLABLE_DAYS_PER_YEAR in framed
    for _, cells in table_rows(section)[1:]:
        assert not any("€" in cell for cell in cells), "an estimate without its billable days"
    assert not re.search(r"\b(HT|TTC)\b|hors taxes", section.get_text())


def test_the_pricing_answer_shows_its_review_date(site, site_ei):
    for built in (site, site_ei):
        reviewed = pricing_section(built).select_one(".reviewed")
        assert reviewed.get_text() == f"Mis à jour le {french_date(pricing_reviewed())}"
        assert reviewed.time["datetime"] == pricing_reviewed().isoformat()
    # Only the answers that quote a price show the line.
    quoting = {
        q.anchor for q in faq_sources() if any(f"{{{{ {n} }}}}" in q.body for n in PLACEHOLDERS)
    }
    for section in built.soup().select("section.faq-entry"):
        assert bool(section.select(".reviewed")) == (section["aria-labelledby"] in quoting)


def test_vat_charged_to_professionals_only_states_prices_excluding_vat(tmp_path):
    from conftest import build_real_site

    overrides = {**FILLED_LEGAL, "VAT_RATE": None, "PRICING_PROFESSIONALS_ONLY": True}
    expected = Expected(overrides)
    section = pricing_section(build_real_site(tmp_path, **overrides))
    text = one_line(section.get_text())
    assert f"actuellement de {euros(expected.day)}{NBSP}HT." in text
    assert [th.get_text() for th in section.select("table.price-table thead th")] == [
        "Prestation",
        "Prix HT",
    ]
    assert [cells for _, cells in table_rows(section)[1:]] == [[euros(m)] for m in expected.monthly]
    assert "Prix hors taxes (HT). Prestations réservées aux professionnels." in text
    assert "TTC" not in text
