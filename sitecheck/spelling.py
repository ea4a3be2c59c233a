"""French spelling with hunspell, on the visible text of every page."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from .core import Finding, Page

DICTIONARY = "fr_FR"
# Not words: addresses, URLs, domain names, numbers with units, and character
# references left in the text (the entities rule reports a broken one).
NOT_WORDS_RE = re.compile(
    r"\S+@\S+|https?://\S+|\w[\w-]*(?:\.[\w-]+)+\w|\S*\d\S*|&[A-Za-z][A-Za-z0-9]*;?"
)
WORD_RE_TEMPLATE = r"(?<![\w\u2019'-]){}(?![\w\u2019'-])"


class SpellingUnavailable(RuntimeError):  # noqa: N818, RUF100 (named for the state)
    """hunspell or its French dictionary is not installed."""


def hunspell_command(word_list: Path | None, dictionary: str = DICTIONARY) -> list[str]:
    hunspell = shutil.which("hunspell")
    if hunspell is None:
        raise SpellingUnavailable("hunspell is not installed: apt-get install hunspell hunspell-fr")
    command = [hunspell, "-d", dictionary, "-i", "utf-8", "-l"]
    if word_list is not None:
        command += ["-p", str(word_list)]
    return command


# A word as hunspell sees it: letters, with the apostrophes and hyphens inside it.
WORD_RE = re.compile(r"[^\W\d_](?:[\w\u2019'-]*[^\W\d_])?")


def misspelled(
    texts: list[str], word_list: Path | None = None, dictionary: str = DICTIONARY
) -> set[str]:
    """Return the words of `texts` that hunspell does not know.

    hunspell gets each distinct word once, one a line: a site says the same
    words again and again.
    """
    words = set()
    for text in texts:
        # hunspell reads the typographic apostrophe as a word character: give it ASCII.
        words.update(WORD_RE.findall(NOT_WORDS_RE.sub(" ", text).replace("\u2019", "'")))
    prose = "\n".join(sorted(words))
    result = subprocess.run(
        hunspell_command(word_list, dictionary),
        input=prose,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or "Can't open affix or dictionary" in result.stderr:
        raise SpellingUnavailable(
            f"hunspell cannot use the {dictionary} dictionary ({result.stderr.strip()}): "
            "apt-get install hunspell-fr"
        )
    # hunspell keeps a final full stop on unknown words (it tries abbreviations).
    return {word.rstrip(".") for word in result.stdout.split() if word.rstrip(".")}


def check_spelling(pages: list[Page], word_list: Path | None = None) -> Iterator[Finding]:
    """Flag each word hunspell does not know, at each place it appears."""
    texts = {page.name: list(page.text_nodes()) + list(page.head_texts()) for page in pages}
    unknown = misspelled([text for nodes in texts.values() for text, _ in nodes], word_list)
    for word in sorted(unknown):
        pattern = re.compile(WORD_RE_TEMPLATE.format(re.escape(word).replace("'", "['\u2019]")))
        for name, nodes in texts.items():
            lines = sorted({line for text, line in nodes if pattern.search(text)})
            for line in lines:
                yield Finding(
                    name,
                    line,
                    "spelling",
                    f"“{word}” is not in the French dictionary nor in the project word list",
                    word,
                )
