"""The site's facts: every setting the site reads, parsed once into one typed, frozen model.

A French business site must name its publisher and host (LCEN art. 1-1), say
how it handles personal data (RGPD art. 13) and state its prices as they will
be invoiced; it must not state what CIMW never said. Each fact is a setting
of `pelicanconf.py`; a fact CIMW has not confirmed yet is written
`Unconfirmed("what it is")`, which the development site shows framed as
missing and the production build (`LEGAL_REQUIRE_REAL_VALUES = True`) refuses,
naming every such setting at once.

`parse_facts(settings)` is called once, at `initialized`. It checks every
setting the site reads (its type, its range, the check digits of a SIREN, a
French phone number, ...) and their consistency, collects every problem and
raises one `FactsError` naming each setting, the value and what is expected.
Its result, a `Facts`, is what the plugins, the templates (the `facts`
global) and the structured data read; nothing else reads these settings or
compares their strings. A publisher is a `Company` or a `SoleTrader` (an
entrepreneur individuel), a VAT regime `VatCharged` or `VatFranchise`, the
clients `Professionals` or `Consumers`; the settings' words for them ("company",
"ei", "charged", "franchise", "professionals", "consumers") are read here only.
Every default is written here, in `SiteSettings`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

# Pelican's settings, as its signals hand them to the plugins.
Settings = dict[str, Any]
SETTINGS_KEY = "CIMW_FACTS"  # where the parsed facts travel with the build's settings

# An amount above this is a typing mistake.
AMOUNT_MAX = Decimal(1_000_000)
FULL_TIME_DAYS_PER_WEEK = 5
# The rates of VAT in force in mainland France, as percentages (CGI art. 278 ff.).
FRENCH_VAT_RATES = (Decimal(20), Decimal(10), Decimal("5.5"), Decimal("2.1"))
# Ids the theme's templates use themselves: an anchor must not take one.
THEME_IDS = frozenset({"haut", "sommaire", "contenu", "faq"})
CENT = Decimal("0.01")
# The absolute URLs of a development site whose address is unconfirmed (RFC 2606: .invalid).
UNCONFIRMED_SITE_URL = "https://adresse-du-site.invalid"


class FactsError(ValueError):
    """Settings that are wrong, inconsistent or, in production, unconfirmed; every one named."""


@dataclass(frozen=True)
class Unconfirmed:
    """A fact CIMW has not confirmed yet: shown framed in development, refused in production."""

    label: str  # what the fact is, in French: "numéro SIREN"

    def __str__(self) -> str:
        return f"[{self.label}]"


# -- values -------------------------------------------------------------------

CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
LANGUAGE_TAG_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
POSTAL_CODE_RE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}")
URL_RE = re.compile(r"https://[a-z0-9-]+(?:\.[a-z0-9-]+)+")


def one_line(text: str) -> str:
    """Text a visitor reads: not empty, on one line, without control characters."""
    if not text.strip():
        raise ValueError("expected a non-empty text")
    if CONTROL_RE.search(text):
        raise ValueError("expected text on one line, without control characters")
    if text != text.strip():
        raise ValueError("expected no space at the start or the end")
    return text


Text = Annotated[StrictStr, AfterValidator(one_line)]


def email_address(text: str) -> str:
    if not EMAIL_RE.fullmatch(text):
        raise ValueError("expected an email address such as contact@example.fr, on one line")
    return text


def site_address(text: str) -> str:
    if not URL_RE.fullmatch(text):
        raise ValueError(
            "expected the site's https address with no path, query, fragment, space or "
            "final slash, such as 'https://www.example.fr'"
        )
    return text


def siren_number(text: str) -> str:
    digits = re.sub(r"[ \u00a0\u202f]", "", text)
    if not re.fullmatch(r"\d{9}", digits):
        raise ValueError("expected the 9 digits of the SIREN, such as '732 829 320'")
    from stdnum.fr import (
        siren as stdnum_siren,  # imported when a SIREN is set: every build starts faster
    )

    if not stdnum_siren.is_valid(digits):
        raise ValueError("its check digit is wrong (Luhn): check the SIREN on the Kbis or INSEE")
    return digits


def vat_number(text: str) -> str:
    compact = re.sub(r"[ \u00a0\u202f.-]", "", text).upper()
    if not re.fullmatch(r"FR\d{11}", compact):
        raise ValueError("expected FR, a 2-digit key and the 9 digits of the SIREN")
    key, siren = int(compact[2:4]), int(compact[4:])
    from stdnum.fr import tva as stdnum_tva

    if key != (12 + 3 * (siren % 97)) % 97 or not stdnum_tva.is_valid(compact):
        raise ValueError(
            "its key does not match its SIREN: expected (12 + 3 × (SIREN mod 97)) mod 97"
        )
    return compact


def language_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    if not tags:
        raise ValueError("expected at least one language tag")
    for tag in tags:
        if not LANGUAGE_TAG_RE.fullmatch(tag):
            raise ValueError(f"{tag!r} is not a language tag such as 'fr' or 'en'")
    return unique(tags)


def unique(items: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(set(items)) != len(items):
        raise ValueError("expected each item once")
    return items


def euros(value: object) -> Decimal:
    """A number of euros as written in the settings: a whole number or a decimal with cents."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("expected a number of euros, such as 300 or 312.50")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number of euros")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValueError("expected a number of euros, such as 300 or 312.50") from None
    if not amount.is_finite() or not Decimal(0) < amount <= AMOUNT_MAX:
        raise ValueError(f"expected a number of euros greater than 0 and up to {AMOUNT_MAX:,}")
    if amount != amount.quantize(CENT):
        raise ValueError("expected whole cents at most (two decimals)")
    return amount


