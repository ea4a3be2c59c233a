"""Tasks for the CIMW site: `./run --list` shows them, grouped by who runs them.

Each task parses its flags, calls into the project's modules and turns their
errors into a clear message and a non-zero exit. `./run` runs this file, whose
program lists the tasks as a menu; `uv run invoke TASK` runs the same tasks.
"""

from __future__ import annotations

import io
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.program import Program
from invoke.runners import Result
from invoke.tasks import task

import project
from project import BuildError
from sitecheck import rules_help

BENCHMARKS = project.ROOT / "tests" / "benchmarks"
PORT = 8000
# Only this machine; --bind 0.0.0.0 shows the preview to a phone on the same network.
BIND = "127.0.0.1"
SETTINGS_HELP = "production settings file (default: publishconf.py)"
# What `lint` runs, with the configuration in pyproject.toml: each a Python module of the dev group.
LINTERS = {
    "ruff check": ["-m", "ruff", "check", "."],
    "ruff format": ["-m", "ruff", "format", "--check", "."],
    "mypy": ["-m", "mypy"],
}


def dev_python_run(c: Context, arguments: list[str], **kwargs: Any) -> Result | None:
    """Run Python with the dev group (the test libraries), which only these tasks need."""
    import toolchain

    return c.run(shlex.join([*toolchain.dev_python(), *arguments]), **kwargs)


def python_script(c, script: Path, args: str = "") -> None:
    dev_python_run(c, [str(script), *shlex.split(args)])


def tools_or_exit(ensure, *args) -> None:
    """Install the tools a task needs, or stop saying how."""
    import toolchain

    try:
        ensure(*args)
    except (toolchain.ToolsMissing, OSError, subprocess.CalledProcessError) as error:
        raise Exit(f"Cannot install the tools: {error}") from None


# -- author -------------------------------------------------------------------


@task
def clean(c):
    """Remove the generated site and the caches (content, validity)."""
    # output.partial and output.previous: left by a build that was killed.
    for folder in (project.OUTPUT, *project.OUTPUT.parent.glob("output.*"), project.CACHE):
        shutil.rmtree(folder, ignore_errors=True)


def build_or_exit(settings_file: Path) -> dict:
    """Build into the settings' OUTPUT_PATH, which holds exactly the new site afterwards."""
    output = Path(project.load_settings(settings_file)["OUTPUT_PATH"])
    try:
        return project.build_into(settings_file, output)
    except BuildError as error:
        raise Exit(f"Build failed: {error}", code=1) from None


@task(help={"settings": "settings file to build with (default: pelicanconf.py)"})
def build(c, settings: str = str(project.DEV_SETTINGS)):
    """Build the development site into output/."""
    conf = build_or_exit(Path(settings).resolve())
    print(f"Site built into {conf['OUTPUT_PATH']}/")


@task(
    help={
        "port": f"port to serve on (default: {PORT})",
        "bind": f"address to serve on (default: {BIND}, this machine only; 0.0.0.0: the network)",
    }
)
def serve(_c, port: int = PORT, bind: str = BIND):
    """Build, then serve on http://127.0.0.1:8000 and rebuild and reload on every change."""
    from preview import PreviewError
    from preview import serve as serve_site

    try:
        serve_site(bind, port)
    except PreviewError as error:
        raise Exit(str(error), code=1) from None


@task(
    help={
        "path": "built folder to check (default: build the development site into output/ first)",
        "rules": f"comma-separated rules (default: all). {rules_help()}",
        "external": "also fetch the external links (needs the network)",
    }
)
def check(c, path: str = "", rules: str = "", external: bool = False):
    """Check the built site with every rule of the quality gate, or those of --rules."""
    import toolchain
    from sitecheck import RULES, canonical_address, run_gate
    from sitecheck.grammar import GrammarUnavailable

    selected = tuple(r.strip() for r in rules.split(",") if r.strip()) or tuple(RULES)
    unknown = sorted(set(selected) - set(RULES))
    if unknown:
        raise Exit(f"unknown rule {', '.join(unknown)}; rules: {', '.join(RULES)}")
    tools_or_exit(toolchain.ensure_check_tools, selected)
    given_path = bool(path)
    if not path:
        path = build_or_exit(project.DEV_SETTINGS)["OUTPUT_PATH"]
    folder = Path(path)
    if not (folder / "index.html").is_file():
        raise Exit(f"No built site in {folder}: build it first (./run build)")
    # A folder built elsewhere (a production build) has the address it states itself.
    site_url = canonical_address(folder) if given_path else project.public_url()
    inputs = project.gate_inputs(site_url=site_url)
    try:
        findings = run_gate(folder, inputs, selected, external=external)
    except (ValueError, GrammarUnavailable) as error:
        raise Exit(str(error)) from None
    if findings:
        raise Exit(code=1)


