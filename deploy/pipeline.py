"""Publish: the production build of the commit, its checksums, the quality gate, the deploy.

The build reads a clean export of HEAD (`deploy.sources`), in a Python
process of its own, so the settings modules and plugins it imports are the
commit's, never the work tree's. It goes to its own folder beside the
settings file (`publish-build/site/`), never to `output/`, which belongs to
`serve` and `build`. Its checksums are taken before the gate, and everything
uploaded is verified against them. Each step says one line, flushed, so the
lines keep their order when the output is piped into a log.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from project import (
    ROOT,
    TYPOGRAPHY_TABLE,
    BuildError,
    gate_inputs,
    load_settings,
)
from sitecheck import RULES, Site, check_site, format_report
from sitecheck.grammar import GrammarUnavailable

from .config import BUILD_FOLDER, deploy_config, owner, releases_for
from .prices import write_record
from .releases import file_checksums, new_release_id, plural, say
from .sources import Sources, build_sources, describe_paths
from .target import DeployError

# The production build, in a fresh Python whose first folder is the settings
# file's: `from pelicanconf import *` and the plugins come from the sources
# being built. The project's own modules come after, from this checkout.
BUILD_SCRIPT = """
import json, sys
from pathlib import Path
sys.path.append(sys.argv[1])
from project import BuildError, build
settings_file, overrides, result = Path(sys.argv[2]), json.loads(sys.argv[3]), Path(sys.argv[4])
try:
    conf = build(settings_file, overrides)
except BuildError as error:
    result.write_text(json.dumps({"error": str(error)}))
    sys.exit(1)
wanted = ("PATH", "SITE_PUBLIC_URL", "FAQ_PATHS")
result.write_text(json.dumps({"settings": {k: conf.get(k) for k in wanted}}))
"""


@contextmanager
def checkout_lock(folder: Path) -> Iterator[None]:
    """One publish at a time from a checkout; the lock goes with the process that holds it."""
    folder.mkdir(exist_ok=True)
    path = folder / "lock"
    with path.open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise DeployError(
                f"another publish is running from this checkout ({holder}): wait for it to "
                "finish. Nothing was published."
            ) from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}, since {datetime.datetime.now():%H:%M:%S}\n")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
            fcntl.flock(lock, fcntl.LOCK_UN)


def publish_site(
    settings_file: Path,
    *,
    dry_run: bool = False,
    allow_dirty: bool = False,
    non_atomic: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Build the commit for production, check it, and deploy it; DeployError says why not."""
    config = deploy_config(load_settings(settings_file), environ)
    workdir = settings_file.parent / BUILD_FOLDER
    # Connect before the build: a wrong key or host stops the publish at once.
    with (
        checkout_lock(workdir),
        build_sources(settings_file, allow_dirty) as sources,
        releases_for(config, non_atomic) as releases,
    ):
        say(f"Connected to {releases.where}.")
        release_id = new_release_id()
        output = workdir / "site"
        checksums = checked_build(sources, output, release_id, releases.check_prices)
        if dry_run:
            plan = releases.plan(output, checksums)
            for line in plan.lines():
                say(line)
            say(plan.summary())
            return
        releases.publish(
            output,
            release_id,
            checksums,
            check_url=config.check_url,
            keep=config.keep,
            owner=owner(),
        )


def announce(sources: Sources, release_id: str) -> None:
    if sources.commit.endswith("-dirty"):
        say(f"Building release {release_id} from the work tree as it is ({sources.commit}).")
        return
    say(f"Building release {release_id} from commit {sources.commit[:12]} (a clean export).")
    if sources.left_out:
        say(
            f"Left out, not committed: {describe_paths(sources.left_out)} "
            "(commit them to publish them)."
        )


def production_build(sources: Sources, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Build the sources in a Python of their own; return the settings the gate needs."""
    with tempfile.TemporaryDirectory(prefix="cimw-build-") as temporary:
        result = Path(temporary) / "result.json"
        process = subprocess.run(
            [
                sys.executable,
                "-c",
                BUILD_SCRIPT,
                str(ROOT),
                str(sources.settings_file),
                json.dumps(dict(overrides)),
                str(result),
            ],
            cwd=sources.settings_file.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        answer = json.loads(result.read_text()) if result.is_file() else {}
    if "error" in answer:
        raise BuildError(answer["error"])
    if process.returncode != 0 or "settings" not in answer:
        words = process.stderr.strip().splitlines()[-20:]
        raise BuildError("\n".join(words) or f"the build exited with {process.returncode}")
    settings: dict[str, Any] = answer["settings"]
    return settings


def checked_build(
    sources: Sources, output: Path, release_id: str, check_prices: Callable[[Path], None]
) -> dict[str, str]:
    """Build into `output`, record its prices, take its checksums, run the gate.

    `check_prices` compares the recorded prices with the live release's before
    the gate, the longest step, so that a refusal comes at once.
    """
    shutil.rmtree(output, ignore_errors=True)
    announce(sources, release_id)
    conf = production_build(
        sources,
        {
            "RELEASE_ID": release_id,
            "RELEASE_COMMIT": sources.commit,
            "OUTPUT_PATH": str(output),
            "DELETE_OUTPUT_DIRECTORY": True,
            # Never a cache another build (serve's) wrote.
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        },
    )
    if not list(output.glob("*.html")):
        raise DeployError(f"the build in {output} has no pages.")
    content = Path(conf["PATH"])
    faq = [content / folder for folder in conf.get("FAQ_PATHS") or ["faq"]]
    write_record(output, faq, sources.folder)
    # Taken before the gate: what is uploaded is verified against these.
    checksums = file_checksums(output)
    say(f"Built {plural(len(checksums), 'file')} into {output}.")
    check_prices(output)
    run_quality_gate(sources, output, content, conf.get("SITE_PUBLIC_URL") or "")
    return checksums


def run_quality_gate(sources: Sources, output: Path, content: Path, site_url: str) -> None:
    """Every rule of the gate on the build, with the inputs of the sources built."""
    table = sources.folder / TYPOGRAPHY_TABLE.relative_to(ROOT)
    inputs = gate_inputs(content, site_url, table if table.is_file() else TYPOGRAPHY_TABLE)
    site = Site(output)
    try:
        findings = check_site(site, RULES, inputs)
    except GrammarUnavailable as error:
        raise DeployError(f"the quality gate cannot run: {error}") from None
    if findings:
        say(format_report(findings))
        raise DeployError(f"the quality gate found {len(findings)} problems (above).")
    say(f"Quality gate: every rule passed ({', '.join(RULES)}) on {len(site.pages)} pages.")
