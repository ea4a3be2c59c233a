"""The published site served by a real Apache through the live symlink and the .htaccess."""

from __future__ import annotations

import datetime
import gzip
import re
import shutil
import subprocess
from pathlib import Path

import brotli
import pytest
from deploying import ServerFolder
from samples import COMPANY_VAT, SOLE_TRADER_FRANCHISE, UNCONFIRMED
from servers import ApacheServer, get, world_readable_dir
from support import REPO, facts_of, pelican_build

from cimw import hosting
from cimw.facts import FactsError
from deploy import file_checksums, new_release_id

SECURITY_HEADERS = {
    "content-security-policy": re.compile(
        r"^(?=.*default-src 'none')(?=.*frame-ancestors 'none')(?!.*unsafe-inline)"
    ),
    "strict-transport-security": re.compile(r"max-age=(1[5-9]\d{6}|[2-9]\d{7}|\d{9,})"),
    "x-content-type-options": re.compile(r"^nosniff$"),
    "referrer-policy": re.compile(r"\S"),
    "permissions-policy": re.compile(r"camera=\(\)"),
}


def publish(server: ServerFolder, folder: Path, **kwargs) -> str:
    release_id = new_release_id()
    with server.releases() as releases:
        releases.publish(folder, release_id, file_checksums(folder), **kwargs)
    return release_id


@pytest.fixture(scope="module")
def hosted(sshd, release_build, tmp_path_factory):
    """The production build published over SSH, served by Apache."""
    server = ServerFolder(sshd)
    apache = None
    try:
        build = shutil.copytree(release_build.output, tmp_path_factory.mktemp("hosted") / "build")
        publish(server, build)
        server.build = build
        apache = ApacheServer(tmp_path_factory.mktemp("apache"), server.server, server.live_link)
        yield server, apache
    finally:
        if apache:
            apache.stop()
        server.cleanup()


def live_file(deploy, name) -> bytes:
    return (deploy.live_link / name).read_bytes()


@pytest.mark.parametrize("path", ["/", "/contact.html", "/page-qui-n-existe-pas", "/.htaccess"])
def test_security_headers_on_every_response(hosted, path):
    _, apache = hosted
    _, headers, _ = get(apache, path)
    for name, pattern in SECURITY_HEADERS.items():
        assert name in headers, f"{path}: no {name}"
        assert pattern.search(headers[name]), f"{path}: {name}: {headers[name]}"


def test_404_serves_the_404_page(hosted):
    deploy, apache = hosted
    status, headers, body = get(apache, "/nulle/part.html")
    assert status == 404
    assert body == live_file(deploy, "404.html")
    assert headers["content-type"].startswith("text/html")
    assert "charset=utf-8" in headers["content-type"].lower()


@pytest.mark.parametrize("forwarded", [{}, {"X-Forwarded-Proto": "https"}])
def test_http_redirects_to_https_on_the_default_port(hosted, forwarded):
    _, apache = hosted
    status, headers, _ = get(apache, "/contact.html?x=1", forwarded, https=False)
    # Any client may send X-Forwarded-Proto: it is not trusted unless configured.
    assert status == 301
    assert headers["location"] == "https://127.0.0.1/contact.html?x=1"


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory):
    """A production build with HOSTING_BEHIND_PROXY, served over HTTP as behind a TLS proxy."""
    docroot = world_readable_dir("cimw-proxy-")
    settings = {**COMPANY_VAT, "SITEURL": COMPANY_VAT["SITE_PUBLIC_URL"]}
    settings.update(HOSTING_BEHIND_PROXY=True, OUTPUT_PATH=str(docroot / "site"))
    settings["CACHE_PATH"] = str(tmp_path_factory.mktemp("proxy-cache"))
    pelican_build(REPO / "publishconf.py", settings)
    apache = ApacheServer(tmp_path_factory.mktemp("apache-proxy"), docroot, docroot / "site")
    yield apache
    apache.stop()
    shutil.rmtree(docroot, ignore_errors=True)


