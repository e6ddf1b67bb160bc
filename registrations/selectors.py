"""Read-only queries for registrations: seats taken, a person's agenda, organisers' lists."""

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.base import ModelState
from django.db.models.functions import Coalesce, Lower, TruncDate
from django.shortcuts import get_object_or_404

from reglab import caches, compiled
from workshops.models import Event, TimeSlot, Workshop, WorkshopPresenter
from workshops.selectors import event_to_show

from .models import AuditEntry, CheckIn, Choice, QueueEntry, Registration
from .normalise import normalise_email


def seats(*, exclude_registration=None) -> QuerySet:
    """What a seat is, for every count of them: a choice of a confirmed registration.

    Cancelled registrations keep their choices for the record; they hold no seat.
    """
    choices = Choice.objects.filter(registration__status=Registration.Status.CONFIRMED)
    if exclude_registration is not None:
        choices = choices.exclude(registration=exclude_registration)
    return choices


def _per_workshop(rows: QuerySet) -> QuerySet:
    return rows.order_by().values("workshop_id").annotate(n=Count("id"))


def _seats_taken_query(workshop_ids: Iterable[int], *, exclude_registration=None) -> QuerySet:
    taken = seats(exclude_registration=exclude_registration).filter(
        workshop_id__in=list(workshop_ids)
    )
    return _per_workshop(taken).values_list("workshop_id", "n")


def _seats_taken_sql(workshop_ids: tuple[int, ...]) -> tuple[str, list]:
    # Building and compiling the query costs more than running it (reglab.compiled).
    return compiled.for_ids("seats-taken", _seats_taken_query, workshop_ids)


def seats_taken(workshop_ids: Iterable[int], *, exclude_registration=None) -> dict[int, int]:
    """Seats taken per workshop id (workshops with none are absent), in one query."""
    if exclude_registration is not None:
        return dict(_seats_taken_query(workshop_ids, exclude_registration=exclude_registration))
    ids = tuple(workshop_ids)
    if not ids:  # no workshops, no seats (and an empty IN () compiles to no SQL at all)
        return {}
    return dict(_rows(*_seats_taken_sql(ids)))


def _rows(sql: str, params: Sequence) -> list[tuple]:
    """The rows of a query compiled once and kept (`_seats_taken_sql`, `_seats_now_sql`,
    `_facts_sql`)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count_in_same_query(rows: QuerySet):
    """Per workshop row, how many of `rows` point at it: a subquery, so that two counts
    annotated on one queryset do not multiply each other's rows."""
    return Coalesce(Subquery(_per_workshop(rows.filter(workshop=OuterRef("pk"))).values("n")), 0)


def with_seats_taken(workshops: QuerySet, *, exclude_registration=None) -> QuerySet:
    """Annotate `seats_taken`, counted in the same query from the same `seats`."""
    taken = seats(exclude_registration=exclude_registration)
    return workshops.annotate(seats_taken=_count_in_same_query(taken))


def is_present() -> Exists:
    """On a choice: its person is checked in at its workshop. A check-in counts only while
    the person holds that seat, and per workshop: present in pass 1 is present nowhere in
    pass 2."""
    return Exists(
        CheckIn.objects.filter(registration=OuterRef("registration"), workshop=OuterRef("workshop"))
    )


def with_attendance(workshops: QuerySet) -> QuerySet:
    """Annotate who came, counted in the same query from the same `seats`:
    `registered_count` (registered beforehand), `present_count` (of those, checked in) and
    `walk_in_count` (added at the door and checked in). See Attendance."""
    registered = seats().filter(registration__walk_in=False)
    walk_ins = seats().filter(registration__walk_in=True)
    return workshops.annotate(
        registered_count=_count_in_same_query(registered),
        present_count=_count_in_same_query(registered.filter(is_present())),
        walk_in_count=_count_in_same_query(walk_ins.filter(is_present())),
    )


@dataclass(frozen=True)
class Attendance:
    """Who came to a workshop: `present` of the `registered`, and `walk_ins` besides."""

    registered: int
    present: int
    walk_ins: int

    @classmethod
    def of(cls, workshop: Workshop) -> "Attendance":
        """For a workshop counted by with_attendance."""
        return cls(workshop.registered_count, workshop.present_count, workshop.walk_in_count)

    @property
    def absent(self) -> int:
        """Registered and not (yet) here; after the day, the no-shows."""
        return self.registered - self.present


