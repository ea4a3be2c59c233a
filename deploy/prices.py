"""A price and its date: the amounts each question shows, and when it was last reviewed.

Read from the built home page: each question is a `section` named by its
anchor (its `id`, or the `id` of the heading it is labelled by); its prices
are the amounts in euros of its text, and its "Mis à jour le …" line is its
`reviewed` date. The record (`.prices.json`, a dotfile the `.htaccess` never
serves) goes with each release, and a publish whose question shows other
prices than the live release's, under the same `reviewed` date, is refused:
the date tells visitors when the prices were checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from bs4 import BeautifulSoup, Tag

PRICES = ".prices.json"
HOME_PAGE = "index.html"
# An amount as the typography writes it: 300 €, 1 500 € (any space), 12,50 €.
AMOUNT_RE = re.compile(r"\d(?:[\d.,]|\s(?=\d))*\s*€")
REVIEWED_RE = re.compile(r"Mis à jour le\s+(.+)", re.S)
FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


@dataclass(frozen=True)
class QuestionPrices:
    """What one question shows: its amounts in page order, its reviewed date, its file."""

    amounts: tuple[str, ...]
    reviewed: str
    source: str


PriceRecord = dict[str, QuestionPrices]


def normal_amount(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("€", " €")).strip()


def question_sections(soup: BeautifulSoup) -> Iterable[tuple[str, Tag]]:
    """Each question's anchor and section on the home page."""
    for section in soup.select("main section"):
        anchor = section.get("id") or section.get("aria-labelledby")
        if not anchor:
            heading = section.select_one("h2[id]")
            anchor = heading.get("id") if heading else None
        if isinstance(anchor, str) and anchor:
            yield anchor, section


def shown_reviewed(section: Tag) -> str:
    """The date of the "Mis à jour le …" line: its <time datetime>, else its words."""
    for block in section.find_all(["p", "div", "footer"]):
        words = block.get_text(" ", strip=True)
        found = REVIEWED_RE.match(words)
        if found:
            time = block.find("time")
            stamp = time.get("datetime") if isinstance(time, Tag) else None
            return stamp if isinstance(stamp, str) and stamp else found.group(1)
    return ""


def shown_amounts(section: Tag) -> tuple[str, ...]:
    """The amounts in euros of a section, each text node read on its own."""
    return tuple(
        normal_amount(match.group())
        for text in section.find_all(string=True)
        for match in AMOUNT_RE.finditer(str(text))
    )


def front_matter(path: Path) -> dict[str, object]:
    found = FRONT_MATTER_RE.match(path.read_text(encoding="utf-8"))
    try:
        fields = yaml.safe_load(found.group(1)) if found else None
    except yaml.YAMLError:
        return {}
    return fields if isinstance(fields, dict) else {}


def question_files(faq_folders: Iterable[Path], root: Path) -> dict[str, tuple[str, str]]:
    """Each anchor's question file (relative to `root`) and the `reviewed` it states."""
    files: dict[str, tuple[str, str]] = {}
    for folder in faq_folders:
        for path in sorted(folder.glob("*.md")):
            fields = front_matter(path)
            anchor = fields.get("anchor")
            if isinstance(anchor, str):
                shown = path.relative_to(root) if path.is_relative_to(root) else path
                files[anchor] = (shown.as_posix(), str(fields.get("reviewed", "")))
    return files


def price_record(home_page: str, files: dict[str, tuple[str, str]]) -> PriceRecord:
    """Each question's amounts and reviewed date, from the home page's HTML."""
    record: PriceRecord = {}
    for anchor, section in question_sections(BeautifulSoup(home_page, "html.parser")):
        source, stated = files.get(anchor, (f"the question #{anchor}", ""))
        reviewed = shown_reviewed(section) or stated
        record[anchor] = QuestionPrices(shown_amounts(section), reviewed, source)
    return record


def record_text(record: PriceRecord) -> str:
    data = {anchor: asdict(q) for anchor, q in sorted(record.items())}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def parse_record(text: str) -> PriceRecord | None:
    """A record read back; None if it is not one (written by another version, or damaged)."""
    try:
        data = json.loads(text)
        return {
            str(anchor): QuestionPrices(
                tuple(str(a) for a in q["amounts"]), str(q["reviewed"]), str(q["source"])
            )
            for anchor, q in data.items()
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def write_record(output: Path, faq_folders: Iterable[Path], root: Path) -> PriceRecord:
    """Record the built home page's prices in the build, beside its pages."""
    home = output / HOME_PAGE
    html = home.read_text(encoding="utf-8") if home.is_file() else ""
    record = price_record(html, question_files(faq_folders, root))
    (output / PRICES).write_text(record_text(record), encoding="utf-8")
    return record


def unreviewed_changes(live: PriceRecord, new: PriceRecord) -> list[str]:
    """Each question whose prices changed while its `reviewed` date did not."""
    problems = []
    for anchor, question in sorted(new.items(), key=lambda item: item[1].source):
        before = live.get(anchor)
        if before and before.amounts != question.amounts and before.reviewed == question.reviewed:
            was = ", ".join(before.amounts) or "no amount"
            now = ", ".join(question.amounts) or "no amount"
            problems.append(
                f"{question.source}: the prices shown changed ({was} → {now}) but `reviewed` "
                f"is still {question.reviewed or 'unset'}: set `reviewed` to the day you "
                "checked them"
            )
    return problems
