"""Structured data for search engines, built from the same data as the page.

The home template calls `structured_data(page, faq_entries)`, a Jinja global
(see `templating`), which returns schema.org JSON-LD: a `FAQPage` whose
questions and answers are the FAQ entries, and the business as a
`ProfessionalService` whose offers are priced from the pricing settings.

An answer's text is the rendered answer as read (typeset, prices filled in),
each table written as short sentences, one per row ("Journée d’assistance
technique : 300 €."), so that it reads as prose; its `abstract` is the
question's `summary`. The business states only confirmed facts: VAT is
stated only when the VAT regime is confirmed (both prices when VAT is charged
at a known rate), and an unconfirmed fact is left out rather than published.

The sitemap and robots.txt are theme templates rendered as DIRECT_TEMPLATES.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from html import escape, unescape
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pelican.contents import Content

from cimw.facts import Facts, Phone, PostalAddress, Vat, VatCharged
from cimw.pricing import Money, Price, price_table
from cimw.typography import RAW_TEXT, TAG_RE, beyond_tags_re, french, french_text, html_pieces

if TYPE_CHECKING:
    from bs4 import Tag

logger = logging.getLogger(__name__)

# What html.parser reads as a bogus comment: `</` not followed by a letter.
NOT_TEXT_RE = re.compile(r"</(?![A-Za-z])")
# What is neither a tag nor text: comments, declarations, processing
# instructions, bogus comments, and the raw text of scripts and styles.
OTHER_MARKUP_RE = beyond_tags_re(RAW_TEXT)
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
    separated by a space. Attributes are never text (`<abbr title="a > b">`),
    nor are scripts and styles. The fragment is read by the typography pass's
    linear scanner, which splits it as html.parser does; character references
    are resolved. A fragment of tags and text only, as Markdown writes, is
    split at its tags directly, the scanner's result for it.
    """
    if OTHER_MARKUP_RE.search(html):
        return scanned_plain_text(html)
    parts: list[str] = []
    last = 0
    for tag in TAG_RE.finditer(html):
        start = tag.start()
        if start > last:
            parts.append(html[last:start])
        name = tag["name"].lower()
        if name == "br" or (tag["end"] and name in BLOCKS):
            parts.append(" ")
        last = tag.end()
    parts.append(html[last:])
    text = "".join(parts) if "&" not in html else "".join(map(unescape, parts))
    return SPACES_RE.sub(" ", text).strip()


def scanned_plain_text(html: str) -> str:
    parts: list[str] = []
    hidden = False  # inside a script or a style: not text a reader sees
    for piece, _ in html_pieces(html):
        tag = TAG_RE.fullmatch(piece) if piece.startswith("<") else None
        if tag is not None:
            name = tag["name"].lower()
            if name in RAW_TEXT:
                hidden = not tag["end"]
            elif name == "br" or (tag["end"] and name in BLOCKS):
                parts.append(" ")
        elif not hidden and not piece.startswith(("<!", "<?")) and not NOT_TEXT_RE.match(piece):
            parts.append(unescape(piece))
    return SPACES_RE.sub(" ", "".join(parts)).strip()


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
    from bs4 import BeautifulSoup  # only for tables: every build starts faster without it

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


def page_url(facts: Facts, page: Content) -> str:
    return f"{facts.site_url}/{page.url}"


def faq_page(facts: Facts, page: Content, faq_entries: Iterable[Content]) -> dict[str, Any]:
    """The FAQPage: one Question per entry, its accepted Answer the rendered answer."""
    return {
        "@type": "FAQPage",
        "@id": f"{page_url(facts, page)}#faq",
        "url": page_url(facts, page),
        "inLanguage": facts.lang,
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


def price_specifications(
    price: Price, unit_code: str, unit_text: str, vat: Vat
) -> list[dict[str, Any]]:
    """The price as specified: excluding and including VAT when VAT is charged, else as it is."""

    def specification(money: Money) -> dict[str, Any]:
        return {
            "@type": "UnitPriceSpecification",
            "price": money.value,
            "priceCurrency": "EUR",
            "unitCode": unit_code,
            "unitText": unit_text,
        }

    if not isinstance(vat, VatCharged):
        # Under the franchise, or while the regime is unconfirmed: no VAT statement.
        return [specification(price.excluding_vat)]
    specifications = [{**specification(price.excluding_vat), "valueAddedTaxIncluded": False}]
    if price.including_vat is not None:
        specifications.append({**specification(price.including_vat), "valueAddedTaxIncluded": True})
    return specifications


def offer(name: str, price: Price, unit_code: str, unit_text: str, vat: Vat) -> dict[str, Any]:
    """A priced offer; it states VAT only when the facts say how VAT applies."""
    return {
        "@type": "Offer",
        "name": name,
        "priceSpecification": price_specifications(price, unit_code, unit_text, vat),
    }


def postal_address(address: PostalAddress) -> dict[str, str]:
    return {
        "@type": "PostalAddress",
        "streetAddress": address.street,
        "postalCode": address.postal_code,
        "addressLocality": address.city,
        "addressCountry": "FR",
    }


def confirmed_facts(facts: Facts) -> dict[str, Any]:
    """The business's contact and identity facts CIMW has confirmed; none is a placeholder."""
    publisher = facts.publisher
    found: dict[str, Any] = {}
    if isinstance(facts.contact.email, str):
        found["email"] = facts.contact.email
    if isinstance(facts.contact.phone, Phone):
        found["telephone"] = facts.contact.phone.international
    if isinstance(publisher.address, PostalAddress):
        found["address"] = postal_address(publisher.address)
    if isinstance(publisher.vat_number, str):
        found["vatID"] = publisher.vat_number
    if isinstance(publisher.siren, str):
        found["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "SIREN",
            "value": publisher.siren,
        }
    return found


def business(facts: Facts) -> dict[str, Any]:
    """The ProfessionalService, with the prices CIMW states as priced offers."""
    table = price_table(facts)
    vat = facts.rates.vat
    offers = [offer("Journée d’assistance technique", table.day, "DAY", "jour-homme", vat)]
    if table.hourly is not None:
        offers.append(offer("Heure de dépannage", table.hourly, "HUR", "heure", vat))
    service: dict[str, Any] = {
        "@type": "ProfessionalService",
        "@id": f"{facts.site_url}/#organisation",
        "name": facts.name,
        "legalName": facts.name,
        "description": french_text(facts.tagline),
        "url": f"{facts.site_url}/",
        "image": f"{facts.site_url}/theme/images/cimw-card.png",
        "makesOffer": offers,
    }
    service.update(confirmed_facts(facts))
    return service


def to_json_ld(graph: list[dict[str, Any]]) -> Markup:
    """Serialise for a <script type="application/ld+json"> element."""
    data = {"@context": "https://schema.org", "@graph": graph}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # "</script>" must not appear inside the element.
    return Markup(text.replace("<", "\\u003c"))


def structured_data(page: Content, faq_entries: Iterable[Content], facts: Facts) -> Markup:
    return to_json_ld([faq_page(facts, page, faq_entries), business(facts)])