def vat_rate(value: object) -> Decimal:
    rate = euros(value)
    if rate not in FRENCH_VAT_RATES:
        rates = ", ".join(str(r) for r in FRENCH_VAT_RATES)
        raise ValueError(f"expected one of the French VAT rates, in percent: {rates}")
    return rate


def days_per_week(days: tuple[int, ...]) -> tuple[int, ...]:
    if not days:
        raise ValueError("expected at least one engagement")
    if any(not 1 <= d <= FULL_TIME_DAYS_PER_WEEK for d in days):
        raise ValueError(
            f"expected whole numbers of days a week from 1 to {FULL_TIME_DAYS_PER_WEEK}"
        )
    return unique(days)


def valid_days(days: int) -> int:
    if not 1 <= days <= 364:
        raise ValueError("expected a whole number of days from 1 to 364 (RFC 9116: under a year)")
    return days


Email = Annotated[StrictStr, AfterValidator(email_address)]
SiteAddress = Annotated[StrictStr, AfterValidator(site_address)]
SirenNumber = Annotated[StrictStr, AfterValidator(siren_number)]
VatNumber = Annotated[StrictStr, AfterValidator(vat_number)]
Euros = Annotated[Decimal, BeforeValidator(euros)]
VatRate = Annotated[Decimal, BeforeValidator(vat_rate)]
TextList = Annotated[tuple[Text, ...], AfterValidator(unique)]


@dataclass(frozen=True)
class Phone:
    """A phone number: its tel: link in international form, and as French writes it."""

    international: str  # +33123456789
    shown: str  # 01 23 45 67 89, with no-break spaces

    @property
    def href(self) -> str:
        return f"tel:{self.international}"


def phone_number(text: str, french_only: bool) -> Phone:
    one_line(text)
    import phonenumbers  # its tables take a while to load: only when a number is set

    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        raise ValueError("expected a phone number such as '01 23 45 67 89'") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("expected a valid phone number such as '01 23 45 67 89'")
    if french_only and phonenumbers.region_code_for_number(number) != "FR":
        raise ValueError("expected a French phone number (+33), such as '01 23 45 67 89'")
    national = phonenumbers.region_code_for_number(number) == "FR"
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if national
        else (phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    shown = phonenumbers.format_number(number, style).replace(" ", "\u00a0")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164, shown)


def french_phone(value: object) -> Phone:
    if not isinstance(value, str):
        raise ValueError("expected a phone number as text, such as '01 23 45 67 89'")
    return phone_number(value, french_only=True)


def any_phone(value: object) -> Phone:
    if not isinstance(value, str):
        raise ValueError("expected a phone number as text, such as '+33 1 23 45 67 89'")
    return phone_number(value, french_only=False)


FrenchPhone = Annotated[Phone, BeforeValidator(french_phone)]
AnyPhone = Annotated[Phone, BeforeValidator(any_phone)]


