"""ORM queries compiled once per shape, for the few that run on every registration.

Building and compiling a queryset costs more than running it. A query that differs from one
request to the next only by a list of ids (the workshops a person chose, the rows to lock) is
compiled once per process for each number of ids, with placeholder ids that no row has, and
each request runs that SQL with its own ids put where the placeholders were. So the 125 ways
of choosing one of five workshops in each of three passes are one compiled query, not 125
compiled one by one while the rush is on.
"""

from collections.abc import Callable, Hashable, Sequence

from django.db.models import QuerySet

from . import caches

# Far below any primary key (they start at 1) and any constant a query of ours carries.
_FIRST_PLACEHOLDER = -(10**15)


def _placeholders(count: int) -> list[int]:
    return [_FIRST_PLACEHOLDER - i for i in range(count)]


def for_ids(
    key: Hashable, build: Callable[[list[int]], QuerySet], ids: Sequence[int]
) -> tuple[str, list]:
    """The SQL and parameters of `build(ids)`: `key` names the query (what `build` makes of
    its ids must depend on nothing else), and it is compiled once per number of ids."""
    sql, params = _compiled(key, len(ids), caches.Unkeyed(build))
    by_placeholder = dict(zip(_placeholders(len(ids)), ids, strict=True))
    return sql, [by_placeholder.get(p, p) if type(p) is int else p for p in params]


@caches.kept_by_content
def _compiled(key: Hashable, count: int, build: caches.Unkeyed) -> tuple[str, tuple]:
    sql, params = build.value(_placeholders(count)).query.sql_with_params()
    found = [p for p in params if type(p) is int and p <= _FIRST_PLACEHOLDER]
    # Each id once, as given: an IN list that dropped or merged one would mix ids up.
    assert sorted(found, reverse=True) == _placeholders(count), (key, params)
    return sql, tuple(params)
