"""What the author runs: the live preview, and a new question's file."""

from __future__ import annotations

import datetime
import re
from pathlib import Path


class AuthoringError(Exception):
    """The author's request cannot be done; the message says why."""


def faq_front_matter(faq_dir: Path) -> dict[Path, dict]:
    """Return the front matter of each question file in `faq_dir`."""
    import yaml
    from pelican.plugins.yaml_metadata.yaml_metadata import HEADER_RE

    questions = {}
    for path in sorted(faq_dir.glob("*.md")):
        try:
            match = HEADER_RE.fullmatch(path.read_text(encoding="utf-8-sig"))
            metadata = yaml.safe_load(match.group("metadata")) if match else None
        except (UnicodeDecodeError, yaml.YAMLError) as error:
            raise AuthoringError(
                f"{path} cannot be read ({type(error).__name__}): fix it first; "
                "./run build names the problem"
            ) from None
        questions[path] = metadata if isinstance(metadata, dict) else {}
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
    for other, metadata in questions.items():
        if metadata.get("anchor") == anchor:
            raise AuthoringError(
                f"{other} already has the anchor {anchor!r} ({metadata.get('title')!r}): "
                "edit that question, or word the new one differently"
            )
    positions = [
        metadata["position"]
        for metadata in questions.values()
        if isinstance(metadata.get("position"), int)
    ]
    position = max(positions, default=0) + 1
    path = faq_dir / f"{position:02d}-{anchor}.md"
    if path.exists():
        raise AuthoringError(f"{path} exists already")
    faq_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        faq_file_text(question, position, anchor, datetime.date.today()), encoding="utf-8"
    )
    return path
