"""Tasks for the CIMW site: `uv run invoke --list` shows them."""

from __future__ import annotations

import datetime
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import task
from invoke.exceptions import Exit

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))
DEV_SETTINGS = ROOT / "pelicanconf.py"
PUBLISH_SETTINGS = ROOT / "publishconf.py"
OUTPUT = ROOT / "output"
CACHE = ROOT / "cache"
FAQ_DIR = ROOT / "content" / "faq"
HOST = "localhost"
PORT = 8000
IMAGES = ROOT / "theme" / "static" / "images"
FAVICON_ICO = ROOT / "content" / "extra" / "favicon.ico"
# PNG twins of the SVG images: (source, PNG, width, height).
PNG_RENDERS = [
    ("cimw-card.svg", "cimw-card.png", 1200, 630),
    ("favicon.svg", "apple-touch-icon.png", 180, 180),
]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]
# Watched by `serve`: a change to any of these rebuilds the site.
WATCHED = ["content", "theme", "pelicanconf.py"]
WATCH_INTERVAL_MS = 100

CONTENT = ROOT / "content"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The Debian package of each tool the checks and tests run: a command on the
# PATH, or a file the package installs.
SYSTEM_TOOLS: dict[str, str] = {
    "hunspell": "hunspell",
    "/usr/share/hunspell/fr_FR.dic": "hunspell-fr",
    "java": "default-jre-headless",
    "npm": "npm",
    "ssh": "openssh-client",
    "/usr/sbin/sshd": "openssh-server",
    "rsync": "rsync",
    "/usr/sbin/apache2": "apache2",
    "brotli": "brotli",
    "openssl": "openssl",
    "chromium": "chromium",
    "chromedriver": "chromium-driver",
    "firefox-esr": "firefox-esr",
    "w3m": "w3m",
}


class BuildError(Exception):
    """A build that stopped; the message says why."""


def pelican_build(settings_file: Path, overrides: dict | None = None) -> None:
    """Build the site in this process, treating every warning as an error."""
    from pelican import Pelican
    from pelican.log import init as init_logging
    from pelican.settings import read_settings

    init_logging(level=logging.WARNING, fatal="warnings")
    try:
        settings = read_settings(str(settings_file), override=overrides or {})
        Pelican(settings).run()
    except RuntimeError as error:
        if str(error) == "Warning or error encountered":
            raise BuildError(
                "the build logged the warning or error above (warnings count as errors)"
            ) from error
        raise BuildError(f"{type(error).__name__}: {error}") from error
    except Exception as error:
        raise BuildError(f"{type(error).__name__}: {error}") from error


def build_or_exit(settings_file: Path, overrides: dict | None = None) -> None:
    try:
        pelican_build(settings_file, overrides)
    except BuildError as error:
        raise Exit(f"Build failed: {error}", code=1) from None


@task
def clean(c):
    """Remove the generated site and the content cache."""
    for folder in (OUTPUT, CACHE):
        shutil.rmtree(folder, ignore_errors=True)


@task(help={"settings": "settings file to build with (default: pelicanconf.py)"})
def build(c, settings: str = str(DEV_SETTINGS)):
    """Build the development site into output/."""
    build_or_exit(Path(settings).resolve())
    print(f"Site built into {OUTPUT.relative_to(ROOT)}/")


@task
def serve(c, port: int = PORT):
    """Build, then serve on http://localhost:8000 and rebuild and reload on every change."""
    from livereload import Server
    from livereload.watcher import Watcher
    from tornado import ioloop

    class PromptWatcher(Watcher):
        """livereload's file watcher, checking every 100 ms instead of 800 ms."""

        def start(self, callback):
            ioloop.PeriodicCallback(callback, WATCH_INTERVAL_MS).start()
            return True

    overrides = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True}
    site_url = public_url()

    def rebuild():
        try:
            pelican_build(DEV_SETTINGS, overrides)
        except BuildError as error:
            # Keep serving the last good site; the author fixes the file and saves.
            print(f"\nBuild failed: {error}\nThe server keeps running.\n", file=sys.stderr)
            return
        from sitecheck import FAST_RULES

        print("Checking (fast rules):")
        run_checks(OUTPUT, FAST_RULES, site_url=site_url)

    rebuild()
    server = Server(watcher=PromptWatcher())
    for path in WATCHED:
        server.watch(str(ROOT / path), rebuild)
    print(f"Serving on http://{HOST}:{port}/ (Ctrl+C stops)")
    server.serve(host=HOST, port=port, root=str(OUTPUT), open_url_delay=None)


