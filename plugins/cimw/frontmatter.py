"""Front matter: the YAML header of a Markdown file, read into a validated question or page.

`read_front_matter(path, text, kind)` is the one parser of front matter: the
build's reader, `new-faq` and the tests use it. It returns the header as a
`Question` or a `PageHeader` (pydantic models, frozen and strict) with the
body and the line where the body starts, or raises `FrontMatterError` whose
message lists every problem of the file as `path:line: field: what is
wrong`, the line being the one the field is set on (YAML's own marks):

- a file that does not start with a `---` line, or whose header is not
  closed; Windows line endings and a byte-order mark are read as usual;
- YAML that cannot be parsed (a quote or bracket left open is reported on
  the line where it opens), a YAML alias (`*name`, refused: a line of them
  can expand to gigabytes), a field name that is not text, a field written
  twice in any case (`title:` and `Title:`), a value YAML cannot construct
  (`2026-02-30`, `!!int abc`);
- a missing, unknown or wrong field: a list where text is expected, `yes`
  or `1e400` where a summary belongs, a position that is not a whole number,
  an anchor that is not a slug or that the theme uses itself, an unknown
  status, a template not meant for pages, a `save_as` that is not a path to
  an HTML file inside the site.

Nothing is rendered before it is checked.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
)

from cimw.facts import THEME_IDS

# libyaml's parser when PyYAML has it: several times faster than the pure-Python one.
LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TAG_RE = re.compile(r"<[^<>]*>")
SAVE_AS_RE = re.compile(r"(?:[a-z0-9][a-z0-9_-]*/)*[a-z0-9][a-z0-9_-]*\.html")
FENCE = "---"
TITLE_MAX = 300
SUMMARY_MAX = 1000
# Pelican's own statuses: shown, kept out of the sitemap and menus, or not built.
STATUSES = ("published", "hidden", "draft")
# The theme's templates meant for pages (theme/templates/<name>.html).
PAGE_TEMPLATES = ("page", "home", "contact", "legal-notice", "privacy", "error")
Kind = Literal["question", "page"]


class FrontMatterError(Exception):
    """Front matter that cannot be read or does not match its schema; every problem listed."""


def has_text(value: str) -> str:
    if not TAG_RE.sub("", value).strip():
        raise ValueError("empty")
    return value


def slug(value: str) -> str:
    if not SLUG_RE.fullmatch(value):
        raise ValueError("not a slug")
    if value in THEME_IDS:
        raise ValueError(f"{value!r} is an id the theme uses itself")
    return value


def a_date(value: object) -> datetime.date:
    # YAML reads 2026-11-26 as a date, and 2026-11-26 10:00 as a datetime.
    if type(value) is not datetime.date:
        raise ValueError("not a date")
    return value


Title = Annotated[StrictStr, AfterValidator(has_text), Field(max_length=TITLE_MAX)]
Summary = Annotated[StrictStr, AfterValidator(has_text), Field(max_length=SUMMARY_MAX)]
Reviewed = Annotated[Any, AfterValidator(a_date)]
Anchor = Annotated[StrictStr, AfterValidator(slug)]

# What each field must be, as the messages say it.
EXPECTED = {
    "title": f"the question or the page title, a non-empty text of at most {TITLE_MAX} characters",
    "position": "a whole number from 1 (the order on the page)",
    "anchor": "a slug of lowercase letters, digits and hyphens, not one of the theme's ids "
    f"({', '.join(sorted(THEME_IDS))})",
    "summary": f"a one- or two-sentence text of at most {SUMMARY_MAX} characters",
    "reviewed": "the date of the last review, as YYYY-MM-DD",
    "status": "one of " + ", ".join(STATUSES),
    "template": "one of the page templates " + ", ".join(PAGE_TEMPLATES),
    "save_as": "the path of an HTML file inside the site, such as 'contact.html'",
    "url": "the page's address inside the site, such as 'contact.html'",
    "slug": "a slug of lowercase letters, digits and hyphens",
}
QUESTION_EXPECTED = {
    **EXPECTED,
    "title": f"the question, a non-empty text of at most {TITLE_MAX} characters",
    "summary": f"a one- or two-sentence answer in short, at most {SUMMARY_MAX} characters",
}


class Question(BaseModel):
    """One question of the FAQ, as its front matter states it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Title
    position: Annotated[StrictInt, Field(ge=1, le=10_000)]
    anchor: Anchor
    summary: Summary
    reviewed: Reviewed
    status: Literal["published", "hidden", "draft"] = "published"


class PageHeader(BaseModel):
    """A page's front matter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Title
    summary: Summary
    reviewed: Reviewed
    status: Literal["published", "hidden", "draft"] = "published"
    template: Literal["page", "home", "contact", "legal-notice", "privacy", "error"] = "page"
    save_as: Annotated[StrictStr, Field(pattern=f"^{SAVE_AS_RE.pattern}$")] | None = None
    url: Annotated[StrictStr, Field(pattern=r"^(?:[a-z0-9][a-z0-9_./-]*)?$")] | None = None
    slug: Annotated[StrictStr, Field(pattern=f"^{SLUG_RE.pattern}$")] | None = None


@dataclass(frozen=True)
class FrontMatter:
    """A file's validated header, its body, and where each field and the body are."""

    header: Question | PageHeader
    body: str
    body_line: int  # the file's line where the body starts
    lines: dict[str, int]  # field name -> the file's line


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def normalized(text: str) -> str:
    """The text with Windows or old Mac line endings read as newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str) -> tuple[str, str, int] | Problem:
    """The YAML of the header, the body and the body's first line; or why there is no header."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        return Problem(
            1,
            "no YAML front matter; the file must start with a line '---', then the fields, "
            "then a line '---'",
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in (FENCE, "..."):
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    return Problem(1, "the front matter opened on this line is never closed by a line '---'")


