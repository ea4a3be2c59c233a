"""Pathological answers: the time each step of the build takes on each shape.

Run: uv run --group dev python tests/benchmarks/pathological.py [--limit 10]
(also run by `./run bench`). Each shape is the whole answer of one question:
a 1 MB answer of ordinary French, then inputs that make a careless parser or
regular expression quadratic or recursive. Each step runs alone, in a fresh
process stopped after --limit seconds:

  markdown      Python-Markdown with the site's extensions, typography left out
  typography    the typography pass (cimw.typography.french) on that HTML
  typo (raw)    the same pass on the shape itself, as raw HTML
  placeholders  the placeholders plugin's brace check on the file's text
  JSON-LD text  the SEO plugin's text of the answer for the structured data
  build         a whole site of that one question, as `./run build` builds it

It prints seconds, "> LIMIT" for a step stopped, or the exception that ended it.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from sites import REPO
from synthetic import paragraph

STEPS = ["markdown", "typography", "typo (raw)", "placeholders", "JSON-LD text", "build"]


def megabyte_answer() -> str:
    rng = random.Random(1)
    blocks: list[str] = []
    while sum(len(block) + 2 for block in blocks) < 1_000_000:
        blocks.append(paragraph(rng, 80))
    return "\n\n".join(blocks)


def shapes() -> dict[str, str]:
    """Each shape: a name, and the answer's Markdown text."""
    many = 50_000
    return {
        "1 MB of French": megabyte_answer(),
        "a word of 200,000 letters": "a" * 200_000,
        "20,000 short paragraphs": "\n\n".join(["Un paragraphe court."] * 20_000),
        **{f"{many:,} × {mark}": "x " + mark * many for mark in ["*", "[", "<", "&", '"', "`"]},
        f"{many:,} × _a": "x " + "_a" * many,
        "100,000 spaces before ?": "Vraiment" + " " * 100_000 + "?",
        "a list nested 500 deep": "\n".join(" " * (4 * depth) + "- item" for depth in range(500)),
    }


QUESTION = """---
title: "Une question ?"
position: 1
anchor: une-question
summary: "En bref."
reviewed: 2026-11-26
---

"""

# Each step: Python run in a fresh process, with the answer's text in ANSWER,
# the HTML of the markdown step in HTML, and the site's plugins importable;
# (what it prepares, untimed; what is timed).
SETUP = """
import sys, time
sys.path[:0] = [{repo!r}, {plugins!r}]
ANSWER = open({answer!r}, encoding="utf-8").read()
HTML_FILE = {html!r}
SITE = {site!r}
import markdown, pelicanconf
"""
STEP_CODE = {
    "markdown": (
        "extensions = dict(pelicanconf.MARKDOWN['extension_configs'])\n"
        "extensions.pop('cimw.typography')\n"
        "md = markdown.Markdown(extensions=list(extensions), extension_configs=extensions,\n"
        "                       output_format='html5')",
        "html = md.convert(ANSWER)\nopen(HTML_FILE, 'w', encoding='utf-8').write(html)",
    ),
    "typography": (
        "from cimw.typography import french\nHTML = open(HTML_FILE, encoding='utf-8').read()",
        "french(HTML)",
    ),
    "typo (raw)": ("from cimw.typography import french", "french(ANSWER)"),
    "placeholders": (
        "from cimw import placeholders\nfrom cimw.facts import parse_facts\n"
        "known = placeholders.catalogue(parse_facts(vars(pelicanconf)))",
        "placeholders.placeholder_problems(ANSWER, known)",
    ),
    "JSON-LD text": (
        "from cimw.seo import answer_text\nHTML = open(HTML_FILE, encoding='utf-8').read()",
        "answer_text(HTML)",
    ),
    "build": (
        "import project",
        "project.build(project.DEV_SETTINGS, {'PATH': SITE + '/content',\n"
        "    'OUTPUT_PATH': SITE + '/output', 'CACHE_PATH': SITE + '/cache'})",
    ),
}
# The steps that need the HTML the markdown step wrote.
NEEDS_HTML = {"typography", "JSON-LD text"}
TIMED = """
{prepare}
print("ready", flush=True)
started = time.process_time()
{timed}
print(time.process_time() - started)
"""


def run_step(step: str, site: Path, limit: float) -> str:
    """The step's CPU seconds, "> limit", or the error that stopped it."""
    html = site / "answer.html"
    if step in NEEDS_HTML and not html.is_file():
        return "(no HTML)"
    code = SETUP.format(
        repo=str(REPO),
        plugins=str(REPO / "plugins"),
        answer=str(site / "answer.md"),
        html=str(html),
        site=str(site),
    )
    prepare, timed = STEP_CODE[step]
    code += TIMED.format(prepare=prepare, timed=timed)
    with subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,  # unbuffered: reading "ready" leaves the rest to communicate()
    ) as process:
        assert process.stdout is not None
        process.stdout.readline()  # "ready": the imports and set-up are done
        try:
            raw_out, raw_errors = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return f"> {limit:g}"
    out, errors = raw_out.decode(), raw_errors.decode(errors="replace")
    if process.returncode != 0:
        if "RecursionError" in errors:
            return "RecursionError"
        if "BuildError" in errors:
            return "refused: " + errors.strip().splitlines()[-1].split(": ", 2)[-1][:60]
        return (errors.strip().splitlines() or ["?"])[-1][:60]
    return f"{float(out.strip().splitlines()[-1]):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=10, help="seconds before a step is stopped")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps to run")
    parser.add_argument("--shapes", type=int, default=0, help="only the first N answers (0: all)")
    args = parser.parse_args()
    steps = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        parser.error(f"unknown step {', '.join(unknown)}; steps: {', '.join(STEPS)}")
    print(f"Pathological answers: CPU seconds of each step, stopped after {args.limit:g} s\n")
    print("| answer | " + " | ".join(steps) + " |")
    print("| --- " * (len(steps) + 1) + "|")
    with tempfile.TemporaryDirectory() as scratch:
        answers = list(shapes().items())
        for name, text in answers[: args.shapes or len(answers)]:
            site = Path(scratch) / f"site-{len(os.listdir(scratch))}"
            faq = site / "content" / "faq"
            faq.mkdir(parents=True, exist_ok=True)
            (site / "content" / "pages").mkdir(exist_ok=True)
            for page in (REPO / "content" / "pages").glob("*.md"):
                (site / "content" / "pages" / page.name).write_bytes(page.read_bytes())
            (site / "answer.md").write_text(text, encoding="utf-8")
            (faq / "01-une-question.md").write_text(QUESTION + text + "\n", encoding="utf-8")
            cells = [run_step(step, site, args.limit) for step in steps]
            print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    print(
        textwrap.dedent(
            """
            A step that is linear takes well under a second on each shape; one
            stopped at the limit is quadratic or worse there.
            """
        ).strip()
    )
    return 0


if __name__ == "__main__":
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.exit(main())
