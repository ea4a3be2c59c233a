"""The publishing settings: where the post-switch check asks, and its refusals."""

from __future__ import annotations

import pytest

from deploy import DeployError
from deploy.config import deploy_config

SETTINGS = {"PUBLISH_TARGET": "site:/srv/cimw", "SITE_PUBLIC_URL": "https://www.cimw.fr"}


@pytest.mark.parametrize(
    ("settings", "environ", "url"),
    [
        # By default, the site's public address: where visitors go.
        ({}, {}, "https://www.cimw.fr"),
        ({"PUBLISH_CHECK_URL": "https://cimw.example.net/"}, {}, "https://cimw.example.net/"),
        ({"PUBLISH_CHECK_URL": ""}, {}, ""),
        # The environment wins, an empty value too (no check).
        (
            {"PUBLISH_CHECK_URL": "https://a.fr"},
            {"PUBLISH_CHECK_URL": "http://127.0.0.1:8080"},
            "http://127.0.0.1:8080",
        ),
        ({}, {"PUBLISH_CHECK_URL": ""}, ""),
    ],
)
def test_the_check_url_defaults_to_the_public_address(settings, environ, url):
    assert deploy_config({**SETTINGS, **settings}, environ).check_url == url


@pytest.mark.parametrize(
    ("settings", "environ", "named"),
    [
        ({"PUBLISH_CHECK_URL": "www.cimw.fr"}, {}, "PUBLISH_CHECK_URL 'www.cimw.fr'"),
        ({"PUBLISH_CHECK_URL": 8080}, {}, "PUBLISH_CHECK_URL 8080"),
        ({}, {"PUBLISH_CHECK_URL": "ftp://x"}, "PUBLISH_CHECK_URL in the environment 'ftp://x'"),
        ({"SITE_PUBLIC_URL": "[adresse du site]"}, {}, "SITE_PUBLIC_URL '[adresse du site]'"),
    ],
)
def test_a_check_url_that_is_no_address_is_refused_by_name(settings, environ, named):
    with pytest.raises(DeployError) as refused:
        deploy_config({**SETTINGS, **settings}, environ)
    assert str(refused.value).startswith(f"{named}: expected the site's public address")
