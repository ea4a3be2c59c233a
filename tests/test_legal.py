"""The legal pages and the facts model: any true facts build, any bad one is named.

Expected texts are read from the model (`facts_of`), for whatever facts are
set; the sample sets are a company charging VAT and an entrepreneur
individuel under the franchise selling to consumers.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import COMPANY_VAT, SOLE_TRADER_FRANCHISE, UNCONFIRMED
from support import REPO, build_real_site, facts_of, outcome, run_invoke

import publishconf
from cimw.facts import Company, Facts, FactsError, SiteSettings, SoleTrader, Unconfirmed
from cimw.templating import french_date

LEGAL_PAGES = ("mentions-legales.html", "confidentialite.html")
ALL_PAGES = ("index.html", "contact.html", "404.html", *LEGAL_PAGES)
NBSP, NNBSP = "\u00a0", "\u202f"


def plain(text: str) -> str:
    """Text on one line, no-break spaces read as spaces, typographic apostrophes as typed."""
    text = text.replace(NBSP, " ").replace(NNBSP, " ").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def text_of(site, name: str) -> str:
    return plain(site.soup(name).select_one("main").get_text(" "))


def notice_facts(site) -> dict[str, str]:
    """The legal notice's publisher facts: each label and its value."""
    dl = site.soup("mentions-legales.html").select_one("main dl.facts")
    return {dt.get_text(): plain(dt.find_next_sibling("dd").get_text()) for dt in dl.select("dt")}


def section_text(site, page: str, heading: str) -> str:
    """The text from an h2 or h3 to the next heading of any level."""
    title = next(
        h for h in site.soup(page).select("main h2, main h3") if plain(h.get_text()) == heading
    )
    parts = []
    for sibling in title.find_next_siblings():
        if sibling.name in ("h2", "h3"):
            break
        parts.append(sibling.get_text(" "))
    return plain(" ".join(parts))


def production(overrides: dict):
    return facts_of({**overrides, "LEGAL_REQUIRE_REAL_VALUES": True})


@pytest.mark.parametrize("name", ALL_PAGES)
def test_every_page_links_both_legal_pages_from_its_footer(site, name):
    links = [a["href"] for a in site.soup(name).select("footer a")]
    assert "/mentions-legales.html" in links
    assert "/confidentialite.html" in links


# -- the legal notice ----------------------------------------------------------


def test_company_legal_notice(site_filled):
    facts = facts_of(COMPANY_VAT)
    publisher = facts.publisher
    assert isinstance(publisher, Company)
    shown = notice_facts(site_filled)
    assert shown["Dénomination sociale"] == publisher.name
    assert shown["Forme juridique"] == publisher.legal_form
    assert shown["Capital social"] == plain(str(publisher.share_capital))
    assert shown["Siège social"] == plain(str(publisher.address))
    assert shown["Immatriculation"] == plain(str(publisher.rcs))
    assert shown["SIREN"] == publisher.siren
    assert shown["Numéro de TVA intracommunautaire"] == publisher.vat_number
    assert shown["Téléphone"] == plain(facts.contact.phone.shown)
    assert not {"Nom", "Prénoms", "Statut", "Adresse professionnelle"} & set(shown)
    director = section_text(site_filled, "mentions-legales.html", "Directeur de la publication")
    assert director == f"{publisher.director}, {publisher.director_role}."
    text = text_of(site_filled, "mentions-legales.html")
    assert facts.host.name in text
    assert plain(str(facts.host.address)) in text
    assert " EI" not in text
    assert "RNE" not in text
    assert "Médiation" not in text
    soup = site_filled.soup("mentions-legales.html")
    assert soup.select_one(f'a[href="mailto:{facts.contact.email}"]')
    assert soup.select_one(f'a[href="{facts.host.phone.href}"]')
    assert not soup.select(".placeholder")


def test_entrepreneur_individuel_legal_notice(site_ei):
    facts = facts_of(SOLE_TRADER_FRANCHISE)
    publisher = facts.publisher
    assert isinstance(publisher, SoleTrader)
    shown = notice_facts(site_ei)
    assert shown["Dénomination"] == f"{publisher.name} EI"
    assert shown["Statut"] == "entrepreneur individuel"
    assert shown["Nom"] == publisher.surname
    assert shown["Prénoms"] == publisher.given_names
    assert shown["Adresse professionnelle"] == plain(str(publisher.address))
    assert (
        shown["Immatriculation"]
        == f"registre national des entreprises (RNE), SIREN {publisher.siren}"
    )
    # Under the franchise, with no VAT number set: none is shown.
    assert not {"Capital social", "Forme juridique", "Numéro de TVA intracommunautaire"} & set(
        shown
    )
    director = section_text(site_ei, "mentions-legales.html", "Directeur de la publication")
    assert director == f"{publisher.given_names} {publisher.surname}"
    mediator = SOLE_TRADER_FRANCHISE["CONSUMER_MEDIATOR"]
    mediation = section_text(site_ei, "mentions-legales.html", "Médiation de la consommation")
    for value in mediator.values():
        assert plain(value) in mediation
    assert not site_ei.soup("mentions-legales.html").select(".placeholder")


