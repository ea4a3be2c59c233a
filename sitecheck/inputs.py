"""What the gate reads besides the built site, as one typed, frozen object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class GateInputs:
    """The files and the address the rules read; a rule that needs a missing one says so.

    - `content_dir`: the Markdown sources, to point findings at the line typed;
    - `word_list`: the project words of the spelling rule;
    - `jar`: the Nu HTML Checker of the validity rule;
    - `typography_table`: the French rules of the typography rule;
    - `grammar_exceptions`: the phrases the grammar rule allows;
    - `site_url`: the site's public address: links to it are internal;
    - `validity_cache`: where the validity rule keeps the messages of files it checked.
    """

    content_dir: Path | None = None
    word_list: Path | None = None
    jar: Path | None = None
    typography_table: Path | None = None
    grammar_exceptions: Path | None = None
    site_url: str = ""
    validity_cache: Path | None = None

    @property
    def site_netloc(self) -> str:
        """The host (and port) of the public address: resources there are not from another host."""
        return urlsplit(self.site_url).netloc