# What YAML reports in its context when something opened is never closed.
OPENED = {"quoted scalar": "the quote", "flow sequence": "the [", "flow mapping": "the {"}


def yaml_problem(error: yaml.YAMLError, first_line: int, source: str) -> Problem:
    """Where a YAML error is, in the file, and what it is."""
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).split("\n")[0]
    context = getattr(error, "context", None) or ""
    line = mark.line if mark else 0
    message = f"front matter is not valid YAML: {problem}"
    for construct, opener in OPENED.items():
        if context_mark is not None and construct in context:
            line = context_mark.line
            message = (
                "front matter is not valid YAML: "
                f"{opener} opened on this line is never closed ({problem})"
            )
    text_line = [*source.split("\n"), ""][min(line, source.count("\n"))]
    if "{" in text_line:
        message += '; a value with a placeholder must be in quotes: title: "… {{ name }} …"'
    elif "*" in text_line or "&" in text_line:
        message += "; a value that starts with * or & must be in quotes"
    return Problem(first_line + line, message)


def fields(source: str, first_line: int) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """Each field's value and line, from the YAML of a header; or the problems found."""
    try:
        aliases = [  # an alias is written *name: without a *, there is none to look for
            token.start_mark.line
            for token in (yaml.scan(source, Loader=LOADER) if "*" in source else ())
            if isinstance(token, yaml.AliasToken)
        ]
        if aliases:
            return (
                {},
                {},
                [
                    Problem(
                        first_line + aliases[0],
                        "front matter uses a YAML alias (*name); expected each value written out",
                    )
                ],
            )
        root = yaml.compose(source, Loader=LOADER)
    except yaml.YAMLError as error:
        return {}, {}, [yaml_problem(error, first_line, source)]
    if root is None:
        return {}, {}, []
    if not isinstance(root, yaml.MappingNode):
        return {}, {}, [Problem(first_line, "front matter must be 'field: value' lines")]
    return mapping_fields(root, first_line)


def mapping_fields(
    root: yaml.MappingNode, first_line: int
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    constructor = yaml.constructor.SafeConstructor()
    for key_node, value_node in root.value:
        line = first_line + key_node.start_mark.line
        if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"):
            problems.append(
                Problem(line, f"{key_node.value}: a field name must be text, such as title")
            )
            continue
        name = key_node.value
        if name.casefold() in seen:
            problems.append(
                Problem(
                    line,
                    f"{name}: set twice (also on line {seen[name.casefold()]}); "
                    "expected each field once",
                )
            )
            continue
        seen[name.casefold()] = line
        try:
            values[name] = constructor.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
            reason = getattr(error, "problem", None) or str(error)
            problems.append(
                Problem(
                    first_line + value_node.start_mark.line, f"{name}: not a valid value: {reason}"
                )
            )
            continue
        lines[name] = first_line + value_node.start_mark.line
    return values, lines, problems


def schema_problems(
    error: ValidationError,
    values: dict[str, Any],
    lines: dict[str, int],
    kind: Kind,
    header_line: int,
) -> list[Problem]:
    expected = QUESTION_EXPECTED if kind == "question" else EXPECTED
    allowed = (Question if kind == "question" else PageHeader).model_fields
    problems = []
    reported: set[str] = set()
    for detail in error.errors():
        name = str(detail["loc"][0])
        if name in reported:
            continue
        reported.add(name)
        if detail["type"] == "missing":
            problems.append(Problem(header_line, f"{name}: missing; expected {expected[name]}"))
        elif detail["type"] == "extra_forbidden":
            shown = name if SLUG_RE.fullmatch(name.lower()) else repr(name)
            problems.append(
                Problem(
                    lines.get(name, header_line),
                    f"{shown}: unknown field; expected one of {', '.join(sorted(allowed))}",
                )
            )
        else:
            problems.append(
                Problem(
                    lines.get(name, header_line),
                    f"{name}: expected {expected[name]}, got {shortened(values[name])}",
                )
            )
    return problems


def shortened(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def read_front_matter(path: str, text: str, kind: Kind) -> FrontMatter:
    """Read and validate the front matter of a Markdown file's text; raise every problem at once."""
    text = normalized(text.removeprefix("\ufeff"))
    parts = split(text)
    if isinstance(parts, Problem):
        raise error_of(path, [parts])
    source, body, body_line = parts
    values, lines, problems = fields(source, 2)
    model = Question if kind == "question" else PageHeader
    header = None
    if not problems:
        try:
            header = model.model_validate(values)
        except ValidationError as error:
            problems = schema_problems(error, values, lines, kind, 1)
    if kind == "question" and not TAG_RE.sub("", body).strip():
        problems.append(
            Problem(
                body_line,
                "the answer is empty; expected the answer in Markdown below the front matter",
            )
        )
    if problems or header is None:
        raise error_of(path, problems)
    return FrontMatter(header, body, body_line, lines)


def error_of(path: str, problems: list[Problem]) -> FrontMatterError:
    return FrontMatterError(
        "\n".join(f"{path}:{p.line}: {p.message}" for p in sorted(problems, key=lambda p: p.line))
    )


def raise_problems(problems: list[str], what: str) -> None:
    """Raise one FrontMatterError listing every problem, if there is any."""
    if problems:
        count = len(problems)
        raise FrontMatterError(
            f"{count} problem{'s' if count > 1 else ''} in {what}:\n" + "\n".join(problems)
        )
