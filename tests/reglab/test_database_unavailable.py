"""With the database gone the public pages say so kindly, and recover by themselves."""

import json
import textwrap

from tests.django_script import run_script

PAGES = ["/", "/utsikt-ar-insikt/", "/utsikt-ar-insikt/anmalan/"]

# Runs in its own process, because this one's database connection must stay as it is.
# With SQLite the database file's directory is missing at first (OperationalError: unable to
# open database file); then the script creates and fills it, and the same process must serve
# the pages again without a restart.
SCRIPT = textwrap.dedent(
    """
    import datetime, json, os, sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    client = Client()
    out = {"down": {}, "again": {}}
    for path in json.loads(sys.argv[1]):
        r = client.get(path)
        out["down"][path] = [r.status_code, r.get("Retry-After"), r.content.decode()]
    r = client.post("/utsikt-ar-insikt/anmalan/", {"name": "A", "email": "a@b.se"})
    out["post"] = [r.status_code, r.content.decode()]
    if os.environ.get("DB_FILE"):
        os.makedirs(os.path.dirname(os.environ["DB_FILE"]))
        call_command("migrate", verbosity=0)
        call_command("loaddata", "fixtures/utsikt_ar_insikt.json", verbosity=0)
        from workshops.models import Event
        now = timezone.now()
        Event.objects.update(
            registration_opens=now - datetime.timedelta(days=1),
            registration_closes=now + datetime.timedelta(days=1),
        )
        for path in json.loads(sys.argv[1]):
            out["again"][path] = client.get(path).status_code
    print(json.dumps(out))
    """
)


def run_app(database_url, db_file=None):
    return run_script(
        SCRIPT, json.dumps(PAGES), database_url=database_url, DB_FILE=str(db_file or "")
    )


def assert_friendly_503(answers):
    for path, (status, retry_after, body) in answers["down"].items():
        assert (status, retry_after) == (503, "30"), path
        assert "Tjänsten är tillfälligt otillgänglig" in body
        assert "Traceback" not in body and "OperationalError" not in body
    status, body = answers["post"]
    assert status == 503 and "ingenting sparats till hälften" in body


def test_public_pages_answer_a_friendly_503_and_recover_when_the_database_returns(tmp_path):
    db_file = tmp_path / "missing" / "db.sqlite3"
    answers = run_app(f"sqlite:///{db_file}", db_file)
    assert_friendly_503(answers)
    assert answers["again"] == dict.fromkeys(PAGES, 200)


def test_an_unreachable_postgresql_server_also_gives_the_503_page():
    # Nothing listens on port 9 here, so the connection is refused at once.
    assert_friendly_503(run_app("postgres://postgres@127.0.0.1:9/reglab"))
