"""The legal pages, generated from the settings; production refuses unconfirmed facts."""

from __future__ import annotations

import re

import pytest
from samples import COMPANY_VAT, SOLE_TRADER_FRANCHISE
from support import copy_project, run_invoke, settings_of
from test_pricing import french_date
from test_seo import front_matter

import pelicanconf
from cimw import legal

LEGAL_PAGES = ("mentions-legales.html", "confidentialite.html")
NBSP, NNBSP = "\u00a0", "\u202f"
PLACEHOLDER_RE = re.compile(r"\[.*\]")


def text_of(site, name):
    """The main text on one line, no-break spaces read as spaces."""
    text = site.soup(name).select_one("main").get_text(" ")
    return re.sub(r"\s+", " ", text.replace(NBSP, " ").replace(NNBSP, " "))


def facts(site) -> dict[str, str]:
    """The legal notice's publisher facts: each label and its value."""
    dl = site.soup("mentions-legales.html").select_one("main dl.facts")
    return {dt.get_text(): dt.find_next_sibling("dd").get_text() for dt in dl.select("dt")}


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace(NNBSP, " ").replace("’", "'")


def section_text(site, page, heading) -> str:
    """The text from an h2 or h3 to the next heading of any level."""
    title = next(
        h for h in site.soup(page).select("main h2, main h3") if plain(h.get_text()) == heading
    )
    parts = []
    for sibling in title.find_next_siblings():
        if sibling.name in ("h2", "h3"):
            break
        parts.append(sibling.get_text(" "))
    return plain(re.sub(r"\s+", " ", " ".join(parts)))


def placeholder_settings() -> list[str]:
    """The settings pelicanconf.py leaves as [placeholders], read from the file itself."""
    return [
        name
        for name in dir(pelicanconf)
        if name.isupper()
        and isinstance(getattr(pelicanconf, name), str)
        and PLACEHOLDER_RE.fullmatch(getattr(pelicanconf, name))
    ]


@pytest.mark.parametrize("name", ["index.html", "contact.html", "404.html", *LEGAL_PAGES])
def test_every_page_links_both_legal_pages_from_its_footer(site, name):
    links = [a["href"] for a in site.soup(name).select("footer a")]
    assert "/mentions-legales.html" in links and "/confidentialite.html" in links


# -- the legal notice ----------------------------------------------------------


def test_company_legal_notice(site_filled):
    shown = {label: plain(value) for label, value in facts(site_filled).items()}
    assert shown["Dénomination sociale"] == COMPANY_VAT["PUBLISHER_NAME"]
    assert shown["Forme juridique"] == COMPANY_VAT["PUBLISHER_LEGAL_FORM"]
    assert shown["Capital social"] == COMPANY_VAT["PUBLISHER_SHARE_CAPITAL"]
    assert shown["Siège social"] == COMPANY_VAT["PUBLISHER_ADDRESS"]
    assert shown["Immatriculation"] == COMPANY_VAT["PUBLISHER_RCS"]
    assert shown["SIREN"] == COMPANY_VAT["PUBLISHER_SIREN"]
    assert shown["TVA intracommunautaire"] == COMPANY_VAT["PUBLISHER_VAT_NUMBER"]
    assert not {"Nom", "Prénoms", "Statut", "Adresse professionnelle"} & set(shown)
    director = section_text(site_filled, "mentions-legales.html", "Directeur de la publication")
    assert director == (
        f"{COMPANY_VAT['PUBLICATION_DIRECTOR']}, {COMPANY_VAT['PUBLICATION_DIRECTOR_ROLE']}."
    )
    text = text_of(site_filled, "mentions-legales.html")
    assert COMPANY_VAT["HOST_NAME"] in text and COMPANY_VAT["HOST_ADDRESS"] in text
    assert " EI" not in text and "RNE" not in text
    soup = site_filled.soup("mentions-legales.html")
    assert soup.select_one(f'a[href="mailto:{COMPANY_VAT["CONTACT_EMAIL"]}"]')
    assert soup.select_one(f'a[href="tel:{COMPANY_VAT["HOST_PHONE"].replace(" ", "")}"]')
    assert not soup.select(".placeholder")


