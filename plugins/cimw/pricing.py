"""Compute every price the site states from the rates CIMW set, exactly.

`DAY_RATE` (euros per person-day) is the only amount typed anywhere, with
`HOURLY_RATE` when CIMW sets one (the model in `facts` checks both). From
them `price_table` computes:

- the day rate, and the hourly rate for troubleshooting when it is set;
- the amount of a week for each engagement of `PRICING_DAYS_PER_WEEK` days a
  week, the days of the old page: N × the day rate;
- how VAT applies: when it is charged, prices are stated excluding VAT ("HT") and, when
  `VAT_RATE` is set, including VAT ("TTC"), HT × (1 + rate) to the cent, never
  rounded (the model refuses a rate that would not give whole cents);
  under the franchise they are stated as they are, with "TVA non applicable, art. 293 B
  du CGI";
- who buys: professionals only ("Prestations réservées aux professionnels"),
  or consumers too, who read the price including VAT first.

No estimate, no formula: only amounts CIMW's rates give. Amounts are written
the French way by Babel: "1 300 €", "50,40 €". `placeholders` gives the
values of the price placeholders, the phrases of the theme's `_prices.html`
and its `_price_table.html`, which the reader fills in as content is read:

- `{{ day_rate }}`, `{{ hourly_rate }}`: a price as stated, such as 300 € HT;
- `{{ by_the_hour }}`: "à l'heure", with the hourly price when there is one;
- `{{ price_table }}`, alone in its paragraph: the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency, format_decimal
from jinja2 import Environment
from markupsafe import Markup

from cimw.facts import Consumers, Facts, Rates, VatCharged, with_vat

logger = logging.getLogger(__name__)

LOCALE = "fr_FR"
# The theme's templates of the phrases and of the table.
PHRASES_TEMPLATE = "_prices.html"
TABLE_TEMPLATE = "_price_table.html"
INLINE_PHRASES = ("day_rate", "hourly_rate", "by_the_hour")
# The placeholders content may write, and those that stand alone in their paragraph.
PLACEHOLDERS = (*INLINE_PHRASES, "price_table")
BLOCK_PLACEHOLDERS = ("price_table",)
# Known placeholders that only some facts can fill, and why not.
NEEDS_HOURLY_RATE = (
    "needs HOURLY_RATE, which is not set (write {{ by_the_hour }} to mention hourly billing "
    "without a figure)"
)


@dataclass(frozen=True)
class Money:
    """An exact amount of euros and its French spelling."""

    amount: Decimal
    text: str

    @property
    def value(self) -> int | float:
        """The amount as a JSON number: whole euros, or euros and cents."""
        return int(self.amount) if self.amount == self.amount.to_integral() else float(self.amount)


@dataclass(frozen=True)
class Price:
    """An amount as invoiced before VAT, and with VAT when its rate is known."""

    excluding_vat: Money
    including_vat: Money | None = None


@dataclass(frozen=True)
class WeeklyPrice:
    """The amount of a week of an engagement of `days` days a week."""

    days: int
    price: Price


@dataclass(frozen=True)
class PriceTable:
    """Every price the site states, and the terms they are stated under."""

    day: Price
    hourly: Price | None
    weekly: tuple[WeeklyPrice, ...]
    rates: Rates
    vat_rate_text: str | None  # '20 %', when VAT is charged at a known rate

    @property
    def including_vat_first(self) -> bool:
        """Consumers read the price including VAT first (Code de la consommation)."""
        return isinstance(self.rates.clients, Consumers) and self.vat_rate_text is not None


def money(amount: Decimal, locale: str = LOCALE) -> Money:
    """Spell an amount the French way: '1 300 €', or '50,40 €' when it has cents."""
    whole = amount == amount.to_integral()
    pattern = "#,##0\u00a0¤" if whole else "#,##0.00\u00a0¤"
    return Money(
        amount, format_currency(amount, "EUR", format=pattern, locale=locale, currency_digits=False)
    )


def price(amount: Decimal, rates: Rates, locale: str) -> Price:
    """An amount, and the same including VAT when VAT is charged at a known rate."""
    vat = rates.vat
    including = None
    if isinstance(vat, VatCharged) and vat.rate is not None:
        including = money(with_vat(amount, vat.rate).quantize(Decimal("0.01")), locale)
    return Price(money(amount, locale), including)


def price_table(facts: Facts, locale: str = LOCALE) -> PriceTable:
    """Compute every price the site states from the facts' rates."""
    rates = facts.rates
    vat = rates.vat
    rate_text = None
    if isinstance(vat, VatCharged) and vat.rate is not None:
        rate_text = format_decimal(vat.rate, locale=locale) + "\u00a0%"
    return PriceTable(
        day=price(rates.day, rates, locale),
        hourly=None if rates.hourly is None else price(rates.hourly, rates, locale),
        weekly=tuple(
            WeeklyPrice(days, price(rates.day * days, rates, locale))
            for days in rates.days_per_week
        ),
        rates=rates,
        vat_rate_text=rate_text,
    )


def placeholders(facts: Facts, env: Environment) -> dict[str, Markup]:
    """The HTML of each price placeholder these facts can fill, rendered by the theme."""
    table = price_table(facts)
    phrases = env.get_template(PHRASES_TEMPLATE).make_module({"price_table": table})
    names = [n for n in INLINE_PHRASES if n != "hourly_rate" or table.hourly is not None]
    filled = {name: Markup(str(getattr(phrases, name)()).strip()) for name in names}
    filled["price_table"] = Markup(env.get_template(TABLE_TEMPLATE).render(price_table=table))
    return filled


def unavailable_placeholders(facts: Facts) -> dict[str, str]:
    """The price placeholders these facts cannot fill, and why."""
    return {} if facts.rates.hourly is not None else {"hourly_rate": NEEDS_HOURLY_RATE}
