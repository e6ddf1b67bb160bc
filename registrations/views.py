"""Participants' pages. Thin: the forms check input, the services apply the rules."""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reglab import caches, kept_frames, ratelimit
from reglab.http import get_or_post
from workshops.models import Event
from workshops.selectors import current_event, event_to_show

from . import selectors, services
from .calendar import agenda_ics, ics_filename
from .forms import (
    JoinQueueForm,
    LinkRequestForm,
    RegistrationForm,
    pass_field_name,
    registration_form_html,
)
from .qr import checkin_qr_data_uri

# Per client address and minute (README, "Gränser per klientadress"). The form's limit counts
# what a submission costs: a saved registration, or the "already registered" mail, so an
# office behind one address can register all at once, however many of its attempts find a
# workshop full. Every POST counts against the generous flood limit.
REGISTER_LIMIT = 30
REGISTER_POST_LIMIT = 300
# Every valid link request queues a task (which may mail), so each one counts.
LINK_LIMIT = 10

# What this browser just sent (the address typed, the workshops asked for), for the thanks
# and "check your e-mail" pages: a signed cookie, not the session, so that nothing that can
# fail (a database write) follows the commit of a registration, and the server keeps no
# personal data for a visitor. The thanks page shows the address only while a registration
# has it, so after an erasure that browser's page no longer shows it.
SENT_COOKIE = "reglab_sent"
SENT_SALT = "registrations.views.sent"
SENT_MAX_AGE = 30 * 60


