"""The door on the event day: staff's check-in pages, on a phone or a tablet.

Choose the pass, then the room; the door list marks people present with a tap (door.js
posts it and shows it saved only on the server's answer; without JavaScript the same forms
post and come back). The badge's QR code leads to `scan`. Every write is a service in
registrations.services.checkin, which also holds the rule of who may do what; these views
need a login with the door's permission (both groups have it).
"""

import hashlib
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reglab.http import get_or_post
from workshops.models import Event, Workshop
from workshops.selectors import current_event, running_slot

from . import qr, selectors, services
from .forms import WalkInForm
from .models import Registration

# The door this browser last opened: a scanned badge offers to move the person there.
SESSION_DOOR_KEY = "reglab_door_workshop"
# How often door.js asks for the others' taps (the devices at one door stay in step).
POLL_SECONDS = 4
# What a tap asks for: present ("1") or not ("0").
PRESENT_VALUES = ("0", "1")


def door_staff(view):
    """Logged in with the door's permission; never cached (the lists change by the minute)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not services.may_check_in(request.user):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _workshop(event_slug: str, number: int) -> Workshop:
    return get_object_or_404(
        Workshop.objects.select_related("event", "slot", "room"),
        event__slug=event_slug,
        number=number,
    )


def count_text(attendance: selectors.Attendance) -> str:
    return _(
        "%(present)s av %(registered)s här · %(absent)s inte här · %(walk_ins)s utan anmälan"
    ) % {
        "present": attendance.present,
        "registered": attendance.registered,
        "absent": attendance.absent,
        "walk_ins": attendance.walk_ins,
    }


def _members(door: selectors.DoorList) -> str:
    """Who is on the lists and where: when it changes (a walk-in, a move), door.js fetches
    the lists again instead of only the ticks."""
    rows = sorted((p.registration.pk, p.workshop.pk) for p in door.here + door.elsewhere)
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def _state(door: selectors.DoorList) -> dict:
    return {
        "count": count_text(door.attendance),
        "present": [p.registration.pk for p in door.here if p.present],
        "members": _members(door),
    }


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _back(request, default: str):
    """After a form without JavaScript: back where it was posted from (this site only)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@door_staff
def passes(request, event_slug=None):
    event = get_object_or_404(Event, slug=event_slug) if event_slug else current_event()
    if event is None:
        raise Http404(_("Det finns inget evenemang ännu."))
    return render(
        request,
        "registrations/door/passes.html",
        {"event": event, "slots": event.slots.order_by("number"), "running": running_slot(event)},
    )


@door_staff
def rooms(request, event_slug, number):
    event = get_object_or_404(Event, slug=event_slug)
    slot = get_object_or_404(event.slots, number=number)
    workshops = selectors.with_attendance(
        Workshop.objects.filter(slot=slot).select_related("room", "slot")
    ).order_by("room__name", "number")
    return render(
        request,
        "registrations/door/rooms.html",
        {
            "event": event,
            "slot": slot,
            "doors": [(w, count_text(selectors.Attendance.of(w))) for w in workshops],
        },
    )


@door_staff
def door(request, event_slug, number):
    workshop = _workshop(event_slug, number)
    door = selectors.door_list(workshop)
    request.session[SESSION_DOOR_KEY] = workshop.pk
    query = request.GET.get("q", "").strip()
    for person in door.elsewhere:
        person.where = services.wrong_door_message(person)
    return render(
        request,
        "registrations/door/door.html",
        {
            "event": workshop.event,
            "workshop": workshop,
            "door": door,
            "state": _state(door),
            "query": query,
            # Without JavaScript the search is sent and answered here; door.js does the
            # same as one types (the people elsewhere only from two letters on).
            "here_shown": _matching(door.here, query),
            "elsewhere_shown": _matching(door.elsewhere, query) if len(query) >= 2 else set(),
            "seats": _seats(workshop),
            "may_override": services.may_override(request.user),
            "poll_seconds": POLL_SECONDS,
        },
    )


def _matching(people: list[selectors.DoorPerson], query: str) -> set[int]:
    folded = selectors.search_folded(query)
    return {p.registration.pk for p in people if folded in p.search_text}


def _seats(workshop: Workshop) -> selectors.Seats:
    taken = selectors.seats_taken([workshop.pk]).get(workshop.pk, 0)
    return selectors.Seats(taken, workshop.effective_capacity)


@door_staff
def status(request, event_slug, number):
    """The door's counts and ticks, asked for every few seconds by door.js."""
    return JsonResponse(_state(selectors.door_list(_workshop(event_slug, number))))


