"""The legal pages, generated from the settings; production refuses placeholders."""

from __future__ import annotations

import re

import pytest
from conftest import FILLED_LEGAL

import pelicanconf
from cimw import legal

LEGAL_PAGES = ("mentions-legales.html", "confidentialite.html")


def text_of(site, name):
    """The main text on one line; no-break spaces kept."""
    return re.sub(r"[ \t\n]+", " ", site.soup(name).select_one("main").get_text(" "))


@pytest.mark.parametrize("name", ["index.html", "contact.html", "404.html", *LEGAL_PAGES])
def test_every_page_links_both_legal_pages_from_its_footer(site, name):
    links = [a["href"] for a in site.soup(name).select("footer a")]
    assert "/mentions-legales.html" in links and "/confidentialite.html" in links


def test_legal_notice_names_publisher_director_and_host(site_filled):
    text = text_of(site_filled, "mentions-legales.html")
    for key in (
        "PUBLISHER_LEGAL_FORM",
        "PUBLISHER_RCS",
        "PUBLISHER_SIREN",
        "PUBLISHER_VAT_NUMBER",
        "PUBLICATION_DIRECTOR",
        "HOST_NAME",
    ):
        assert FILLED_LEGAL[key] in text.replace("\u00a0", " ").replace("\u202f", " "), key
    assert "10 000\u00a0€" in text.replace("\u202f", " ")
    assert "Paris" in text and "Lyon" in text
    soup = site_filled.soup("mentions-legales.html")
    assert soup.select_one('a[href="mailto:contact@cimw.example"]')
    assert soup.select_one('a[href="tel:+33412345678"]'), "the host's phone"
    assert not soup.select(".placeholder")


def test_legal_notice_for_an_entrepreneur_individuel(tmp_path):
    from conftest import build_real_site

    site = build_real_site(
        tmp_path,
        PUBLISHER_KIND="ei",
        PUBLISHER_NAME="Jeanne Martin",
        **{k: v for k, v in FILLED_LEGAL.items() if k != "PUBLISHER_VAT_NUMBER"},
        PUBLISHER_VAT_NUMBER="",
    )
    text = text_of(site, "mentions-legales.html")
    assert "Entrepreneur individuel Jeanne Martin EI" in text
    assert "Capital social" not in text and "TVA" not in text


def test_placeholders_are_shown_marked_in_development(site):
    marked = [span.get_text() for span in site.soup("mentions-legales.html").select(".placeholder")]
    assert pelicanconf.PUBLISHER_SIREN in marked
    assert pelicanconf.HOST_NAME in marked
    assert all(legal.is_placeholder(value) for value in marked)


def test_privacy_policy_covers_article_13(site_filled):
    text = text_of(site_filled, "confidentialite.html")
    for words in (
        "Responsable du traitement",
        "Finalité",
        "Base légale",
        "Durée de conservation",
        "droit d’accès",
        "rectification",
        "effacement",
        "portabilité",
        "CNIL",
        "ne dépose aucun cookie",
        FILLED_LEGAL["HOST_NAME"],
        "un an",
        pelicanconf.CONTACT_RETENTION,
    ):
        assert words in text, words
    assert site_filled.soup("confidentialite.html").select_one(
        'a[href="https://www.cnil.fr/fr/plaintes"]'
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[numéro SIREN]", True),
        ("", True),
        (None, True),
        ("  ", True),
        ("contact@cimw.invalid", True),
        ("123 456 789", False),
        ("SARL", False),
        ("[sic] un texte", False),
    ],
)
def test_is_placeholder(value, expected):
    assert legal.is_placeholder(value) is expected


def test_production_refuses_placeholders_naming_every_field(tiny_site):
    result = tiny_site.build("LEGAL_REQUIRE_REAL_VALUES = True\n")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "still a placeholder or empty in the settings" in output
    for field in legal.required_fields({"PUBLISHER_KIND": "company"}):
        if legal.is_placeholder(getattr(pelicanconf, field)):
            assert field in output, field
    assert "PUBLISHER_NAME" not in output
    assert not (tiny_site.root / "output").exists()


def test_production_builds_with_every_field_filled(tiny_site):
    settings = "".join(f"{key} = {value!r}\n" for key, value in FILLED_LEGAL.items())
    result = tiny_site.build("LEGAL_REQUIRE_REAL_VALUES = True\n" + settings)
    assert result.returncode == 0, result.stderr


def test_production_refuses_an_emptied_field(tiny_site):
    settings = "".join(f"{key} = {value!r}\n" for key, value in FILLED_LEGAL.items())
    result = tiny_site.build("LEGAL_REQUIRE_REAL_VALUES = True\n" + settings + "HOST_PHONE = ''\n")
    assert result.returncode != 0
    assert (
        "still a placeholder or empty in the settings: HOST_PHONE" in result.stdout + result.stderr
    )


def test_publishconf_requires_real_values():
    import publishconf

    assert publishconf.LEGAL_REQUIRE_REAL_VALUES is True
    assert publishconf.SITEURL == pelicanconf.SITE_PUBLIC_URL


def test_a_bad_publisher_kind_is_refused(tiny_site):
    result = tiny_site.build("PUBLISHER_KIND = 'sarl'\n")
    assert result.returncode != 0
    assert "PUBLISHER_KIND must be 'company'" in result.stdout + result.stderr
