"""The published site served by a real Apache through the live symlink and the .htaccess."""

from __future__ import annotations

import datetime
import gzip
import http.client
import re
import ssl
import subprocess

import brotli
import pytest
from conftest import FILLED_EI, FILLED_LEGAL
from deploying import DeployEnv, output_of
from servers import ApacheServer, SshServer

from cimw import hosting

SECURITY_HEADERS = {
    "content-security-policy": re.compile(
        r"^(?=.*default-src 'none')(?=.*frame-ancestors 'none')(?!.*unsafe-inline)"
    ),
    "strict-transport-security": re.compile(r"max-age=(1[5-9]\d{6}|[2-9]\d{7}|\d{9,})"),
    "x-content-type-options": re.compile(r"^nosniff$"),
    "referrer-policy": re.compile(r"\S"),
    "permissions-policy": re.compile(r"camera=\(\)"),
}


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """One release published over SSH, served by Apache."""
    sshd = SshServer(tmp_path_factory.mktemp("sshd"))
    deploy = DeployEnv(sshd, tmp_path_factory.mktemp("deploy"))
    apache = None
    try:
        result = deploy.publish()
        assert result.returncode == 0, output_of(result)
        apache = ApacheServer(tmp_path_factory.mktemp("apache"), deploy.server, deploy.live_link)
        yield deploy, apache
    finally:
        if apache:
            apache.stop()
        sshd.stop()
        deploy.cleanup()


def get(apache, path, headers=None, https=True):
    """One request; returns (status, headers as a lower-case dict, body bytes)."""
    if https:
        context = ssl.create_default_context(cafile=str(apache.cert))
        connection = http.client.HTTPSConnection(
            "127.0.0.1", apache.https_port, context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", apache.http_port, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    lowered = {}
    for name, value in response.getheaders():
        lowered[name.lower()] = (
            f"{lowered[name.lower()]}, {value}" if name.lower() in lowered else value
        )
    connection.close()
    return response.status, lowered, body


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


def test_http_redirects_to_https(hosted):
    _, apache = hosted
    status, headers, _ = get(apache, "/contact.html?x=1", https=False)
    assert status == 301
    assert headers["location"] == f"https://127.0.0.1:{apache.http_port}/contact.html?x=1"


@pytest.mark.parametrize(
    "path, name",
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


def test_identity_without_accept_encoding(hosted):
    deploy, apache = hosted
    status, headers, body = get(apache, "/contact.html", {"Accept-Encoding": "identity"})
    assert status == 200 and "content-encoding" not in headers
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
    assert b"sha256" not in body and b"RewriteEngine" not in body


def test_security_txt_is_served(hosted):
    deploy, apache = hosted
    status, headers, body = get(apache, "/.well-known/security.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
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
    assert get(apache, "/version.txt")[2].decode().strip() == deploy.live()


def test_a_new_release_is_served_at_once_after_the_switch(hosted):
    deploy, apache = hosted
    first = deploy.live()
    page = deploy.content / "pages" / "contact.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nÀ bientôt.\n", encoding="utf-8")
    result = deploy.publish(PUBLISH_CHECK_URL=apache.https_url, SSL_CERT_FILE=str(apache.cert))
    assert result.returncode == 0, output_of(result)
    assert "serves release" in output_of(result)
    assert deploy.live() != first
    assert "À bientôt" in get(apache, "/contact.html")[2].decode()


@pytest.mark.parametrize(
    "days, valid", [(180, True), (1, True), (364, True), (0, False), (365, False), ("180", False)]
)
def test_security_txt_expiry_setting(days, valid):
    settings = {
        "SECURITY_TXT_VALID_DAYS": days,
        "HOSTING_FINGERPRINTED": [],
        "SECURITY_TXT_LANGUAGES": ("fr",),
    }
    if valid:
        hosting.validate_settings(settings)
        expires = hosting.security_txt_expires(settings, datetime.date(2026, 11, 26))
        assert (
            expires
            == (datetime.date(2026, 11, 26) + datetime.timedelta(days=days)).isoformat()
            + "T00:00:00Z"
        )
    else:
        with pytest.raises(ValueError, match="SECURITY_TXT_VALID_DAYS"):
            hosting.validate_settings(settings)


def security_txt_fields(site) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in (site.output / ".well-known" / "security.txt").read_text().splitlines():
        if ": " in line and not line.startswith("#"):
            name, value = line.split(": ", 1)
            fields.setdefault(name, []).append(value)
    return fields


def test_security_txt_lists_only_the_languages_cimw_confirmed(site, site_filled, site_ei):
    assert "Preferred-Languages" not in security_txt_fields(site), "a placeholder was published"
    for built, config in ((site_filled, FILLED_LEGAL), (site_ei, FILLED_EI)):
        languages = security_txt_fields(built)["Preferred-Languages"]
        assert languages == [", ".join(config["SECURITY_TXT_LANGUAGES"])]
    assert "en" not in FILLED_LEGAL["SECURITY_TXT_LANGUAGES"]


@pytest.mark.parametrize("languages", ["fr", [], ("fr", "English"), ("fr", 1)])
def test_bad_security_txt_languages_are_refused(languages):
    settings = {"HOSTING_FINGERPRINTED": [], "SECURITY_TXT_LANGUAGES": languages}
    with pytest.raises(ValueError, match="SECURITY_TXT_LANGUAGES must be a list of language tags"):
        hosting.validate_settings(settings)