def attendance_of(workshop: Workshop) -> Attendance:
    return Attendance.of(with_attendance(Workshop.objects.filter(pk=workshop.pk)).get())


@dataclass(frozen=True)
class Seats:
    """How full a workshop (or a pass) is: seats `taken` by confirmed registrations, of
    `capacity`."""

    taken: int
    capacity: int

    @classmethod
    def of(cls, workshop: Workshop) -> "Seats":
        """For a workshop counted by with_seats_taken or workshops_to_show (`seats_taken`)."""
        return cls(workshop.seats_taken, workshop.effective_capacity)

    @property
    def left(self) -> int:
        """Free seats; an overbooked workshop has none, not fewer."""
        return max(self.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        """The one meaning of "full" (no free seat), asked by the forms, queues and services."""
        return self.left == 0

    @property
    def overbooked_by(self) -> int:
        """Registered beyond the seats (an organiser lowered them and confirmed), else 0."""
        return max(self.taken - self.capacity, 0)

    @property
    def fill_percent(self) -> int:
        return round(100 * self.taken / self.capacity) if self.capacity else 0


def _seats_now_query(workshop_ids: Iterable[int], *, exclude_registration=None) -> QuerySet:
    taken = seats(exclude_registration=exclude_registration)
    return (
        Workshop.objects.filter(pk__in=list(workshop_ids))
        .order_by()
        .annotate(has=Coalesce("capacity", "room__capacity"), taken=_count_in_same_query(taken))
        .values_list("pk", "has", "taken")
    )


def _seats_now_sql(workshop_ids: tuple[int, ...]) -> tuple[str, list]:
    # As `_seats_taken_sql`: compiled once for every choice of three workshops.
    return compiled.for_ids("seats-now", _seats_now_query, workshop_ids)


def seats_now(workshop_ids: Iterable[int], *, exclude_registration=None) -> dict[int, Seats]:
    """Each workshop's seats by id: how many it has (its own, else its room's) and how many
    are taken, read in one statement. Run after the workshops' rows are locked, it sees them
    and their rooms as they are now (rules.lock_and_check_seats)."""
    ids = tuple(sorted(set(workshop_ids)))
    if not ids:
        return {}
    if exclude_registration is not None:
        rows = _seats_now_query(ids, exclude_registration=exclude_registration)
    else:
        rows = _rows(*_seats_now_sql(ids))
    return {pk: Seats(taken, has) for pk, has, taken in rows}


def seats_left(workshops: Iterable[Workshop]) -> dict[int, Seats]:
    """Seats of each workshop by id, in one query: for the programme's pages, which ask
    through workshops.availability. The workshops need their room loaded."""
    workshops = list(workshops)
    taken = seats_taken(w.pk for w in workshops)
    return {w.pk: Seats(taken.get(w.pk, 0), w.effective_capacity) for w in workshops}


def with_queue_length(workshops: QuerySet) -> QuerySet:
    """Annotate `queue_length` in the same query."""
    return workshops.annotate(queue_length=_count_in_same_query(QueueEntry.objects.all()))


def seats_free(workshop: Workshop, taken: int) -> int:
    """Free seats of `workshop` with `taken` of them taken (see Seats.left)."""
    return Seats(taken, workshop.effective_capacity).left


def is_full(workshop: Workshop, taken: int) -> bool:
    """See Seats.full."""
    return Seats(taken, workshop.effective_capacity).full


def workshops_with_seats(event: Event, *, exclude_registration=None) -> QuerySet:
    """The event's workshops, with `seats_taken` counted in the same query, by pass and number."""
    return with_seats_taken(
        Workshop.objects.for_programme().filter(event=event),
        exclude_registration=exclude_registration,
    ).order_by("slot__number", "number")


def workshops_to_choose(event: Event) -> list[Workshop]:
    """Just what checking a submitted form needs (ids and passes), without seats or texts.

    A valid submission is saved and redirected without showing the form again, so it never
    pays for presenters and seat counts; `workshops_to_show` is read when the form is shown.
    """
    return list(
        Workshop.objects.published()
        .filter(event=event)
        .select_related("slot", "room")
        .order_by("slot__number", "number")
    )


@dataclass(frozen=True)
class ProgrammeToChoose:
    """What a submission is checked against, as the database has it for this request."""

    event: Event
    passes: list[TimeSlot]  # every pass of the event, in order
    # As `workshops_to_choose`. Often the kept programme's own objects, which threads share:
    # read them, never change them (rules.counted_now copies before it adds a count).
    workshops: list[Workshop]


def _passes_of_event():
    return Subquery(
        TimeSlot.objects.filter(event=OuterRef("event"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )


# What a submission is decided on, per published workshop in form order: the workshop, its
# pass, its seats (own, else its room's), its event and the event's window and passes.
_FACTS = (
    "pk",
    "slot_id",
    "slot__number",
    "capacity",
    "room__capacity",
    "event_id",
    "event__registration_opens",
    "event__registration_closes",
    "passes_of_event",
)


@lru_cache(maxsize=64)
def _facts_sql(event_slug: str) -> tuple[str, tuple]:
    # Compiled once per event, as `_seats_taken_sql`: building the query costs more than
    # running it.
    facts = (
        Workshop.objects.published()
        .filter(event__slug=event_slug)
        .annotate(passes_of_event=_passes_of_event())
        .order_by("slot__number", "number")
        .values_list(*_FACTS)
    )
    return facts.query.sql_with_params()


def _facts(event_slug: str) -> list[tuple]:
    return _facts_in(_rows(*_facts_sql(event_slug)))


def _facts_in(rows: list[tuple]) -> list[tuple]:
    # SQLite's driver gives naive datetimes (UTC), PostgreSQL's aware ones.
    return [(*row[:6], *map(_aware, row[6:8]), row[8]) for row in rows]


def _aware(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _facts_of(workshops: list[Workshop]) -> list[tuple]:
    passes = len({w.slot_id for w in workshops})
    return [
        (
            w.pk,
            w.slot_id,
            w.slot.number,
            w.capacity,
            w.room.capacity,
            w.event_id,
            w.event.registration_opens,
            w.event.registration_closes,
            passes,
        )
        for w in workshops
    ]


def programme_to_choose(event_slug: str) -> ProgrammeToChoose:
    """A submission's event, passes and workshops (with pass and room), or Http404.

    One query reads what the submission is decided on (`_FACTS`). Where the kept programme
    (`_programme_to_show`) says exactly the same, its objects are used; else, and for an
    event with a pass that has no published workshop, everything is read again from the
    database. So a kept object never decides: only one that agrees with the database now."""
    facts = _facts(event_slug)
    agreed = _kept_where_agreed(_kept_programme(facts[0][5]), facts) if facts else None
    return agreed or _read_programme_to_choose(event_slug)


def _kept_where_agreed(kept: list[Workshop], facts: list[tuple]) -> ProgrammeToChoose | None:
    """The kept programme, where it says exactly what the database does (`_FACTS`), else None."""
    if not facts or _facts_of(kept) != facts:
        return None
    passes = list({w.slot_id: w.slot for w in kept}.values())
    return ProgrammeToChoose(kept[0].event, passes, kept)


def programme_and_seats_to_choose(event_slug: str) -> tuple[ProgrammeToChoose, dict[int, int]]:
    """`programme_to_choose` and the seats taken in its workshops now (`seats_taken`): the two
    reads in one round trip where the database allows it (`_rows_together`). The seats are
    counted for the kept programme's workshops, and counted again, apart, where the database
    says the programme is not the kept one."""
    kept = _kept_programme(event_to_show(event_slug).pk)
    ids = tuple(w.pk for w in kept)
    if ids:
        fact_rows, taken_rows = _rows_together(_facts_sql(event_slug), _seats_taken_sql(ids))
        agreed = _kept_where_agreed(kept, _facts_in(fact_rows))
        if agreed is not None:
            return agreed, dict(taken_rows)
    programme = _read_programme_to_choose(event_slug)
    return programme, seats_taken(w.pk for w in programme.workshops)


def _rows_together(*queries: tuple[str, Sequence]) -> list[list[tuple]]:
    """The rows of each query: on PostgreSQL sent together and answered in one round trip
    (psycopg's pipeline mode, each statement still on its own), elsewhere one after another."""
    if connection.vendor != "postgresql":
        return [_rows(*query) for query in queries]
    connection.ensure_connection()
    cursors = [connection.cursor() for _ in queries]
    try:
        # Django's wrapper turns a lost connection into its OperationalError, as for _rows.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, (sql, params) in zip(cursors, queries, strict=True):
                cursor.execute(sql, params)
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _read_programme_to_choose(event_slug: str) -> ProgrammeToChoose:
    workshops = list(
        Workshop.objects.published()
        .filter(event__slug=event_slug)
        .select_related("event", "slot", "room")
        .annotate(passes_of_event=_passes_of_event())
        .order_by("slot__number", "number")
    )
    if not workshops:
        event = get_object_or_404(Event, slug=event_slug)
        return ProgrammeToChoose(event, list(event.slots.order_by("number")), [])
    event = workshops[0].event
    passes = list({w.slot_id: w.slot for w in workshops}.values())
    if len(passes) != workshops[0].passes_of_event:
        passes = list(event.slots.order_by("number"))
    return ProgrammeToChoose(event, passes, workshops)


def _programme_to_show(event: Event) -> list[Workshop]:
    return _kept_programme(event.pk)


def _kept_programme(event_id: int) -> list[Workshop]:
    # The form's texts, rooms and presenters change only when organisers edit the programme,
    # but reading them is most of the cost of showing the form: kept (reglab.caches). What a
    # submission is checked against comes from here only where the database agrees
    # (`programme_to_choose`).
    return caches.kept_for_programme(
        ("form-workshops", event_id), lambda: _read_programme(event_id)
    )


def _read_programme(event_id: int) -> list[Workshop]:
    workshops = list(
        Workshop.objects.published()
        .for_programme()
        .filter(event_id=event_id)
        .order_by("slot__number", "number")
    )
    for workshop in workshops:
        # Their options' texts per language (registrations.option_texts), shared by the
        # copies handed out, and gone with these objects when the programme changes.
        workshop.option_texts = {}
    return workshops


def programme_and_seats_to_show(event: Event) -> tuple[list[Workshop], dict[int, int]]:
    """The form's workshops as kept (shared by threads: never to be changed) and their seats
    taken, counted now: for a page that is mostly served as kept bytes and needs the
    workshops (`workshops_to_show`) only when it is built."""
    programme = _programme_to_show(event)
    return programme, seats_taken(w.pk for w in programme)


def workshops_to_show(
    event: Event, *, exclude_registration=None, taken: dict[int, int] | None = None
) -> list[Workshop]:
    """The event's workshops as the form shows them, with `seats_taken` counted right now,
    or as `taken` (`seats_taken` of this request) says.

    Copies, so requests served side by side by one process never share a seat count.
    """
    programme = _programme_to_show(event)
    if taken is None:
        taken = seats_taken((w.pk for w in programme), exclude_registration=exclude_registration)
    return [copy_with_seats(workshop, taken.get(workshop.pk, 0)) for workshop in programme]


def copy_with_seats(workshop: Workshop, taken: int) -> Workshop:
    """A copy of `workshop` with `seats_taken`, so that requests served side by side by one
    process never share a seat count, and the kept workshops are never changed.

    What copy.copy makes of a model instance (Model.__getstate__: its own ModelState and
    related-object cache, the related objects shared), in a tenth of the calls: a shown form
    copies every workshop of the programme.
    """
    copied = object.__new__(type(workshop))
    copied.__dict__.update(workshop.__dict__)
    state = copied._state = ModelState()
    state.__dict__.update(workshop._state.__dict__)
    state.__dict__.pop("peers", None)  # weak references to the original's query peers
    state.fields_cache = workshop._state.fields_cache.copy()
    copied.seats_taken = taken
    return copied


def workshops_by_ids(ids: Iterable[int], *, event_slug: str) -> list[Workshop]:
    """The event's workshops with these ids, with their pass, in pass order."""
    ids = [i for i in ids if isinstance(i, int)]
    return list(
        Workshop.objects.published()
        .filter(event__slug=event_slug, pk__in=ids)
        .select_related("slot", "room")
        .order_by("slot__number")
    )


def agenda(registration: Registration) -> list[Choice]:
    """The registration's choices in pass order, with workshop, room and presenters loaded."""
    return list(
        registration.choices.select_related("slot__event", "workshop__room", "workshop__event")
        .prefetch_related(
            Prefetch(
                "workshop__workshop_presenters",
                queryset=WorkshopPresenter.objects.select_related("presenter").order_by("order"),
            )
        )
        .order_by("slot__number")
    )


# The trail's entries that change what a person's calendar shows (a workshop, a time, a room).
AGENDA_CHANGES = [
    AuditEntry.Action.CHANGED,
    AuditEntry.Action.MOVED_FROM_QUEUE,
    AuditEntry.Action.MOVED_BY_PROGRAMME,
]


def calendar_sequence(registration: Registration) -> int:
    """The iCalendar SEQUENCE of the person's agenda: how often it has changed.

    Read from the audit trail, which records every such change in the transaction that makes
    it, so it only ever grows, and no write needs another lock to keep a counter.
    """
    return registration.audit.filter(action__in=AGENDA_CHANGES).count()


def registration_by_token(token: str) -> Registration | None:
    """A confirmed registration by its private token; None for unknown or cancelled ones."""
    return Registration.objects.confirmed().select_related("event").filter(token=token).first()


def with_address(registrations: QuerySet, email: str) -> QuerySet:
    """Those of `registrations` with this address in any case, as the unique constraint
    compares addresses (models.Registration): the database's `lower()` of both. So what the
    constraint refuses is found here (`iexact` compares with `upper()`, which differs for
    letters such as "ı" and "İ")."""
    return registrations.alias(email_lower=Lower("email")).filter(email_lower=Lower(Value(email)))


def registration_by_address(event: Event | int, email: str) -> Registration | None:
    """The event's (or event id's) confirmed registration with this address (normalised,
    any case, see `with_address`). No address finds nobody: walk-ins who gave none share the
    empty one. Filtered as the constraint's partial index is, which then serves the lookup."""
    if not email:
        return None
    confirmed = Registration.objects.confirmed().exclude(email="").filter(event=event)
    return with_address(confirmed, normalise_email(email)).first()


def export_choices(
    event: Event, *, slot: TimeSlot | None = None, workshops: Iterable[Workshop] | None = None
) -> QuerySet:
    """One row per confirmed participant and workshop, by pass, workshop and name.

    Everything an export row shows is joined in, so any number of rows is one query.
    """
    choices = seats().filter(registration__event=event)
    if slot is not None:
        choices = choices.filter(slot=slot)
    if workshops is not None:
        choices = choices.filter(workshop__in=list(workshops))
    return choices.select_related("registration", "slot", "workshop__room").order_by(
        "slot__number", "workshop__number", Lower("registration__name"), "registration_id"
    )


def people_in(choices: QuerySet) -> int:
    """How many people (registrations) the choices are of: one query."""
    return choices.order_by().values("registration_id").distinct().count()


_SWEDISH_LAST_LETTERS = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})
# The letters that the sort key's stand-ins are shown as in an index.
_INDEX_LETTERS = {"{": "Å", "|": "Ä", "}": "Ö"}


def swedish_sort_key(text: str) -> str:
    """Sorts like a Swedish list of names: case-insensitive, é as e, Å Ä Ö after Z."""
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SWEDISH_LAST_LETTERS)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_parts(name: str) -> tuple[str, str]:
    """(surname, given names) of a name as typed: the last word is taken as the surname."""
    *given, surname = name.split() or [""]
    return surname, " ".join(given)


def surname_sort_key(name: str) -> tuple[str, str]:
    """Surname, then given names, in Swedish order (swedish_sort_key): the same order on
    every database, since no collation is asked of it."""
    surname, given = name_parts(name)
    return swedish_sort_key(surname), swedish_sort_key(given)


@dataclass
class Listed:
    """A participant as a roster lists them: by surname, as door staff look them up."""

    registration: Registration

    @property
    def surname(self) -> str:
        return name_parts(self.registration.name)[0]

    @property
    def given_names(self) -> str:
        return name_parts(self.registration.name)[1]

    @property
    def organisation(self) -> str:
        return self.registration.organisation


@dataclass
class Roster:
    workshop: Workshop  # annotated with seats_taken
    participants: list[Listed]


def rosters(workshops: QuerySet) -> list[Roster]:
    """Each workshop with its confirmed participants by surname and given names (then
    organisation), in three queries.

    Each participant has `present` (checked in there), so a roster printed after the day
    shows who came.
    """
    workshops = list(with_seats_taken(workshops.for_programme()).order_by("slot__number", "number"))
    by_workshop: dict[int, list[Registration]] = {w.pk: [] for w in workshops}
    choices = (
        seats()
        .filter(workshop__in=workshops)
        .select_related("registration")
        .annotate(present=is_present())
    )
    for choice in choices:
        choice.registration.present = choice.present
        by_workshop[choice.workshop_id].append(choice.registration)

    def order(registration: Registration):
        return (
            *surname_sort_key(registration.name),
            swedish_sort_key(registration.organisation),
            registration.pk,
        )

    return [Roster(w, [Listed(r) for r in sorted(by_workshop[w.pk], key=order)]) for w in workshops]


@dataclass
class PassSummary:
    slot: TimeSlot
    workshops: list[Workshop]  # annotated with seats_taken, queue_length and attendance

    @property
    def rows(self) -> list[tuple[Workshop, Seats]]:
        return [(w, Seats.of(w)) for w in self.workshops]

    @property
    def attendance_rows(self) -> list[tuple[Workshop, Seats, Attendance]]:
        return [(w, Seats.of(w), Attendance.of(w)) for w in self.workshops]

    @property
    def attendance(self) -> Attendance:
        rows = [Attendance.of(w) for w in self.workshops]
        return Attendance(
            registered=sum(a.registered for a in rows),
            present=sum(a.present for a in rows),
            walk_ins=sum(a.walk_ins for a in rows),
        )

    @property
    def seats_taken(self) -> int:
        return sum(w.seats_taken for w in self.workshops)

    @property
    def capacity(self) -> int:
        return sum(w.effective_capacity for w in self.workshops)

    @property
    def seats_free(self) -> int:
        return sum(seats.left for _, seats in self.rows)

    @property
    def fill_percent(self) -> int:
        return Seats(self.seats_taken, self.capacity).fill_percent

    @property
    def queue_length(self) -> int:
        return sum(w.queue_length for w in self.workshops)


@dataclass
class DayCount:
    day: datetime.date
    registrations: int
    cancelled: int


@dataclass
class Overview:
    event: Event
    passes: list[PassSummary]
    per_day: list[DayCount]
    confirmed: int
    cancelled: int
    # Once the doors have checked anyone in: who came, per workshop and pass.
    has_attendance: bool = False

    @property
    def busiest_day(self) -> int:
        return max((d.registrations for d in self.per_day), default=0)


def overview(event: Event) -> Overview:
    """How full the event is: per pass and workshop (with queue lengths), and new
    registrations per day. Drafts have no seats to take yet, so they are not counted."""
    workshops = list(with_attendance(with_queue_length(workshops_with_seats(event).published())))
    passes = [
        PassSummary(slot, [w for w in workshops if w.slot_id == slot.pk])
        for slot in event.slots.order_by("number")
    ]
    cancelled = Q(status=Registration.Status.CANCELLED)
    # Days in the site's time zone (TruncDate uses the current one).
    days = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"), cancelled=Count("id", filter=cancelled))
        .order_by("day")
    )
    per_day = [DayCount(d["day"], d["n"], d["cancelled"]) for d in days]
    total_cancelled = sum(d.cancelled for d in per_day)
    return Overview(
        event=event,
        passes=passes,
        per_day=per_day,
        confirmed=sum(d.registrations for d in per_day) - total_cancelled,
        cancelled=total_cancelled,
        # Has the day begun at the doors? Until then the attendance table would say only 0.
        has_attendance=any(w.present_count or w.walk_in_count for w in workshops),
    )


