"""Structured data for search engines, built from the same data as the page.

The home template calls `structured_data(page, faq_entries)`, a Jinja global
added at `generator_init`, which returns schema.org JSON-LD: a `FAQPage` whose
questions and answers are the FAQ entries, and the business as a
`ProfessionalService` whose offers are priced from the pricing settings.

An answer's text is the rendered answer as read (typeset, prices filled in),
each table written as short sentences, one per row ("Journée d’assistance
technique : 300 €."), so that it reads as prose; its `abstract` is the
question's `summary`. The business states only facts of the settings: VAT is
stated only when VAT_REGIME says how it applies, and placeholders (see the
legal plugin) are left out rather than published.

The sitemap and robots.txt are theme templates rendered as DIRECT_TEMPLATES;
`SITE_PUBLIC_URL` is checked at `initialized` because every absolute URL
starts with it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from functools import partial
from html import escape
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag
from markupsafe import Markup
from pelican import Pelican, signals
from pelican.contents import Content
from pelican.generators import Generator

from cimw import Settings
from cimw.legal import is_placeholder
from cimw.pricing import price_table
from cimw.typography import french, french_text

logger = logging.getLogger(__name__)

SPACES_RE = re.compile(r"[ \t\r\n]+")  # ordinary white space only: no-break spaces stay
# Elements whose text is set apart from the next: a space follows each.
BLOCKS = (
    "p",
    "li",
    "ol",
    "ul",
    "div",
    "table",
    "caption",
    "tr",
    "th",
    "td",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
)
TABLE_RE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
SENTENCE_END = (".", "!", "?", "…", ":")


def plain_text(html: str) -> str:
    """Return the text of an HTML fragment on one line, no-break spaces kept.

    Inline elements (`<span class="caps">`) join their neighbours; blocks are
    separated by a space.
    """
    fragment = BeautifulSoup(html, "html.parser")
    for block in fragment.find_all(BLOCKS):
        block.insert_after(" ")
    return SPACES_RE.sub(" ", fragment.get_text()).strip()


def cell_text(cell: Tag) -> str:
    return plain_text(str(cell.decode_contents()))


def sentence(text: str) -> str:
    return text if text.endswith(SENTENCE_END) else f"{text}."


def table_sentences(table_html: str) -> str:
    """Write a table as sentences: its caption, then one per row of its body.

    A row reads "label : value." with one column of values, and
    "label : header value, header value." with several, the headers taken from
    the table's head ("Journée : prix HT 300 €, prix TTC 360 €.").
    """
    table = BeautifulSoup(table_html, "html.parser").table
    assert table is not None, "given the HTML of a table"
    sentences = []
    if table.caption:
        sentences.append(sentence(cell_text(table.caption)))
    head = table.thead.find("tr") if table.thead else None
    headers = [cell_text(cell) for cell in head.find_all(["th", "td"])] if head else []
    body_rows = (table.tbody or table).find_all("tr", recursive=False)
    for row in body_rows:
        cells = row.find_all(["th", "td"], recursive=False)
        if not cells:
            continue
        label, values = cell_text(cells[0]), [cell_text(cell) for cell in cells[1:]]
        if len(values) > 1 and len(headers) == len(cells):
            values = [
                f"{header[:1].lower()}{header[1:]} {value}"
                for header, value in zip(headers[1:], values, strict=True)
            ]
        sentences.append(sentence(f"{label}\u00a0: {', '.join(values)}" if values else label))
    return " ".join(sentences)


def answer_text(html: str) -> str:
    """The text of an answer on one line, its tables written as sentences."""
    html = TABLE_RE.sub(lambda match: f"<p>{escape(table_sentences(match.group(0)))}</p>", html)
    return plain_text(html)


def page_url(settings: Settings, page: Content) -> str:
    return f"{settings['SITE_PUBLIC_URL']}/{page.url}"


def faq_page(settings: Settings, page: Content, faq_entries: Iterable[Content]) -> dict[str, Any]:
    """The FAQPage: one Question per entry, its accepted Answer the rendered answer."""
    return {
        "@type": "FAQPage",
        "@id": f"{page_url(settings, page)}#faq",
        "url": page_url(settings, page),
        "inLanguage": settings["DEFAULT_LANG"],
        "mainEntity": [
            {
                "@type": "Question",
                "name": plain_text(french(entry.title)),
                "acceptedAnswer": {
                    "@type": "Answer",
                    # The answer as read: already typeset, prices filled in.
                    "text": answer_text(entry.content),
                    # The answer in short: the question's summary, typeset as it was read.
                    "abstract": plain_text(str(entry.summary)),
                },
            }
            for entry in faq_entries
        ],
    }


def offer(name: str, euros: int, unit_code: str, unit_text: str, vat_regime: str) -> dict[str, Any]:
    """A priced offer; it states VAT only when the settings say how VAT applies."""
    specification: dict[str, Any] = {
        "@type": "UnitPriceSpecification",
        "price": euros,
        "priceCurrency": "EUR",
        "unitCode": unit_code,
        "unitText": unit_text,
    }
    if vat_regime == "charged":
        specification["valueAddedTaxIncluded"] = False
    return {"@type": "Offer", "name": name, "priceSpecification": specification}


def business(settings: Settings) -> dict[str, Any]:
    """The ProfessionalService, with the prices CIMW states as priced offers."""
    table = price_table(settings)
    regime = table.vat.regime
    day = table.day_rate.amount.euros
    offers = [offer("Journée d’assistance technique", day, "DAY", "jour-homme", regime)]
    if table.hourly_rate is not None:
        offers.append(
            offer("Heure de dépannage", table.hourly_rate.amount.euros, "HUR", "heure", regime)
        )
    facts = {
        "email": settings.get("CONTACT_EMAIL"),
        "telephone": settings.get("CONTACT_PHONE"),
        "address": settings.get("PUBLISHER_ADDRESS"),
        "vatID": settings.get("PUBLISHER_VAT_NUMBER"),
    }
    service: dict[str, Any] = {
        "@type": "ProfessionalService",
        "@id": f"{settings['SITE_PUBLIC_URL']}/#organisation",
        "name": settings["SITENAME"],
        "description": french_text(settings.get("SITE_TAGLINE", "")),
        "url": f"{settings['SITE_PUBLIC_URL']}/",
        "image": f"{settings['SITE_PUBLIC_URL']}/theme/images/cimw-card.png",
        "makesOffer": offers,
    }
    service.update({key: value for key, value in facts.items() if not is_placeholder(value)})
    return service


def to_json_ld(graph: list[dict[str, Any]]) -> Markup:
    """Serialise for a <script type="application/ld+json"> element."""
    data = {"@context": "https://schema.org", "@graph": graph}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # "</script>" must not appear inside the element.
    return Markup(text.replace("<", "\\u003c"))


def structured_data(page: Content, faq_entries: Iterable[Content], settings: Settings) -> Markup:
    return to_json_ld([faq_page(settings, page, faq_entries), business(settings)])


def is_site_address(url: str) -> bool:
    """Is `url` an absolute https URL with no final /?"""
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.netloc) and not url.endswith("/")


def validate_settings(settings: Settings) -> None:
    """Raise ValueError unless SITE_PUBLIC_URL is an absolute https URL with no final /."""
    url = settings.get("SITE_PUBLIC_URL")
    if not (isinstance(url, str) and is_site_address(url)):
        raise ValueError(
            "SITE_PUBLIC_URL must be the site's https address with no final slash, "
            f"such as 'https://www.example.fr', got {url!r}"
        )


def check_settings(pelican: Pelican) -> None:
    validate_settings(pelican.settings)


def add_globals(generator: Generator) -> None:
    generator.env.globals["structured_data"] = partial(structured_data, settings=generator.settings)


def register() -> None:
    # Every absolute URL starts with SITE_PUBLIC_URL: check it before anything is built.
    signals.initialized.connect(check_settings)
    # A Jinja global, so the data is built when the page is, after prices are filled.
    signals.generator_init.connect(add_globals)
