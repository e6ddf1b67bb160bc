"""No private link's token reaches a log: Django's messages, the app's, and gunicorn's access
log, each grepped after a run of requests that log a token's path (reglab/logs.py)."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from reglab.logs import mask_private_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "line, masked",
    [
        ("Not Found: /anmalan/abc-DEF_123/", "Not Found: /anmalan/…/"),
        (
            "Forbidden (CSRF cookie not set.): /anmalan/abc/avboka/",
            "Forbidden (CSRF cookie not set.): /anmalan/…/avboka/",
        ),
        (
            '"GET /anmalan/abc/kalender.ics?x=1 HTTP/1.1" 200',
            '"GET /anmalan/…/kalender.ics?x=1 HTTP/1.1" 200',
        ),
        ("referer http://127.0.0.1:8000/anmalan/abc", "referer http://127.0.0.1:8000/anmalan/…"),
        (
            "Database unavailable on /anmalan/abc/ko/2/lamna/: x",
            "Database unavailable on /anmalan/…/ko/2/lamna/: x",
        ),
        # The event's public pages keep their paths.
        ("GET /utsikt/anmalan/ 200", "GET /utsikt/anmalan/ 200"),
        ("GET /utsikt/anmalan/tack/ 200", "GET /utsikt/anmalan/tack/ 200"),
        ("GET /utsikt/anmalan/min-lank/skickad/", "GET /utsikt/anmalan/min-lank/skickad/"),
        (
            "GET /utsikt/anmalan/avbokad/ /utsikt/anmalan/raderad/",
            "GET /utsikt/anmalan/avbokad/ /utsikt/anmalan/raderad/",
        ),
    ],
)
def test_private_paths_are_masked_and_public_ones_kept(line, masked):
    assert mask_private_paths(line) == masked


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TOKEN = secrets.token_urlsafe(32)

# In a process of its own, with the settings' logging as in production. The database file's
# directory is missing at first (the "Database unavailable" message), then it is created.
DJANGO_RUN = textwrap.dedent(
    """
    import os, sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    token = sys.argv[1]
    client = Client(enforce_csrf_checks=True)
    statuses = [
        client.get(f"/anmalan/{token}/").status_code,  # the database is missing
        client.post(f"/anmalan/{token}/avboka/").status_code,  # no CSRF cookie
        client.get(f"/anmalan/{token}/finns-inte/").status_code,  # no such page
    ]
    os.makedirs(os.path.dirname(os.environ["DB_FILE"]))
    call_command("migrate", verbosity=0)
    statuses.append(client.get(f"/anmalan/{token}/").status_code)  # no such registration
    print(statuses)
    """
)


def test_django_and_the_app_log_no_token(tmp_path):
    db_file = tmp_path / "missing" / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DB_FILE": str(db_file),
    }
    result = subprocess.run(
        [sys.executable, "-c", DJANGO_RUN, TOKEN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[503, 403, 404, 404]"
    log = result.stderr
    assert "Database unavailable on /anmalan/…/" in log
    assert "Forbidden (CSRF cookie not set.): /anmalan/…/avboka/" in log
    assert "Not Found: /anmalan/…/finns-inte/" in log
    assert "Not Found: /anmalan/…/\n" in log
    assert TOKEN not in log


def test_gunicorns_access_log_holds_no_token(tmp_path):
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "1",
        "GUNICORN_ACCESSLOG": str(access_log),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    private = f"{base}/anmalan/{TOKEN}/"

    def get(path, data=None, headers=None):
        request = urllib.request.Request(base + path, data=data, headers=headers or {})
        try:
            return urllib.request.urlopen(request, timeout=10).status
        except urllib.error.HTTPError as error:
            return error.code

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        statuses = [
            get(f"/anmalan/{TOKEN}/"),
            get(f"/anmalan/{TOKEN}/kalender.ics?v=1"),
            get(f"/anmalan/{TOKEN}/avboka/", data=b"x=1"),
            get("/static/css/site.css", headers={"Referer": private}),
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert statuses[:3] == [503, 503, 403]
    log = access_log.read_text()
    assert log.count("/anmalan/…/") >= 4, log
    assert TOKEN not in log
    assert TOKEN not in output  # gunicorn's own log and Django's, on stderr
