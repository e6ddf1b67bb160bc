"""With REDIS_URL, the rate limits and the programme version live in Redis, shared by every
app server and process (README, Drift), through the backend the settings choose for it
(reglab.cache_backends). These tests talk to a real Redis."""

import os
import socket
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory

from reglab.caches import PROGRAMME_VERSION_KEY, programme_changed, programme_version
from reglab.ratelimit import hit

REDIS_URL = os.environ.get("REGLAB_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url(settings, worker_id):
    if not reachable(REDIS_URL):
        message = f"needs Redis at {REDIS_URL} (set REGLAB_TEST_REDIS_URL)"
        if os.environ.get("REGLAB_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
    # A database of its own per test process, since clearing the cache empties it.
    number = 10 + (int(worker_id[2:]) if worker_id.startswith("gw") else 0)
    url = f"{REDIS_URL}/{number}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "reglab.cache_backends.RedisWithLocalFallback", "LOCATION": url},
    }
    cache.clear()
    yield url
    cache.clear()


def test_rate_limit_counts_are_kept_in_redis(settings, redis_url):
    settings.REGLAB_RATELIMIT = True
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")
    assert [hit("redis", request, limit=2, period=60) for _ in range(3)] == [True, True, False]
    server = redis.Redis.from_url(redis_url)
    (key,) = server.keys("*rl:redis:*")
    assert server.get(key) == b"3"
    assert b"10.0.0.9" not in key, "addresses are stored hashed"


def test_a_programme_edit_is_seen_by_every_process(redis_url):
    before = programme_version()
    # Another app server: its own connection to the same Redis.
    other_server = RedisCache(redis_url, {})
    assert other_server.get(PROGRAMME_VERSION_KEY) == before

    programme_changed()

    assert other_server.get(PROGRAMME_VERSION_KEY) == before + 1


def test_an_edit_made_on_another_server_shows_on_this_ones_programme_page(
    client, programme, redis_url
):
    from django.urls import reverse

    from workshops.models import Workshop

    url = reverse("workshops:event_programme", args=[programme.slug])
    assert "Titel från en annan server" not in client.get(url).text  # now kept in local memory
    # The other server saves the edit (no signal here) and bumps the shared version.
    Workshop.objects.filter(event=programme, number=7).update(title="Titel från en annan server")
    RedisCache(redis_url, {}).incr(PROGRAMME_VERSION_KEY)

    assert "Titel från en annan server" in client.get(url).text


def test_one_redis_client_serves_every_call_and_a_second_thread_works_beside_it(
    redis_url, monkeypatch
):
    # Django would build a new redis.Redis per call (reglab.cache_backends.RedisClientKept).
    import threading

    from redis.client import CaseInsensitiveDict

    built = []
    real_init = CaseInsensitiveDict.__init__

    def counting_init(self, data):
        built.append(1)
        real_init(self, data)

    cache.set("kept-client", 1)
    monkeypatch.setattr(CaseInsensitiveDict, "__init__", counting_init)
    for _ in range(5):
        cache.incr("kept-client")
    assert cache.get("kept-client") == 6
    assert built == []

    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(cache.incr("kept-client"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(7, 15))