@dataclass
class QueuePlace:
    entry: QueueEntry
    place: int  # 1 is next in line


@dataclass
class QueueOffer:
    slot: TimeSlot
    workshops: list[Workshop]  # full workshops of this pass the person may queue for


def queue_places(registration: Registration) -> list[QueuePlace]:
    """The person's queue entries in pass order, each with their place in that queue.

    One query: the queues they stand in are read whole (they are short) in queue order.
    """
    entries = QueueEntry.objects.filter(workshop__queue__registration=registration).select_related(
        "workshop", "slot"
    )
    places: list[QueuePlace] = []
    seen: dict[int, int] = {}
    for entry in entries.in_order():
        seen[entry.workshop_id] = seen.get(entry.workshop_id, 0) + 1
        if entry.registration_id == registration.pk:
            places.append(QueuePlace(entry, seen[entry.workshop_id]))
    return sorted(places, key=lambda p: p.entry.slot.number)


def queue_offers(registration: Registration, places: list[QueuePlace]) -> list[QueueOffer]:
    """Per pass without a queue entry: the full workshops other than the person's own."""
    queued_slots = {p.entry.slot_id for p in places}
    own = registration.choices.values("workshop_id")
    workshops = (
        with_seats_taken(Workshop.objects.published().filter(event=registration.event_id))
        .exclude(pk__in=own)
        .exclude(slot_id__in=queued_slots)
        .select_related("slot", "room")
        .order_by("slot__number", "number")
    )
    offers: dict[int, QueueOffer] = {}
    for workshop in workshops:
        if Seats.of(workshop).full:
            offers.setdefault(workshop.slot_id, QueueOffer(workshop.slot, [])).workshops.append(
                workshop
            )
    return list(offers.values())


