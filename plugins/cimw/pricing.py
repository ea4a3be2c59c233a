"""Derive every price on the site from DAY_RATE and the facts CIMW confirmed.

`DAY_RATE` (euros per person-day) is the only amount typed anywhere, with
`HOURLY_RATE` when CIMW sets one. The pricing settings are checked once, at
`initialized`. From them `price_table` computes what the site states:

- the day rate, and the hourly rate for troubleshooting only when
  `HOURLY_RATE` is set (a number, or "from_day_rate": the day rate divided by
  `PRICING_HOURS_PER_DAY`, rounded down, so those hours never cost more than
  a day);
- how VAT applies (`VAT_REGIME`): "charged" shows prices excluding VAT ("HT"),
  and including VAT ("TTC") when `VAT_RATE` is set; "franchise" shows them as
  they are, with "TVA non applicable, art. 293 B du CGI";
- an estimate of a month's budget for each engagement of
  `PRICING_DAYS_PER_WEEK` days a week, on `PRICING_BILLABLE_DAYS_PER_YEAR`
  billable days in a year of five-day weeks.

A fact still a placeholder (see the legal plugin) is carried through, for the
templates to show it framed. Amounts are formatted the French way by Babel.
`placeholders` gives the values of the price placeholders, the phrases of the
theme's `_prices.html`, which the placeholders plugin fills in as content is
read:

- `{{ day_rate }}`, `{{ hourly_rate }}`: a price as stated, such as 300 € HT;
- `{{ by_the_hour }}`: "à l'heure", with the hourly price when there is one;
- `{{ price_table }}`, alone in its paragraph: the table, rendered by the
  theme's `_price_table.html`.

A page that quotes a price gets `quotes_prices = True`, for its "Mis à jour
le" line.
"""

from __future__ import annotations

import logging
import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, cast

from babel.numbers import format_currency, format_decimal
from jinja2 import Environment
from markupsafe import Markup
from pelican import Pelican, signals

from cimw import Settings, legal
from cimw.legal import is_placeholder

logger = logging.getLogger(__name__)

DEFAULTS = {
    "HOURLY_RATE": None,
    "VAT_RATE": None,
    "PRICING_PROFESSIONALS_ONLY": False,
    "PRICING_HOURS_PER_DAY": 7,
    "PRICING_DAYS_PER_WEEK": (1, 2, 3, 4, 5),
    "PRICING_LOCALE": "fr_FR",
    "PRICING_TEMPLATE": "_price_table.html",
    "PRICING_PHRASES_TEMPLATE": "_prices.html",
}
# Facts with no default: CIMW states them, or leaves a placeholder.
REQUIRED = ("DAY_RATE", "VAT_REGIME", "PRICING_BILLABLE_DAYS_PER_YEAR")
VAT_REGIMES = ("charged", "franchise")
HOURLY_FROM_DAY_RATE = "from_day_rate"
# The billable days of a year are counted in five-day weeks; an engagement of
# fewer days a week gets its share.
FULL_TIME_DAYS_PER_WEEK = 5
MONTHS_PER_YEAR = 12

# An amount above this is a typing mistake (and would overflow the computations).
AMOUNT_MAX = 1_000_000
INLINE_PHRASES = ("day_rate", "hourly_rate", "by_the_hour")
# The placeholders content may write (see the placeholders plugin), those that
# stand alone in their paragraph, and the attribute of a content that uses them.
PLACEHOLDERS = (*INLINE_PHRASES, "price_table")
BLOCK_PLACEHOLDERS = ("price_table",)
USED_FLAG = "quotes_prices"
# Known placeholders that only some settings can fill, and the setting they need.
NEEDS = {"hourly_rate": "HOURLY_RATE"}


@dataclass(frozen=True)
class Amount:
    """A whole number of euros and its French spelling."""

    euros: int
    text: str