def _registration(request, workshop: Workshop) -> Registration:
    try:
        pk = int(request.POST.get("registration", ""))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Registration, pk=pk, event=workshop.event_id)


@door_staff
@require_POST
def mark(request, event_slug, number):
    """Present (present=1) or not (present=0): the state asked for, so a tap sent again after
    a lost answer does the same thing twice, never the opposite."""
    workshop = _workshop(event_slug, number)
    registration = _registration(request, workshop)
    if request.POST.get("present") not in PRESENT_VALUES:
        # Only a crafted request: an unknown value must not be taken for "not here".
        return HttpResponseBadRequest(_("Ange present=1 (här) eller present=0 (inte här)."))
    present = request.POST["present"] == "1"
    action = services.check_in if present else services.undo_check_in
    by = services.Actor.of(request.user)
    try:
        action(registration=registration, workshop=workshop, by=by)
    except services.RegistrationError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": error.message}, status=409)
        messages.error(request, error.message)
    else:
        if _wants_json(request):
            door = selectors.door_list(workshop)
            return JsonResponse(
                {"ok": True, "registration": registration.pk, "saved": present, **_state(door)}
            )
    url = reverse("registrations:door", args=[event_slug, number])
    return _back(request, f"{url}#person-{registration.pk}")


@door_staff
@require_POST
def move(request, event_slug, number):
    """The wrong door: give the person their seat of this pass here, and check them in."""
    workshop = _workshop(event_slug, number)
    registration = _registration(request, workshop)
    try:
        services.move_at_door(
            registration=registration, to_workshop=workshop, by=services.Actor.of(request.user)
        )
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s är flyttad till %(code)s och markerad här.")
            % {"name": registration.name, "code": workshop.code},
        )
    url = reverse("registrations:door", args=[event_slug, number])
    return _back(request, f"{url}#person-{registration.pk}")


@door_staff
@get_or_post
def walk_in(request, event_slug, number):
    workshop = _workshop(event_slug, number)
    seats = _seats(workshop)
    may_override = seats.full and services.may_override(request.user)
    posted = request.method == "POST"
    form = WalkInForm(request.POST if posted else None, may_override=may_override)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.add_walk_in(
                event=workshop.event,
                workshop=workshop,
                name=data["name"],
                organisation=data["organisation"],
                email=data["email"],
                consent=data["consent"],
                allow_over_capacity=data.get("allow_over_capacity", False),
                by=services.Actor.of(request.user),
            )
        except services.RegistrationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s är tillagd i %(code)s och markerad här.")
                % {"name": registration.name, "code": workshop.code},
            )
            url = reverse("registrations:door", args=[event_slug, number])
            return redirect(f"{url}#person-{registration.pk}")
    return render(
        request,
        "registrations/door/walk_in.html",
        {"event": workshop.event, "workshop": workshop, "form": form, "seats": seats},
    )


@door_staff
def scan(request, code):
    """Where a badge's QR code leads: the person's check-in for the pass running now, or,
    between the days, their workshops. The code opens nothing without a staff login."""
    registration = selectors.registration_by_checkin_code(code)
    if registration is None:
        raise Http404(_("Ingen anmälan har den koden."))
    event = registration.event
    if registration.status == Registration.Status.CANCELLED:
        return render(
            request,
            "registrations/door/cancelled.html",
            {"event": event, "registration": registration},
        )
    slot = running_slot(event)
    choices = selectors.agenda(registration)
    present = set(registration.checkins.values_list("workshop_id", flat=True))
    seat_now = next((c for c in choices if slot is not None and c.slot_id == slot.pk), None)
    # This browser's door, if it is another room of the running pass: offer to move here.
    at_door = None
    door_pk = request.session.get(SESSION_DOOR_KEY)
    if slot is not None and door_pk:
        at_door = (
            Workshop.objects.select_related("room", "slot")
            .filter(pk=door_pk, slot=slot)
            .exclude(pk=seat_now.workshop_id if seat_now else None)
            .first()
        )
    return render(
        request,
        "registrations/door/person.html",
        {
            "event": event,
            "registration": registration,
            "slot": slot,
            "seat_now": seat_now,
            "rows": [(c, c.workshop_id in present) for c in choices],
            "at_door": at_door,
            "wrong_door": services.wrong_door_message(seat_now) if seat_now else "",
            "qr": qr.checkin_qr_data_uri(registration),
        },
    )
