"""Development settings for the CIMW site.

Every fact about the site is written here once; content and templates read it.
`publishconf.py` imports this file and changes only what differs in production.
"""

import sys
from pathlib import Path

# The site plugin's model of the facts, for `Unconfirmed` below.
sys.path.insert(0, str(Path(__file__).resolve().parent / "plugins"))

from cimw.facts import Unconfirmed
from cimw.templating import autoescape

AUTHOR = "CIMW"
SITENAME = "CIMW"
SITE_TAGLINE = "Assistance technique et assistance à maîtrise d’œuvre"
# The public address of the site, for canonical URLs, the sitemap, sharing
# cards and structured data.
SITE_PUBLIC_URL = Unconfirmed("adresse du site, https://…")
# Links inside the site: root-relative in development.
SITEURL = ""
DEFAULT_LANG = "fr"
LOCALE = ("fr_FR.UTF-8", "C.UTF-8", "")
TIMEZONE = "Europe/Paris"

# Facts about CIMW. The site states only what CIMW said on its old page or
# confirmed here; the plugin's model (plugins/cimw/facts.py) checks each one
# and holds every default. A fact written Unconfirmed("what it is") is still
# to be given: the development pages show it framed as missing, and the
# production build refuses to run while any fact it needs is unconfirmed,
# naming every one at once. docs/settings.md lists them all.

# Who publishes the site, as the law requires it to be shown (LCEN art. 1-1).
# PUBLISHER_KIND: "company" (a société) or "ei" (an entrepreneur individuel).
PUBLISHER_KIND = Unconfirmed("société ou entrepreneur individuel")
# The name the business uses; for an EI it must include the surname, and the
# site writes "EI" right after it wherever it names the business (R. 526-27).
PUBLISHER_NAME = "CIMW"
# The 9 digits of the SIREN, checked with their check digit.
PUBLISHER_SIREN = Unconfirmed("numéro SIREN")
# A mapping: {"street": "…", "postal_code": "75001", "city": "Paris"}.
PUBLISHER_ADDRESS = Unconfirmed("adresse du siège ou adresse professionnelle")
# FR + key + SIREN; required when VAT is charged, shown under the franchise if set.
PUBLISHER_VAT_NUMBER = Unconfirmed("numéro de TVA intracommunautaire")
# A company: its legal form, capital, trade register entry, and the director of
# publication, its legal representative, with their capacity.
PUBLISHER_LEGAL_FORM = Unconfirmed("forme juridique, par exemple SARL")
PUBLISHER_SHARE_CAPITAL = Unconfirmed("montant du capital social")
PUBLISHER_RCS = Unconfirmed("RCS : ville et numéro")
PUBLICATION_DIRECTOR = Unconfirmed("nom du directeur de la publication")
PUBLICATION_DIRECTOR_ROLE = Unconfirmed("qualité, par exemple gérant")
# An entrepreneur individuel: the person (LCEN art. 1-1, I, 1°), who is also
# the director of publication.
PUBLISHER_SURNAME = Unconfirmed("nom de l’entrepreneur")
PUBLISHER_GIVEN_NAMES = Unconfirmed("prénoms de l’entrepreneur")
CONTACT_EMAIL = Unconfirmed("adresse électronique")
# A French number, shown as written in France and linked as tel:+33…
CONTACT_PHONE = Unconfirmed("numéro de téléphone")

# The host of the site (LCEN), and how long its server logs are kept (RGPD).
HOST_NAME = Unconfirmed("nom de l’hébergeur")
HOST_ADDRESS = Unconfirmed("adresse de l’hébergeur")
HOST_PHONE = Unconfirmed("téléphone de l’hébergeur")
HOST_LOG_RETENTION = Unconfirmed("durée de conservation des journaux du serveur")
# What the host's server logs record for each request, as the privacy policy
# lists it: Apache's "combined" format. Change it to match the host's format.
HOST_LOG_FIELDS = (
    "l’adresse IP",
    "la date et l’heure",
    "la requête (la page demandée)",
    "le code de réponse",
    "la taille de la réponse",
    "la page de provenance",
    "l’identification du navigateur",
)
# Who handles the email CIMW receives, on its behalf (RGPD art. 13).
MAIL_PROVIDER = Unconfirmed("nom du fournisseur de messagerie")
# Personal data sent outside the European Economic Area: () for none, or one
# (recipient, country, safeguard) per transfer, e.g.
# ("Exemple Mail (messagerie)", "États-Unis", "clauses contractuelles types").
PRIVACY_TRANSFERS = Unconfirmed("transferts hors de l’Espace économique européen")
# How long the messages of people who contact CIMW are kept (RGPD).
CONTACT_RETENTION = Unconfirmed("durée de conservation des messages")
# How long invoices and accounting records are kept, as the law CIMW is under
# requires (ten years for a company or a commerçant, C. com. L. 123-22; six for
# the tax rule, LPF L. 102 B).
ACCOUNTING_RETENTION = Unconfirmed("durée de conservation des factures et pièces comptables")
# How long the other client data is kept once the relationship ends.
CLIENT_DATA_RETENTION = Unconfirmed("durée de conservation des autres données client")
# Who else receives client data, e.g. ("notre expert-comptable", "notre banque").
CLIENT_DATA_RECIPIENTS = Unconfirmed("destinataires des données client")
# The languages CIMW answers security reports in (security.txt), e.g. ("fr",).
SECURITY_TXT_LANGUAGES = Unconfirmed("langues de réponse")

