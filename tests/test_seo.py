"""Search engines and sharing: sitemap, robots.txt, canonical URLs, cards, icons, JSON-LD."""

from __future__ import annotations

import datetime
import json
import re
import struct
import xml.etree.ElementTree as ET

import pytest
import yaml
from samples import COMPANY_VAT, SOLE_TRADER_FRANCHISE, UNCONFIRMED
from support import (
    REPO,
    facts_of,
    faq_front_matter,
    faq_sources,
    good_faq,
    pricing_anchor,
)

from cimw.facts import VatCharged
from cimw.pricing import price_table

# Every test here reads the content or the prices.
pytestmark = pytest.mark.content

PUBLIC = facts_of().site_url
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
INDEXED = ["index.html", "contact.html", "mentions-legales.html", "confidentialite.html"]


def page_url(name: str) -> str:
    return f"{PUBLIC}/" if name == "index.html" else f"{PUBLIC}/{name}"


def front_matter(relative: str) -> dict:
    text = (REPO / "content" / relative).read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])


def sitemap(site) -> dict[str, str]:
    root = ET.fromstring((site.output / "sitemap.xml").read_bytes())
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): url.findtext(
            "s:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_sitemap_lists_the_real_pages_with_their_review_dates(site):
    entries = sitemap(site)
    assert sorted(entries) == sorted(page_url(name) for name in INDEXED)
    assert (
        entries[page_url("contact.html")]
        == front_matter("pages/contact.md")["reviewed"].isoformat()
    )
    newest = max(
        [front_matter("pages/index.md")["reviewed"]] + [e["reviewed"] for e in faq_front_matter()]
    )
    assert entries[page_url("index.html")] == newest.isoformat()


def test_home_lastmod_follows_the_newest_question_not_the_build(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq().replace("2026-11-26", "2026-03-04"))
    tiny_site.write("content/faq/two.md", good_faq(2, "deux").replace("2026-11-26", "2026-06-07"))
    assert tiny_site.build().returncode == 0
    xml = (tiny_site.root / "output" / "sitemap.xml").read_text()
    assert "<lastmod>2026-06-07</lastmod>" in xml  # newer than the home page (2026-01-15)
    assert datetime.date.today().isoformat() not in xml


def test_robots_txt_points_to_the_sitemap(site):
    lines = (site.output / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {PUBLIC}/sitemap.xml" in lines


@pytest.mark.parametrize("name", INDEXED)
def test_canonical_description_and_sharing_tags(site, name):
    soup = site.soup(name)
    url = page_url(name)
    assert soup.select_one('link[rel="canonical"]')["href"] == url
    meta = {
        tag.get("property") or tag.get("name"): tag["content"]
        for tag in soup.select("meta[content]")
    }
    assert meta["og:url"] == url
    assert meta["og:locale"] == "fr_FR"
    assert meta["og:title"] == meta["twitter:title"] == soup.title.get_text()
    assert meta["og:description"] == meta["twitter:description"] == meta["description"]
    assert meta["og:image"] == meta["twitter:image"] == f"{PUBLIC}/theme/images/cimw-card.png"
    assert meta["twitter:card"] == "summary_large_image"


def test_meta_description_is_the_summary(site):
    summary = front_matter("pages/contact.md")["summary"]
    description = site.soup("contact.html").select_one('meta[name="description"]')["content"]
    assert description.replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'") == summary


def test_the_404_page_is_not_indexed(site):
    soup = site.soup("404.html")
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    assert soup.select_one('link[rel="canonical"]') is None


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_sharing_image_and_icons(site):
    images = site.output / "theme" / "images"
    assert png_size(images / "cimw-card.png") == (1200, 630)
    assert png_size(images / "apple-touch-icon.png") == (180, 180)
    for svg in ("cimw-card.svg", "favicon.svg"):
        assert ET.fromstring((images / svg).read_bytes()).tag == "{http://www.w3.org/2000/svg}svg"
    ico = (site.output / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    assert ico[22:30] == b"\x89PNG\r\n\x1a\n"
    soup = site.soup()
    assert (
        soup.select_one('link[rel="icon"][type="image/svg+xml"]')["href"]
        == "/theme/images/favicon.svg"
    )
    assert soup.select_one('link[rel="icon"][sizes="32x32"]')["href"] == "/favicon.ico"


def test_images_are_not_blank():
    from browsing import png_colour_count

    card = REPO / "theme" / "static" / "images" / "cimw-card.png"
    assert png_colour_count(card) > 10, "the card renders as one flat colour"


def json_ld(site) -> dict:
    scripts = site.soup().select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    graph = json.loads(scripts[0].string)["@graph"]
    return {node["@type"]: node for node in graph}


def test_faq_structured_data_matches_the_page(site):
    soup = site.soup()
    faq = json_ld(site)["FAQPage"]
    questions = faq["mainEntity"]
    sections = soup.select("section.faq-entry")
    expected = faq_front_matter()
    assert len(questions) == len(sections) == len(expected)
    for question, section, entry in zip(questions, sections, expected, strict=True):
        assert question["@type"] == "Question"
        assert question["name"] == section.h2.get_text()
        answer = question["acceptedAnswer"]
        assert answer["@type"] == "Answer"
        first_paragraph = re.sub(r"[ \n]+", " ", section.select_one("p").get_text())
        assert first_paragraph in answer["text"]
        assert "Revenir en haut" not in answer["text"]
        assert "{{" not in answer["text"]
        assert "Mis à jour" not in answer["text"]
        # The summary is the answer in short.
        assert plain(answer["abstract"]) == entry["summary"]


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'")


@pytest.mark.parametrize("fixture", ["site", "site_filled", "site_ei"])
def test_the_pricing_answer_reads_as_sentences(request, fixture):
    built = request.getfixturevalue(fixture)
    section = built.soup().select_one(f"section[aria-labelledby={pricing_anchor()}]")
    index = [question.anchor for question in faq_sources()].index(pricing_anchor())
    answer = json_ld(built)["FAQPage"]["mainEntity"][index]["acceptedAnswer"]["text"]
    headers = [th.get_text() for th in section.select("table.price-table thead th")][1:]
    rows = section.select("table.price-table tbody tr")
    assert rows
    for row in rows:
        values = [td.get_text() for td in row.select("td")]
        if len(values) > 1:
            values = [f"{h[0].lower()}{h[1:]} {v}" for h, v in zip(headers, values, strict=True)]
        assert f"{row.th.get_text()}\u00a0: {', '.join(values)}." in answer, row.th.get_text()
    assert "Prestation Prix" not in answer
    caption = section.select_one("table.price-table caption").get_text()
    assert f"{caption}. " in answer


@pytest.mark.parametrize(
    ("table", "sentences"),
    [
        (
            "<table><caption>Tarifs</caption><thead><tr><th>Prestation</th><th>Prix</th></tr>"
            "</thead><tbody><tr><th>Jour</th><td>300 €</td></tr>"
            "<tr><th>Heure</th><td>45 €</td></tr></tbody></table>",
            "Tarifs. Jour\u00a0: 300 €. Heure\u00a0: 45 €.",
        ),
        (
            "<table><thead><tr><th>Prestation</th><th>Prix HT</th><th>Prix TTC</th></tr>"
            "</thead><tbody><tr><th>Jour</th><td>300 €</td><td>360 €</td></tr></tbody></table>",
            "Jour\u00a0: prix HT 300 €, prix TTC 360 €.",
        ),
        (
            "<table><tr><td>Un.</td></tr><tr><td>Deux</td><td>2</td></tr></table>",
            "Un. Deux\u00a0: 2.",
        ),
    ],
)
def test_tables_are_written_as_sentences(table, sentences):
    from cimw.seo import answer_text, table_sentences

    assert table_sentences(table) == sentences
    assert answer_text(f"<p>Avant.</p>{table}<p>Après.</p>") == f"Avant. {sentences} Après."


def business_of(site) -> dict:
    return json_ld(site)["ProfessionalService"]


def offers_of(built) -> dict[str, list[dict]]:
    return {o["name"]: o["priceSpecification"] for o in business_of(built)["makesOffer"]}


@pytest.mark.parametrize(
    ("fixture", "sample"),
    [
        ("site", {}),
        ("site_filled", COMPANY_VAT),
        ("site_ei", SOLE_TRADER_FRANCHISE),
        ("site_unconfirmed", UNCONFIRMED),
    ],
)
def test_business_structured_data_is_priced_as_the_page_states(request, fixture, sample):
    built = request.getfixturevalue(fixture)
    facts = facts_of(sample)
    table = price_table(facts)
    offers = offers_of(built)
    expected = {"Journée d’assistance technique": (table.day, "DAY")}
    if table.hourly is not None:
        expected["Heure de dépannage"] = (table.hourly, "HUR")
    assert set(offers) == set(expected)
    charged = isinstance(facts.rates.vat, VatCharged)
    for name, (price, unit) in expected.items():
        specifications = offers[name]
        stated = [(price.excluding_vat.value, False)]
        if price.including_vat is not None:
            stated.append((price.including_vat.value, True))
        # VAT is stated only when VAT is charged; under the franchise or unconfirmed, not at all.
        if charged:
            assert [(s["price"], s["valueAddedTaxIncluded"]) for s in specifications] == stated
        else:
            assert [s["price"] for s in specifications] == [price.excluding_vat.value]
            assert all("valueAddedTaxIncluded" not in s for s in specifications)
        assert {(s["priceCurrency"], s["unitCode"]) for s in specifications} == {("EUR", unit)}


def test_the_hour_with_vat_is_the_same_figure_in_the_structured_data(site_filled):
    hour = offers_of(site_filled)["Heure de dépannage"]
    assert [s["price"] for s in hour] == [42, 50.4]


def test_business_structured_data_states_only_confirmed_facts(
    site_unconfirmed, site_filled, site_ei
):
    stated = {"@type", "@id", "name", "legalName", "description", "url", "image", "makesOffer"}
    contact = {"email", "telephone", "address", "vatID", "identifier"}
    assert set(business_of(site_unconfirmed)) == stated, "a placeholder was published"
    assert set(business_of(site_filled)) == stated | contact
    assert set(business_of(site_ei)) == stated | contact - {"vatID"}
    facts = facts_of(COMPANY_VAT)
    filled = business_of(site_filled)
    assert filled["email"] == facts.contact.email
    assert filled["telephone"] == facts.contact.phone.international
    assert filled["vatID"] == facts.publisher.vat_number
    assert filled["url"] == facts.site_url + "/"
    address = facts.publisher.address
    assert filled["address"] == {
        "@type": "PostalAddress",
        "streetAddress": address.street,
        "postalCode": address.postal_code,
        "addressLocality": address.city,
        "addressCountry": "FR",
    }


@pytest.mark.parametrize("bad", ["'http://www.cimw.fr'", "'https://www.cimw.fr/'", "''", "None"])
def test_a_bad_public_url_is_refused(tiny_site, bad):
    result = tiny_site.build(f"SITE_PUBLIC_URL = {bad}\n")
    assert result.returncode != 0
    assert "SITE_PUBLIC_URL: expected the site's https address" in result.stdout + result.stderr


def test_structured_data_text_is_read_from_parsed_html():
    from cimw.seo import plain_text

    html = (
        '<p>Le <abbr title="a > b">RGS</abbr> et la <span class="caps">CNIL</span>'
        "&nbsp;: ici</p><ul><li>un</li><li>deux<br>trois</li></ul>"
    )
    assert plain_text(html) == "Le RGS et la CNIL\u00a0: ici un deux trois"
