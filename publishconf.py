"""Production settings: the development settings, with absolute URLs and a clean output."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = SITE_PUBLIC_URL  # noqa: F405
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
# Refuse to publish while a legal or contact field is a placeholder or empty.
LEGAL_REQUIRE_REAL_VALUES = True
