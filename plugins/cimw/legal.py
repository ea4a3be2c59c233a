"""The legal and contact facts of the site: placeholders allowed in development only.

A French business site must name its publisher and host (LCEN art. 1-1,
formerly 6-III) and say how it handles personal data (RGPD art. 13). The facts
live in the settings; a value in [square brackets] is a placeholder, shown
marked as missing by the templates (the `placeholder` Jinja test).

At `initialized`, the kind of publisher is checked, and when
`LEGAL_REQUIRE_REAL_VALUES` is true (the production settings) every required
field that is a placeholder or empty is named in one error, before anything
is built.
"""

from __future__ import annotations

import logging

from pelican import signals

logger = logging.getLogger(__name__)

DEFAULTS = {
    "LEGAL_REQUIRE_REAL_VALUES": False,
}

PUBLISHER_KINDS = ("company", "ei")
# Every kind of publisher must give these.
COMMON_FIELDS = (
    "PUBLISHER_NAME",
    "PUBLISHER_SIREN",
    "PUBLISHER_ADDRESS",
    "PUBLICATION_DIRECTOR",
    "CONTACT_EMAIL",
    "CONTACT_PHONE",
    "HOST_NAME",
    "HOST_ADDRESS",
    "HOST_PHONE",
    "HOST_LOG_RETENTION",
    "CONTACT_RETENTION",
    "SITE_PUBLIC_URL",
)
# A company adds its legal form, capital, registration and VAT number.
COMPANY_FIELDS = (
    "PUBLISHER_LEGAL_FORM",
    "PUBLISHER_SHARE_CAPITAL",
    "PUBLISHER_RCS",
    "PUBLISHER_VAT_NUMBER",
)


def is_placeholder(value: object) -> bool:
    """True for a value still to be provided: empty, or written [like this]."""
    if value is None:
        return True
    text = str(value).strip()
    return not text or (text.startswith("[") and text.endswith("]")) or ".invalid" in text


def required_fields(settings) -> tuple[str, ...]:
    kind = settings.get("PUBLISHER_KIND")
    return COMMON_FIELDS + (COMPANY_FIELDS if kind == "company" else ())


def validate_settings(settings) -> None:
    """Raise ValueError for a bad publisher kind or, in production, any placeholder."""
    kind = settings.get("PUBLISHER_KIND")
    if kind not in PUBLISHER_KINDS:
        raise ValueError(
            f"PUBLISHER_KIND must be 'company' (a société) or 'ei' (an entrepreneur "
            f"individuel), got {kind!r}"
        )
    if not settings.get("LEGAL_REQUIRE_REAL_VALUES", DEFAULTS["LEGAL_REQUIRE_REAL_VALUES"]):
        return
    missing = [name for name in required_fields(settings) if is_placeholder(settings.get(name))]
    if missing:
        raise ValueError(
            "the production site needs real legal and contact details; still a placeholder "
            f"or empty in the settings: {', '.join(missing)}"
        )


def check_settings(pelican):
    validate_settings(pelican.settings)


def add_test(generator):
    generator.env.tests["placeholder"] = is_placeholder


def register():
    # Before anything is read: a production build with placeholders never starts.
    signals.initialized.connect(check_settings)
    # Templates mark placeholders with `{% if value is placeholder %}`.
    signals.generator_init.connect(add_test)