def test_entrepreneur_individuel_legal_notice(site_ei):
    shown = facts(site_ei)
    # The business name, then "EI" at once (Code de commerce, art. R. 526-27).
    assert shown["Dénomination"] == f"{SOLE_TRADER_FRANCHISE['PUBLISHER_NAME']}{NBSP}EI"
    assert SOLE_TRADER_FRANCHISE["PUBLISHER_SURNAME"] in SOLE_TRADER_FRANCHISE["PUBLISHER_NAME"]
    assert shown["Statut"] == "entrepreneur individuel"
    assert shown["Nom"] == SOLE_TRADER_FRANCHISE["PUBLISHER_SURNAME"]
    assert shown["Prénoms"] == SOLE_TRADER_FRANCHISE["PUBLISHER_GIVEN_NAMES"]
    assert plain(shown["Adresse professionnelle"]) == SOLE_TRADER_FRANCHISE["PUBLISHER_ADDRESS"]
    assert plain(shown["Immatriculation"]) == (
        f"registre national des entreprises (RNE), SIREN {SOLE_TRADER_FRANCHISE['PUBLISHER_SIREN']}"
    )
    for company_only in ("Capital social", "Forme juridique", "Siège social", "SIREN"):
        assert company_only not in shown, company_only
    # Under the VAT franchise, with no VAT number given, none is shown.
    assert "TVA intracommunautaire" not in shown
    text = text_of(site_ei, "mentions-legales.html")
    assert "RCS" not in text and "capital" not in text.lower()
    director = section_text(site_ei, "mentions-legales.html", "Directeur de la publication")
    assert director == f"{SOLE_TRADER_FRANCHISE['PUBLISHER_GIVEN_NAMES']} {SOLE_TRADER_FRANCHISE['PUBLISHER_SURNAME']}"
    assert not site_ei.soup("mentions-legales.html").select(".placeholder")


def test_a_vat_number_given_under_the_franchise_is_shown(tmp_path):
    from support import build_real_site

    site = build_real_site(tmp_path, **{**SOLE_TRADER_FRANCHISE, "PUBLISHER_VAT_NUMBER": "FR98 987654321"})
    assert facts(site)["TVA intracommunautaire"] == "FR98 987654321"


def test_placeholders_are_shown_framed_in_development(site):
    marked = [
        span.get_text()
        for name in LEGAL_PAGES
        for span in site.soup(name).select("main .placeholder")
    ]
    for name in ("PUBLISHER_KIND", "PUBLISHER_SIREN", "HOST_NAME", "CONTACT_RETENTION"):
        assert getattr(pelicanconf, name) in marked, name
    for name in ("MAIL_PROVIDER", "PRIVACY_TRANSFERS", "HOST_LOG_RETENTION"):
        assert getattr(pelicanconf, name) in marked, name
    assert all(legal.is_placeholder(value) for value in marked)


@pytest.mark.parametrize("name", LEGAL_PAGES)
def test_legal_pages_show_their_review_date(site_ei, name):
    reviewed = front_matter(f"pages/{name.replace('.html', '.md')}")["reviewed"]
    line = site_ei.soup(name).select_one("main .reviewed")
    assert line.get_text() == f"Mis à jour le {french_date(reviewed)}"
    assert line.time["datetime"] == reviewed.isoformat()


# -- the privacy policy --------------------------------------------------------


def test_privacy_policy_names_the_company_as_controller(site_filled):
    controller = section_text(site_filled, "confidentialite.html", "Responsable du traitement")
    for key in ("PUBLISHER_NAME", "PUBLISHER_LEGAL_FORM", "PUBLISHER_ADDRESS", "CONTACT_EMAIL"):
        assert COMPANY_VAT[key] in controller, key
    assert "siège social" in controller


def test_privacy_policy_names_the_entrepreneur_as_controller(site_ei):
    controller = section_text(site_ei, "confidentialite.html", "Responsable du traitement")
    person = f"{SOLE_TRADER_FRANCHISE['PUBLISHER_GIVEN_NAMES']} {SOLE_TRADER_FRANCHISE['PUBLISHER_SURNAME']}"
    assert f"liées à ce site est {person}, entrepreneur individuel exerçant sous" in controller
    assert f"{SOLE_TRADER_FRANCHISE['PUBLISHER_NAME']} EI" in controller
    assert SOLE_TRADER_FRANCHISE["PUBLISHER_ADDRESS"] in controller


