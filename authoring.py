"""What the author runs besides the preview (preview.py): a new question's file."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cimw.frontmatter import Question


class AuthoringError(Exception):
    """The author's request cannot be done; the message says why."""


def faq_front_matter(faq_dir: Path) -> dict[Path, Question]:
    """The front matter of each question file in `faq_dir`, read as the build reads it."""
    from cimw.frontmatter import FrontMatterError, Question, read_front_matter

    questions = {}
    for path in sorted(faq_dir.glob("*.md")):
        try:
            front = read_front_matter(str(path), path.read_text(encoding="utf-8-sig"), "question")
        except (UnicodeDecodeError, FrontMatterError) as error:
            raise AuthoringError(
                f"{path} is unfinished or has a problem: fix it first, then add the next "
                f"question:\n{error}"
            ) from None
        assert isinstance(front.header, Question)
        questions[path] = front.header
    return questions


def question_anchor(question: str) -> str:
    """Return the anchor for a question: 'Combien ça coûte ?' -> 'combien-ca-coute'."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    slug = slugify(re.sub(r"['’]", " ", question), DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-")


def faq_file_text(question: str, position: int, anchor: str, reviewed: datetime.date) -> str:
    """The new question's file: its front matter, an empty summary and no answer.

    Nothing in it can be published by mistake: the build refuses the
    question until its summary and its answer are written.
    """
    import yaml

    front_matter = yaml.safe_dump(
        {
            "title": question,
            "position": position,
            "anchor": anchor,
            "summary": "",
            "reviewed": reviewed,
        },
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )
    front_matter = front_matter.replace(
        "summary: ''", "summary: ''  # to write: the answer in one or two sentences"
    )
    return f"---\n{front_matter}---\n\n"


def new_question(question: str, faq_dir: Path) -> Path:
    """Write faq_dir/NN-anchor.md for a new question, with its front matter filled in."""
    question = " ".join(question.split())
    anchor = question_anchor(question)
    if not question or not anchor:
        raise AuthoringError('Give the question, e.g.: ./run new-faq "Combien ça coûte ?"')
    questions = faq_front_matter(faq_dir) if faq_dir.is_dir() else {}
    for other, header in questions.items():
        if header.anchor == anchor:
            raise AuthoringError(
                f"{other} already has the anchor {anchor!r} ({header.title!r}): "
                "edit that question, or word the new one differently"
            )
    position = max((header.position for header in questions.values()), default=0) + 1
    path = faq_dir / f"{position:02d}-{anchor}.md"
    if path.exists():
        raise AuthoringError(f"{path} exists already")
    faq_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        faq_file_text(question, position, anchor, datetime.date.today()), encoding="utf-8"
    )
    return path
