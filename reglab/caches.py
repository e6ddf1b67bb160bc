"""Everything reglab keeps between requests, and why none of it shows an edit late.

Several gunicorn workers (processes, each with a few threads) on one or more app servers serve
the same site. Four things are kept; nothing any decision is made on is taken from them: a
submission is checked against what the database says for it (registrations.selectors.
programme_to_choose reads each workshop's pass and seats and the event's window and passes,
and uses the kept objects only where they say the same) and the services count seats there,
under their locks. Seats are counted for every request.

1. The programme version (`programme_version`), in the default cache: Redis with REDIS_URL,
   shared by every process on every server. It changes on every write to the programme's
   tables (workshops.models: Event, TimeSlot, Room, Presenter, Workshop, WorkshopPresenter):
   their save, delete and presenter signals (workshops.signals) and their querysets' update
   and bulk_create (workshops.models.ProgrammeQuerySet), which bypass save(), call
   `programme_changed`. It changes again after the commit, so a process that read the tables
   before the commit does not keep that under the new number. It starts from the clock, so a
   version made after Redis was emptied never matches one a process still holds. Without
   Redis (development), and while Redis is unreachable (reglab/cache_backends.py: each
   process then uses its own memory until Redis answers again), each process has its own
   version and sees only its own edits at once; the others' show within KEPT_SECONDS (2.).

2. Per process, under the version (`kept_for_programme`): what is built from the programme's
   tables alone, i.e. the event the programme page shows and its workshop cards
   (workshops.views, which adds the seats counted for its request) and the workshops the
   registration form shows (registrations.selectors.workshops_to_show, which hands out
   copies, each with the seats counted for its request). An entry goes stale when the version
   differs, and after KEPT_SECONDS at the latest, which bounds an edit the version does not see
   (raw SQL, a restored backup, another process without Redis).

3. Per process, under its content (`kept_by_content`): each workshop option's rendered text on
   the registration form (registrations.option_texts), keyed by the strings it is made of, and
   each option's whole HTML (registrations.forms.WorkshopOption.html), keyed by that text and
   by what the request decides (seats left, ticked, disabled). It cannot go stale, since an
   edit makes a new key; the oldest fall out.

4. Per process, whole pages (`kept_page`): the programme page and the registration form as
   shown before anything is typed, as bytes or as a frame with the per-request pieces left
   out (reglab.kept_frames). Kept under the programme version (as 2.), the
   language of the request (translation.get_language()) and a `state` the view computes for
   each request from the database: the seats it counted (and the registration window, which
   moves with the clock). So a page is served from here only when every seat on it is what
   this request counted: seats show as promised, counted for every request, and an edit shows
   at once. Whatever differs per visitor is put in per request (the form's CSRF token), and a
   request with something of its own to show (a message) is rendered in full.
"""

import time
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from functools import lru_cache

from django.contrib import messages
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils.translation import get_language

PROGRAMME_VERSION_KEY = "programme-version"
KEPT_SECONDS = 60

# A day has 15 workshops in one or two languages, each option shown with a few dozen seat
# counts and ticks: room for several events and many edits (an option's HTML is about 1 kB).
kept_by_content = lru_cache(maxsize=4096)


class Unkeyed:
    """An argument of a `kept_by_content` function that is not part of its key (all are equal):
    how to build the value the first time, which the key alone decides."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __hash__(self):
        return 0

    def __eq__(self, other):
        return isinstance(other, Unkeyed)


_kept: dict[Hashable, tuple[int, Hashable, float, object]] = {}


def _new_version() -> int:
    return time.time_ns()


# The version a request read, for the rest of that request: a page asks for it several times
# (its event, its texts, its bytes) and so takes one round trip to Redis, and sees one
# programme throughout. _OUTSIDE when no request runs in this thread (commands, the worker).
_OUTSIDE = object()
_version_of_request: ContextVar = ContextVar("programme_version_of_request", default=_OUTSIDE)


def _request_starts(**kwargs) -> None:
    _version_of_request.set(None)


def _request_ends(**kwargs) -> None:
    _version_of_request.set(_OUTSIDE)


request_started.connect(_request_starts, dispatch_uid="reglab.caches.request_starts")
request_finished.connect(_request_ends, dispatch_uid="reglab.caches.request_ends")


def programme_version() -> int:
    """A number that changes whenever the programme is edited."""
    version = _version_of_request.get()
    if version is None or version is _OUTSIDE:
        read = cache.get_or_set(PROGRAMME_VERSION_KEY, _new_version, timeout=None)
        if version is None:
            _version_of_request.set(read)
        return read
    return version


def _bump() -> None:
    if _version_of_request.get() is not _OUTSIDE:
        _version_of_request.set(None)  # this request's own edit: read the new version
    try:
        cache.incr(PROGRAMME_VERSION_KEY)
    except ValueError:  # not set yet, or evicted: start a new version
        cache.set(PROGRAMME_VERSION_KEY, _new_version(), timeout=None)


def programme_changed() -> None:
    """Call on every write to the programme's tables: at once, so this process shows its own
    edit, and again after the commit, so no other process keeps what it read before it."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def kept_for_programme[T](key: Hashable, build: Callable[[], T], *, state: Hashable = None) -> T:
    """`build()`, kept in this process under `key` while the programme version (and `state`)
    stay the same, for at most KEPT_SECONDS. Threads may share what it returns: it must not
    be changed."""
    version = programme_version()
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is not None and kept[0] == version and kept[1] == state and kept[2] > now:
        return kept[3]
    value = build()
    # Keyed without the version and the state, so each key holds one entry however often the
    # programme or the seats change.
    _kept[key] = (version, state, now + KEPT_SECONDS, value)
    return value


def kept_page[T](key: Hashable, *, state: Hashable, build: Callable[[], T]) -> T:
    """A page (4. above: its bytes, or its frame, reglab.kept_frames): kept under `key` and the
    request's language while the programme version and `state` (what the request counted)
    stay the same."""
    return kept_for_programme(("page", get_language(), key), build, state=state)


def has_messages_of_its_own(request) -> bool:
    """The request has a message to show (django.contrib.messages), so its page is its own.
    Counting them reads the messages' cookie (or an organiser's session) without using them up."""
    return len(messages.get_messages(request)) > 0
