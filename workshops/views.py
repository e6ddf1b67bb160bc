from functools import partial

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Event


def programme(request, event_slug=None):
    if event_slug is not None:
        event = get_object_or_404(Event, slug=event_slug)
    elif (event := selectors.current_event()) is None:
        raise Http404
    return render(
        request,
        "workshops/programme.html",
        {
            "event": event,
            # Called by the template only when its cached fragment has expired.
            "slots": partial(selectors.programme_by_slot, event),
            "programme_version": selectors.programme_version(),
        },
    )


def workshop_detail(request, event_slug, number):
    workshop = get_object_or_404(
        selectors.workshops_for_programme(), event__slug=event_slug, number=number
    )
    return render(
        request, "workshops/workshop_detail.html", {"workshop": workshop, "event": workshop.event}
    )