def test_behind_a_proxy_the_forwarded_protocol_is_trusted(behind_proxy):
    assert get(behind_proxy, "/contact.html", {"X-Forwarded-Proto": "https"}, https=False)[0] == 200
    status, headers, _ = get(behind_proxy, "/contact.html", https=False)
    assert status == 301
    assert headers["location"] == "https://127.0.0.1/contact.html"


@pytest.mark.parametrize(
    ("path", "name"),
    [("/", "index.html"), ("/contact.html", "contact.html"), ("/sitemap.xml", "sitemap.xml")],
)
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_compressed_twins_by_content_negotiation(hosted, path, name, encoding):
    deploy, apache = hosted
    status, headers, body = get(apache, path, {"Accept-Encoding": encoding})
    assert status == 200
    assert headers.get("content-encoding") == encoding
    assert "accept-encoding" in headers.get("vary", "").lower()
    decoded = brotli.decompress(body) if encoding == "br" else gzip.decompress(body)
    assert decoded == live_file(deploy, name)
    plain_type = get(apache, path)[1]["content-type"]
    assert headers["content-type"] == plain_type


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("br;q=0", None),
        ("br;q=0, gzip", "gzip"),
        ("br; q=0.000, gzip;q=0", None),
        ("gzip;q=0, br", "br"),
        ("br;q=0.5", "br"),
        ("gzip;q=0.001", "gzip"),
        ("BR", "br"),
        ("deflate, gzip;q=1.0, br;q=0.9", "br"),
        ("brotli", None),
    ],
)
def test_a_coding_refused_with_q0_is_never_served(hosted, accept, served):
    deploy, apache = hosted
    for path, name in (("/contact.html", "contact.html"), ("/", "index.html")):
        status, headers, body = get(apache, path, {"Accept-Encoding": accept})
        assert status == 200
        assert headers.get("content-encoding") == served, (path, accept)
        if served is None:
            assert body == live_file(deploy, name)


def test_twins_only_where_smaller(hosted):
    deploy, apache = hosted
    twins = [p for p in deploy.live_link.rglob("*") if p.suffix in (".gz", ".br")]
    assert twins
    for twin in twins:
        original = twin.with_suffix("")
        assert twin.stat().st_size < original.stat().st_size, twin.name
    # gzip's header alone is longer than the saving on a one-line file.
    assert not (deploy.live_link / "version.txt.gz").exists()
    _, headers, body = get(apache, "/version.txt", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in headers
    assert body == live_file(deploy, "version.txt")


@pytest.mark.parametrize(
    "path", ["/favicon.ico", "/theme/images/apple-touch-icon.png", "/theme/images/favicon.svg"]
)
def test_images_are_cached_a_week_or_more(hosted, path):
    _, apache = hosted
    status, headers, _ = get(apache, path)
    assert status == 200
    match = re.search(r"max-age=(\d+)", headers.get("cache-control", ""))
    assert match, headers.get("cache-control")
    assert int(match.group(1)) >= 7 * 24 * 3600, headers.get("cache-control")


def test_identity_without_accept_encoding(hosted):
    deploy, apache = hosted
    status, headers, body = get(apache, "/contact.html", {"Accept-Encoding": "identity"})
    assert status == 200
    assert "content-encoding" not in headers
    assert body == live_file(deploy, "contact.html")


def test_brotli_twin_decodes_with_the_brotli_tool(hosted, tmp_path):
    deploy, apache = hosted
    _, _, body = get(apache, "/", {"Accept-Encoding": "br"})
    (tmp_path / "index.html.br").write_bytes(body)
    subprocess.run(["brotli", "-d", str(tmp_path / "index.html.br")], check=True)
    assert (tmp_path / "index.html").read_bytes() == live_file(deploy, "index.html")


def test_caching(hosted):
    deploy, apache = hosted
    css = next((deploy.live_link / "theme" / "css").glob("main.*.css")).name
    for encoding in ("br", "identity"):
        _, headers, _ = get(apache, f"/theme/css/{css}", {"Accept-Encoding": encoding})
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
    for path in ("/", "/contact.html"):
        assert get(apache, path, {"Accept-Encoding": "br"})[1]["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/.htaccess", "/.manifest.sha256", "/.well-known/../.htaccess", "/theme/.hidden"]
)
def test_dotfiles_and_the_manifest_are_never_served(hosted, path):
    _, apache = hosted
    status, _, body = get(apache, path)
    assert status in (403, 404)
    assert b"sha256" not in body
    assert b"RewriteEngine" not in body


