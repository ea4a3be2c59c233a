"""Sets of business and legal facts as CIMW could confirm them: test values, none real.

Each set is complete: every fact the production build requires is set, so
a build with it and `LEGAL_REQUIRE_REAL_VALUES = True` succeeds. Tests that
need a fact left unconfirmed take `UNCONFIRMED`, whatever the repository's
settings say: the author fills those in.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

import pelicanconf
from cimw.facts import Unconfirmed

# A company that charges VAT at 20 %, sells to professionals only and bills
# troubleshooting 42 € an hour (50,40 € including VAT).
COMPANY_VAT: dict[str, object] = {
    "SITE_PUBLIC_URL": "https://www.cimw.example",
    "PUBLISHER_KIND": "company",
    "PUBLISHER_NAME": "CIMW",
    "PUBLISHER_LEGAL_FORM": "SARL",
    "PUBLISHER_SHARE_CAPITAL": "10 000 €",
    "PUBLISHER_RCS": "RCS Paris 123 456 782",
    "PUBLISHER_SIREN": "123 456 782",
    "PUBLISHER_VAT_NUMBER": "FR11123456782",
    "PUBLISHER_ADDRESS": {"street": "1 rue de la Paix", "postal_code": "75002", "city": "Paris"},
    "PUBLICATION_DIRECTOR": "Jeanne Martin",
    "PUBLICATION_DIRECTOR_ROLE": "gérante, représentante légale de la société",
    "PUBLISHER_SURNAME": None,
    "PUBLISHER_GIVEN_NAMES": None,
    "CONTACT_EMAIL": "contact@cimw.example",
    "CONTACT_PHONE": "01 23 45 67 89",
    "HOST_NAME": "Hébergement Durand",
    "HOST_ADDRESS": "2 place de la République, 69002 Lyon",
    "HOST_PHONE": "+33 4 72 34 56 78",
    "HOST_LOG_RETENTION": "un an",
    "MAIL_PROVIDER": "Messagerie Bernard",
    "PRIVACY_TRANSFERS": (),
    "CONTACT_RETENTION": "trois ans après notre dernier échange",
    "ACCOUNTING_RETENTION": "dix ans à compter de la clôture de l’exercice",
    "CLIENT_DATA_RETENTION": "cinq ans",
    "CLIENT_DATA_RECIPIENTS": ("notre expert-comptable", "notre banque"),
    "SECURITY_TXT_LANGUAGES": ("fr",),
    "VAT_REGIME": "charged",
    "VAT_RATE": 20,
    "CLIENTS": "professionals",
    "CONSUMER_MEDIATOR": None,
    "HOURLY_RATE": 42,
}

# An entrepreneur individuel under the VAT franchise, selling to consumers
# too, with a day rate of its own (whatever the author sets) and no hourly rate.
SOLE_TRADER_FRANCHISE: dict[str, object] = {
    **COMPANY_VAT,
    "PUBLISHER_KIND": "ei",
    "PUBLISHER_NAME": "CIMW Martin",
    "PUBLISHER_SURNAME": "Martin",
    "PUBLISHER_GIVEN_NAMES": "Jeanne Marie",
    "PUBLISHER_LEGAL_FORM": None,
    "PUBLISHER_SHARE_CAPITAL": None,
    "PUBLISHER_RCS": None,
    "PUBLICATION_DIRECTOR": None,
    "PUBLICATION_DIRECTOR_ROLE": None,
    "PUBLISHER_SIREN": "987654324",
    "PUBLISHER_VAT_NUMBER": None,
    "PUBLISHER_ADDRESS": {"street": "12 rue des Lilas", "postal_code": "33000", "city": "Bordeaux"},
    "MAIL_PROVIDER": "Courriel Express",
    "PRIVACY_TRANSFERS": (
        (
            "Courriel Express, fournisseur de messagerie",
            "États-Unis",
            "clauses contractuelles types de la Commission européenne",
        ),
    ),
    "ACCOUNTING_RETENTION": "six ans",
    "CLIENT_DATA_RECIPIENTS": ("notre expert-comptable",),
    "SECURITY_TXT_LANGUAGES": ("fr", "en"),
    "DAY_RATE": pelicanconf.DAY_RATE + 150,
    "VAT_REGIME": "franchise",
    "VAT_RATE": None,
    "CLIENTS": "consumers",
    "CONSUMER_MEDIATOR": {
        "name": "Médiateur Exemple",
        "address": "3 rue du Commerce, 75015 Paris",
        "website": "https://www.mediateur.example",
    },
    "HOURLY_RATE": None,
}

# Every fact left to confirm, as a new checkout has them.
UNCONFIRMED: dict[str, object] = {
    name: Unconfirmed(name.lower().replace("_", " "))
    for name in (
        "SITE_PUBLIC_URL",
        "PUBLISHER_KIND",
        "PUBLISHER_SIREN",
        "PUBLISHER_ADDRESS",
        "PUBLISHER_VAT_NUMBER",
        "PUBLISHER_LEGAL_FORM",
        "PUBLISHER_SHARE_CAPITAL",
        "PUBLISHER_RCS",
        "PUBLICATION_DIRECTOR",
        "PUBLICATION_DIRECTOR_ROLE",
        "PUBLISHER_SURNAME",
        "PUBLISHER_GIVEN_NAMES",
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
        "SECURITY_TXT_LANGUAGES",
        "VAT_REGIME",
        "CLIENTS",
    )
} | {"VAT_RATE": None, "HOURLY_RATE": None, "CONSUMER_MEDIATOR": None}

SAMPLES = {"company_vat": COMPANY_VAT, "sole_trader_franchise": SOLE_TRADER_FRANCHISE}


def settings_source(facts: dict[str, object]) -> str:
    """Python lines that set these facts, to append to a copy's pelicanconf.py."""
    return "".join(f"{name} = {value!r}\n" for name, value in facts.items())
