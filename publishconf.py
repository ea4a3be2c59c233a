"""Production settings: the development settings, with absolute URLs and a clean output."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# The public address. A placeholder until the domain is confirmed.
SITEURL = "https://www.cimw.invalid"
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