def missing_tools(tools: dict[str, str]) -> dict[str, str]:
    """Return the tools (command or file: Debian package) that are not installed."""
    def installed(tool: str) -> bool:
        return Path(tool).is_file() if tool.startswith("/") else shutil.which(tool) is not None

    return {tool: package for tool, package in tools.items() if not installed(tool)}


def apt_install_command(packages) -> str:
    return "apt-get install -y --no-install-recommends " + " ".join(
        shlex.quote(p) for p in sorted(set(packages))
    )


@task
def tools(c):
    """Install the system tools the tests need, or say how."""
    missing = missing_tools(SYSTEM_TOOLS)
    if not missing:
        return
    command = apt_install_command(missing.values())
    if os.geteuid() != 0:
        raise Exit(f"Missing tools: {', '.join(missing)}. Install them with:\n  sudo {command}")
    print(f"Installing {', '.join(sorted(set(missing.values())))}")
    c.run("apt-get update -qq", env={"DEBIAN_FRONTEND": "noninteractive"})
    c.run(command, env={"DEBIAN_FRONTEND": "noninteractive"})
    still_missing = missing_tools(SYSTEM_TOOLS)
    if still_missing:
        raise Exit(f"Still missing after installing: {', '.join(still_missing)}")


@task(pre=[tools])
def node_tools(c):
    """Install the Node tools pinned in package-lock.json (HTML validator, axe-core)."""
    if not (VNU_JAR.is_file() and AXE_JS.is_file()):
        with c.cd(str(ROOT)):
            c.run("npm ci --no-audit --no-fund")


def load_settings(settings_file: Path) -> dict:
    """Pelican's settings from a file, with its defaults (nothing is built)."""
    from pelican.settings import read_settings

    return read_settings(str(settings_file))


def public_url(settings_file: Path = DEV_SETTINGS) -> str:
    """The site's public address: links to it are checked as internal links."""
    return load_settings(settings_file).get("SITE_PUBLIC_URL", "")


def run_checks(path: Path, rules, external: bool = False, site_url: str | None = None) -> list:
    """Run the quality gate on a built folder; print the report; return the findings."""
    from sitecheck import Site, check_site, external_links, format_report
    from sitecheck.runner import fetch_external

    site_url = public_url() if site_url is None else site_url
    site = Site(path)  # read and parsed once for the rules and the link list
    findings = check_site(site, rules=rules, content_dir=CONTENT, jar=VNU_JAR,
                          site_url=site_url)
    links = external_links(site, site_url)
    if external:
        findings += fetch_external(links)
    if links:
        print(f"External links ({'fetched' if external else 'not fetched; --external fetches them'}):")
        for url, pages in sorted(links.items()):
            print(f"  {url}  ({', '.join(pages)})")
    print(format_report(findings))
    return findings


def publish_target(settings: dict, failure: str = "Not published"):
    """The deploy target: PUBLISH_TARGET from the environment, else from the settings."""
    from deploy import DeployError, parse_target

    try:
        return parse_target(os.environ.get("PUBLISH_TARGET") or settings.get("PUBLISH_TARGET", ""))
    except DeployError as error:
        raise Exit(f"{failure}: {error}") from None


def deploy_server(settings: str, failure: str):
    """The production settings and the server they name; Exit with `failure` if none."""
    from deploy import Server

    conf = load_settings(Path(settings).resolve())
    return conf, Server(publish_target(conf, failure), conf.get("PUBLISH_LIVE_LINK", "www"))


def deploy_owner() -> str:
    import getpass
    import socket

    return f"{getpass.getuser()}@{socket.gethostname()} (pid {os.getpid()})"