def test_an_entrepreneur_is_named_with_ei_wherever_the_business_is_named(site_ei):
    name = facts_of(SOLE_TRADER_FRANCHISE).name
    assert name == f"{SOLE_TRADER_FRANCHISE['PUBLISHER_NAME']}{NBSP}EI"
    for page in ALL_PAGES:
        soup = site_ei.soup(page)
        assert soup.title.get_text().endswith(name), page
        assert soup.select_one('meta[property="og:site_name"]')["content"] == name
        assert soup.select_one(".brand-name").get_text() == name
        assert soup.select_one("footer strong").get_text() == name
    data = json.loads(site_ei.soup().select_one('script[type="application/ld+json"]').string)
    business = next(item for item in data["@graph"] if item["@type"] == "ProfessionalService")
    assert business["name"] == business["legalName"] == name


def test_unconfirmed_facts_are_framed_in_development(site_unconfirmed):
    framed = {
        plain(span.get_text())
        for page in LEGAL_PAGES
        for span in site_unconfirmed.soup(page).select("main .placeholder")
    }
    shown_on_the_legal_pages = (
        "PUBLISHER_KIND",
        "PUBLISHER_SIREN",
        "PUBLISHER_ADDRESS",
        "CONTACT_EMAIL",
        "CONTACT_PHONE",
        "HOST_NAME",
        "HOST_ADDRESS",
        "HOST_PHONE",
        "HOST_LOG_RETENTION",
        "MAIL_PROVIDER",
        "PRIVACY_TRANSFERS",
        "CONTACT_RETENTION",
        "ACCOUNTING_RETENTION",
        "CLIENT_DATA_RETENTION",
        "CLIENT_DATA_RECIPIENTS",
        "CLIENTS",
    )
    for name in shown_on_the_legal_pages:
        assert plain(str(UNCONFIRMED[name])) in framed, name


@pytest.mark.parametrize("name", LEGAL_PAGES)
def test_legal_pages_show_their_review_date(site_ei, name):
    line = site_ei.soup(name).select_one("main p.reviewed")
    date = datetime.date.fromisoformat(line.time["datetime"])
    assert line.get_text() == f"Mis à jour le {french_date(date)}"


def test_a_fact_with_markup_is_escaped(tmp_path):
    name = "A & B <C>"
    built = build_real_site(tmp_path, **{**COMPANY_VAT, "PUBLISHER_NAME": name})
    for page in ALL_PAGES:
        # The structured data is JSON, escaped as JSON (\u003c), not as HTML.
        html = re.sub(
            r'<script type="application/ld\+json">.*?</script>', "", built.html(page), flags=re.S
        )
        assert "<C>" not in html, page
        assert "A & B" not in html, page
        assert "A &amp; B &lt;C&gt;" in html, page
        soup = built.soup(page)
        assert soup.select_one(".brand-name").get_text() == name
        assert soup.select_one('meta[property="og:site_name"]')["content"] == name


# -- the privacy notice --------------------------------------------------------


def test_privacy_policy_names_the_company_as_controller(site_filled):
    facts = facts_of(COMPANY_VAT)
    text = section_text(
        site_filled, "confidentialite.html", "Responsable du traitement des données"
    )
    assert f"la société {facts.name} ({facts.publisher.legal_form})" in text
    assert plain(str(facts.publisher.address)) in text
    assert facts.contact.email in text


def test_privacy_policy_names_the_entrepreneur_as_controller(site_ei):
    facts = facts_of(SOLE_TRADER_FRANCHISE)
    publisher = facts.publisher
    text = section_text(site_ei, "confidentialite.html", "Responsable du traitement des données")
    assert f"{publisher.given_names} {publisher.surname}, entrepreneur individuel" in text
    assert f"dénomination {plain(facts.name)}" in text


