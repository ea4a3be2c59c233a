"""The quality gate's time on the real site: each rule, `invoke check`, and Grammalecte.

Run: uv run invoke bench (after the build and live reload tables), or
uv run python tests/benchmarks/check_speed.py --rounds 5.

Three tables, seconds of wall time, median (min–max):
1. each rule on the real site, read from disk each time, as a first check (no
   vnu messages kept), validity again with every file's messages kept, then
   the fast rules (`serve` runs them after every rebuild) and every rule;
2. `invoke check` in a fresh process, as `./run check` runs it (vnu's messages
   kept from the runs before): build and every rule, and the same without the
   grammar rule, run in turn. Target: under 10 s;
3. the ways to run Grammalecte on the site's blocks: the rule's own (a
   process of Debian's Python, sitecheck/grammalecte_worker.py), Debian's
   grammalecte-cli with JSON output, and the module imported into this
   Python, on its first call and warm.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.machinery
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sites import REPO

from project import build as pelican_build
from project import gate_inputs
from sitecheck import FAST_RULES, RULES, Site, check_site
from sitecheck.grammar import OPTIONS_OFF, RULES_OFF, grammalecte_errors, page_blocks

DIST_PACKAGES = "/usr/lib/python3/dist-packages"


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f})"


def timed(action, rounds: int) -> str:
    return timed_in_turn([action], rounds)[0]


def timed_in_turn(actions: list, rounds: int) -> list[str]:
    """Time each action `rounds` times, in turn, so that a busy spell of the machine hits all."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(rounds):
        for action, spent in zip(actions, times, strict=True):
            start = time.perf_counter()
            action()
            spent.append(time.perf_counter() - start)
    return [summary(spent) for spent in times]


def rule_table(output: Path, rounds: int) -> list[str]:
    # A first check: vnu given every file, none kept from an earlier check.
    first = dataclasses.replace(gate_inputs(), validity_cache=None)

    def run(rules, inputs=first):
        return lambda: check_site(output, rules, inputs)

    lines = ["| rules | seconds |", "| --- | --- |"]
    for rule in RULES:
        lines.append(f"| {rule} | {timed(run((rule,)), rounds)} |")
    with tempfile.TemporaryDirectory() as cache:
        kept = dataclasses.replace(first, validity_cache=Path(cache))
        run(("validity",), kept)()  # keeps vnu's messages for each file
        again = timed(run(("validity",), kept), rounds)
        lines.append(f"| validity, every file checked before (vnu's messages kept) | {again} |")
    lines.append(f"| fast rules ({', '.join(FAST_RULES)}) | {timed(run(FAST_RULES), rounds)} |")
    lines.append(f"| every rule | {timed(run(RULES), rounds)} |")
    return lines


def check_table(rounds: int) -> list[str]:
    def run(*args):
        command = [sys.executable, "-m", "invoke", "check", *args]
        return lambda: subprocess.run(command, cwd=REPO, capture_output=True, check=False)

    without = ",".join(rule for rule in RULES if rule != "grammar")
    every, but_grammar = timed_in_turn([run(), run("--rules", without)], rounds)
    return [
        "| `invoke check` | seconds |",
        "| --- | --- |",
        f"| build and every rule | {every} |",
        f"| build and every rule but grammar | {but_grammar} |",
    ]


def grammalecte_table(output: Path, rounds: int) -> list[str]:
    blocks = sorted({b.text for page in Site(output).pages.values() for b in page_blocks(page)})

    def check_blocks():
        grammalecte_errors(blocks)

    lines = [
        f"| Grammalecte on the site's {len(blocks)} distinct blocks | seconds |",
        "| --- | --- |",
        f"| Debian's Python, one process (the rule) | {timed(check_blocks, rounds)} |",
    ]
    cli = shutil.which("grammalecte-cli")
    if cli:
        with tempfile.TemporaryDirectory() as scratch:
            paragraphs = Path(scratch) / "blocks.txt"
            paragraphs.write_text("\n".join(blocks) + "\n", encoding="utf-8")
            command = [cli, "-f", str(paragraphs), "-j", "-off", *OPTIONS_OFF, "-roff", *RULES_OFF]
            run = lambda: subprocess.run(command, capture_output=True, check=True)  # noqa: E731
            lines.append(f"| grammalecte-cli, JSON output | {timed(run, rounds)} |")
    else:
        lines.append("| grammalecte-cli, JSON output | not installed (grammalecte-cli) |")

    spec = importlib.machinery.PathFinder.find_spec("grammalecte", [DIST_PACKAGES])
    if spec is None or spec.loader is None:
        lines.append("| imported into this Python | python3-grammalecte not installed |")
        return lines
    start = time.perf_counter()
    module = importlib.util.module_from_spec(spec)
    sys.modules["grammalecte"] = module
    spec.loader.exec_module(module)
    engine = module.GrammarChecker("fr").getGCEngine()
    engine.setOptions({option: False for option in OPTIONS_OFF})
    for rule in RULES_OFF:
        engine.ignoreRule(rule)
    for text in blocks:
        list(engine.parse(text, "FR"))
    first = time.perf_counter() - start
    warm = timed(lambda: [list(engine.parse(text, "FR")) for text in blocks], rounds)
    lines.append(f"| imported into this Python, first call (load and check) | {first:.2f} |")
    lines.append(f"| imported into this Python, warm | {warm} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "output"
        pelican_build(
            REPO / "pelicanconf.py",
            {"OUTPUT_PATH": str(output), "CACHE_PATH": str(Path(scratch) / "cache")},
        )
        print("\n".join(rule_table(output, rounds)), end="\n\n")
        print("\n".join(check_table(rounds)), end="\n\n")
        print("\n".join(grammalecte_table(output, rounds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