@task(pre=[node_tools], help={
    "dry_run": "build and check, then show what would change on the server without changing it",
    "settings": "production settings file (default: publishconf.py)",
})
def publish(c, dry_run: bool = False, settings: str = str(PUBLISH_SETTINGS)):
    """Build for production, run the quality gate, and deploy over SSH with an atomic switch."""
    from deploy import DeployError, new_release_id
    from deploy import publish as deploy_release
    from sitecheck import RULES

    settings_file = Path(settings).resolve()
    conf, server = deploy_server(settings, "Not published")
    release_id = new_release_id()
    build_or_exit(settings_file, {"RELEASE_ID": release_id})
    output = Path(conf["OUTPUT_PATH"])
    if not list(output.glob("*.html")):
        raise Exit(f"Not published: the build in {output} has no pages.")
    print("Quality gate:")
    findings = run_checks(output, RULES, site_url=conf["SITE_PUBLIC_URL"])
    if findings:
        raise Exit(f"Not published: the quality gate found {len(findings)} problems (above).")
    try:
        if dry_run:
            live, _ = server.state()
            print(server.dry_run(output, live))
            return
        deploy_release(
            output, server.target, release_id,
            live_link=server.live_link,
            check_url=os.environ.get("PUBLISH_CHECK_URL") or conf.get("SITEURL", ""),
            keep=conf.get("PUBLISH_KEEP_RELEASES", 5),
            owner=deploy_owner(),
        )
    except DeployError as error:
        raise Exit(f"Not published: {error}") from None


@task(help={"release": "the release to switch to (default: the one before the live one)",
            "settings": "production settings file (default: publishconf.py)"})
def rollback(c, release: str = "", settings: str = str(PUBLISH_SETTINGS)):
    """Switch the live site back to the previous release, or to a named one."""
    from deploy import DeployError
    from deploy import rollback as deploy_rollback

    _, server = deploy_server(settings, "Not rolled back")
    try:
        deploy_rollback(server.target, release, live_link=server.live_link, owner=deploy_owner())
    except DeployError as error:
        raise Exit(f"Not rolled back: {error}") from None


@task(help={"settings": "production settings file (default: publishconf.py)"})
def releases(c, settings: str = str(PUBLISH_SETTINGS)):
    """List the releases on the server, the live one marked."""
    from deploy import DeployError

    _, server = deploy_server(settings, "No releases listed")
    try:
        live, names = server.state()
    except DeployError as error:
        raise Exit(str(error)) from None
    for name in sorted(names):
        print(f"{'*' if name == live else ' '} {name}{'  (live)' if name == live else ''}")
    if not names:
        print("No releases on the server yet.")


@task(help={"settings": "production settings file (default: publishconf.py)"})
def unlock(c, settings: str = str(PUBLISH_SETTINGS)):
    """Clear a publish lock left on the server by an interrupted publish."""
    from deploy import DeployError

    _, server = deploy_server(settings, "Not unlocked")
    try:
        owner = server.unlock()
    except DeployError as error:
        raise Exit(str(error)) from None
    print(f"Lock cleared (held by {owner})." if owner else "There was no lock.")


@task(pre=[node_tools], help={
    "path": "built folder to check (default: build the development site into output/ first)",
    "rules": "comma-separated rules (default: all): entities,spelling,typography,links,"
             "document,validity",
    "external": "also fetch the external links (needs the network)",
})
def check(c, path: str = "", rules: str = "", external: bool = False):
    """Check the built site: entities, spelling, typography, links, document, validity."""
    from sitecheck import RULES

    if not path:
        build_or_exit(DEV_SETTINGS)
        path = str(OUTPUT)
    folder = Path(path)
    if not (folder / "index.html").is_file():
        raise Exit(f"No built site in {folder}: build it first (uv run invoke build)")
    selected = tuple(r.strip() for r in rules.split(",") if r.strip()) or RULES
    try:
        findings = run_checks(folder, selected, external)
    except ValueError as error:
        raise Exit(str(error)) from None
    if findings:
        raise Exit(code=1)


@task(pre=[node_tools], help={"args": "extra pytest arguments, e.g. '-k pricing -x'"})
def test(c, args: str = ""):
    """Run the whole test suite."""
    c.run(f"{shlex.quote(sys.executable)} -m pytest {args}", pty=sys.stdout.isatty())


def render_png(svg: Path, png: Path, width: int, height: int) -> None:
    """Render an SVG to a PNG of the given size with headless Chromium."""
    import tempfile

    chromium = shutil.which("chromium")
    if chromium is None:
        raise Exit("chromium is needed to render images: apt-get install chromium")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "render.html"
        page.write_text(
            "<!DOCTYPE html><html><head><style>html,body{margin:0;background:transparent}"
            f"img{{display:block;width:{width}px;height:{height}px}}</style></head>"
            f"<body><img src=\"{svg.resolve().as_uri()}\" alt=\"\"></body></html>",
            encoding="utf-8",
        )
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={scratch}/profile",
             "--default-background-color=00000000", f"--window-size={width},{height}",
             f"--screenshot={png}", page.as_uri()],
            check=True, capture_output=True,
        )


