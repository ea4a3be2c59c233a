"""Derive every price on the site from one setting, DAY_RATE.

`DAY_RATE` (euros per person-day, excluding VAT) is checked once, at
`initialized`. From it `price_table` computes the hourly rate for
troubleshooting and the monthly budget of an engagement of one to five days a
week, formatted the French way by Babel. At `all_generators_finalized`, once
every page and question is read and before anything is written, placeholders
in the rendered Markdown are replaced:

- `{{ day_rate }}` and `{{ hourly_rate }}`: an inline amount, such as 300 €;
- `{{ price_table }}`, alone in its paragraph: the table, rendered by the
  theme's `_price_table.html`.

Any other `{{ name }}` fails the build, naming the file and the token.
"""

from __future__ import annotations

import logging
import numbers
import os
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from pelican import signals
from pelican.contents import Content

logger = logging.getLogger(__name__)

DEFAULTS = {
    "PRICING_HOURS_PER_DAY": 7,
    "PRICING_DAYS_PER_WEEK": (1, 2, 3, 4, 5),
    "PRICING_LOCALE": "fr_FR",
    "PRICING_TEMPLATE": "_price_table.html",
}
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12

PLACEHOLDER_RE = re.compile(r"\{\{\s*(?P<name>[^{}\s]*)\s*\}\}")
TABLE_PARAGRAPH_RE = re.compile(r"<p>\s*\{\{\s*price_table\s*\}\}\s*</p>")


class PricingError(Exception):
    """Content that asks for a price the plugin does not know."""


@dataclass(frozen=True)
class Amount:
    """A whole number of euros and its French spelling."""

    euros: int
    text: str


@dataclass(frozen=True)
class MonthlyBudget:
    days_per_week: int
    amount: Amount


@dataclass(frozen=True)
class PriceTable:
    day_rate: Amount
    hourly_rate: Amount
    hours_per_day: int
    monthly: tuple[MonthlyBudget, ...]


def is_positive_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0


def validate_settings(settings) -> None:
    """Raise ValueError naming the first pricing setting that is missing or wrong."""
    if "DAY_RATE" not in settings:
        raise ValueError(
            "DAY_RATE is missing from the settings: set it in pelicanconf.py to the "
            "price of one person-day in euros, excluding VAT (for example DAY_RATE = 300)"
        )
    if not is_positive_number(settings["DAY_RATE"]):
        raise ValueError(
            f"DAY_RATE must be a number of euros greater than zero, got {settings['DAY_RATE']!r}"
        )
    hours = settings.get("PRICING_HOURS_PER_DAY", DEFAULTS["PRICING_HOURS_PER_DAY"])
    if not is_positive_number(hours):
        raise ValueError(f"PRICING_HOURS_PER_DAY must be a number greater than zero, got {hours!r}")
    days = settings.get("PRICING_DAYS_PER_WEEK", DEFAULTS["PRICING_DAYS_PER_WEEK"])
    if not days or not all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in days
    ):
        raise ValueError(
            f"PRICING_DAYS_PER_WEEK must be a list of whole numbers from 1 to 7, got {days!r}"
        )


def whole_euros(value) -> int:
    """Round to the nearest euro, halves up (as an invoice would)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount(euros: int, locale: str) -> Amount:
    """Spell a whole amount in euros, e.g. '1 300 €' with no-break spaces."""
    text = format_currency(
        euros, "EUR", format="#,##0\u00a0¤", locale=locale, currency_digits=False
    )
    return Amount(euros, text)


def price_table(settings) -> PriceTable:
    """Compute every price from DAY_RATE and the pricing settings."""
    locale = settings.get("PRICING_LOCALE", DEFAULTS["PRICING_LOCALE"])
    hours = settings.get("PRICING_HOURS_PER_DAY", DEFAULTS["PRICING_HOURS_PER_DAY"])
    days = settings.get("PRICING_DAYS_PER_WEEK", DEFAULTS["PRICING_DAYS_PER_WEEK"])
    rate = Decimal(str(settings["DAY_RATE"]))
    return PriceTable(
        day_rate=amount(whole_euros(rate), locale),
        hourly_rate=amount(whole_euros(rate / Decimal(str(hours))), locale),
        hours_per_day=hours,
        monthly=tuple(
            MonthlyBudget(
                d, amount(whole_euros(d * rate * WEEKS_PER_YEAR / MONTHS_PER_YEAR), locale)
            )
            for d in days
        ),
    )


def fill_prices(html: str, source_path: str, table: PriceTable, table_html: str):
    """Replace the price placeholders in `html`; return it and the unknown tokens."""
    inline = {"day_rate": table.day_rate.text, "hourly_rate": table.hourly_rate.text}
    html = TABLE_PARAGRAPH_RE.sub(lambda _: table_html, html)
    unknown = []

    def replace(match):
        name = match.group("name")
        if name in inline:
            return inline[name]
        unknown.append(f"{source_path}: unknown placeholder {match.group(0)}")
        return match.group(0)

    html = PLACEHOLDER_RE.sub(replace, html)
    return html, unknown


def site_contents(context):
    """Yield every page and question of the context once."""
    seen = set()
    for value in context.values():
        if isinstance(value, list):
            for content in value:
                if isinstance(content, Content) and id(content) not in seen:
                    seen.add(id(content))
                    yield content


def check_settings(pelican):
    validate_settings(pelican.settings)


def fill_site_prices(generators):
    generator = next(g for g in generators if hasattr(g, "env"))
    settings = generator.settings
    table = price_table(settings)
    template = generator.env.get_template(
        settings.get("PRICING_TEMPLATE", DEFAULTS["PRICING_TEMPLATE"])
    )
    table_html = template.render(price_table=table)
    problems = []
    for content in site_contents(generator.context):
        if content._content and "{{" in content._content:
            path = os.path.relpath(content.source_path)
            content._content, unknown = fill_prices(content._content, path, table, table_html)
            problems += unknown
    if problems:
        raise PricingError(
            "unknown price placeholder (known: {{ day_rate }}, {{ hourly_rate }}, "
            "{{ price_table }}):\n" + "\n".join(problems)
        )


def register():
    # Settings are complete at `initialized`: a bad DAY_RATE stops the build first.
    signals.initialized.connect(check_settings)
    # Every content is read, none written: the one point to fill every page.
    signals.all_generators_finalized.connect(fill_site_prices)