@task(
    help={
        "question": "the question, as it will appear on the page",
        "directory": "folder of the questions (default: content/faq)",
    }
)
def new_faq(c, question: str, directory: str = str(project.FAQ_DIR)):
    """Add a question: write content/faq/NN-anchor.md with its front matter filled in."""
    from authoring import AuthoringError, new_question

    try:
        path = new_question(question, Path(directory))
    except AuthoringError as error:
        raise Exit(str(error)) from None
    print(
        f"Wrote {path}: write its summary, and its answer below the front matter; "
        "until both are written the build refuses it."
    )


# -- publishing ---------------------------------------------------------------


def line_by_line() -> None:
    """Send each line of ours at once, so a subprocess's output never overtakes it in a log."""
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)


def deploy_settings(settings_file: Path, failure: str):
    """The publishing settings of a production settings file, or a clear exit."""
    from deploy import DeployError
    from deploy.config import deploy_config

    try:
        return deploy_config(project.load_settings(settings_file))
    except DeployError as error:
        raise Exit(f"{failure}: {error}") from None
    except ValueError as error:  # Pelican's, on a settings file it cannot use
        raise Exit(f"{failure}: {settings_file.name}: {error}") from None


def deploy_releases(settings: str, failure: str):
    """The publishing settings and the releases on their server (not connected yet)."""
    from deploy.config import releases_for

    line_by_line()
    config = deploy_settings(Path(settings).resolve(), failure)
    return config, releases_for(config)


@task(
    help={
        "dry_run": "build and check, then list what would change on the server without changing it",
        "allow_dirty": "build the work tree as it is (uncommitted and ignored files too), "
        "marked -dirty",
        "non_atomic": "over SFTP, accept a live switch that is not atomic (no posix-rename)",
        "settings": SETTINGS_HELP,
    }
)
def publish(
    c,
    dry_run: bool = False,
    allow_dirty: bool = False,
    non_atomic: bool = False,
    settings: str = str(project.PUBLISH_SETTINGS),
):
    """Build the last commit for production, check it, deploy it with an atomic switch."""
    import toolchain
    from deploy import DeployError
    from deploy.pipeline import publish_site
    from deploy.releases import CheckError

    line_by_line()
    settings_file = Path(settings).resolve()
    transport = deploy_settings(settings_file, "Not published").target.transport
    tools_or_exit(toolchain.ensure_publish_tools, transport)
    try:
        publish_site(
            settings_file,
            dry_run=dry_run,
            allow_dirty=allow_dirty,
            non_atomic=non_atomic,
        )
    except BuildError as error:
        raise Exit(f"Not published: build failed: {error}") from None
    except CheckError as error:  # it says where the live site stands
        raise Exit(str(error)) from None
    except DeployError as error:
        raise Exit(f"Not published: {error}") from None


@task(
    help={
        "release": "the release to switch to (default: the good one that went live before)",
        "settings": SETTINGS_HELP,
    }
)
def rollback(c, release: str = "", settings: str = str(project.PUBLISH_SETTINGS)):
    """Switch the live site back to the previous release, or to a named one, and check it."""
    from deploy import DeployError
    from deploy.config import owner
    from deploy.releases import CheckError

    config, releases = deploy_releases(settings, "Not rolled back")
    try:
        with releases as server:
            server.rollback(release, owner(), check_url=config.check_url)
    except CheckError as error:
        raise Exit(str(error)) from None
    except DeployError as error:
        raise Exit(f"Not rolled back: {error}") from None


@task(help={"settings": SETTINGS_HELP})
def releases(c, settings: str = str(project.PUBLISH_SETTINGS)):
    """List the releases in the order they went live: date, commit, live or failed."""
    from deploy import DeployError

    _, found = deploy_releases(settings, "No releases listed")
    try:
        with found as server:
            listing = server.listing()
    except DeployError as error:
        raise Exit(f"No releases listed: {error}") from None
    if not listing:
        print("No releases on the server yet.")
    width = max((len(info.commit) for info in listing), default=0)
    for info in listing:
        state = "live" if info.live else ""
        if info.failed is not None:
            state += ("; " if state else "") + f"failed: {info.failed}"
        mark = "*" if info.live else " "
        print(f"{mark} {info.release}  {info.date}  {info.commit.ljust(width)}  {state}".rstrip())