@dataclass(frozen=True)
class Price:
    """An amount as invoiced before VAT, and with VAT when its rate is known."""

    amount: Amount
    with_vat: Amount | None = None


@dataclass(frozen=True)
class Vat:
    """How VAT applies to the prices; `regime` is still the placeholder while unconfirmed."""

    regime: str
    rate: Decimal | None  # a percentage, when VAT is charged and its rate is set
    rate_text: str | None  # such as '20 %'
    professionals_only: bool

    @property
    def charged(self) -> bool:
        return self.regime == "charged"

    @property
    def franchise(self) -> bool:
        return self.regime == "franchise"


@dataclass(frozen=True)
class MonthlyEstimate:
    """A month's budget for an engagement of `days_per_week`; None while unconfirmed."""

    days_per_week: int
    price: Price | None


@dataclass(frozen=True)
class PriceTable:
    day_rate: Price
    hourly_rate: Price | None
    hourly_from_day_rate: bool
    hours_per_day: str  # as French writes it: '7', '7,5'
    billable_days_per_year: int | str  # the placeholder while unconfirmed
    full_time_days_per_week: int
    monthly: tuple[MonthlyEstimate, ...]
    vat: Vat


def is_positive_number(value: object) -> bool:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    # numbers.Real declares only < and <=, but every real number compares with 0 as a float does.
    return cast(float, value) > 0


def is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def setting(settings: Settings, name: str) -> Any:
    return settings.get(name, DEFAULTS[name])


def settings_problems(settings: Settings) -> list[str]:
    """Every pricing setting that is missing or wrong, one message each."""
    problems: list[str] = []
    for name in REQUIRED:
        if name not in settings:
            problems.append(f"{name} is missing from the settings: set it in pelicanconf.py")
    if problems:
        return problems
    rate = settings["DAY_RATE"]
    if not is_positive_number(rate):
        problems.append(f"DAY_RATE must be a number of euros greater than zero, got {rate!r}")
    else:
        problems += amount_problems("DAY_RATE", rate)
    hours = setting(settings, "PRICING_HOURS_PER_DAY")
    if not is_positive_number(hours):
        problems.append(f"PRICING_HOURS_PER_DAY must be a number greater than zero, got {hours!r}")
    hourly = setting(settings, "HOURLY_RATE")
    if hourly is not None and hourly != HOURLY_FROM_DAY_RATE and not is_positive_number(hourly):
        problems.append(
            "HOURLY_RATE must be None (no hourly price shown), a number of euros greater than "
            f"zero, or {HOURLY_FROM_DAY_RATE!r} (DAY_RATE / PRICING_HOURS_PER_DAY, rounded "
            f"down), got {hourly!r}"
        )
    elif hourly is not None and hourly != HOURLY_FROM_DAY_RATE:
        problems += amount_problems("HOURLY_RATE", hourly)
    elif hourly == HOURLY_FROM_DAY_RATE and not problems and day_rate_by_the_hour(settings) < 1:
        problems.append(
            f"HOURLY_RATE = {hourly!r} shows as 0 € with DAY_RATE = {rate!r} and "
            f"PRICING_HOURS_PER_DAY = {hours!r}: expected a day rate of at least one euro an hour"
        )
    days = setting(settings, "PRICING_DAYS_PER_WEEK")
    if (
        not isinstance(days, list | tuple)
        or not days
        or not all(is_whole(d) and 1 <= d <= FULL_TIME_DAYS_PER_WEEK for d in days)
    ):
        problems.append(
            "PRICING_DAYS_PER_WEEK must be a list of whole numbers of days a week from 1 to "
            f"{FULL_TIME_DAYS_PER_WEEK}, got {days!r}"
        )
    billable = settings["PRICING_BILLABLE_DAYS_PER_YEAR"]
    if not is_placeholder(billable) and not (is_whole(billable) and 1 <= billable <= 366):
        problems.append(
            "PRICING_BILLABLE_DAYS_PER_YEAR must be the whole number of days billable in a "
            f"year of five-day weeks (such as 218), got {billable!r}"
        )
    problems += vat_problems(settings)
    return problems