@pytest.mark.parametrize(
    ("fixture", "sample"), [("site_filled", COMPANY_VAT), ("site_ei", SOLE_TRADER_FRANCHISE)]
)
def test_privacy_policy_states_only_what_cimw_does(request, fixture, sample):
    built = request.getfixturevalue(fixture)
    facts = facts_of(sample)
    privacy = facts.privacy
    text = text_of(built, "confidentialite.html")
    # Processors act on the controller's behalf; the EEA, not the EU.
    assert f"pour le compte de {plain(facts.name)} en qualité de sous-traitant" in text
    assert "Union européenne" not in text
    assert "Espace économique européen" in text
    # Invoices and accounting records apart from the other client data.
    clients = section_text(built, "confidentialite.html", "Les données des clients")
    assert f"factures et des pièces comptables : {plain(privacy.accounting_retention)}." in clients
    assert (
        f"la durée de la relation contractuelle, puis {plain(privacy.client_data_retention)}."
        in clients
    )
    for recipient in privacy.client_data_recipients:
        assert plain(recipient) in clients
    assert "nécessaire à la conclusion du contrat" in clients
    assert "L. 123-22" not in text
    assert "dix ans" not in text.replace(plain(privacy.accounting_retention), "")
    messages = section_text(built, "confidentialite.html", "Les messages que vous nous adressez")
    assert plain(privacy.contact_retention) in messages
    assert plain(privacy.mail_provider) in messages
    rights = section_text(built, "confidentialite.html", "Vos droits sur vos données")
    assert "dans un délai d'un mois, qui peut être prolongé de deux mois" in rights
    assert "portabilité" in rights
    assert "contrat ou des mesures précontractuelles" in rights
    # No promise CIMW did not make.
    assert "ni vendues ni cédées" not in text
    for heading in built.soup("confidentialite.html").select("main h2, main h3"):
        assert not heading.get_text().startswith(("Si ", "Vos messages")), heading


def test_transfers_outside_the_eea_follow_the_setting(site_filled, site_ei):
    heading = "Transferts hors de l'Espace économique européen"
    assert section_text(site_filled, "confidentialite.html", heading) == (
        "Aucune de ces données n'est transférée hors de l'Espace économique européen."
    )
    listed = section_text(site_ei, "confidentialite.html", heading)
    for recipient, country, safeguard in SOLE_TRADER_FRANCHISE["PRIVACY_TRANSFERS"]:
        assert (
            f"{plain(recipient)}, pays de destination : {country} ; garantie : {safeguard}."
            in listed
        )


# -- production refuses what CIMW has not confirmed ------------------------------


@pytest.mark.parametrize("sample", [COMPANY_VAT, SOLE_TRADER_FRANCHISE], ids=["company", "ei"])
def test_production_accepts_every_sample(sample):
    assert production(sample).production


@pytest.mark.parametrize("sample", [COMPANY_VAT, SOLE_TRADER_FRANCHISE], ids=["company", "ei"])
def test_production_refuses_each_unconfirmed_fact(sample):
    """Each fact a sample states, left unconfirmed, is named; and nothing else is."""
    for name, value in sample.items():
        if value is None or name in ("DAY_RATE", "HOURLY_RATE", "VAT_RATE", "PUBLISHER_NAME"):
            continue
        with pytest.raises(FactsError) as refused:
            production({**sample, name: Unconfirmed("à confirmer")})
        listed = str(refused.value).split("missing in the settings: ")[1].split(";")[0]
        assert listed == name, (name, str(refused.value))


@pytest.mark.parametrize(
    ("sample", "removed"),
    [
        (COMPANY_VAT, "PUBLISHER_RCS"),
        (COMPANY_VAT, "PUBLICATION_DIRECTOR"),
        (COMPANY_VAT, "PUBLISHER_VAT_NUMBER"),  # VAT is charged
        (SOLE_TRADER_FRANCHISE, "PUBLISHER_SURNAME"),
        (SOLE_TRADER_FRANCHISE, "CONSUMER_MEDIATOR"),  # the clients include consumers
    ],
)
def test_production_requires_what_the_publisher_and_clients_need(sample, removed):
    with pytest.raises(FactsError) as refused:
        production({**sample, removed: None})
    assert removed in str(refused.value)


def test_an_open_choice_names_what_each_answer_needs():
    with pytest.raises(FactsError) as refused:
        production(UNCONFIRMED)
    message = str(refused.value)
    for name, value in UNCONFIRMED.items():
        if isinstance(value, Unconfirmed):
            assert name in message, name
    assert "for a company, also PUBLISHER_LEGAL_FORM" in message
    assert (
        "for an entrepreneur individuel, also PUBLISHER_SURNAME, PUBLISHER_GIVEN_NAMES" in message
    )
    assert "if VAT is charged, also PUBLISHER_VAT_NUMBER" in message
    assert "if the clients include consumers, also CONSUMER_MEDIATOR" in message


