import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from reglab import ratelimit
from reglab.ratelimit import hit


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Pin the clock inside one window: the limit counts per fixed minute, so a test that
    happened to run across a minute boundary would see its count start again."""
    pinned = time.time()
    monkeypatch.setattr(ratelimit, "clock", lambda: pinned)


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def test_allows_up_to_the_limit_then_refuses(settings):
    settings.REGLAB_RATELIMIT = True
    results = [hit("t", request_from("10.0.0.1"), limit=3, period=60) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_counts_each_address_separately(settings):
    settings.REGLAB_RATELIMIT = True
    for _ in range(3):
        hit("t", request_from("10.0.0.1"), limit=3, period=60)
    assert hit("t", request_from("10.0.0.2"), limit=3, period=60)
    assert not hit("t", request_from("10.0.0.1"), limit=3, period=60)


def test_switched_off_never_refuses(settings):
    settings.REGLAB_RATELIMIT = False
    assert all(hit("t", request_from("10.0.0.1"), limit=1, period=60) for _ in range(10))


def post_form(client, url, address):
    return client.post(url, {"name": "x"}, REMOTE_ADDR=address)


@pytest.fixture
def register_url(programme):
    from django.urls import reverse

    return reverse("registrations:register", args=[programme.slug])


def test_the_31st_registration_post_from_one_address_gets_the_swedish_429_page(
    client, settings, register_url
):
    settings.REGLAB_RATELIMIT = True
    answers = [post_form(client, register_url, "10.0.0.1").status_code for _ in range(30)]
    assert answers == [200] * 30
    refused = post_form(client, register_url, "10.0.0.1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "För många försök på kort tid" in refused.content.decode()
    # Another address is unaffected, and reading the form is never limited.
    assert post_form(client, register_url, "10.0.0.2").status_code == 200
    assert client.get(register_url, REMOTE_ADDR="10.0.0.1").status_code == 200


def test_link_requests_are_limited_to_ten_a_minute(client, settings, programme):
    from django.urls import reverse

    settings.REGLAB_RATELIMIT = True
    url = reverse("registrations:request_link", args=[programme.slug])
    answers = [post_form(client, url, "10.0.0.1").status_code for _ in range(11)]
    assert answers == [200] * 10 + [429]


def test_ratelimit_off_lets_every_post_through(client, settings, register_url):
    settings.REGLAB_RATELIMIT = False
    answers = {post_form(client, register_url, "10.0.0.1").status_code for _ in range(35)}
    assert answers == {200}
