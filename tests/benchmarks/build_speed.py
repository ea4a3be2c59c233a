"""Build speed: this project's pipeline against plain Pelican, on the same Markdown.

Run: uv run invoke bench [--sizes 10,100,1000] [--rounds 3]. For each N, a
synthetic site of N questions and N pages (about 500 words each) is timed in
paired, alternating runs, each in a fresh process:

  a. plain Pelican: default theme, no plugins, no typogrify (every file a page,
     no menu of every page, as on this site);
  b. this project's full pipeline, cold (no cache);
  c. a warm rebuild with the content cache, after one question was edited;
  d. `invoke check` (every rule) on the output of b.

It prints medians with min–max, CPU (user + system) and wall time, the peak
memory of each, and the ratios b/a and c/b (the median of the rounds' ratios).

With --max-ratio LIMIT (CI's guard, `./run bench --sizes 200 --rounds 6
--max-ratio 1.4`), only a and b are timed, at the first size, after one
untimed build of each; it prints each round's CPU times and ratio, and exits 1
when even the best round's ratio is above LIMIT.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sites import REPO
from synthetic import write_site

PYTHON = sys.executable
# Each build is a fresh process: let it keep the bytecode of what it imports, as
# an author's machine does, so that the timings are not those of compiling
# Pelican and its libraries again on every run. Wide lines for the messages.
CHILD_ENV = {
    **{key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"},
    "COLUMNS": "200",
}
PLAIN_SETTINGS = """
PATH = {content!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r}
SITENAME = "Plain"
ARTICLE_PATHS = []
PAGE_PATHS = ["pages", "faq"]
STATIC_PATHS = []
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
PLUGINS = []
TYPOGRIFY = False
DELETE_OUTPUT_DIRECTORY = True
TIMEZONE = "Europe/Paris"
# Like this site, no menu of every page: it would make each page's size grow with N.
DISPLAY_PAGES_ON_MENU = False
# The home page asks for the `home` template: the default theme's page, renamed.
THEME_TEMPLATES_OVERRIDES = [{overrides!r}]
"""
FULL_SETTINGS = """
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *
THEME = {repo!r} + "/theme"
PLUGIN_PATHS = [{repo!r} + "/plugins"]
PATH = {content!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r}
DELETE_OUTPUT_DIRECTORY = {clean!r}
CACHE_CONTENT = {cached!r}
LOAD_CONTENT_CACHE = {cached!r}
"""


class BuildFailed(Exception):
    """A timed command failed; the message holds its output."""


def measure(command: list[str], cwd: Path) -> dict:
    """Run a command; return its wall time, CPU time and peak memory.

    A build that fails stops the benchmark with the build's own messages
    (Pelican logs them on its standard output).
    """
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=CHILD_ENV,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if command[1:3] != ["-m", "invoke"] and process.returncode != 0:
            log.seek(0)
            output = log.read().decode(errors="replace").strip()
            raise BuildFailed(
                f"{shlex.join(command)} failed (exit {process.returncode}):\n{output[-3000:]}"
            )
    # Children of the child (Java, hunspell) are counted by the kernel in its usage.
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def pelican(settings: Path) -> list[str]:
    return [PYTHON, "-m", "pelican", "-s", str(settings), "--fatal", "errors", "-q"]


def touch_one_question(content: Path, round_number: int) -> None:
    question = sorted((content / "faq").glob("*.md"))[0]
    question.write_text(
        question.read_text(encoding="utf-8") + f"\nRelecture numéro {round_number}.\n",
        encoding="utf-8",
    )


def site_settings(count: int, scratch: Path) -> dict[str, Path]:
    """Write the synthetic site of `count` questions and the settings of a, b and c."""
    content = write_site(scratch / f"content-{count}", count)
    overrides = scratch / "plain-templates"
    overrides.mkdir(exist_ok=True)
    (overrides / "home.html").write_text('{% extends "!simple/page.html" %}')
    settings = {}
    for name, template, extra in (
        ("a", PLAIN_SETTINGS, {}),
        ("b", FULL_SETTINGS, {"clean": True, "cached": False}),
        ("c", FULL_SETTINGS, {"clean": False, "cached": True}),
    ):
        path = scratch / f"settings-{name}-{count}.py"
        path.write_text(
            template.format(
                repo=str(REPO),
                content=str(content),
                overrides=str(overrides),
                output=str(scratch / f"out-{name}-{count}"),
                cache=str(scratch / f"cache-{name}-{count}"),
                **extra,
            )
        )
        settings[name] = path
    return settings


def bench_size(count: int, rounds: int, scratch: Path) -> dict:
    settings = site_settings(count, scratch)
    content = scratch / f"content-{count}"
    check = [
        PYTHON,
        "-m",
        "invoke",
        "--search-root",
        str(REPO),
        "check",
        "--path",
        str(scratch / f"out-b-{count}"),
    ]
    measure(pelican(settings["c"]), scratch)  # fills the content cache
    results = {key: [] for key in "abcd"}
    for round_number in range(rounds):
        order = ("a", "b") if round_number % 2 == 0 else ("b", "a")
        for key in order:
            results[key].append(measure(pelican(settings[key]), scratch))
        touch_one_question(content, round_number)
        results["c"].append(measure(pelican(settings["c"]), scratch))
        results["d"].append(measure(check, scratch))
    return results


def summary(runs: list[dict], key: str) -> tuple[float, float, float]:
    values = [run[key] for run in runs]
    return statistics.median(values), min(values), max(values)


def cell(runs: list[dict], key: str) -> str:
    median, low, high = summary(runs, key)
    return f"{median:.2f} ({low:.2f}–{high:.2f})"


def ratio(top: list[dict], bottom: list[dict], key: str) -> str:
    """The median of each round's ratio: a round's runs are back to back, so a load
    that comes and goes weighs on both (a ratio of medians mixes rounds)."""
    return f"{statistics.median(t[key] / b[key] for t, b in zip(top, bottom, strict=True)):.2f}"


def guard(count: int, rounds: int, limit: float, scratch: Path) -> int:
    """Time plain Pelican and the full pipeline in paired rounds; fail above `limit`.

    Each round runs both builds back to back, in alternating order, and takes
    the ratio of their CPU times, so that a load that comes and goes weighs on
    both. The CPU time of the same build varies by a third from one run to the
    next on a shared machine, so the guard fails when even the best round is
    above the limit: a gross regression shows in every round, noise in some.
    """
    settings = site_settings(count, scratch)
    for key in "ab":  # the first builds of a process warm the disk cache
        measure(pelican(settings[key]), scratch)
    print(f"Build speed guard: N = {count}, {rounds} paired rounds, CPU seconds\n")
    print("| round | a plain | b full | b/a |")
    print("| --- | --- | --- | --- |")
    ratios = []
    for round_number in range(rounds):
        order = ("a", "b") if round_number % 2 == 0 else ("b", "a")
        cpu = {key: measure(pelican(settings[key]), scratch)["cpu"] for key in order}
        ratios.append(cpu["b"] / cpu["a"])
        print(f"| {round_number + 1} | {cpu['a']:.2f} | {cpu['b']:.2f} | {ratios[-1]:.2f} |")
    return verdict(ratios, limit)


def verdict(ratios: list[float], limit: float) -> int:
    """Print the best and the median round; 1 when even the best round is above `limit`."""
    best, median = min(ratios), statistics.median(ratios)
    within = best <= limit
    print(
        f"\nb/a CPU: best round {best:.2f} (median {median:.2f}), "
        f"{'within' if within else 'ABOVE'} the limit {limit}"
    )
    return 0 if within else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--max-ratio",
        type=float,
        help="only time a and b at the first size, and exit 1 if even the best round's "
        "b/a CPU is above",
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        try:
            if args.max_ratio is not None:
                return guard(sizes[0], args.rounds, args.max_ratio, Path(scratch))
            print(
                f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
                f"{platform.python_version()}; {args.rounds} rounds; seconds, median (min–max)\n"
            )
            table = {n: bench_size(n, args.rounds, Path(scratch)) for n in sizes}
        except BuildFailed as error:
            print(f"Benchmark stopped: {error}", file=sys.stderr)
            return 1
    print(
        "| N | a plain CPU | b full CPU | c warm CPU | d check CPU "
        "| a wall | b wall | c wall | d wall | b/a CPU | b/a wall | c/b CPU | c/b wall "
        "| peak MB a / b / c / d |"
    )
    print("| --- " * 14 + "|")
    for n, results in table.items():
        a, b, c, d = (results[k] for k in "abcd")
        peaks = " / ".join(f"{summary(r, 'rss')[0]:.0f}" for r in (a, b, c, d))
        print(
            f"| {n} | {cell(a, 'cpu')} | {cell(b, 'cpu')} | {cell(c, 'cpu')} | {cell(d, 'cpu')} "
            f"| {cell(a, 'wall')} | {cell(b, 'wall')} | {cell(c, 'wall')} | {cell(d, 'wall')} "
            f"| {ratio(b, a, 'cpu')} | {ratio(b, a, 'wall')} | {ratio(c, b, 'cpu')} "
            f"| {ratio(c, b, 'wall')} | {peaks} |"
        )
    print("\nTargets at N = 1000: b/a CPU ≤ 1.15; c/b ≤ 0.35.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
