"""Prices: exact amounts for any rates, and what the built pages state for each set of facts.

Expected figures are worked out here from the settings with fractions, never
typed, and independently of the plugin's own arithmetic: the day rate, the
hourly rate, a week of each engagement, VAT to the cent.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import COMPANY_VAT, SOLE_TRADER_FRANCHISE, UNCONFIRMED
from support import build_real_site, facts_of, faq_sources, outcome, pricing_anchor, settings_of

import pelicanconf
from cimw.facts import FactsError
from cimw.pricing import price_table
from cimw.templating import french_date

NNBSP, NBSP = "\u202f", "\u00a0"
PRICING_ANCHOR = pricing_anchor()
FRENCH_VAT_RATES = ("20", "10", "5.5", "2.1")
# The expected prices come from the settings and the pricing answer from content/faq.
pytestmark = pytest.mark.content


def euros(amount: Fraction) -> str:
    """1300 -> '1 300 €', 50.4 -> '50,40 €', with the French no-break spaces."""
    cents = amount * 100
    assert cents.denominator == 1, f"{amount} is not a whole number of cents"
    whole, cent = divmod(int(cents), 100)
    text = f"{whole:,}".replace(",", NNBSP)
    return f"{text},{cent:02d}{NBSP}€" if cent else f"{text}{NBSP}€"


class Expected:
    """What the site must state, worked out from the settings by the rules CIMW gave."""

    def __init__(self, overrides: dict):
        facts = settings_of(overrides)
        self.day = Fraction(str(facts["DAY_RATE"]))
        hourly = facts.get("HOURLY_RATE")
        self.hourly = None if hourly is None else Fraction(str(hourly))
        self.days_per_week = tuple(facts.get("PRICING_DAYS_PER_WEEK", (1, 2, 3, 4, 5)))
        charged = facts.get("VAT_REGIME") == "charged"
        rate = facts.get("VAT_RATE")
        self.vat_rate = Fraction(str(rate)) if charged and rate is not None else None
        self.consumers_first = facts.get("CLIENTS") == "consumers" and self.vat_rate is not None

    def with_vat(self, amount: Fraction) -> Fraction:
        assert self.vat_rate is not None
        return amount * (1 + self.vat_rate / 100)

    def cells(self, amount: Fraction) -> list[str]:
        """A row's price cells: consumers read the price including VAT first."""
        if self.vat_rate is None:
            return [euros(amount)]
        both = [euros(amount), euros(self.with_vat(amount))]
        return both[::-1] if self.consumers_first else both

    def rows(self) -> list[list[str]]:
        rows = [self.cells(self.day)]
        if self.hourly is not None:
            rows.append(self.cells(self.hourly))
        return rows + [self.cells(self.day * days) for days in self.days_per_week]


def pricing_section(site):
    return site.soup().select_one(f"section[aria-labelledby={PRICING_ANCHOR}]")


def one_line(text: str) -> str:
    return re.sub(r"[ \t\n]+", " ", text)


def table_cells(section) -> list[list[str]]:
    return [
        [td.get_text() for td in row.select("td")]
        for row in section.select("table.price-table tbody tr")
    ]


def table_labels(section) -> list[str]:
    return [row.th.get_text() for row in section.select("table.price-table tbody tr")]


# -- any rates -----------------------------------------------------------------

amounts = st.one_of(
    st.integers(min_value=1, max_value=100_000),
    st.decimals(min_value=1, max_value=20_000, places=2, allow_nan=False, allow_infinity=False),
)
vat_terms = st.one_of(
    st.just({"VAT_REGIME": "franchise", "VAT_RATE": None}),
    st.builds(
        lambda rate: {
            "VAT_REGIME": "charged",
            "VAT_RATE": float(rate) if "." in rate else int(rate),
        },
        st.sampled_from(FRENCH_VAT_RATES),
    ),
    st.just({"VAT_REGIME": "charged", "VAT_RATE": None}),
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    day=amounts,
    hourly=st.one_of(st.none(), amounts),
    vat=vat_terms,
    clients=st.sampled_from(["professionals", "consumers"]),
    days=st.lists(st.integers(1, 5), min_size=1, max_size=5, unique=True),
)
def test_amounts_are_exact_for_any_rates(day, hourly, vat, clients, days):
    overrides = {
        **COMPANY_VAT,
        **vat,
        "DAY_RATE": day,
        "HOURLY_RATE": hourly,
        "CLIENTS": clients,
        "PRICING_DAYS_PER_WEEK": tuple(days),
    }
    expected = Expected(overrides)
    stated = [expected.day] + ([expected.hourly] if expected.hourly is not None else [])
    exact = expected.vat_rate is None or all(
        (expected.with_vat(amount) * 100).denominator == 1 for amount in stated
    )
    needs_rate = (
        vat["VAT_REGIME"] == "charged" and vat["VAT_RATE"] is None and clients == "consumers"
    )
    facts = outcome(facts_of, overrides)
    if isinstance(facts, FactsError):
        # Refused only for a price with VAT that is not whole cents, or a consumer without VAT.
        assert not exact or needs_rate, facts
        assert ("not a whole number of cents" in str(facts)) == (not exact)
        return
    assert exact
    assert not needs_rate
    table = price_table(facts)
    prices = [
        table.day,
        *([table.hourly] if table.hourly else []),
        *(w.price for w in table.weekly),
    ]
    shown = []
    for price in prices:
        cells = [price.excluding_vat.text]
        if price.including_vat:
            cells.append(price.including_vat.text)
        shown.append(cells[::-1] if table.including_vat_first else cells)
    assert shown == expected.rows()