def amount_problems(name: str, value: float) -> list[str]:
    """An amount that cannot be computed, or would show as 0 € once rounded to the euro."""
    if not math.isfinite(value) or value > AMOUNT_MAX:
        return [f"{name} must be a number of euros up to {AMOUNT_MAX:_}, got {value!r}"]
    if whole_euros(value) < 1:
        return [
            f"{name} = {value!r} shows as 0 € (amounts are rounded to the euro): expected at "
            "least one euro"
        ]
    return []


def vat_problems(settings: Settings) -> list[str]:
    regime = settings["VAT_REGIME"]
    vat_rate = setting(settings, "VAT_RATE")
    professionals_only = setting(settings, "PRICING_PROFESSIONALS_ONLY")
    problems: list[str] = []
    if regime not in VAT_REGIMES and not is_placeholder(regime):
        problems.append(
            "VAT_REGIME must be 'charged' (prices shown excluding VAT) or 'franchise' "
            f"(franchise en base de TVA, art. 293 B du CGI), got {regime!r}"
        )
    if vat_rate is not None and not (is_positive_number(vat_rate) and vat_rate < 100):
        problems.append(f"VAT_RATE must be a percentage such as 20, or None, got {vat_rate!r}")
    if not isinstance(professionals_only, bool):
        problems.append(
            f"PRICING_PROFESSIONALS_ONLY must be True or False, got {professionals_only!r}"
        )
    if regime == "charged" and vat_rate is None and professionals_only is not True:
        problems.append(
            "VAT_REGIME = 'charged' needs VAT_RATE (so that a consumer reads prices including "
            "VAT) or PRICING_PROFESSIONALS_ONLY = True (the services are for professionals only)"
        )
    if regime == "franchise" and vat_rate is not None:
        problems.append(
            f"VAT_RATE is {vat_rate!r} but VAT_REGIME is 'franchise', under which no VAT is "
            "charged: set VAT_RATE = None"
        )
    return problems


def validate_settings(settings: Settings) -> None:
    """Raise ValueError naming every pricing setting that is missing or wrong."""
    problems = settings_problems(settings)
    if problems:
        raise ValueError("; ".join(problems))