def test_security_txt_is_served(hosted):
    _deploy, apache = hosted
    status, headers, body = get(apache, "/.well-known/security.txt")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    fields = dict(
        line.split(": ", 1)
        for line in body.decode().splitlines()
        if ": " in line and not line.startswith("#")
    )
    assert fields["Contact"].startswith("https://")
    expires = datetime.datetime.fromisoformat(fields["Expires"].replace("Z", "+00:00"))
    now = datetime.datetime.now(datetime.UTC)
    assert now < expires < now + datetime.timedelta(days=365), "Expires is past or too far"
    assert "Contact: mailto:contact@cimw.example" in body.decode()


def test_the_live_release_id_is_served(hosted):
    deploy, apache = hosted
    assert get(apache, "/version.txt")[2] == live_file(deploy, "version.txt")


def test_a_new_release_is_served_at_once_after_the_switch(hosted, monkeypatch):
    server, apache = hosted
    first = server.live()
    page = server.build / "contact.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", "<p>À bientôt.</p></main>"))
    for twin in ("contact.html.br", "contact.html.gz"):
        (server.build / twin).unlink()
    release = new_release_id()
    (server.build / "version.txt").write_text(f"{release} 0123abc\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(apache.cert))
    with server.releases() as releases:
        releases.publish(
            server.build, release, file_checksums(server.build), check_url=apache.https_url
        )
    assert any("serves release" in m for m in server.messages)
    assert server.live() == release != first
    assert "À bientôt" in get(apache, "/contact.html")[2].decode()


@pytest.mark.parametrize(
    ("days", "valid"),
    [(180, True), (1, True), (364, True), (0, False), (365, False), ("180", False)],
)
def test_security_txt_expiry_setting(days, valid):
    overrides = {**COMPANY_VAT, "SECURITY_TXT_VALID_DAYS": days}
    if valid:
        expires = hosting.security_txt_expires(facts_of(overrides), datetime.date(2026, 11, 26))
        assert expires == (
            (datetime.date(2026, 11, 26) + datetime.timedelta(days=days)).isoformat() + "T00:00:00Z"
        )
    else:
        with pytest.raises(FactsError, match="SECURITY_TXT_VALID_DAYS: expected a whole number"):
            facts_of(overrides)


def security_txt_fields(site) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in (site.output / ".well-known" / "security.txt").read_text().splitlines():
        if ": " in line and not line.startswith("#"):
            name, value = line.split(": ", 1)
            fields.setdefault(name, []).append(value)
    return fields


def test_security_txt_lists_only_the_languages_cimw_confirmed(
    site_unconfirmed, site_filled, site_ei
):
    fields = security_txt_fields(site_unconfirmed)
    assert "Preferred-Languages" not in fields, "a placeholder was published"
    assert fields["Contact"] == [f"{facts_of(UNCONFIRMED).site_url}/contact.html"]
    for built, config in ((site_filled, COMPANY_VAT), (site_ei, SOLE_TRADER_FRANCHISE)):
        languages = security_txt_fields(built)["Preferred-Languages"]
        assert languages == [", ".join(config["SECURITY_TXT_LANGUAGES"])]
    assert "en" not in COMPANY_VAT["SECURITY_TXT_LANGUAGES"]


@pytest.mark.parametrize("languages", ["fr", [], ("fr", "English"), ("fr", 1)])
def test_bad_security_txt_languages_are_refused(languages):
    with pytest.raises(FactsError, match="SECURITY_TXT_LANGUAGES: "):
        facts_of({**COMPANY_VAT, "SECURITY_TXT_LANGUAGES": languages})
