"""The CIMW site's Pelican plugins, one module per concern.

They live in one package so that a plugin that needs another imports it by its
real path (`from cimw import frontmatter`) and the site builds the same with
Pelican's own command (`pelican -s pelicanconf.py`) as with the tasks,
whatever the order of `PLUGINS`. `PLUGIN_PATHS = ["plugins"]` is all Pelican
needs to find them.
"""

from __future__ import annotations

from typing import Any

# Pelican's settings, as its signals hand them to the plugins.
Settings = dict[str, Any]
