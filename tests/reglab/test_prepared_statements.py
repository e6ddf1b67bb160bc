"""On PostgreSQL a connection prepares the statements it repeats (reglab.settings,
REGLAB_DB_PREPARED): the registration rush's statements are parsed and planned once per
connection, not once per request."""

import textwrap

import pytest
from django.db import connection
from django.urls import reverse

from tests.django_script import run_script
from tests.registrations.test_pages import form_data


def prepared_statements(cursor) -> list[str]:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    return [row[0] for row in cursor.fetchall()]


def test_a_refused_submissions_statements_are_prepared_on_the_connection(
    postgres_only, client, programme
):
    programme.workshops.filter(number=1).update(capacity=0)
    url = reverse("registrations:register", args=[programme.slug])
    for n in range(6):  # psycopg prepares a statement at its 5th use
        response = client.post(url, form_data(programme, email=f"p{n}@example.se"))
        assert response.status_code == 200 and "har blivit fullt" in response.content.decode()
    with connection.cursor() as cursor:
        statements = prepared_statements(cursor)
    # The seat count and the programme the submission is checked against: the two queries.
    assert any('COUNT("registrations_choice"."id")' in sql for sql in statements), statements
    assert any('FROM "workshops_workshop"' in sql for sql in statements), statements


SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.db import connection
    from workshops.models import Workshop

    for _ in range(8):
        list(Workshop.objects.filter(number=3))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        print(json.dumps(cursor.fetchone()[0]))
    """
)


@pytest.mark.parametrize("switch, prepared", [("on", True), ("off", False)])
def test_preparing_can_be_switched_off_for_a_pooler(postgres_only, db, switch, prepared):
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    )
    count = run_script(SCRIPT, database_url=database_url, REGLAB_DB_PREPARED=switch)
    assert (count > 0) is prepared