def surname_first(name: str) -> tuple[str, str]:
    """("Andersson", "Anna") for "Anna Andersson". One name field holds given names first
    and the surname last, so the last word is taken as the surname ("Anna af Klint" sorts
    at K): the door list is in surname order, like a paper list at a door."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    return parts[-1], " ".join(parts[:-1])


@dataclass
class DoorPerson:
    registration: Registration
    workshop: Workshop  # where they hold their seat in the door's pass
    present: bool

    @property
    def names(self) -> tuple[str, str]:
        return surname_first(self.registration.name)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        surname, given = self.names
        return (
            swedish_sort_key(surname),
            swedish_sort_key(given),
            swedish_sort_key(self.registration.organisation),
        )

    @property
    def initial(self) -> str:
        """The letter the surname is sorted under, for the list's A–Ö index: Ø with Ö, Æ with
        Ä, É with E (swedish_sort_key)."""
        first = swedish_sort_key(self.names[0])[:1]
        return _INDEX_LETTERS.get(first, first.upper()) or "#"

    @property
    def search_text(self) -> str:
        return search_folded(f"{self.registration.name} {self.registration.organisation}")


@dataclass
class DoorList:
    """One door: who holds a seat in its workshop, and who holds one elsewhere in its pass
    (found when they come to the wrong door), each in surname order."""

    workshop: Workshop
    attendance: Attendance
    here: list[DoorPerson]
    elsewhere: list[DoorPerson]

    @property
    def initials(self) -> list[str]:
        return list(dict.fromkeys(p.initial for p in self.here))


def door_list(workshop: Workshop) -> DoorList:
    """Everyone with a seat in the workshop's pass, in three queries."""
    choices = (
        seats()
        .filter(slot_id=workshop.slot_id)
        .select_related("registration", "workshop__room")
        .annotate(present=is_present())
    )
    people = sorted(
        (DoorPerson(c.registration, c.workshop, c.present) for c in choices),
        key=lambda p: p.sort_key,
    )
    return DoorList(
        workshop=workshop,
        attendance=attendance_of(workshop),
        here=[p for p in people if p.workshop.pk == workshop.pk],
        elsewhere=[p for p in people if p.workshop.pk != workshop.pk],
    )


def registration_by_checkin_code(code: str) -> Registration | None:
    """A registration by its badge's check-in code (never the private token), confirmed or
    cancelled: a badge printed before a cancellation is still scanned at the door. An erased
    registration has a new code, so its badge finds nothing."""
    return Registration.objects.select_related("event").filter(checkin_code=code).first()


def search_folded(text: str) -> str:
    """For the door's search: lower case, without accents ("Åsa" finds "asa" too); door.js
    folds what is typed the same way."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass
class Badge:
    registration: Registration
    choices: list[Choice]  # in pass order, with workshop and room


def badges(registrations: QuerySet) -> list[Badge]:
    """Name badges for these registrations (the confirmed ones), in surname order, with
    each person's workshops: two queries, whatever the number."""
    people = (
        registrations.confirmed()
        .distinct()
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=Choice.objects.select_related("slot", "workshop__room").order_by(
                    "slot__number"
                ),
            )
        )
    )
    found = [Badge(r, list(r.choices.all())) for r in people]
    return sorted(
        found,
        key=lambda b: (
            *(swedish_sort_key(part) for part in surname_first(b.registration.name)),
            swedish_sort_key(b.registration.organisation),
        ),
    )