class PostalAddress(BaseModel):
    """A French postal address, written as schema.org's PostalAddress."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    street: Text
    postal_code: Annotated[StrictStr, AfterValidator(lambda v: postal_code(v))]
    city: Text

    def __str__(self) -> str:
        return f"{self.street}, {self.postal_code}\u00a0{self.city}"


def postal_code(text: str) -> str:
    if not POSTAL_CODE_RE.fullmatch(text):
        raise ValueError("expected a French postal code of 5 digits, such as '75001'")
    return text


class Mediator(BaseModel):
    """The consumer mediator CIMW adheres to (Code de la consommation, art. L612-1, L616-1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    address: Text
    website: SiteAddress


class Transfer(BaseModel):
    """Personal data sent outside the European Economic Area, and its safeguard."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipient: Text
    country: Text
    safeguard: Text


def transfer(value: object) -> object:
    if isinstance(value, list | tuple) and len(value) == 3:
        return dict(zip(("recipient", "country", "safeguard"), value, strict=True))
    return value


# -- the settings, as written -------------------------------------------------

Maybe = Unconfirmed  # a fact that may still be unconfirmed


def setting(description: str, default: Any = ..., **kwargs: Any) -> Any:
    return Field(default, description=description, **kwargs)


class SiteSettings(BaseModel):
    """Every setting the site reads, by its name in `pelicanconf.py`, with its default."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="ignore")

    SITE_PUBLIC_URL: SiteAddress | Maybe = setting("the site's https address")
    SITE_TAGLINE: Text = setting("the tagline under the name, in French")
    DEFAULT_LANG: Literal["fr"] = setting("'fr': the site and its typography are French")
    PUBLISHER_KIND: Literal["company", "ei"] | Maybe = setting(
        "'company' (a société) or 'ei' (an entrepreneur individuel)"
    )
    PUBLISHER_NAME: Text = setting("the name the business uses")
    PUBLISHER_SIREN: SirenNumber | Maybe = setting("the 9-digit SIREN")
    PUBLISHER_ADDRESS: PostalAddress | Maybe = setting(
        "a mapping with street, postal_code and city"
    )
    PUBLISHER_VAT_NUMBER: VatNumber | Maybe | None = setting(
        "the intra-EU VAT number FR + key + SIREN, or None", None
    )
    PUBLISHER_LEGAL_FORM: Text | Maybe | None = setting("the legal form, such as SARL", None)
    PUBLISHER_SHARE_CAPITAL: Text | Maybe | None = setting("the share capital", None)
    PUBLISHER_RCS: Text | Maybe | None = setting("the RCS entry: city and number", None)
    PUBLICATION_DIRECTOR: Text | Maybe | None = setting("the director of publication", None)
    PUBLICATION_DIRECTOR_ROLE: Text | Maybe | None = setting(
        "their capacity, such as 'gérant'", None
    )
    PUBLISHER_SURNAME: Text | Maybe | None = setting("the entrepreneur's surname", None)
    PUBLISHER_GIVEN_NAMES: Text | Maybe | None = setting("the entrepreneur's given names", None)
    CONTACT_EMAIL: Email | Maybe = setting("an email address")
    CONTACT_PHONE: FrenchPhone | Maybe = setting("a French phone number")
    HOST_NAME: Text | Maybe = setting("the host's name")
    HOST_ADDRESS: Text | Maybe = setting("the host's address, on one line")
    HOST_PHONE: AnyPhone | Maybe = setting("the host's phone number")
    HOST_LOG_RETENTION: Text | Maybe = setting("how long the server logs are kept")
    HOST_LOG_FIELDS: Annotated[TextList, Field(min_length=1)] = setting(
        "what the server logs record, at least one item, each once"
    )
    MAIL_PROVIDER: Text | Maybe = setting("who handles CIMW's email")
    PRIVACY_TRANSFERS: tuple[Annotated[Transfer, BeforeValidator(transfer)], ...] | Maybe = setting(
        "() or one (recipient, country, safeguard) triple per transfer outside the EEA"
    )
    CONTACT_RETENTION: Text | Maybe = setting("how long messages are kept")
    ACCOUNTING_RETENTION: Text | Maybe = setting(
        "how long invoices and accounting records are kept"
    )
    CLIENT_DATA_RETENTION: Text | Maybe = setting(
        "how long the other client data is kept after the relationship ends"
    )
    CLIENT_DATA_RECIPIENTS: TextList | Maybe = setting(
        "who else receives client data, such as ('notre expert-comptable',)"
    )
    SECURITY_TXT_LANGUAGES: (
        Annotated[tuple[StrictStr, ...], AfterValidator(language_tags)] | Maybe
    ) = setting("the languages security reports are answered in, such as ('fr',)")
    SECURITY_TXT_VALID_DAYS: Annotated[StrictInt, AfterValidator(valid_days)] = setting(
        "a whole number of days from the build to security.txt's Expires", 180
    )
    DAY_RATE: Euros = setting("the price of a day")
    HOURLY_RATE: Euros | None = setting("the price of an hour of troubleshooting, or None", None)
    VAT_REGIME: Literal["charged", "franchise"] | Maybe = setting(
        "'charged' (prices excluding VAT) or 'franchise' (art. 293 B du CGI)"
    )
    VAT_RATE: VatRate | None = setting("the VAT rate in percent when VAT is charged, or None", None)
    CLIENTS: Literal["professionals", "consumers"] | Maybe = setting(
        "'professionals' (businesses only) or 'consumers' (private persons too)"
    )
    CONSUMER_MEDIATOR: (
        Annotated[Mediator, BeforeValidator(lambda v: dict(v) if isinstance(v, Mapping) else v)]
        | Maybe
        | None
    ) = setting("a mapping with the mediator's name, address and website", None)
    PRICING_DAYS_PER_WEEK: Annotated[tuple[StrictInt, ...], AfterValidator(days_per_week)] = (
        setting("the engagements, in days a week", (1, 2, 3, 4, 5))
    )
    HOSTING_BEHIND_PROXY: StrictBool = setting(
        "True when the host's TLS proxy sets X-Forwarded-Proto", False
    )
    HOSTING_PRECOMPRESS: StrictBool = setting("True to write gzip and Brotli twins", False)
    HOSTING_FINGERPRINTED: tuple[Text, ...] = setting(
        "theme static files served under a hashed name", ("css/main.css",)
    )
    LEGAL_REQUIRE_REAL_VALUES: StrictBool = setting(
        "True in production: refuse every unconfirmed fact", False
    )


# -- the facts, as the site states them ---------------------------------------


@dataclass(frozen=True)
class Company:
    """A société: its name, legal form, capital, registration and legal representative."""

    name: str
    siren: str | Unconfirmed
    address: PostalAddress | Unconfirmed
    vat_number: str | Unconfirmed | None
    legal_form: str | Unconfirmed
    share_capital: str | Unconfirmed
    rcs: str | Unconfirmed
    director: str | Unconfirmed
    director_role: str | Unconfirmed

    @property
    def display_name(self) -> str:
        return self.name


@dataclass(frozen=True)
class SoleTrader:
    """An entrepreneur individuel: the business name is followed by "EI" (C. com. R. 526-27)."""

    name: str
    siren: str | Unconfirmed
    address: PostalAddress | Unconfirmed
    vat_number: str | Unconfirmed | None
    surname: str | Unconfirmed
    given_names: str | Unconfirmed

    @property
    def display_name(self) -> str:
        return f"{self.name}\u00a0EI"


@dataclass(frozen=True)
class UndecidedPublisher:
    """A publisher whose kind CIMW has not confirmed: shown with that gap framed."""

    name: str
    kind: Unconfirmed
    siren: str | Unconfirmed
    address: PostalAddress | Unconfirmed
    vat_number: str | Unconfirmed | None

    @property
    def display_name(self) -> str:
        return self.name


Publisher = Company | SoleTrader | UndecidedPublisher


@dataclass(frozen=True)
class VatCharged:
    """VAT is charged: prices are stated excluding VAT, and including it when the rate is set."""

    rate: Decimal | None


@dataclass(frozen=True)
class VatFranchise:
    """Franchise en base de TVA: no VAT, "TVA non applicable, art. 293 B du CGI"."""


Vat = VatCharged | VatFranchise | Unconfirmed


@dataclass(frozen=True)
class Professionals:
    """Only businesses buy: "Prestations réservées aux professionnels", prices excluding VAT."""


@dataclass(frozen=True)
class Consumers:
    """Private persons buy too: prices including VAT first, and a consumer mediator."""

    mediator: Mediator | Unconfirmed


Clients = Professionals | Consumers | Unconfirmed


@dataclass(frozen=True)
class Contact:
    email: str | Unconfirmed
    phone: Phone | Unconfirmed


@dataclass(frozen=True)
class Host:
    name: str | Unconfirmed
    address: str | Unconfirmed
    phone: Phone | Unconfirmed
    log_retention: str | Unconfirmed
    log_fields: tuple[str, ...]


@dataclass(frozen=True)
class Privacy:
    mail_provider: str | Unconfirmed
    transfers: tuple[Transfer, ...] | Unconfirmed
    contact_retention: str | Unconfirmed
    accounting_retention: str | Unconfirmed
    client_data_retention: str | Unconfirmed
    client_data_recipients: tuple[str, ...] | Unconfirmed


@dataclass(frozen=True)
class Rates:
    """The prices CIMW states, as typed in the settings; `pricing` computes what is shown."""

    day: Decimal
    hourly: Decimal | None
    days_per_week: tuple[int, ...]
    vat: Vat
    clients: Clients


@dataclass(frozen=True)
class Hosting:
    behind_proxy: bool
    precompress: bool
    fingerprinted: tuple[str, ...]
    security_txt_languages: tuple[str, ...] | Unconfirmed
    security_txt_valid_days: int


@dataclass(frozen=True)
class Facts:
    """Everything the site states about CIMW, parsed once from the settings."""

    public_url: str | Unconfirmed
    tagline: str
    lang: str
    publisher: Publisher
    contact: Contact
    host: Host
    privacy: Privacy
    rates: Rates
    hosting: Hosting
    production: bool

    @property
    def name(self) -> str:
        """The business's name wherever the site names it: "CIMW", or "CIMW EI"."""
        return self.publisher.display_name

    @property
    def site_url(self) -> str:
        """The public address for absolute URLs; while unconfirmed, one that cannot exist."""
        return self.public_url if isinstance(self.public_url, str) else UNCONFIRMED_SITE_URL


# The kinds of fact, by the name templates test them with: `{% if x is company %}`.
KINDS: dict[str, type] = {
    "unconfirmed": Unconfirmed,
    "company": Company,
    "sole_trader": SoleTrader,
    "vat_charged": VatCharged,
    "vat_franchise": VatFranchise,
    "professionals": Professionals,
    "consumers": Consumers,
}


# -- parsing ------------------------------------------------------------------


def shown(value: object) -> str:
    return repr(value) if not isinstance(value, Unconfirmed) else f"Unconfirmed({value.label!r})"


def field_problems(error: ValidationError, settings: Mapping[str, Any]) -> list[str]:
    """One line per setting pydantic refused: the setting, the value, what is expected."""
    by_setting: dict[str, list[Any]] = {}
    for detail in error.errors():
        by_setting.setdefault(str(detail["loc"][0]), []).append(detail)
    problems = []
    for name, details in by_setting.items():
        field = SiteSettings.model_fields[name]
        if name not in settings:
            problems.append(f"{name}: missing from the settings; expected {field.description}")
            continue
        # A validator's own words say most; otherwise the setting's description.
        reasons = [str(d["ctx"]["error"]) if d["type"] == "value_error" else "" for d in details]
        reason = next((r for r in reasons if r), f"expected {field.description}")
        problems.append(f"{name}: {reason}, got {shown(settings[name])}")
    return problems


def publisher_of(s: SiteSettings) -> Publisher:
    name, siren, address, vat = (
        s.PUBLISHER_NAME,
        s.PUBLISHER_SIREN,
        s.PUBLISHER_ADDRESS,
        s.PUBLISHER_VAT_NUMBER,
    )
    if s.PUBLISHER_KIND == "company":
        return Company(
            name,
            siren,
            address,
            vat,
            legal_form=required(s.PUBLISHER_LEGAL_FORM, "forme juridique"),
            share_capital=required(s.PUBLISHER_SHARE_CAPITAL, "capital social"),
            rcs=required(s.PUBLISHER_RCS, "immatriculation au RCS"),
            director=required(s.PUBLICATION_DIRECTOR, "directeur de la publication"),
            director_role=required(s.PUBLICATION_DIRECTOR_ROLE, "qualité du directeur"),
        )
    if s.PUBLISHER_KIND == "ei":
        return SoleTrader(
            name,
            siren,
            address,
            vat,
            surname=required(s.PUBLISHER_SURNAME, "nom de l’entrepreneur"),
            given_names=required(s.PUBLISHER_GIVEN_NAMES, "prénoms de l’entrepreneur"),
        )
    assert isinstance(s.PUBLISHER_KIND, Unconfirmed)
    return UndecidedPublisher(name, s.PUBLISHER_KIND, siren, address, vat)


def required(value: str | Unconfirmed | None, label: str) -> str | Unconfirmed:
    return Unconfirmed(label) if value is None else value


def rates_of(s: SiteSettings) -> Rates:
    vat: Vat = (
        s.VAT_REGIME
        if isinstance(s.VAT_REGIME, Unconfirmed)
        else (VatCharged(s.VAT_RATE) if s.VAT_REGIME == "charged" else VatFranchise())
    )
    clients: Clients
    if isinstance(s.CLIENTS, Unconfirmed):
        clients = s.CLIENTS
    elif s.CLIENTS == "professionals":
        clients = Professionals()
    else:
        clients = Consumers(
            s.CONSUMER_MEDIATOR
            if s.CONSUMER_MEDIATOR is not None
            else Unconfirmed("médiateur de la consommation")
        )
    return Rates(s.DAY_RATE, s.HOURLY_RATE, s.PRICING_DAYS_PER_WEEK, vat, clients)


def facts_of(s: SiteSettings) -> Facts:
    return Facts(
        public_url=s.SITE_PUBLIC_URL,
        tagline=s.SITE_TAGLINE,
        lang=s.DEFAULT_LANG,
        publisher=publisher_of(s),
        contact=Contact(s.CONTACT_EMAIL, s.CONTACT_PHONE),
        host=Host(
            s.HOST_NAME, s.HOST_ADDRESS, s.HOST_PHONE, s.HOST_LOG_RETENTION, s.HOST_LOG_FIELDS
        ),
        privacy=Privacy(
            mail_provider=s.MAIL_PROVIDER,
            transfers=s.PRIVACY_TRANSFERS,
            contact_retention=s.CONTACT_RETENTION,
            accounting_retention=s.ACCOUNTING_RETENTION,
            client_data_retention=s.CLIENT_DATA_RETENTION,
            client_data_recipients=s.CLIENT_DATA_RECIPIENTS,
        ),
        rates=rates_of(s),
        hosting=Hosting(
            behind_proxy=s.HOSTING_BEHIND_PROXY,
            precompress=s.HOSTING_PRECOMPRESS,
            fingerprinted=s.HOSTING_FINGERPRINTED,
            security_txt_languages=s.SECURITY_TXT_LANGUAGES,
            security_txt_valid_days=s.SECURITY_TXT_VALID_DAYS,
        ),
        production=s.LEGAL_REQUIRE_REAL_VALUES,
    )


def with_vat(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount including VAT, exact: HT × (1 + rate)."""
    return amount * (100 + rate) / 100


def consistency_problems(s: SiteSettings) -> list[str]:
    """Settings that are each well formed but cannot all be true together."""
    problems = []
    kind, surname = s.PUBLISHER_KIND, s.PUBLISHER_SURNAME
    if (
        kind == "ei"
        and isinstance(surname, str)
        and surname.casefold() not in s.PUBLISHER_NAME.casefold()
    ):
        problems.append(
            f"PUBLISHER_NAME: must include the entrepreneur's surname PUBLISHER_SURNAME "
            f"({surname!r}) for an entrepreneur individuel (Code de commerce, art. R. 526-27), "
            f"got {s.PUBLISHER_NAME!r}"
        )
    vat = s.PUBLISHER_VAT_NUMBER
    if isinstance(vat, str) and isinstance(s.PUBLISHER_SIREN, str) and vat[4:] != s.PUBLISHER_SIREN:
        problems.append(
            f"PUBLISHER_VAT_NUMBER: its SIREN {vat[4:]} is not PUBLISHER_SIREN "
            f"{s.PUBLISHER_SIREN}, got {vat!r}"
        )
    if s.VAT_REGIME == "franchise" and s.VAT_RATE is not None:
        problems.append(
            f"VAT_RATE: VAT_REGIME is 'franchise', under which no VAT is charged; expected "
            f"None, got {s.VAT_RATE}"
        )
    if s.VAT_REGIME == "charged" and s.CLIENTS == "consumers" and s.VAT_RATE is None:
        problems.append(
            "VAT_RATE: a consumer must read prices including VAT (CLIENTS = 'consumers' and "
            "VAT_REGIME = 'charged'); expected the rate, such as 20, got None"
        )
    if s.VAT_REGIME == "charged" and s.VAT_RATE is not None:
        priced = {"DAY_RATE": s.DAY_RATE, "HOURLY_RATE": s.HOURLY_RATE}
        for name, amount in priced.items():
            if amount is None:
                continue
            total = with_vat(amount, s.VAT_RATE)
            if total != total.quantize(CENT):
                problems.append(
                    f"{name}: {amount} € plus VAT at {s.VAT_RATE} % is {total.normalize()} €, "
                    "not a whole number of cents; expected an amount whose price including "
                    f"VAT is exact, got {amount}"
                )
    return problems


def unconfirmed_problems(facts: Facts, s: SiteSettings) -> list[str]:
    """Every fact production needs that is still unconfirmed, and what open choices would need."""
    names = [
        name
        for name in SiteSettings.model_fields
        if isinstance(getattr(s, name), Unconfirmed) and needed(name, s)
    ]
    missing = []
    publisher = facts.publisher
    if isinstance(publisher, Company):
        missing += [n for n in COMPANY_SETTINGS if getattr(s, n) is None]
    if isinstance(publisher, SoleTrader):
        missing += [n for n in SOLE_TRADER_SETTINGS if getattr(s, n) is None]
    if isinstance(facts.rates.vat, VatCharged) and s.PUBLISHER_VAT_NUMBER is None:
        missing.append("PUBLISHER_VAT_NUMBER")
    if isinstance(facts.rates.clients, Consumers) and s.CONSUMER_MEDIATOR is None:
        missing.append("CONSUMER_MEDIATOR")
    names += [n for n in missing if n not in names]
    if not names:
        return []
    depending = []
    if isinstance(s.PUBLISHER_KIND, Unconfirmed):
        depending.append(f"for a company, also {', '.join(COMPANY_SETTINGS)}")
        depending.append(f"for an entrepreneur individuel, also {', '.join(SOLE_TRADER_SETTINGS)}")
    if isinstance(s.VAT_REGIME, Unconfirmed):
        depending.append("if VAT is charged, also PUBLISHER_VAT_NUMBER")
    if isinstance(s.CLIENTS, Unconfirmed):
        depending.append("if the clients include consumers, also CONSUMER_MEDIATOR")
    return [
        "the production site states only facts CIMW has confirmed; still unconfirmed or "
        f"missing in the settings: {'; '.join([', '.join(names), *depending])}"
    ]


COMPANY_SETTINGS = (
    "PUBLISHER_LEGAL_FORM",
    "PUBLISHER_SHARE_CAPITAL",
    "PUBLISHER_RCS",
    "PUBLICATION_DIRECTOR",
    "PUBLICATION_DIRECTOR_ROLE",
)
SOLE_TRADER_SETTINGS = ("PUBLISHER_SURNAME", "PUBLISHER_GIVEN_NAMES")


def needed(name: str, s: SiteSettings) -> bool:
    """Whether the publisher and the regime these settings describe state the fact `name`."""
    if name in COMPANY_SETTINGS:
        return s.PUBLISHER_KIND != "ei"
    if name in SOLE_TRADER_SETTINGS:
        return s.PUBLISHER_KIND != "company"
    if name == "PUBLISHER_VAT_NUMBER":
        return s.VAT_REGIME != "franchise"
    if name == "CONSUMER_MEDIATOR":
        return s.CLIENTS != "professionals"
    return True


def parse_facts(settings: Mapping[str, Any]) -> Facts:
    """Parse the settings into the site's facts, or raise FactsError naming every problem."""
    try:
        parsed = SiteSettings.model_validate(dict(settings))
    except ValidationError as error:
        raise facts_error(field_problems(error, settings)) from None
    problems = consistency_problems(parsed)
    facts = facts_of(parsed)
    if not problems and facts.production:
        problems = unconfirmed_problems(facts, parsed)
    if problems:
        raise facts_error(problems)
    return facts


def facts_error(problems: list[str]) -> FactsError:
    count = len(problems)
    head = f"{count} problem{'s' if count > 1 else ''} in the settings:\n"
    return FactsError(head + "\n".join(problems))


def facts_in(settings: Mapping[str, Any]) -> Facts:
    """The facts parsed at `initialized`, as the build's settings carry them."""
    facts = settings.get(SETTINGS_KEY)
    if not isinstance(facts, Facts):
        return parse_facts(settings)
    return facts


def parse_settings(pelican: Any) -> None:
    """At `initialized`: parse the settings once; the build carries the facts with them."""
    pelican.settings[SETTINGS_KEY] = parse_facts(pelican.settings)
