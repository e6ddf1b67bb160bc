from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from reglab import caches

from . import availability, selectors
from .models import Event, TimeSlot, Workshop


@dataclass(frozen=True)
class Card:
    workshop: Workshop
    html: SafeString  # the card's text: code, title, room, presenters


@dataclass(frozen=True)
class PassCards:
    slot: TimeSlot
    cards: tuple[Card, ...]


def _cards(event: Event) -> tuple[PassCards, ...]:
    return tuple(
        PassCards(
            entry.slot,
            tuple(
                Card(
                    workshop,
                    render_to_string(
                        "workshops/includes/workshop_card.html",
                        {"event": event, "workshop": workshop},
                    ),
                )
                for workshop in entry.workshops
            ),
        )
        for entry in selectors.programme_by_slot(event)
    )


def programme(request, event_slug=None):
    if event_slug is not None:
        event = selectors.event_to_show(event_slug)
    elif (event := selectors.current_event()) is None:
        raise Http404
    # The cards' texts change only when organisers edit the programme, so they are kept; the
    # seats change with every registration, so they are counted for each request (one query).
    kept = caches.kept_for_programme(
        ("programme-page", event.pk, get_language()), lambda: _cards(event)
    )
    open_now = event.is_registration_open()
    seats = availability.seats_left(c.workshop for p in kept for c in p.cards) if open_now else {}
    passes = [(p.slot, [(card, seats.get(card.workshop.pk)) for card in p.cards]) for p in kept]
    context = {"event": event, "passes": passes, "registration_open": open_now}
    if caches.has_messages_of_its_own(request):
        return render(request, "workshops/programme.html", context)
    # The whole page is the same for everyone who counted the same seats (reglab.caches, 4.).
    state = (
        open_now,
        event.registration_not_yet_open(),
        tuple((pk, s.left, s.full) for pk, s in sorted(seats.items())),
    )
    page = caches.kept_page(
        # The path too: "/" and the event's own address show the same event, and the
        # language switch comes back to the one it was used on.
        ("programme", event.pk, request.path),
        state=state,
        build=lambda: render_to_string("workshops/programme.html", context, request).encode(),
    )
    return HttpResponse(page)


def workshop_detail(request, event_slug, number):
    workshop = get_object_or_404(
        selectors.workshops_for_programme(), event__slug=event_slug, number=number
    )
    event = workshop.event
    open_now = event.is_registration_open()
    seats = availability.seats_left([workshop]).get(workshop.pk) if open_now else None
    return render(
        request,
        "workshops/workshop_detail.html",
        {"workshop": workshop, "event": event, "seats": seats, "registration_open": open_now},
    )