@pytest.mark.parametrize(
    ("rate", "vat_rate", "hourly_with_vat"),
    [
        (42, 20, "50,40\u00a0€"),
        (42, 10, "46,20\u00a0€"),
        (42, 5.5, "44,31\u00a0€"),
        (50, 2.1, "51,05\u00a0€"),
    ],
)
def test_an_hourly_rate_with_vat_is_shown_to_the_cent(rate, vat_rate, hourly_with_vat):
    table = price_table(facts_of({**COMPANY_VAT, "HOURLY_RATE": rate, "VAT_RATE": vat_rate}))
    assert table.hourly is not None
    assert table.hourly.including_vat is not None
    assert table.hourly.including_vat.text == hourly_with_vat


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DAY_RATE": 0}, "DAY_RATE: expected a number of euros greater than 0"),
        ({"DAY_RATE": -300}, "DAY_RATE: expected a number of euros greater than 0"),
        ({"DAY_RATE": "300"}, "DAY_RATE: expected a number of euros, such as 300"),
        ({"DAY_RATE": True}, "DAY_RATE: expected a number of euros, such as 300"),
        ({"DAY_RATE": float("inf")}, "DAY_RATE: expected a finite number of euros"),
        ({"DAY_RATE": 10**400}, "DAY_RATE: expected a number of euros greater than 0 and up to"),
        ({"DAY_RATE": 300.555}, "DAY_RATE: expected whole cents at most"),
        ({"HOURLY_RATE": "from_day_rate"}, "HOURLY_RATE: expected a number of euros"),
        ({"VAT_RATE": 19.6}, "VAT_RATE: expected one of the French VAT rates"),
        ({"VAT_REGIME": "charge"}, "VAT_REGIME: expected 'charged'"),
        ({"VAT_REGIME": "franchise", "VAT_RATE": 20}, "VAT_RATE: VAT_REGIME is 'franchise'"),
        (
            {
                "CLIENTS": "consumers",
                "VAT_RATE": None,
                "CONSUMER_MEDIATOR": SOLE_TRADER_FRANCHISE["CONSUMER_MEDIATOR"],
            },
            "VAT_RATE: a consumer must read prices including VAT",
        ),
        ({"DAY_RATE": 41, "VAT_RATE": 2.1}, "DAY_RATE: 41 € plus VAT at 2.1 % is 41.861 €"),
        ({"PRICING_DAYS_PER_WEEK": (1, 1, 1)}, "PRICING_DAYS_PER_WEEK: expected each item once"),
        (
            {"PRICING_DAYS_PER_WEEK": (0, 6)},
            "PRICING_DAYS_PER_WEEK: expected whole numbers of days",
        ),
        ({"PRICING_DAYS_PER_WEEK": ()}, "PRICING_DAYS_PER_WEEK: expected at least one engagement"),
        ({"CLIENTS": "tout le monde"}, "CLIENTS: expected 'professionals'"),
    ],
)
def test_bad_price_settings_are_refused(overrides, message):
    with pytest.raises(FactsError) as refused:
        facts_of({**COMPANY_VAT, **overrides})
    assert message in str(refused.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(FactsError) as refused:
        facts_of({**COMPANY_VAT, "DAY_RATE": 0, "VAT_RATE": 7, "CLIENTS": "nobody"})
    message = str(refused.value)
    assert message.startswith("3 problems in the settings:")
    for name in ("DAY_RATE", "VAT_RATE", "CLIENTS"):
        assert f"\n{name}: " in message


def test_the_billable_days_estimate_settings_are_gone():
    # Nothing the old page did not say: no monthly estimate, no derived hourly rate.
    assert not hasattr(pelicanconf, "PRICING_BILLABLE_DAYS_PER_YEAR")
    assert not hasattr(pelicanconf, "PRICING_HOURS_PER_DAY")
    assert not hasattr(pelicanconf, "PRICING_PROFESSIONALS_ONLY")


# -- what the built pages state -----------------------------------------------


def test_the_repository_settings_price_table(site):
    """Whatever the author sets, the table shows exactly what the rates give."""
    section = pricing_section(site)
    expected = Expected({})
    assert table_cells(section) == expected.rows()
    labels = table_labels(section)
    weeks = labels[-len(expected.days_per_week) :]
    assert [int(re.search(r"\d+", label).group()) for label in weeks] == list(
        expected.days_per_week
    )
    text = one_line(section.get_text(" "))
    for word in ("Estimation", "Formule", "facturables", "÷"):
        assert word not in text


def test_company_charging_vat_states_prices_excluding_and_including_vat(site_filled):
    section = pricing_section(site_filled)
    expected = Expected(COMPANY_VAT)
    assert [th.get_text() for th in section.select("thead th")] == [
        "Prestation",
        "Prix HT",
        "Prix TTC",
    ]
    assert table_cells(section) == expected.rows()
    assert "50,40\u00a0€" in table_cells(section)[1]  # 42 € HT an hour at 20 %
    note = one_line(section.select_one("p.table-note").get_text())
    assert "TVA au taux de 20\u00a0%" in note
    assert "Prestations réservées aux professionnels." in note
    # The text says it too, the same way.
    text = one_line(section.get_text())
    assert f"{euros(expected.hourly)}\u00a0HT, soit 50,40\u00a0€\u00a0TTC" in text


def test_entrepreneur_under_the_franchise_selling_to_consumers(site_ei):
    section = pricing_section(site_ei)
    expected = Expected(SOLE_TRADER_FRANCHISE)
    assert [th.get_text() for th in section.select("thead th")] == ["Prestation", "Prix"]
    assert table_cells(section) == expected.rows()
    note = one_line(section.select_one("p.table-note").get_text())
    assert note.replace(NBSP, " ") == "TVA non applicable, art. 293 B du CGI."
    text = one_line(section.get_text(" "))
    assert "HT" not in text
    assert "TTC" not in text
    assert euros(expected.day) in text


def test_consumers_read_the_price_including_vat_first(tmp_path):
    overrides = {
        **COMPANY_VAT,
        "CLIENTS": "consumers",
        "CONSUMER_MEDIATOR": SOLE_TRADER_FRANCHISE["CONSUMER_MEDIATOR"],
    }
    built = build_real_site(tmp_path, **overrides, LEGAL_REQUIRE_REAL_VALUES=True)
    section = pricing_section(built)
    assert [th.get_text() for th in section.select("thead th")] == [
        "Prestation",
        "Prix TTC",
        "Prix HT",
    ]
    assert table_cells(section) == Expected(overrides).rows()
    assert "réservées aux professionnels" not in section.get_text()


def test_without_an_hourly_rate_hourly_billing_is_said_without_a_figure(site_ei):
    section = pricing_section(site_ei)
    assert "Heure de dépannage" not in table_labels(section)
    assert "à l’heure" in one_line(section.get_text(" "))


def test_unconfirmed_terms_are_framed_in_development(site_unconfirmed):
    section = pricing_section(site_unconfirmed)
    framed = [span.get_text() for span in section.select(".placeholder")]
    assert str(UNCONFIRMED["VAT_REGIME"]) in framed
    assert str(UNCONFIRMED["CLIENTS"]) in framed


def test_the_pricing_answer_shows_its_review_date(site, site_ei):
    reviewed = next(q for q in faq_sources() if q.anchor == PRICING_ANCHOR).header.reviewed
    for built in (site, site_ei):
        line = pricing_section(built).select_one("p.reviewed")
        assert line.time["datetime"] == reviewed.isoformat()
        assert line.get_text() == f"Mis à jour le {french_date(reviewed)}"


def test_an_hourly_placeholder_without_an_hourly_rate_is_refused(tiny_site):
    tiny_site.write(
        "content/faq/01-prix.md",
        "---\ntitle: Combien ?\nposition: 1\nanchor: prix\nsummary: Le prix.\n"
        "reviewed: 2026-11-26\n---\n\nUne heure coûte {{ hourly_rate }}.\n",
    )
    result = tiny_site.build("HOURLY_RATE = None\n")
    assert result.returncode == 1
    assert "content/faq/01-prix.md:9: {{ hourly_rate }}: needs HOURLY_RATE" in result.stderr
