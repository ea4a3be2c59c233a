"""Development settings for the CIMW site.

Every fact about the site is written here once; content and templates read it.
`publishconf.py` imports this file and changes only what differs in production.
"""

AUTHOR = "CIMW"
SITENAME = "CIMW"
SITE_TAGLINE = "Assistance technique et assistance à maîtrise d’œuvre"
SITEURL = ""
DEFAULT_LANG = "fr"
LOCALE = ("fr_FR.UTF-8", "C.UTF-8", "")
TIMEZONE = "Europe/Paris"

# Contact details. Placeholders until the real values are known: the
# `.invalid` domain and the 01 99 00 range (reserved by ARCEP for fiction)
# can never reach anyone.
CONTACT_EMAIL = "contact@cimw.invalid"
CONTACT_PHONE = "+33 1 99 00 00 00"

# Price of one person-day of technical assistance, in euros, excluding VAT.
# The only place a price is written: the price plugin derives every amount.
DAY_RATE = 300
PRICING_HOURS_PER_DAY = 7
PRICING_DAYS_PER_WEEK = (1, 2, 3, 4, 5)

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"

PLUGIN_PATHS = ["plugins"]
PLUGINS = [
    "pelican.plugins.yaml_metadata",
    "frontmatter",
    "pricing",
    "faq",
    "typography",
]

# Questions live in content/faq and are read by the faq plugin, not as pages.
FAQ_PATHS = ["faq"]
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = []

# A business site, not a blog: no articles, feeds, taxonomies or archives.
DIRECT_TEMPLATES = []
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

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
    },
    "output_format": "html5",
}

# typogrify's English filters (curly quotes, widows, initial quotes) would
# fight French typography, which the typography plugin applies instead.
TYPOGRIFY = True
TYPOGRIFY_OMIT_FILTERS = ["smartypants", "widont", "initial_quotes"]
TYPOGRIFY_IGNORE_TAGS = ["code", "pre", "kbd", "samp", "script", "style"]
TYPOGRAPHY_LOCALE = "fr"

# Root-relative links ("/theme/...") so that the 404 page works at any depth.
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = False