def test_the_production_build_refuses_unconfirmed_facts_by_name(tmp_path):
    settings_file = tmp_path / "settings.py"
    settings_file.write_text(
        f"import sys\nsys.path[:0] = [{str(REPO)!r}, {str(REPO / 'tests')!r}]\n"
        "from publishconf import *\nfrom samples import UNCONFIRMED\n"
        "globals().update(UNCONFIRMED)\n"
        f"PATH = {str(REPO / 'content')!r}\nTHEME = {str(REPO / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(REPO / 'plugins')!r}]\nOUTPUT_PATH = {str(tmp_path / 'out')!r}\n",
        encoding="utf-8",
    )
    result = run_invoke("build", "--settings", str(settings_file), cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "still unconfirmed or missing in the settings: SITE_PUBLIC_URL" in result.stderr
    assert not (tmp_path / "out").exists()
    assert publishconf.LEGAL_REQUIRE_REAL_VALUES is True


# -- identifiers and values are checked where they are set -------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"PUBLISHER_SIREN": "123 456 789"}, "PUBLISHER_SIREN: its check digit is wrong"),
        ({"PUBLISHER_SIREN": "12345678"}, "PUBLISHER_SIREN: expected the 9 digits of the SIREN"),
        ({"PUBLISHER_VAT_NUMBER": "FR12123456782"}, "PUBLISHER_VAT_NUMBER: its key does not match"),
        (
            {"PUBLISHER_VAT_NUMBER": "FR14987654324"},
            "PUBLISHER_VAT_NUMBER: its SIREN 987654324 is not",
        ),
        ({"CONTACT_PHONE": "+44 20 7946 0958"}, "CONTACT_PHONE: expected a French phone number"),
        ({"CONTACT_PHONE": "01 23"}, "CONTACT_PHONE: expected a"),
        ({"CONTACT_PHONE": 123456789}, "CONTACT_PHONE: expected a"),
        (
            {"CONTACT_EMAIL": "contact@cimw.example\nContact: x"},
            "CONTACT_EMAIL: expected an email address",
        ),
        ({"CONTACT_EMAIL": "contact at cimw"}, "CONTACT_EMAIL: expected an email address"),
        (
            {"SITE_PUBLIC_URL": "https://www.cimw.example "},
            "SITE_PUBLIC_URL: expected the site's https",
        ),
        (
            {"SITE_PUBLIC_URL": "https://www.cimw.example\n"},
            "SITE_PUBLIC_URL: expected the site's https",
        ),
        (
            {"SITE_PUBLIC_URL": "https://www.cimw.example#x"},
            "SITE_PUBLIC_URL: expected the site's https",
        ),
        (
            {"SITE_PUBLIC_URL": "https://www.cimw.example?x=1"},
            "SITE_PUBLIC_URL: expected the site's https",
        ),
        (
            {"SITE_PUBLIC_URL": "https://www.cimw.example/"},
            "SITE_PUBLIC_URL: expected the site's https",
        ),
        (
            {"SITE_PUBLIC_URL": "http://www.cimw.example"},
            "SITE_PUBLIC_URL: expected the site's https",
        ),
        ({"PUBLISHER_ADDRESS": "1 rue de la Paix, Paris"}, "PUBLISHER_ADDRESS: expected a mapping"),
        (
            {"PUBLISHER_ADDRESS": {"street": "1 rue", "postal_code": "7500", "city": "Paris"}},
            "PUBLISHER_ADDRESS: expected a French postal code",
        ),
        ({"PUBLISHER_KIND": "sarl"}, "PUBLISHER_KIND: expected 'company' (a société) or 'ei'"),
        ({"PUBLISHER_NAME": ""}, "PUBLISHER_NAME: expected a non-empty text"),
        ({"PUBLISHER_NAME": "CIMW\nEI"}, "PUBLISHER_NAME: expected text on one line"),
        (
            {"HOST_LOG_FIELDS": ("l’adresse IP", "l’adresse IP")},
            "HOST_LOG_FIELDS: expected each item once",
        ),
        ({"HOST_LOG_FIELDS": ()}, "HOST_LOG_FIELDS:"),
        ({"PRIVACY_TRANSFERS": (("x", "y"),)}, "PRIVACY_TRANSFERS: expected () or one"),
        (
            {"SECURITY_TXT_LANGUAGES": ("French",)},
            "SECURITY_TXT_LANGUAGES: 'French' is not a language tag",
        ),
        (
            {"SECURITY_TXT_VALID_DAYS": 400},
            "SECURITY_TXT_VALID_DAYS: expected a whole number of days",
        ),
        ({"HOSTING_BEHIND_PROXY": "yes"}, "HOSTING_BEHIND_PROXY:"),
        ({"DEFAULT_LANG": "en"}, "DEFAULT_LANG: expected 'fr'"),
    ],
)
def test_bad_facts_are_refused_even_in_development(changes, words):
    with pytest.raises(FactsError) as refused:
        facts_of({**COMPANY_VAT, **changes})
    assert words in str(refused.value)