@pytest.mark.parametrize("fixture, config", [("site_filled", COMPANY_VAT), ("site_ei", SOLE_TRADER_FRANCHISE)])
def test_privacy_policy_covers_article_13(request, fixture, config):
    built = request.getfixturevalue(fixture)
    text = plain(text_of(built, "confidentialite.html"))
    messages = section_text(built, "confidentialite.html", "Vos messages")
    logs = section_text(built, "confidentialite.html", "Les journaux du serveur")
    for words in ("Finalité", "Base légale", "Durée de conservation", config["CONTACT_RETENTION"]):
        assert words in messages, words
    # 13(2)(e): whether the data must be given, and what happens if not.
    assert "rien ne vous oblige à nous communiquer ces données" in messages
    assert "nous ne pourrons pas vous répondre" in messages
    assert "consulter le site implique leur enregistrement" in logs
    # The processors are recipients, named from the settings.
    assert f"fournisseur de messagerie, {config['MAIL_PROVIDER']}" in messages
    assert "sous-traitant" in messages and " seul" not in text
    assert f"l'hébergeur, {config['HOST_NAME']}" in logs
    assert config["HOST_LOG_RETENTION"] in logs
    for field in pelicanconf.HOST_LOG_FIELDS:
        assert plain(field) in logs, field
    contract = section_text(built, "confidentialite.html", "Si un contrat suit")
    assert "dix ans" in contract and "L. 123-22 du Code de commerce" in contract
    assert "traitement automatisé" in section_text(
        built, "confidentialite.html", "Décisions automatisées"
    )
    rights = section_text(built, "confidentialite.html", "Vos droits")
    for words in ("droit d'accès", "rectification", "effacement", "portabilité", "opposition"):
        assert words in rights, words
    assert "après votre décès" in rights and "loi n° 78-17 du 6 janvier 1978" in rights
    assert "CNIL" in text and "ne dépose aucun cookie" in text
    assert built.soup("confidentialite.html").select_one(
        'a[href="https://www.cnil.fr/fr/plaintes"]'
    )


def test_transfers_outside_the_eu_follow_the_setting(site_filled, site_ei):
    title = "Transferts hors de l'Union européenne"
    assert COMPANY_VAT["PRIVACY_TRANSFERS"] == ()
    assert section_text(site_filled, "confidentialite.html", title) == (
        "Aucune de ces données n'est transférée hors de l'Union européenne."
    )
    listed = section_text(site_ei, "confidentialite.html", title)
    assert SOLE_TRADER_FRANCHISE["PRIVACY_TRANSFERS"]
    for recipient, country, safeguard in SOLE_TRADER_FRANCHISE["PRIVACY_TRANSFERS"]:
        assert f"{recipient}, pays de destination : {country} ; garantie : {safeguard}." in listed
    assert "copie de ces garanties" in listed


# -- the facts CIMW must confirm -----------------------------------------------


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
        ((), False),
        (("fr",), False),
        (218, False),
    ],
)
def test_is_placeholder(value, expected):
    assert legal.is_placeholder(value) is expected


