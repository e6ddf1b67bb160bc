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


def _cut_and_ask(database_url: str) -> list:
    script = textwrap.dedent(
        """
        import json, sys, time
        import django
        django.setup()
        import psycopg
        from django.core.handlers.wsgi import WSGIHandler
        from django.db import connection
        from django.test.client import RequestFactory

        # As a server calls the site (the test client keeps connections open on purpose).
        app = WSGIHandler()
        statuses = []

        def ask():
            environ = RequestFactory()._base_environ(PATH_INFO="/utsikt-ar-insikt/")
            answer = []
            body = app(environ, lambda status, headers, exc_info=None: answer.append(status))
            b"".join(body)
            body.close()  # request_finished, as the server sends it
            statuses.append(int(answer[0].split()[0]))

        def cut():
            pid = connection.connection.info.backend_pid
            with psycopg.connect(sys.argv[1], autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            time.sleep(0.1)

        ask()           # connects; the connection is kept (CONN_MAX_AGE)
        cut()
        time.sleep(1.2) # idle for longer than RECENTLY_USED_SECONDS: checked, reconnected
        ask()
        cut()           # cut a moment after it answered: the request's own query finds out
        ask()
        ask()           # Django dropped the broken connection: a fresh one
        print(json.dumps(statuses))
        """
    )
    return run_script(script, database_url, database_url=database_url)


def test_a_cut_connection_is_reconnected_or_answered_with_the_503_page(
    postgres_only, transactional_db, programme
):
    from django.db import connection

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    assert _cut_and_ask(database_url) == [200, 200, 503, 200]