def _remember_sent(response, event, **sent) -> None:
    response.set_signed_cookie(
        SENT_COOKIE,
        json.dumps(sent),
        salt=SENT_SALT,
        max_age=SENT_MAX_AGE,
        path=reverse("registrations:register", args=[event.slug]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _sent(request) -> dict:
    value = request.get_signed_cookie(SENT_COOKIE, None, salt=SENT_SALT, max_age=SENT_MAX_AGE)
    try:
        sent = json.loads(value) if value else {}
    except ValueError:
        return {}
    return sent if isinstance(sent, dict) else {}


def private_page(view):
    """For pages reached through a private link: never cached or indexed.

    The site-wide Referrer-Policy (same-origin) keeps the token out of other sites' logs;
    "no-referrer" here would make browsers send "Origin: null" and fail the CSRF check.
    """

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        registration = selectors.registration_by_token(token)
        if registration is None:
            raise Http404
        response = view(request, registration, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _apply_rule_error(form, error: services.RegistrationError) -> None:
    field = pass_field_name(error.slot.number) if error.slot is not None else None
    # A pass with no published workshop has no input on the form: said above the form.
    form.add_error(field if field in form.fields else None, error.message)


def _form_workshops(posted: bool, event, *, exclude_registration=None):
    """A submission is checked against the workshops' ids and passes as they are now; a form
    that is only shown is built from what it shows (texts kept, seats counted now)."""
    if posted:
        return selectors.workshops_to_choose(event)
    return selectors.workshops_to_show(event, exclude_registration=exclude_registration)


@get_or_post
@ratelimit.ratelimit("register-posts", limit=REGISTER_POST_LIMIT)
def register(request, event_slug):
    posted = request.method == "POST"
    # A submission's event and workshops are read from the database (the services decide on
    # its window and passes); the form only shown takes the kept event.
    if posted:
        # With the seats taken now: one count, without locks, for the services' early refusal
        # and for the page if it is shown again.
        programme, taken = selectors.programme_and_seats_to_choose(event_slug)
        event, workshops = programme.event, programme.workshops
    else:
        event = event_to_show(event_slug)
    # The window's rule is the services' (rules.check_window); outside it this page explains
    # when registration opens or closed, instead of a form and a refusal.
    if not event.is_registration_open():
        return render(request, "registrations/closed.html", {"event": event})
    if not posted and not caches.has_messages_of_its_own(request):
        return _blank_form(request, event)
    form = RegistrationForm(
        request.POST if posted else None,
        workshops=workshops if posted else selectors.workshops_to_show(event),
        # A workshop's page links here with ?workshop=W3: that one starts chosen.
        preselect=request.GET.get("workshop"),
    )
    if posted and form.is_valid():
        if not ratelimit.hit("register", request, limit=REGISTER_LIMIT, period=60):
            return ratelimit.too_many(request, 60)
        try:
            services.register(
                event=event,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                organisation=form.cleaned_data["organisation"],
                consent=form.cleaned_data["consent"],
                workshops=form.chosen_workshops(),
                queue=form.queue_wishes,
                passes=programme.passes,
                seats_taken=taken,
            )
        except services.RegistrationError as error:
            ratelimit.refund("register", request, period=60)
            _apply_rule_error(form, error)
        else:
            # The same answer whether the address was new or already registered.
            response = redirect("registrations:thanks", event_slug=event.slug)
            _remember_sent(
                response,
                event,
                email=form.cleaned_data["email"],
                chosen=[w.pk for w in form.chosen_workshops()],
                queue=[w.pk for w in form.queue_wishes],
            )
            return response
    if posted:
        # Shown again: with texts, presenters and the seats left right now.
        form.workshops = selectors.workshops_to_show(event, taken=taken)
        return _shown_again(request, event, form)
    return _page_of_its_own(request, event, form)


def _blank_form(request, event):
    """The form as shown before anything is typed: the same bytes for everyone who counted the
    same seats (reglab.caches, 4.), with this request's CSRF token put in."""
    programme, taken = selectors.programme_and_seats_to_show(event)
    # A workshop's page links here with ?workshop=W3: that one starts chosen. Kept per workshop
    # of the programme only, so a made-up value costs no room.
    asked = (request.GET.get("workshop") or "").strip().upper()
    preselect = next((w.code for w in programme if w.code == asked), None)
    state = tuple((w.pk, taken.get(w.pk, 0)) for w in programme)

    def build(token: list[str]) -> str:
        workshops = selectors.workshops_to_show(event, taken=taken)
        form = RegistrationForm(workshops=workshops, preselect=preselect)
        return _form_page(request, event, form, token=token[0])

    page = caches.kept_page(
        ("registration-form", event.pk, preselect),
        state=state,
        build=lambda: kept_frames.frame(build, 1),
    )
    return HttpResponse(kept_frames.fill(page, [get_token(request)]))


def _shown_again(request, event, form):
    """A submitted form shown again with its problems, with this request's token."""
    if caches.has_messages_of_its_own(request):
        return _page_of_its_own(request, event, form)
    return HttpResponse(_form_page(request, event, form, token=get_token(request)))


def _page_of_its_own(request, event, form):
    """The registration page rendered in full, for a request with messages to show."""
    form_html = registration_form_html(form, event, token=get_token(request))
    context = {"event": event, "form": form, "form_html": form_html}
    return render(request, "registrations/register.html", context)


def _form_page(request, event, form, *, token: str) -> str:
    """The registration page with `form` in it: the page around the form is the same for
    everyone (kept per language and programme version, reglab.caches 4.), and kept apart from
    the form, whose seats change with every registration; the form is rendered with `token`
    as its CSRF token. Not for a request with messages of its own."""
    # The title says whether the form has problems: the one thing of the form's around it.
    key = ("registration-form-frame", event.pk, bool(form.errors))

    def around(form_html: list[str]) -> str:
        context = {"event": event, "form": form, "form_html": form_html[0]}
        return render_to_string("registrations/register.html", context, request)

    page = caches.kept_page(key, state=None, build=lambda: kept_frames.frame(around, 1))
    return kept_frames.fill(page, [registration_form_html(form, event, token=token)])


def thanks(request, event_slug):
    # What the form asked for, not what was saved: the page must not tell whether the
    # address was already registered. The e-mail has the place in each queue.
    event = get_object_or_404(Event, slug=event_slug)
    sent = _sent(request)
    email = sent.get("email")
    if not isinstance(email, str) or selectors.registration_by_address(event, email) is None:
        email = None

    def asked_for(key):
        ids = sent.get(key) if email else None
        return selectors.workshops_by_ids(ids or [], event_slug=event_slug)

    return render(
        request,
        "registrations/thanks.html",
        {
            "event": event,
            "email": email,
            "chosen": asked_for("chosen"),
            "queue_wishes": asked_for("queue"),
        },
    )


@get_or_post
@ratelimit.ratelimit("link", limit=LINK_LIMIT)
def request_link(request, event_slug):
    event = get_object_or_404(Event, slug=event_slug)
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.resend_link(event=event, email=form.cleaned_data["email"])
        response = redirect("registrations:link_sent", event_slug=event.slug)
        _remember_sent(response, event, email=form.cleaned_data["email"])
        return response
    return render(request, "registrations/request_link.html", {"event": event, "form": form})


def link_sent(request, event_slug):
    # The address this browser typed, known or not: the page says "if it is registered".
    event = get_object_or_404(Event, slug=event_slug)
    email = _sent(request).get("email")
    return render(
        request,
        "registrations/link_sent.html",
        {"event": event, "email": email if isinstance(email, str) else None},
    )


@private_page
def private(request, registration):
    can_change = registration.event.is_registration_open()
    places = selectors.queue_places(registration)
    return render(
        request,
        "registrations/private.html",
        {
            "registration": registration,
            "event": registration.event,
            "choices": selectors.agenda(registration),
            "can_change": can_change,
            "queue_places": places,
            "queue_offers": selectors.queue_offers(registration, places) if can_change else [],
            "checkin_qr": checkin_qr_data_uri(registration),
        },
    )


@private_page
@require_http_methods(["POST"])
def join_queue(request, registration):
    form = JoinQueueForm(request.POST, event=registration.event)
    if not form.is_valid():
        messages.error(request, _("Välj en workshop att köa till."))
    else:
        workshop = form.cleaned_data["workshop"]
        try:
            services.join_queue(registration=registration, workshop=workshop)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Du står nu i kö till %(code)s.") % {"code": workshop.code})
    return redirect("registrations:private", token=registration.token)


@private_page
@require_http_methods(["POST"])
def leave_queue(request, registration, slot_number):
    slot = get_object_or_404(registration.event.slots, number=slot_number)
    services.leave_queue(registration=registration, slot=slot)
    messages.success(request, _("Du har lämnat kön under %(slot)s.") % {"slot": slot.label})
    return redirect("registrations:private", token=registration.token)


@private_page
@get_or_post
def change(request, registration):
    event = registration.event
    try:
        # Decided before the form is shown: a closed window sends the person back.
        services.check_window(event)
    except services.RegistrationError as error:
        messages.info(request, error.message)
        return redirect("registrations:private", token=registration.token)
    current = {c.slot_id: c.workshop_id for c in registration.choices.all()}
    places = selectors.queue_places(registration)
    queued = {p.entry.slot_id: p.entry.workshop_id for p in places}
    initial = {"name": registration.name, "organisation": registration.organisation}
    posted = request.method == "POST"
    form = RegistrationForm(
        request.POST if posted else None,
        initial=initial,
        workshops=_form_workshops(posted, event, exclude_registration=registration),
        change=True,
        current=current,
        queued=queued,
        queue_places={p.entry.workshop_id: p.place for p in places},
    )
    if posted and form.is_valid():
        try:
            services.change_choices(
                registration=registration,
                workshops=form.chosen_workshops(),
                queue=form.queue_wishes,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
            )
        except services.RegistrationError as error:
            _apply_rule_error(form, error)
        else:
            # Only a new workshop is mailed; a name or a queue is just saved.
            if {w.slot_id: w.pk for w in form.chosen_workshops()} != current:
                messages.success(
                    request, _("Din anmälan är ändrad. Vi har mejlat det nya programmet.")
                )
            else:
                messages.success(request, _("Din anmälan är sparad."))
            return redirect("registrations:private", token=registration.token)
    if posted:
        form.workshops = selectors.workshops_to_show(event, exclude_registration=registration)
    return render(
        request,
        "registrations/change.html",
        {"event": event, "form": form, "registration": registration},
    )


def _confirm_then(request, registration, *, template, action, done_url_name):
    """GET asks; POST runs the service and redirects, or shows its message on the same page."""
    if request.method == "POST":
        try:
            action(registration=registration)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            return redirect(done_url_name, event_slug=registration.event.slug)
    return render(
        request,
        template,
        {
            "registration": registration,
            "event": registration.event,
            "choices": selectors.agenda(registration),
        },
    )


@private_page
@get_or_post
def cancel(request, registration):
    return _confirm_then(
        request,
        registration,
        template="registrations/cancel.html",
        action=services.cancel,
        done_url_name="registrations:cancelled",
    )


@private_page
@get_or_post
def erase(request, registration):
    return _confirm_then(
        request,
        registration,
        template="registrations/erase.html",
        action=services.erase,
        done_url_name="registrations:erased",
    )


def privacy(request, event_slug=None):
    """How personal data is handled, with the event's data controller and contact (the
    current event's at /integritet/, a given one's where its pages link) and the day each
    event's data is anonymised (Event.anonymise_on; days that have passed are left out)."""
    event = get_object_or_404(Event, slug=event_slug) if event_slug else current_event()
    today = timezone.localdate()
    shown = [event] if event_slug else Event.objects.order_by("date", "pk")
    events = [e for e in shown if e.anonymise_on >= today]
    return render(request, "privacy.html", {"event": event, "events": events})


def erased(request, event_slug):
    event = get_object_or_404(Event, slug=event_slug)
    return render(request, "registrations/erased.html", {"event": event})


def cancelled(request, event_slug):
    event = get_object_or_404(Event, slug=event_slug)
    return render(request, "registrations/cancelled.html", {"event": event})


@private_page
def calendar_file(request, registration):
    response = HttpResponse(agenda_ics(registration), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(registration)}"'
    return response
