"""Row locks for every app: the one way reglab locks a scarce resource.

Modelled on pretix's `base/services/locking.py`:
- `lock_rows` locks rows in primary-key order, so two transactions that lock overlapping sets
  never wait on each other crosswise (no deadlock);
- it refuses to run outside a transaction, where a lock would end at once and guard nothing;
- waits are bounded: PostgreSQL gives up after `lock_timeout` (set per connection in settings,
  REGLAB_DB_LOCK_TIMEOUT_MS), SQLite after its busy timeout;
- a wait that ran out becomes one exception, `LockBusy`, which each app's services turn into
  its own "try again" message. Any other database error (an outage) passes through untouched,
  so it reaches the 503 page instead of passing for a busy moment.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial

from django.db import OperationalError, connection
from django.db.models import Model, QuerySet

from . import compiled

# PostgreSQL's lock_not_available and query_canceled (lock_timeout, statement_timeout).
BUSY_SQLSTATES = {"55P03", "57014"}


class LockBusy(Exception):
    """A lock (or a statement behind one) waited longer than the bound."""


def is_busy(error: OperationalError) -> bool:
    """Did this error come from a bounded wait running out (rather than an outage)?"""
    if getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    # SQLite gives up waiting for the write lock after its timeout with this message.
    return "database is locked" in str(error)


@contextmanager
def bounded_wait() -> Iterator[None]:
    """Around a transaction: a wait that ran out inside it becomes `LockBusy`."""
    try:
        yield
    except OperationalError as error:
        if not is_busy(error):
            raise
        raise LockBusy() from error


def _refuse_outside_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("a row lock outside a transaction would guard nothing")


def _for_update[M: Model](queryset: QuerySet[M]) -> QuerySet[M]:
    _refuse_outside_transaction()
    # Only the queryset's own table is locked, not the rows it joins for reading. FOR NO KEY
    # UPDATE: it still lets one holder at a time through, but not the key-share lock that a
    # row referring to it takes when inserted (an audit entry for a person being moved, a
    # choice of a workshop), which would otherwise wait crosswise with the holder's own wait.
    return queryset.select_for_update(of=("self",), no_key=True)


def lock_rows[M: Model](queryset: QuerySet[M], ids: Iterable[int]) -> list[M]:
    """The rows of `queryset` with these primary keys, locked until the transaction ends,
    always in primary-key order."""
    return list(_for_update(queryset).filter(pk__in=sorted(set(ids))).order_by("pk"))


def lock_ids(model: type[Model], ids: Iterable[int]) -> None:
    """Lock the rows of `model` with these primary keys as `lock_rows` does, reading nothing
    back: where only the lock counts, with the statement compiled once (reglab.compiled)."""
    _refuse_outside_transaction()  # here, as the statement is built only once
    ids = sorted(set(ids))
    if not ids:
        return
    sql, params = compiled.for_ids(("lock", model._meta.label), partial(_locking, model), ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _locking(model: type[Model], ids: list[int]) -> QuerySet:
    return _for_update(model._default_manager.only("pk")).filter(pk__in=ids).order_by("pk")


def lock_first[M: Model](queryset: QuerySet[M]) -> M | None:
    """The first row of an ordered queryset, locked until the transaction ends.

    One row, so no order to keep with other locks; for "the next in line" of a queue.
    """
    return _for_update(queryset).first()
