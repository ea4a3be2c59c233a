"""Production settings: the development settings, with absolute URLs and a clean output."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# While the address is unconfirmed, the facts model refuses the production build.
SITEURL = str(SITE_PUBLIC_URL)  # noqa: F405
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
# Refuse to publish while a legal or contact field is a placeholder or empty.
LEGAL_REQUIRE_REAL_VALUES = True
# gzip and Brotli twins of every text file, served by content negotiation.
HOSTING_PRECOMPRESS = True

# Where `invoke publish` deploys: [user@]host:/absolute/base/folder,
# ssh://[user@]host[:port]/folder or sftp://[user@]host[:port]/folder. The
# environment variable of the same name wins. The base folder holds releases/
# and the live docroot symlink.
PUBLISH_TARGET = ""
PUBLISH_LIVE_LINK = "www"
# After the switch, publish (and rollback) ask the site's public address
# (SITE_PUBLIC_URL, where visitors go) for /version.txt and switch back if it
# does not serve the new release. PUBLISH_CHECK_URL, here or in the
# environment, asks another address instead; "" skips the check.
# How many releases to keep on the server (the live and the previous one always stay).
PUBLISH_KEEP_RELEASES = 5