def whole_euros(value: float | Decimal) -> int:
    """Round to the nearest euro, halves up (as an invoice would)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount(euros: int, locale: str) -> Amount:
    """Spell a whole amount in euros, e.g. '1 300 €' with no-break spaces."""
    text = format_currency(
        euros, "EUR", format="#,##0\u00a0¤", locale=locale, currency_digits=False
    )
    return Amount(euros, text)


def day_rate_by_the_hour(settings: Settings) -> int:
    """DAY_RATE / PRICING_HOURS_PER_DAY in whole euros, rounded down."""
    day = Decimal(str(settings["DAY_RATE"]))
    hours = Decimal(str(setting(settings, "PRICING_HOURS_PER_DAY")))
    # Rounded down: a day's hours never cost more than the day.
    return int((day / hours).quantize(Decimal(1), rounding=ROUND_FLOOR))


def hourly_euros(settings: Settings) -> int | None:
    """The hourly price in whole euros, or None when CIMW states none."""
    hourly = setting(settings, "HOURLY_RATE")
    if hourly is None:
        return None
    if hourly == HOURLY_FROM_DAY_RATE:
        return day_rate_by_the_hour(settings)
    return whole_euros(hourly)


def monthly_euros(day_rate: float, days_per_week: int, billable_days_per_year: int) -> int:
    """A month's share of the year's billable days at `days_per_week`, times the day rate."""
    rate = Decimal(str(day_rate))
    days = Decimal(billable_days_per_year) * days_per_week / FULL_TIME_DAYS_PER_WEEK
    return whole_euros(rate * days / MONTHS_PER_YEAR)


def vat(settings: Settings) -> Vat:
    locale = setting(settings, "PRICING_LOCALE")
    vat_rate = setting(settings, "VAT_RATE") if settings["VAT_REGIME"] == "charged" else None
    rate = None if vat_rate is None else Decimal(str(vat_rate))
    return Vat(
        regime=str(settings["VAT_REGIME"]),
        rate=rate,
        rate_text=None if rate is None else format_decimal(rate, locale=locale) + "\u00a0%",
        professionals_only=setting(settings, "PRICING_PROFESSIONALS_ONLY"),
    )


def price(euros: int, vat_terms: Vat, locale: str) -> Price:
    """An amount, and the same with VAT added when VAT is charged at a known rate."""
    with_vat = None
    if vat_terms.charged and vat_terms.rate is not None:
        factor = 1 + vat_terms.rate / 100
        with_vat = amount(whole_euros(euros * factor), locale)
    return Price(amount(euros, locale), with_vat)


def price_table(settings: Settings) -> PriceTable:
    """Compute every price the site states from the pricing settings."""
    locale = setting(settings, "PRICING_LOCALE")
    days = setting(settings, "PRICING_DAYS_PER_WEEK")
    billable = settings["PRICING_BILLABLE_DAYS_PER_YEAR"]
    rate = settings["DAY_RATE"]
    terms = vat(settings)
    hourly = hourly_euros(settings)
    return PriceTable(
        day_rate=price(whole_euros(rate), terms, locale),
        hourly_rate=None if hourly is None else price(hourly, terms, locale),
        hourly_from_day_rate=setting(settings, "HOURLY_RATE") == HOURLY_FROM_DAY_RATE,
        hours_per_day=format_decimal(setting(settings, "PRICING_HOURS_PER_DAY"), locale=locale),
        billable_days_per_year=billable if is_placeholder(billable) else int(billable),
        full_time_days_per_week=FULL_TIME_DAYS_PER_WEEK,
        monthly=tuple(
            MonthlyEstimate(
                d,
                None
                if is_placeholder(billable)
                else price(monthly_euros(rate, d, billable), terms, locale),
            )
            for d in days
        ),
        vat=terms,
    )


def price_phrases(table: PriceTable, env: Environment, settings: Settings) -> dict[str, Markup]:
    """What each price placeholder becomes, rendered by the theme's templates."""
    phrases = env.get_template(setting(settings, "PRICING_PHRASES_TEMPLATE")).make_module(
        {"price_table": table}
    )
    names = [n for n in INLINE_PHRASES if n != "hourly_rate" or table.hourly_rate is not None]
    filled = {name: Markup(str(getattr(phrases, name)()).strip()) for name in names}
    table_template = env.get_template(setting(settings, "PRICING_TEMPLATE"))
    filled["price_table"] = Markup(table_template.render(price_table=table))
    return filled


def placeholders(settings: Settings, env: Environment) -> dict[str, Markup]:
    """The HTML of each price placeholder these settings can fill."""
    return price_phrases(price_table(settings), env, settings)


def unavailable_placeholders(settings: Settings) -> dict[str, str]:
    """The price placeholders these settings cannot fill, and why."""
    return {
        name: (
            f"needs {needed}, which is not set (write {{{{ by_the_hour }}}} to mention hourly "
            "billing without a figure)"
        )
        for name, needed in NEEDS.items()
        if setting(settings, needed) is None
    }


def check_settings(pelican: Pelican) -> None:
    validate_settings(pelican.settings)


def register() -> None:
    # Settings are complete at `initialized`: a bad price setting stops the build first.
    signals.initialized.connect(check_settings)
    # The price templates mark placeholders with the legal plugin's test, loaded or not.
    signals.generator_init.connect(legal.add_template_helpers)
