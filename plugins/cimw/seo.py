"""Structured data for search engines, built from the same data as the page.

The home template calls `structured_data(page, faq_entries)`, a Jinja global
added at `generator_init`, which returns schema.org JSON-LD: a `FAQPage` whose
questions and answers are the FAQ entries (the answer text taken from the
rendered answer, typeset and with its prices filled in), and the
business as a `ProfessionalService` whose offer is priced from DAY_RATE.
Placeholders (see the legal plugin) are left out rather than published.

The sitemap and robots.txt are theme templates rendered as DIRECT_TEMPLATES;
`SITE_PUBLIC_URL` is checked at `initialized` because every absolute URL
starts with it.
"""

from __future__ import annotations

import json
import logging
import re
from functools import partial
from html import unescape
from urllib.parse import urlsplit

from markupsafe import Markup
from pelican import signals

from cimw.legal import is_placeholder
from cimw.pricing import price_table
from cimw.typography import french, french_text

logger = logging.getLogger(__name__)

SPACES_RE = re.compile(r"[ \t\r\n]+")  # ordinary white space only: no-break spaces stay
BLOCK_END_RE = re.compile(
    r"</(?:p|li|ol|ul|div|table|caption|tr|th|td|h[1-6])\s*>|<br\s*/?>", re.IGNORECASE
)
TAG_RE = re.compile(r"<[^>]*>")


def plain_text(html: str) -> str:
    """Return the text of an HTML fragment on one line, no-break spaces kept.

    Inline elements (`<span class="caps">`) join their neighbours; blocks are
    separated by a space.
    """
    text = TAG_RE.sub("", BLOCK_END_RE.sub(" ", html))
    return SPACES_RE.sub(" ", unescape(text)).strip()


def page_url(settings, page) -> str:
    return f"{settings['SITE_PUBLIC_URL']}/{page.url}"


def faq_page(settings, page, faq_entries) -> dict:
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
                # The answer as read: already typeset, prices filled in.
                "acceptedAnswer": {"@type": "Answer", "text": plain_text(entry.content)},
            }
            for entry in faq_entries
        ],
    }


def business(settings) -> dict:
    """The ProfessionalService, with its day rate as a priced offer."""
    table = price_table(settings)
    facts = {
        "email": settings.get("CONTACT_EMAIL"),
        "telephone": settings.get("CONTACT_PHONE"),
        "address": settings.get("PUBLISHER_ADDRESS"),
        "vatID": settings.get("PUBLISHER_VAT_NUMBER"),
    }
    service = {
        "@type": "ProfessionalService",
        "@id": f"{settings['SITE_PUBLIC_URL']}/#organisation",
        "name": settings["SITENAME"],
        "description": french_text(settings.get("SITE_TAGLINE", "")),
        "url": f"{settings['SITE_PUBLIC_URL']}/",
        "image": f"{settings['SITE_PUBLIC_URL']}/theme/images/cimw-card.png",
        "areaServed": "FR",
        "makesOffer": {
            "@type": "Offer",
            "name": "Journée d’assistance technique",
            "priceSpecification": {
                "@type": "UnitPriceSpecification",
                "price": table.day_rate.euros,
                "priceCurrency": "EUR",
                "unitCode": "DAY",
                "unitText": "jour-homme",
                "valueAddedTaxIncluded": False,
            },
        },
    }
    service.update({key: value for key, value in facts.items() if not is_placeholder(value)})
    return service


def to_json_ld(graph: list[dict]) -> Markup:
    """Serialise for a <script type="application/ld+json"> element."""
    data = {"@context": "https://schema.org", "@graph": graph}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # "</script>" must not appear inside the element.
    return Markup(text.replace("<", "\\u003c"))


def structured_data(page, faq_entries, settings) -> Markup:
    return to_json_ld([faq_page(settings, page, faq_entries), business(settings)])


def validate_settings(settings) -> None:
    """Raise ValueError unless SITE_PUBLIC_URL is an absolute https URL with no final /."""
    url = settings.get("SITE_PUBLIC_URL")
    parts = urlsplit(url) if isinstance(url, str) else None
    if not parts or parts.scheme != "https" or not parts.netloc or url.endswith("/"):
        raise ValueError(
            "SITE_PUBLIC_URL must be the site's https address with no final slash, "
            f"such as 'https://www.example.fr', got {url!r}"
        )


def check_settings(pelican):
    validate_settings(pelican.settings)


def add_globals(generator):
    generator.env.globals["structured_data"] = partial(structured_data, settings=generator.settings)


def register():
    # Every absolute URL starts with SITE_PUBLIC_URL: check it before anything is built.
    signals.initialized.connect(check_settings)
    # A Jinja global, so the data is built when the page is, after prices are filled.
    signals.generator_init.connect(add_globals)
