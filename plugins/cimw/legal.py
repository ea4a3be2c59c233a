"""The business and legal facts of the site: placeholders allowed in development only.

A French business site must name its publisher and host (LCEN art. 1-1) and
say how it handles personal data (RGPD art. 13); it must not state what the
business never said. The facts live in the settings; a value in [square
brackets] is a placeholder, shown framed as missing by the templates (the
`placeholder` Jinja test). Which facts are required depends on the kind of
publisher (a company or an entrepreneur individuel) and on the VAT regime.

At `initialized`, the shape of the facts is checked, and when
`LEGAL_REQUIRE_REAL_VALUES` is true (the production settings) every required
fact that is a placeholder or empty is named in one error, before anything is
built. The templates also get `french_date`, for the "Mis à jour le" lines.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from babel.dates import format_date
from pelican import Pelican, signals
from pelican.generators import Generator

from cimw import Settings

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "LEGAL_REQUIRE_REAL_VALUES": False,
    "LEGAL_DATE_LOCALE": "fr_FR",
}

PUBLISHER_KINDS = ("company", "ei")
# Every site states these, whoever publishes it.
COMMON_FIELDS = (
    "PUBLISHER_KIND",
    "PUBLISHER_NAME",
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
    "SECURITY_TXT_LANGUAGES",
    "SITE_PUBLIC_URL",
    "VAT_REGIME",
    "PRICING_BILLABLE_DAYS_PER_YEAR",
)
# A company adds its legal form, capital, registration and legal representative.
COMPANY_FIELDS = (
    "PUBLISHER_LEGAL_FORM",
    "PUBLISHER_SHARE_CAPITAL",
    "PUBLISHER_RCS",
    "PUBLICATION_DIRECTOR",
    "PUBLICATION_DIRECTOR_ROLE",
)
# An entrepreneur individuel adds the person's names (LCEN art. 1-1, I, 1°).
EI_FIELDS = (
    "PUBLISHER_SURNAME",
    "PUBLISHER_GIVEN_NAMES",
)
KIND_FIELDS = {"company": COMPANY_FIELDS, "ei": EI_FIELDS}
# Charging VAT means having an intra-EU VAT number, which must be shown.
VAT_CHARGED_FIELDS = ("PUBLISHER_VAT_NUMBER",)


class LegalError(ValueError):
    """Business or legal facts that are missing, or that contradict each other."""


def is_placeholder(value: object) -> bool:
    """True for a fact still to be provided: None, empty, [like this] or at .invalid.

    Only text can be a placeholder: a number, a list or a tuple (even empty)
    is a value someone chose.
    """
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return not text or (text.startswith("[") and text.endswith("]")) or ".invalid" in text


def required_fields(settings: Settings) -> tuple[str, ...]:
    """The facts this publisher must give; for an unknown kind, the common ones."""
    fields = COMMON_FIELDS + KIND_FIELDS.get(str(settings.get("PUBLISHER_KIND")), ())
    if settings.get("VAT_REGIME") == "charged":
        fields += VAT_CHARGED_FIELDS
    return fields


def unconfirmed(settings: Settings) -> tuple[list[str], list[str]]:
    """Every required fact that is a placeholder or empty, and what depends on one.

    Return the names, then the facts a choice still open would require: while
    PUBLISHER_KIND or VAT_REGIME is unconfirmed, one run names them all.
    """
    names = [name for name in required_fields(settings) if is_placeholder(settings.get(name))]
    depending = []
    if settings.get("PUBLISHER_KIND") not in PUBLISHER_KINDS:
        for kind, label in (("company", "a company"), ("ei", "an entrepreneur individuel")):
            fields = [name for name in KIND_FIELDS[kind] if is_placeholder(settings.get(name))]
            if fields:
                depending.append(f"for {label}, also {', '.join(fields)}")
    if is_placeholder(settings.get("VAT_REGIME")):
        fields = [name for name in VAT_CHARGED_FIELDS if is_placeholder(settings.get(name))]
        if fields:
            depending.append(f"if VAT is charged, also {', '.join(fields)}")
    return names, depending


def is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def shape_problems(settings: Settings) -> list[str]:
    """Facts that are set but cannot be right, whatever the build."""
    problems = []
    kind = settings.get("PUBLISHER_KIND")
    if kind not in PUBLISHER_KINDS and not is_placeholder(kind):
        problems.append(
            f"PUBLISHER_KIND must be 'company' (a société) or 'ei' (an entrepreneur "
            f"individuel), got {kind!r}"
        )
    name, surname = settings.get("PUBLISHER_NAME"), settings.get("PUBLISHER_SURNAME")
    if (
        kind == "ei"
        and not is_placeholder(name)
        and not is_placeholder(surname)
        and str(surname).strip().casefold() not in str(name).casefold()
    ):
        problems.append(
            f"PUBLISHER_NAME must include the entrepreneur's surname PUBLISHER_SURNAME "
            f"({surname!r}) for an entrepreneur individuel (Code de commerce, art. R. 526-27), "
            f"got {name!r}"
        )
    transfers = settings.get("PRIVACY_TRANSFERS")
    if not is_placeholder(transfers) and not (
        isinstance(transfers, list | tuple)
        and all(
            isinstance(transfer, list | tuple)
            and len(transfer) == 3
            and all(is_text(part) for part in transfer)
            for transfer in transfers
        )
    ):
        problems.append(
            "PRIVACY_TRANSFERS must be () when no personal data leaves the European Union, or "
            "one (recipient, country, safeguard) text triple per transfer, got "
            f"{transfers!r}"
        )
    fields = settings.get("HOST_LOG_FIELDS")
    if not (isinstance(fields, list | tuple) and fields and all(is_text(f) for f in fields)):
        problems.append(
            "HOST_LOG_FIELDS must be a non-empty list of what the server logs record, in "
            f"French (such as 'l’adresse IP'), got {fields!r}"
        )
    return problems


def validate_settings(settings: Settings) -> None:
    """Raise LegalError for facts of the wrong shape or, in production, any placeholder."""
    problems = shape_problems(settings)
    if problems:
        raise LegalError("; ".join(problems))
    if not settings.get("LEGAL_REQUIRE_REAL_VALUES", DEFAULTS["LEGAL_REQUIRE_REAL_VALUES"]):
        return
    names, depending = unconfirmed(settings)
    if names or depending:
        raise LegalError(
            "the production site states only facts CIMW has confirmed; still a placeholder "
            f"or empty in the settings: {'; '.join(filter(None, [', '.join(names), *depending]))}"
        )


def french_date(date: datetime.date, locale: str = DEFAULTS["LEGAL_DATE_LOCALE"]) -> str:
    """'26 novembre 2026', the day held to its month by a no-break space; the 1st is '1er'."""
    day = "1er" if date.day == 1 else str(date.day)
    return f"{day}\u00a0{format_date(date, format='MMMM y', locale=locale)}"


def check_settings(pelican: Pelican) -> None:
    validate_settings(pelican.settings)


def add_template_helpers(generator: Generator) -> None:
    generator.env.tests["placeholder"] = is_placeholder
    generator.env.filters["french_date"] = french_date


def register() -> None:
    # Before anything is read: a production build with placeholders never starts.
    signals.initialized.connect(check_settings)
    # Templates mark placeholders with `{% if value is placeholder %}` and date pages.
    signals.generator_init.connect(add_template_helpers)