def test_an_entrepreneurs_business_name_must_include_the_surname():
    with pytest.raises(FactsError) as refused:
        facts_of({**SOLE_TRADER_FRANCHISE, "PUBLISHER_NAME": "CIMW"})
    assert "PUBLISHER_NAME: must include the entrepreneur's surname" in str(refused.value)


def test_three_bad_settings_are_named_in_one_run(tiny_site):
    tiny_site.write(
        "content/faq/01-q.md",
        "---\ntitle: Q ?\nposition: 1\nanchor: q\nsummary: R.\nreviewed: 2026-11-26\n---\n\nR.\n",
    )
    result = tiny_site.build(
        "PUBLISHER_SIREN = '123 456 789'\nCONTACT_PHONE = '+44 20 7946 0958'\nDAY_RATE = -1\n"
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "3 problems in the settings:" in result.stderr
    for name in ("PUBLISHER_SIREN", "CONTACT_PHONE", "DAY_RATE"):
        assert f"\n{name}: " in result.stderr


# -- properties: any true facts parse, any bad value is named ------------------------

texts = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    kind=st.sampled_from(["company", "ei"]),
    name=texts,
    surname=texts,
    clients=st.sampled_from(["professionals", "consumers"]),
    vat=st.sampled_from([("charged", 20), ("charged", 10), ("franchise", None)]),
    host=texts,
    retention=texts,
)
def test_any_true_facts_are_accepted_in_production(
    kind, name, surname, clients, vat, host, retention
):
    sample = dict(COMPANY_VAT if kind == "company" else SOLE_TRADER_FRANCHISE)
    sample.update(
        PUBLISHER_NAME=f"{name} {surname}" if kind == "ei" else name,
        PUBLISHER_SURNAME=surname if kind == "ei" else None,
        CLIENTS=clients,
        CONSUMER_MEDIATOR=SOLE_TRADER_FRANCHISE["CONSUMER_MEDIATOR"]
        if clients == "consumers"
        else None,
        VAT_REGIME=vat[0],
        VAT_RATE=vat[1],
        PUBLISHER_VAT_NUMBER=COMPANY_VAT["PUBLISHER_VAT_NUMBER"] if vat[0] == "charged" else None,
        PUBLISHER_SIREN=COMPANY_VAT["PUBLISHER_SIREN"],
        HOST_NAME=host,
        CONTACT_RETENTION=retention,
        HOURLY_RATE=COMPANY_VAT["HOURLY_RATE"] if vat[1] != 10 else 40,
    )
    facts = production(sample)
    assert facts.name.startswith(sample["PUBLISHER_NAME"])
    assert isinstance(facts.publisher, Company if kind == "company" else SoleTrader)


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.tuples(st.integers(), st.text(max_size=3)),
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(name=st.sampled_from(sorted(SiteSettings.model_fields)), value=values)
def test_any_value_of_any_setting_is_accepted_or_named(name, value):
    parsed = outcome(facts_of, {**COMPANY_VAT, name: value})
    if not isinstance(parsed, Facts):
        assert isinstance(parsed, FactsError), repr(parsed)
        assert name in str(parsed), str(parsed)


@pytest.mark.parametrize(
    ("date", "text"),
    [
        ("2026-11-26", f"26{NBSP}novembre 2026"),
        ("2027-01-01", f"1\u1d49\u02b3{NBSP}janvier 2027"),
        ("2027-08-11", f"11{NBSP}août 2027"),
    ],
)
def test_french_date(date, text):
    assert french_date(datetime.date.fromisoformat(date)) == text


def test_the_words_of_the_settings_are_read_by_the_model_only():
    """No plugin, template, gate or deploy compares a setting's word: they test the fact's kind."""
    words = re.compile(r"""["'](charged|franchise|company|ei|professionals|consumers)["']""")
    sources = [
        path
        for folder in ("plugins", "theme", "sitecheck", "deploy")
        for path in (REPO / folder).rglob("*")
        if path.suffix in (".py", ".html", ".xml", ".txt", ".conf")
    ]
    sources += [REPO / "project.py", REPO / "tasks.py", REPO / "preview.py"]
    assert len(sources) > 30
    found = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path in sources
        if path.name != "facts.py"
        for match in words.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