# Price of one person-day of technical assistance, in euros: the only amount
# typed anywhere. The price plugin derives the others.
DAY_RATE = 300
# "charged": prices are stated excluding VAT ("HT"), and including it when
# VAT_RATE (20, 10, 5.5 or 2.1) is set. "franchise": no VAT, "TVA non
# applicable, art. 293 B du CGI".
VAT_REGIME = Unconfirmed("régime de TVA")
VAT_RATE = None
# Who buys: "professionals" (businesses only: "Prestations réservées aux
# professionnels", prices excluding VAT allowed) or "consumers" (private
# persons too: prices including VAT first, and a consumer mediator).
CLIENTS = Unconfirmed("clientèle : professionnels ou particuliers")
# With consumers: {"name": …, "address": …, "website": "https://…"}
# (Code de la consommation, art. L. 612-1 and L. 616-1).
CONSUMER_MEDIATOR = None
# Troubleshooting is billed by the hour: None states no hourly amount; a
# number is the price of an hour in euros, as CIMW sets it.
HOURLY_RATE = None
# The engagements of the old page, in days a week: the table shows each
# week's amount.
PRICING_DAYS_PER_WEEK = (1, 2, 3, 4, 5)

PATH = "content"
# Never read nor published: hidden files, and editors' lock, backup and swap files.
IGNORE_FILES = [".*", "*~", "#*#"]
OUTPUT_PATH = "output"
THEME = "theme"

PLUGIN_PATHS = ["plugins"]
# One site plugin: its register() connects every handler in pipeline order.
PLUGINS = ["cimw"]

# Questions live in content/faq and are read by the faq plugin, not as pages.
FAQ_PATHS = ["faq"]
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
# Files copied as they are: the favicon in its classic place at the root.
STATIC_PATHS = ["extra"]
EXTRA_PATH_METADATA = {
    "extra/favicon.ico": {"path": "favicon.ico"},
}

# A business site, not a blog: no articles, feeds, taxonomies or archives.
# The direct templates are the search engines' files and the hosting's.
DIRECT_TEMPLATES = ["sitemap", "robots", "htaccess", "security", "version"]
SITEMAP_SAVE_AS = "sitemap.xml"
ROBOTS_SAVE_AS = "robots.txt"
HTACCESS_SAVE_AS = ".htaccess"
SECURITY_SAVE_AS = ".well-known/security.txt"
VERSION_SAVE_AS = "version.txt"
TEMPLATE_EXTENSIONS = [".html", ".xml", ".txt", ".conf"]
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
INDEX_SAVE_AS = ""
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

PAGE_URL = "{slug}.html"
PAGE_SAVE_AS = "{slug}.html"
SLUGIFY_SOURCE = "basename"
# Dates are never shown: the review date is front matter, not a file name.
FILENAME_METADATA = r""

JINJA_ENVIRONMENT = {
    # HTML and XML are escaped: a fact such as "A & B" is written as text.
    "autoescape": autoescape,
    "trim_blocks": True,
    "lstrip_blocks": True,
    # Text files (robots.txt, security.txt) end with a newline.
    "keep_trailing_newline": True,
}

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        # French typography, applied as content is read (plugins/typography.py).
        "cimw.typography": {},
    },
    "output_format": "html5",
}

# No typogrify: its English filters would fight French typography, and the
# French pass (plugins/cimw/typography.py) marks the acronyms of the content
# for their letter spacing itself, in the same scan.
TYPOGRIFY = False

# Root-relative links ("/theme/...") so that the 404 page works at any depth.
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False

# When the content cache is on (`./run serve`), keep whole pages and questions,
# typogrify's work included, and skip compressing the cache file.
CONTENT_CACHING_LAYER = "generator"
GZIP_CACHE = False

# The release being published and its commit, written to /version.txt; set by `./run publish`.
RELEASE_ID = "development"
RELEASE_COMMIT = ""

# Development builds name the Markdown file of each page and question on the
# element its text fills (`data-source`), so that the quality gate reports a
# finding in the file it was typed in; publishconf.py turns it off.
GATE_SOURCE_ATTRIBUTES = True
