from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from reglab import caches

from . import selectors
from .models import Event


def _passes_html(event: Event) -> str:
    return render_to_string(
        "workshops/includes/programme_passes.html",
        {"event": event, "slots": selectors.programme_by_slot(event)},
    )


def programme(request, event_slug=None):
    if event_slug is not None:
        event = get_object_or_404(Event, slug=event_slug)
    elif (event := selectors.current_event()) is None:
        raise Http404
    # The passes and workshops change only when organisers edit them.
    passes = caches.kept_for_programme(
        ("programme-page", event.pk, get_language()), lambda: _passes_html(event)
    )
    return render(request, "workshops/programme.html", {"event": event, "passes": passes})


def workshop_detail(request, event_slug, number):
    workshop = get_object_or_404(
        selectors.workshops_for_programme(), event__slug=event_slug, number=number
    )
    return render(
        request, "workshops/workshop_detail.html", {"workshop": workshop, "event": workshop.event}
    )