def test_publishconf_refuses_the_repository_defaults_naming_every_unconfirmed_fact(tmp_path):
    project = copy_project(tmp_path / "project")
    result = run_invoke("build", "--settings", str(project / "publishconf.py"), cwd=project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "still a placeholder or empty in the settings" in output
    unconfirmed = placeholder_settings()
    assert {"PUBLISHER_KIND", "VAT_REGIME", "PRICING_BILLABLE_DAYS_PER_YEAR"} <= set(unconfirmed)
    assert {"CONTACT_RETENTION", "SECURITY_TXT_LANGUAGES", "PRIVACY_TRANSFERS"} <= set(unconfirmed)
    for name in unconfirmed:
        assert re.search(rf"\b{name}\b", output), f"{name} is not named in:\n{output}"
    assert "SITE_PUBLIC_URL" in output  # at .invalid
    assert not re.search(r"\bPUBLISHER_NAME\b", output), "a confirmed fact was named"
    assert not list((project / "output").glob("*.html"))


@pytest.mark.parametrize("config", [COMPANY_VAT, SOLE_TRADER_FRANCHISE], ids=["company", "ei"])
def test_production_builds_with_every_fact_confirmed(tiny_site, config):
    settings = "".join(f"{key} = {value!r}\n" for key, value in config.items())
    result = tiny_site.build("LEGAL_REQUIRE_REAL_VALUES = True\n" + settings)
    assert result.returncode == 0, result.stdout + result.stderr


def production(config: dict, **changes) -> dict:
    return settings_of({**config, **changes, "LEGAL_REQUIRE_REAL_VALUES": True})


@pytest.mark.parametrize(
    ("config", "changes", "named"),
    [
        (COMPANY_VAT, {"HOST_PHONE": ""}, "HOST_PHONE"),
        (COMPANY_VAT, {"PUBLICATION_DIRECTOR_ROLE": "[qualité]"}, "PUBLICATION_DIRECTOR_ROLE"),
        (COMPANY_VAT, {"PUBLISHER_VAT_NUMBER": ""}, "PUBLISHER_VAT_NUMBER"),
        (COMPANY_VAT, {"PUBLISHER_RCS": "[RCS]"}, "PUBLISHER_RCS"),
        (SOLE_TRADER_FRANCHISE, {"PUBLISHER_SURNAME": "[nom]"}, "PUBLISHER_SURNAME"),
        (SOLE_TRADER_FRANCHISE, {"PUBLISHER_GIVEN_NAMES": ""}, "PUBLISHER_GIVEN_NAMES"),
        (SOLE_TRADER_FRANCHISE, {"CONTACT_RETENTION": "[durée]"}, "CONTACT_RETENTION"),
        (SOLE_TRADER_FRANCHISE, {"SECURITY_TXT_LANGUAGES": "[langues]"}, "SECURITY_TXT_LANGUAGES"),
        (SOLE_TRADER_FRANCHISE, {"PRIVACY_TRANSFERS": "[transferts]"}, "PRIVACY_TRANSFERS"),
        (SOLE_TRADER_FRANCHISE, {"MAIL_PROVIDER": None}, "MAIL_PROVIDER"),
        (SOLE_TRADER_FRANCHISE, {"VAT_REGIME": "[régime]"}, "VAT_REGIME"),
        (SOLE_TRADER_FRANCHISE, {"PRICING_BILLABLE_DAYS_PER_YEAR": None}, "PRICING_BILLABLE_DAYS_PER_YEAR"),
    ],
)
def test_production_refuses_each_unconfirmed_fact(config, changes, named):
    with pytest.raises(ValueError, match=re.escape(f"in the settings: {named}")):
        legal.validate_settings(production(config, **changes))


def test_each_kind_requires_only_its_own_facts():
    # An EI has no capital nor RCS; a company's director is not the EI's person.
    legal.validate_settings(production(SOLE_TRADER_FRANCHISE, PUBLISHER_RCS="[RCS]"))
    legal.validate_settings(production(COMPANY_VAT, PUBLISHER_SURNAME="[nom]"))
    # Under the franchise, no VAT number is needed.
    legal.validate_settings(production(SOLE_TRADER_FRANCHISE, PUBLISHER_VAT_NUMBER=""))


def test_an_open_choice_names_what_each_answer_needs():
    settings = production(
        COMPANY_VAT,
        PUBLISHER_KIND="[forme]",
        PUBLISHER_SURNAME="[nom]",
        VAT_REGIME="[régime]",
        PUBLISHER_VAT_NUMBER="[numéro]",
    )
    with pytest.raises(ValueError) as error:
        legal.validate_settings(settings)
    message = str(error.value)
    assert "PUBLISHER_KIND, VAT_REGIME" in message
    assert "for an entrepreneur individuel, also PUBLISHER_SURNAME" in message
    assert "if VAT is charged, also PUBLISHER_VAT_NUMBER" in message


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"PUBLISHER_KIND": "sarl"}, "PUBLISHER_KIND must be 'company'"),
        ({"PUBLISHER_NAME": "CIMW"}, "PUBLISHER_NAME must include the entrepreneur's surname"),
        ({"PRIVACY_TRANSFERS": ("États-Unis",)}, "PRIVACY_TRANSFERS must be ()"),
        ({"PRIVACY_TRANSFERS": [("Mail", "", "clauses")]}, "PRIVACY_TRANSFERS must be ()"),
        ({"HOST_LOG_FIELDS": ()}, "HOST_LOG_FIELDS must be a non-empty list"),
    ],
)
def test_facts_of_the_wrong_shape_are_refused_even_in_development(changes, words):
    settings = settings_of({**SOLE_TRADER_FRANCHISE, **changes})
    with pytest.raises(ValueError, match=re.escape(words)):
        legal.validate_settings(settings)


def test_a_bad_publisher_kind_stops_the_build(tiny_site):
    result = tiny_site.build("PUBLISHER_KIND = 'sarl'\n")
    assert result.returncode != 0
    assert "PUBLISHER_KIND must be 'company'" in result.stdout + result.stderr


def test_publishconf_requires_real_values():
    import publishconf

    assert publishconf.LEGAL_REQUIRE_REAL_VALUES is True
    assert publishconf.SITEURL == pelicanconf.SITE_PUBLIC_URL


@pytest.mark.parametrize(
    ("date", "text"),
    [
        ("2026-11-26", f"26{NBSP}novembre 2026"),
        ("2027-01-01", f"1er{NBSP}janvier 2027"),
        ("2027-08-11", f"11{NBSP}août 2027"),
    ],
)
def test_french_date(date, text):
    import datetime

    assert legal.french_date(datetime.date.fromisoformat(date)) == text
