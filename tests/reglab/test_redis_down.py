"""Redis away: the site serves from each process's memory, says so once in the log, and
goes back to Redis by itself (reglab/cache_backends.py)."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from reglab import cache_backends, caches
from tests.registrations.test_pages import form_data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_redis_at(settings, port: int) -> str:
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "reglab.cache_backends.RedisWithLocalFallback",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
    return url


@pytest.fixture(autouse=True)
def forget_outages(monkeypatch):
    monkeypatch.setattr(cache_backends, "_down_until", {})
    monkeypatch.setattr(cache_backends, "RETRY_SECONDS", 0.3)


@pytest.fixture
def closed_port(settings):
    # Nothing listens on a port just freed.
    return use_redis_at(settings, free_port())


def warnings_of(caplog):
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "reglab.cache_backends" and r.levelno == logging.WARNING
    ]


def test_with_redis_on_a_closed_port_every_public_page_answers(
    client, programme, closed_port, caplog, settings
):
    settings.REGLAB_RATELIMIT = True
    register = reverse("registrations:register", args=[programme.slug])
    link = reverse("registrations:request_link", args=[programme.slug])
    answers = {
        "/": client.get("/").status_code,
        "programme": client.get(reverse("workshops:programme")).status_code,
        "form": client.get(register).status_code,
        "invalid post": client.post(register, {"name": "x"}).status_code,
        "registration": client.post(register, form_data(programme)).status_code,
        "thanks": client.get(reverse("registrations:thanks", args=[programme.slug])).status_code,
        "link request": client.post(link, {"email": "anna@example.se"}).status_code,
    }
    assert answers == {
        "/": 200,
        "programme": 200,
        "form": 200,
        "invalid post": 200,
        "registration": 302,
        "thanks": 200,
        "link request": 302,
    }
    (warning,) = warnings_of(caplog)  # once, not once a request
    assert "unreachable" in warning and closed_port.split("/")[2] in warning


def test_the_rate_limit_still_counts_in_local_memory_while_redis_is_away(
    client, programme, closed_port, settings
):
    settings.REGLAB_RATELIMIT = True
    link = reverse("registrations:request_link", args=[programme.slug])
    answers = [client.post(link, {"email": "a@b.se"}).status_code for _ in range(11)]
    assert answers == [302] * 10 + [429]


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of this test's own, started and stopped at will on one port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server")
    port = free_port()

    class Server:
        process = None

        def start(self):
            self.process = subprocess.Popen(
                [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(100):
                try:
                    redis.Redis(port=port).ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
            raise RuntimeError("redis-server did not start")

        def stop(self):
            self.process.terminate()
            self.process.wait(timeout=10)

    server = Server()
    server.port = port
    yield server
    if server.process and server.process.poll() is None:
        server.stop()


def test_the_site_goes_back_to_redis_by_itself_when_it_returns(
    client, programme, redis_server, settings, caplog
):
    use_redis_at(settings, redis_server.port)
    url = reverse("workshops:event_programme", args=[programme.slug])

    # Down from the start: served from memory.
    assert client.get(url).status_code == 200
    assert len(warnings_of(caplog)) == 1

    redis_server.start()
    time.sleep(0.4)  # past RETRY_SECONDS
    assert client.get(url).status_code == 200
    assert "reachable again" in warnings_of(caplog)[-1]
    shared = redis.Redis(port=redis_server.port)
    assert shared.keys(f"*{caches.PROGRAMME_VERSION_KEY}*"), "the version is in Redis again"

    # Lost while serving, and back again.
    redis_server.stop()
    assert client.get(url).status_code == 200
    assert "unreachable" in warnings_of(caplog)[-1]
    redis_server.start()
    time.sleep(0.4)
    cache.set("after", "back")
    assert redis.Redis(port=redis_server.port).keys("*after*")
    assert client.get(url).status_code == 200


def test_a_redis_that_hangs_costs_one_timeout_then_memory_serves(
    client, programme, settings, caplog
):
    # Accepts connections (the kernel's backlog) but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        use_redis_at(settings, silent.getsockname()[1])
        url = reverse("registrations:register", args=[programme.slug])
        started = time.monotonic()
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200
        assert time.monotonic() - started < 3
    assert "unreachable" in warnings_of(caplog)[0]


def test_settings_use_the_fallback_backend_for_redis_url():
    import json
    import os
    import sys
    from pathlib import Path

    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:9/6", "DJANGO_SETTINGS_MODULE": ""}
    script = "import json, tests.settings as s; print(json.dumps(s.CACHES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    default = json.loads(result.stdout)
    assert default["BACKEND"] == "reglab.cache_backends.RedisWithLocalFallback"
    assert default["OPTIONS"]["socket_timeout"] <= 1
