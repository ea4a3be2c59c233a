"""Development settings for the CIMW site.

Every fact about the site is written here once; content and templates read it.
`publishconf.py` imports this file and changes only what differs in production.
"""

AUTHOR = "CIMW"
SITENAME = "CIMW"
SITE_TAGLINE = "Assistance technique et assistance à maîtrise d’œuvre"
# The public address of the site, for canonical URLs, the sitemap, sharing
# cards and structured data. A placeholder until the domain is confirmed.
SITE_PUBLIC_URL = "https://www.cimw.invalid"
# Links inside the site: root-relative in development.
SITEURL = ""
DEFAULT_LANG = "fr"
LOCALE = ("fr_FR.UTF-8", "C.UTF-8", "")
TIMEZONE = "Europe/Paris"

# Facts about CIMW. The site states only what CIMW said on its old page or
# confirmed here. A value in [square brackets] is a placeholder: the pages show
# it framed as missing, and the production build refuses to run while any
# required fact below is a placeholder or empty, naming every one at once.

# Who publishes the site, as the law requires it to be shown (LCEN art. 1-1).
# PUBLISHER_KIND: "company" (a société) or "ei" (an entrepreneur individuel).
PUBLISHER_KIND = "[société ou entrepreneur individuel]"
# The name the business uses; for an EI it must include the surname, and the
# site writes "EI" right after it (Code de commerce, art. R. 526-27).
PUBLISHER_NAME = "CIMW"
PUBLISHER_SIREN = "[numéro SIREN]"
PUBLISHER_ADDRESS = "[adresse du siège ou adresse professionnelle]"
# Required when VAT_REGIME is "charged"; shown under the franchise only if set.
PUBLISHER_VAT_NUMBER = "[numéro de TVA intracommunautaire]"
# A company: its legal form, capital, trade register entry, and the director of
# publication, its legal representative, with their capacity.
PUBLISHER_LEGAL_FORM = "[forme juridique, par exemple SARL]"
PUBLISHER_SHARE_CAPITAL = "[montant du capital social]"
PUBLISHER_RCS = "[RCS : ville et numéro]"
PUBLICATION_DIRECTOR = "[nom du directeur de la publication]"
PUBLICATION_DIRECTOR_ROLE = "[qualité, par exemple gérant, représentant légal de la société]"
# An entrepreneur individuel: the person (LCEN art. 1-1, I, 1°), who is also
# the director of publication.
PUBLISHER_SURNAME = "[nom de l’entrepreneur]"
PUBLISHER_GIVEN_NAMES = "[prénoms de l’entrepreneur]"
CONTACT_EMAIL = "[adresse électronique]"
CONTACT_PHONE = "[numéro de téléphone]"

# The host of the site (LCEN), and how long its server logs are kept (RGPD).
HOST_NAME = "[nom de l’hébergeur]"
HOST_ADDRESS = "[adresse de l’hébergeur]"
HOST_PHONE = "[téléphone de l’hébergeur]"
HOST_LOG_RETENTION = "[durée de conservation des journaux du serveur]"
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
MAIL_PROVIDER = "[nom du fournisseur de messagerie]"
# Personal data the host or the mail provider sends outside the European
# Union: () for none, or one (recipient, country, safeguard) per transfer, e.g.
# ("Exemple Mail (messagerie)", "États-Unis", "clauses contractuelles types").
PRIVACY_TRANSFERS = "[transferts hors de l’Union européenne]"
# How long the messages of people who contact CIMW are kept (RGPD).
CONTACT_RETENTION = "[durée de conservation des messages]"
# The languages CIMW answers security reports in (security.txt), e.g. ("fr",).
SECURITY_TXT_LANGUAGES = "[langues de réponse]"

# Price of one person-day of technical assistance, in euros: the only amount
# typed anywhere. The price plugin derives the others.
DAY_RATE = 300
# "charged": prices are shown excluding VAT ("HT"); then set VAT_RATE (the
# percentage, to show prices including VAT too) or PRICING_PROFESSIONALS_ONLY.
# "franchise": no VAT, "TVA non applicable, art. 293 B du CGI".
VAT_REGIME = "[régime de TVA]"
VAT_RATE = None
# True shows that the services are for professionals only.
PRICING_PROFESSIONALS_ONLY = False
# Troubleshooting, billed by the hour: None shows no hourly amount; a number is
# the price of an hour in euros; "from_day_rate" is DAY_RATE divided by
# PRICING_HOURS_PER_DAY, rounded down, so those hours never cost more than a day.
HOURLY_RATE = None
PRICING_HOURS_PER_DAY = 7
# The monthly estimates: engagements of so many days a week, and the days
# billable in a year of five-day weeks (holidays and leave taken off).
PRICING_DAYS_PER_WEEK = (1, 2, 3, 4, 5)
PRICING_BILLABLE_DAYS_PER_YEAR = "[jours facturables par an]"

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"

PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "cimw.sources",
    "cimw.frontmatter",
    "cimw.pricing",
    "cimw.placeholders",
    "cimw.faq",
    "cimw.typography",
    "cimw.legal",
    "cimw.seo",
    "cimw.hosting",
]

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

# typogrify keeps only what the French rules (plugins/cimw/typography.toml) do
# not cover: `caps` marks acronyms for letter spacing. Its English filters
# (curly quotes, widows, initial quotes) would fight French typography, and
# nothing styles its `amp` spans.
TYPOGRIFY = True
TYPOGRIFY_OMIT_FILTERS = ["smartypants", "widont", "initial_quotes", "amp"]
TYPOGRIFY_IGNORE_TAGS = ["code", "pre", "kbd", "samp", "script", "style"]

# Root-relative links ("/theme/...") so that the 404 page works at any depth.
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False

# When the content cache is on (`invoke serve`), keep whole pages and questions,
# typogrify's work included, and skip compressing the cache file.
CONTENT_CACHING_LAYER = "generator"
GZIP_CACHE = False

# Trust X-Forwarded-Proto for the HTTPS redirect only behind the host's own TLS proxy.
HOSTING_BEHIND_PROXY = False

# security.txt (RFC 9116) expires this many days after each build.
SECURITY_TXT_VALID_DAYS = 180
# The release being published and its commit, written to /version.txt; set by `invoke publish`.
RELEASE_ID = "development"
RELEASE_COMMIT = ""
