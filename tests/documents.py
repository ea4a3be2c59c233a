"""Reading the README and docs/ as a reader's Markdown renderer would: commands, names, tables.

Pure functions over a document's text, so that each check can be shown on a
small snippet that must pass and one that must fail.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from invoke import Collection
from support import REPO

import tasks

DOCUMENTS = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))
COMMAND_RE = re.compile(r"(?:\./run|uv run(?: --no-dev)? invoke)\s+(?P<rest>.*)")
TASK_RE = re.compile(r"[a-z][a-z-]*")
# A setting, an environment variable or a constant: SITE_PUBLIC_URL, UV_NATIVE_TLS.
UPPER_SNAKE_RE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w-])")
CODE_SPAN_RE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
FENCE_RE = re.compile(r"^\s*```")
LINK_RE = re.compile(
    r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)|!\[[^\]\n]*\]\(([^)\s]+)\)|<img src=\"([^\"]+)\""
)


def relative(path: Path) -> str:
    return path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, with their numbers from 1."""
    lines, fenced = [], False
    for number, line in enumerate(text.split("\n"), start=1):
        if FENCE_RE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Each fenced code block: its info string (sh, yaml, or empty) and its lines."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in text.split("\n"):
        if FENCE_RE.match(line):
            if current is None:
                current = []
                blocks.append((line.strip().strip("`"), current))
            else:
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def commands(text: str) -> list[list[str]]:
    """Every task command the text shows, in a sh block or a code span, as arguments."""
    snippets = [line for info, lines in code_blocks(text) if info == "sh" for line in lines]
    snippets += CODE_SPAN_RE.findall(text)
    found: list[list[str]] = []
    for snippet in snippets:
        match = COMMAND_RE.fullmatch(snippet.strip())
        if match:
            arguments = shlex.split(match.group("rest"), comments=True)
            if arguments and TASK_RE.fullmatch(arguments[0]) and arguments not in found:
                found.append(arguments)
    return found


def code_spans(text: str) -> list[str]:
    return [span for _, line in prose_lines(text) for span in CODE_SPAN_RE.findall(line)]


def upper_snake_names(text: str) -> set[str]:
    """Every UPPER_SNAKE name the text writes, in prose, tables or code."""
    return set(UPPER_SNAKE_RE.findall(text))


def setting_names(text: str) -> set[str]:
    """The UPPER_SNAKE names, and the upper-case names written in code (`CLIENTS`)."""
    spans = {span for span in CODE_SPAN_RE.findall(text) if re.fullmatch(r"[A-Z][A-Z0-9_]+", span)}
    return upper_snake_names(text) | spans


def cells(row: str) -> list[str]:
    """A table row's cells as GitHub splits them: on every pipe not escaped, code spans too."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


def tables(text: str) -> list[list[tuple[int, str]]]:
    """Each table outside code blocks: its lines with their numbers, up to the next blank line."""
    found: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] | None = None
    previous_number = 0
    for number, line in prose_lines(text):
        contiguous = number == previous_number + 1
        previous_number = number
        if current is not None and contiguous and line.strip():
            current.append((number, line))
            continue
        current = None
        if line.lstrip().startswith("|"):
            current = [(number, line)]
            found.append(current)
    return found


def table_problems(text: str, name: str) -> list[str]:
    """Why a table would not render as written: each problem as 'file:line: what'."""
    problems = []
    lines = text.split("\n")
    for table in tables(text):
        first, header = table[0]
        if first > 1 and lines[first - 2].strip():
            problems.append(f"{name}:{first}: a table must follow a blank line")
        width = len(cells(header))
        if len(table) < 2 or not re.fullmatch(r"\|?(\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?", table[1][1]):
            problems.append(f"{name}:{first}: the header is not followed by a row of ---")
            continue
        for number, row in table[1:]:
            if not row.lstrip().startswith("|"):
                problems.append(
                    f"{name}:{number}: a line that is not a row breaks the table "
                    f"(leave a blank line after the table): {row[:60]!r}"
                )
            elif len(cells(row)) != width:
                problems.append(
                    f"{name}:{number}: {len(cells(row))} cells, the header has {width} "
                    "(a | inside a cell, even in code, splits it: write \\|)"
                )
    return problems


def table_rows(text: str, first_header: str) -> list[list[str]]:
    """The body rows of every table whose first header cell is `first_header`."""
    rows = []
    for table in tables(text):
        if cells(table[0][1])[0] == first_header:
            rows += [cells(row) for _, row in table[2:]]
    return rows


def names_in(cell: str) -> list[str]:
    """The names written in code in a table cell: `A`, `B` -> ['A', 'B']."""
    return CODE_SPAN_RE.findall(cell)


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    words = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return words.replace(" ", "-")


def anchors(text: str) -> set[str]:
    return {
        github_anchor(line.lstrip("#"))
        for _, line in prose_lines(text)
        if re.match(r"#{1,6} ", line)
    }


def section(text: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, re.M)
    if match is None:
        raise AssertionError(f"no heading {heading!r}")
    level = len(match.group(1))
    rest = text[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.M)
    return rest[: end.start()] if end else rest


def link_problems(path: Path, text: str) -> list[str]:
    """Links to files that do not exist, or to headings their file does not have."""
    problems = []
    for number, line in prose_lines(text):
        for groups in LINK_RE.findall(line):
            target = next(g for g in groups if g)
            if re.match(r"[a-z]+:", target):
                continue
            file_part, _, fragment = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = f"{relative(path)}:{number}: {target}"
            if not linked.exists():
                problems.append(f"{where}: no such file")
            elif fragment and fragment not in anchors(linked.read_text(encoding="utf-8")):
                problems.append(f"{where}: no heading #{fragment} in {linked.name}")
    return problems


def assigned_names(path: Path) -> set[str]:
    """The names a settings file assigns at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def string_constants(path: Path) -> set[str]:
    """The UPPER_SNAKE strings a module reads, such as the environment variables it looks up."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and UPPER_SNAKE_RE.fullmatch(node.value)
    }


def task_flags() -> dict[str, set[str]]:
    """Each task of tasks.py and its long flags, as `./run TASK --help` shows them."""
    collection = Collection.from_module(tasks)
    return {
        name: {
            f"--{argument.names[0]}"
            for argument in collection[name].get_arguments()
            if not argument.positional
        }
        for name in collection.task_names
    }