def ico_from_png(png: bytes) -> bytes:
    """Wrap one PNG image in an ICO file (PNG-in-ICO, read by every current browser)."""
    import struct

    width, height = struct.unpack(">II", png[16:24])
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


@task
def images(c):
    """Render the PNG twins of the SVG images and favicon.ico (needs chromium)."""
    import tempfile

    for source, target, width, height in PNG_RENDERS:
        render_png(IMAGES / source, IMAGES / target, width, height)
        print(f"Wrote {(IMAGES / target).relative_to(ROOT)} ({width}×{height})")
    with tempfile.TemporaryDirectory() as scratch:
        small = Path(scratch) / "favicon-32.png"
        render_png(IMAGES / "favicon.svg", small, 32, 32)
        FAVICON_ICO.parent.mkdir(parents=True, exist_ok=True)
        FAVICON_ICO.write_bytes(ico_from_png(small.read_bytes()))
    print(f"Wrote {FAVICON_ICO.relative_to(ROOT)} (32×32)")


@task(help={"sizes": "comma-separated numbers of questions (and of pages) to build",
            "rounds": "paired runs per size"})
def bench(c, sizes: str = "10,100,1000", rounds: int = 3):
    """Print the build speed tables: plain Pelican against this pipeline, and live reload."""
    benchmarks = ROOT / "tests" / "benchmarks"
    c.run(f"{shlex.quote(sys.executable)} {benchmarks / 'build_speed.py'} "
          f"--sizes {shlex.quote(sizes)} --rounds {int(rounds)}")
    c.run(f"{shlex.quote(sys.executable)} {benchmarks / 'live_reload.py'}")


@task
def weight(c):
    """Print the page weight table: bytes raw and compressed, and requests, per page."""
    c.run(f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'benchmarks' / 'page_weight.py'}")


@task(pre=[tools])
def lighthouse(c):
    """Print Lighthouse's four scores of every page, mobile and desktop (a few minutes)."""
    c.run(f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'benchmarks' / 'lighthouse.py'}")


@task(pre=[tools])
def screenshots(c):
    """Take the README's desktop and mobile screenshots of the home page."""
    c.run(f"{shlex.quote(sys.executable)} {ROOT / 'tests' / 'screenshots.py'}")


def faq_positions(faq_dir: Path) -> list[int]:
    """Return the positions already taken by the questions in `faq_dir`."""
    import yaml
    from pelican.plugins.yaml_metadata.yaml_metadata import HEADER_RE

    positions = []
    for path in sorted(faq_dir.glob("*.md")):
        match = HEADER_RE.fullmatch(path.read_text(encoding="utf-8"))
        metadata = yaml.safe_load(match.group("metadata")) if match else None
        if isinstance(metadata, dict) and isinstance(metadata.get("position"), int):
            positions.append(metadata["position"])
    return positions


def question_anchor(question: str) -> str:
    """Return the anchor for a question: 'Combien ça coûte ?' -> 'combien-ca-coute'."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    slug = slugify(re.sub(r"['’]", " ", question), DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    return re.sub(r"[^a-z0-9]+", "-", slug).strip("-")


def faq_file_text(question: str, position: int, anchor: str, reviewed: datetime.date) -> str:
    import yaml

    front_matter = yaml.safe_dump(
        {"title": question, "position": position, "anchor": anchor, "summary": "",
         "reviewed": reviewed},
        allow_unicode=True, sort_keys=False, width=1000,
    )
    front_matter = front_matter.replace(
        "summary: ''", "summary: ''  # required: the answer in one or two sentences"
    )
    return f"---\n{front_matter}---\n\nLa réponse, en Markdown.\n"


@task(help={"question": "the question, as it will appear on the page",
            "directory": "folder of the questions (default: content/faq)"})
def new_faq(c, question: str, directory: str = str(FAQ_DIR)):
    """Add a question: write content/faq/NN-anchor.md with its front matter filled in."""
    question = " ".join(question.split())
    anchor = question_anchor(question)
    if not question or not anchor:
        raise Exit("Give the question, e.g.: uv run invoke new-faq \"Combien ça coûte ?\"")
    faq_dir = Path(directory)
    position = max(faq_positions(faq_dir), default=0) + 1
    path = faq_dir / f"{position:02d}-{anchor}.md"
    if path.exists():
        raise Exit(f"{path} exists already")
    faq_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(faq_file_text(question, position, anchor, datetime.date.today()),
                    encoding="utf-8")
    print(f"Wrote {path}: fill in its summary and its answer.")
