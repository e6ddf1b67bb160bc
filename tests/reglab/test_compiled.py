"""reglab.compiled: a query compiled once per number of ids gives what the ORM gives."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reglab import compiled, locking
from workshops.models import Workshop


def _workshops(ids):
    return Workshop.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "number")


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_each_set_of_ids_gets_its_own_rows_from_one_compiled_query(programme):
    ids = list(Workshop.objects.filter(event=programme).order_by("pk").values_list("pk", flat=True))
    for chosen in ([ids[0], ids[5], ids[10]], [ids[1], ids[6], ids[14]], [ids[2]], ids):
        sql, params = compiled.for_ids("test-workshops", _workshops, chosen)
        assert _run(sql, params) == [tuple(row) for row in _workshops(chosen)]
    first = compiled.for_ids("test-workshops", _workshops, [ids[0], ids[5], ids[10]])[0]
    again = compiled.for_ids("test-workshops", _workshops, [ids[3], ids[4], ids[9]])[0]
    assert first is again  # the same compiled statement, not one per choice


def test_a_query_that_loses_an_id_is_refused():
    # The IN list drops a repeated id, so its placeholders could not be told apart.
    with pytest.raises(AssertionError):
        compiled.for_ids("test-broken", lambda ids: _workshops(ids[:1]), [1, 2])


def test_lock_ids_locks_in_id_order(programme):
    ids = list(Workshop.objects.filter(event=programme).values_list("pk", flat=True))[:3]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locking.lock_ids(Workshop, reversed(ids))
    (sql,) = [q["sql"] for q in queries.captured_queries if "workshops_workshop" in q["sql"]]
    assert 'ORDER BY "workshops_workshop"."id" ASC' in sql
    if connection.features.has_select_for_update:
        assert "FOR NO KEY UPDATE" in sql


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lock", [locking.lock_ids, locking.lock_rows])
def test_a_row_lock_outside_a_transaction_is_refused_every_time(lock):
    # lock_ids builds its statement once: the check must not be part of building it.
    target = Workshop if lock is locking.lock_ids else Workshop.objects.all()
    with transaction.atomic():
        lock(target, [1])
    for _ in range(2):
        with pytest.raises(RuntimeError):
            lock(target, [1])