@task(help={"settings": SETTINGS_HELP})
def unlock(c, settings: str = str(project.PUBLISH_SETTINGS)):
    """Clear a publish lock left on the server by an interrupted publish."""
    from deploy import DeployError

    _, found = deploy_releases(settings, "Not unlocked")
    try:
        with found as server:
            holder = server.unlock()
    except DeployError as error:
        raise Exit(f"Not unlocked: {error}") from None
    if holder is None:
        print("There was no lock.")
    elif holder:
        print(f"Lock cleared (held by {holder}).")
    else:
        print("Lock cleared (it had no owner: a publish was stopped while taking it).")


# -- maintenance --------------------------------------------------------------


@task
def tools(c):
    """Install every system and Node tool the tests run (as root), or say how."""
    import toolchain

    tools_or_exit(toolchain.ensure_test_tools)


@task(pre=[tools], help={"args": "extra pytest arguments, e.g. '-k pricing -x'"})
def test(c, args: str = ""):
    """Run the whole test suite."""
    dev_python_run(c, ["-m", "pytest", *shlex.split(args)], pty=sys.stdout.isatty())


@task
def lint(c):
    """Check the code: ruff's rules and formatting, and mypy's types."""
    # Every linter runs, so that one run reports every kind of problem.
    with c.cd(str(project.ROOT)):
        results = {
            name: dev_python_run(c, arguments, warn=True, pty=sys.stdout.isatty())
            for name, arguments in LINTERS.items()
        }
    failed = [name for name, result in results.items() if result is None or result.failed]
    if failed:
        raise Exit(f"Lint failed: {', '.join(failed)}")


@task
def images(c):
    """Render the PNG twins of the SVG images and favicon.ico (needs chromium)."""
    from artwork import RenderError, render_images

    try:
        written = render_images()
    except RenderError as error:
        raise Exit(str(error)) from None
    for path in written:
        print(f"Wrote {path.relative_to(project.ROOT)}")


@task(
    help={
        "sizes": "comma-separated numbers of questions (and of pages) to build",
        "rounds": "paired runs per size",
        "max_ratio": "only time plain Pelican against the full build at the first size, "
        "and fail if even the best round's CPU ratio is above this (CI's guard)",
    }
)
def bench(c, sizes: str = "10,100,1000", rounds: int = 3, max_ratio: float = 0.0):
    """Print the speed tables: the build against plain Pelican, live reload, the gate's rules."""
    build_args = f"--sizes {shlex.quote(sizes)} --rounds {int(rounds)}"
    if max_ratio:
        script = str(BENCHMARKS / "build_speed.py")
        limit = ["--max-ratio", str(max_ratio)]
        result = dev_python_run(c, [script, *shlex.split(build_args), *limit], warn=True)
        if result is None or result.failed:
            raise Exit("The full build costs more than the limit: see the table above.")
        return
    python_script(c, BENCHMARKS / "build_speed.py", build_args)
    python_script(c, BENCHMARKS / "pathological.py")
    python_script(c, BENCHMARKS / "live_reload.py")
    python_script(c, BENCHMARKS / "check_speed.py", f"--rounds {int(rounds)}")


@task
def weight(c):
    """Print the page weight table: bytes raw and compressed, and requests, per page."""
    python_script(c, BENCHMARKS / "page_weight.py")


@task(pre=[tools])
def lighthouse(c):
    """Print Lighthouse's four scores of every page, mobile and desktop (a few minutes)."""
    python_script(c, BENCHMARKS / "lighthouse.py")


@task(pre=[tools])
def screenshots(c):
    """Take the README's desktop and mobile screenshots of the home page."""
    python_script(c, project.ROOT / "tests" / "screenshots.py")


# -- the menu -----------------------------------------------------------------

MENU = {
    "Author": [serve, build, check, new_faq, clean],
    "Publishing": [publish, releases, rollback, unlock],
    "Maintenance": [test, lint, tools, images, screenshots, bench, weight, lighthouse],
}


class Menu(Program):
    """invoke's program, listing the tasks by group instead of in one list."""

    def parse_tasks(self) -> None:
        # invoke gives `--help` or `-h` to a positional argument still missing,
        # so `new-faq --help` would write a question titled "--help": read it as
        # the request for the task's help it is.
        super().parse_tasks()
        for context in self.tasks:
            if any(arg.value in ("--help", "-h") for arg in context.positional_args):
                self.core[0].args.help.value = context.name
                return

    def list_flat(self) -> None:
        print(f"{self.task_list_opener()}:\n")
        for group, tasks in MENU.items():
            print(f"{group}:")
            self.print_columns(
                [
                    (t.name.replace("_", "-"), (t.__doc__ or "").strip().splitlines()[0])
                    for t in tasks
                ]
            )
        print("`./run TASK --help` shows a task's options.\n")


if __name__ == "__main__":
    Menu(namespace=Collection.from_module(sys.modules[__name__]), binary="./run").run()
