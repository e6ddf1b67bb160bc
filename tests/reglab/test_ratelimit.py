import pytest
from django.core.cache import cache
from django.test import RequestFactory

from reglab.ratelimit import hit


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


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
