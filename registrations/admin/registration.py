"""Organisers' screens: registrations, the event overview, exports and room rosters, the
waiting lists and the e-mail tasks.

The overview, rosters and exports are extra admin URLs on RegistrationAdmin; each checks its
own permission (see registrations/migrations/0006_organiser_groups.py for the two roles).
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from registrations import emails, exports, qr, selectors, services, tasks_db
from registrations.forms import pass_field_name
from registrations.models import QUEUE_ORDER, Choice, QueueEntry, Registration
from workshops.models import Event, TimeSlot, Workshop
from workshops.selectors import current_event

from .forms import RegistrationAdminForm, admin_pass_numbers
from .refusals import RefusalAdminMixin

EXPORT_PERMISSION = "registrations.export_registrations"
ROSTER_PERMISSION = "registrations.view_rosters"
OVERVIEW_PERMISSION = "workshops.view_workshop"
MESSAGE_PERMISSION = "registrations.view_message"
# Empty lines at the end of every roster, for people who turn up without registering.
WALK_IN_LINES = 5
# A4 cut in eight: A7 badges (105 × 74 mm), 2 across and 4 down (see badges.css).
BADGES_PER_SHEET = 8
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def event_from(slug: str | None) -> Event:
    if slug:
        return get_object_or_404(Event, slug=slug)
    event = current_event()
    if event is None:
        raise Http404(_("Det finns inget evenemang ännu."))
    return event


PERSON_SHOWN = ("event", "name", "email", "organisation", "status", "language", "created_at")


@admin.register(Registration)
class RegistrationAdmin(RefusalAdminMixin, admin.ModelAdmin):
    form = RegistrationAdminForm
    # Short columns that wrap, so all fit beside the menu and the filters at 1280 px.
    list_display = [
        "person_display",
        "organisation",
        "workshop_codes",
        "created_display",
        "status_display",
    ]
    list_filter = [
        "event",
        "status",
        "language",
        ("choices__workshop", admin.RelatedFieldListFilter),
        ("choices__slot", admin.RelatedFieldListFilter),
    ]
    list_select_related = ["event"]
    search_fields = ["name", "email", "organisation"]
    actions = ["cancel_selected", "resend_confirmation", "print_badges"]
    save_as = False

    class Media:
        css = {"all": ["css/reglab-admin.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "choices",
                    queryset=Choice.objects.select_related("workshop", "slot").order_by(
                        "slot__number"
                    ),
                )
            )
        )

    @admin.display(description=gettext_lazy("namn och e-post"), ordering="name")
    def person_display(self, registration):
        return format_html(
            '{}<br><span class="reglab-email">{}</span>', registration.name, registration.email
        )

    @admin.display(description=gettext_lazy("anmäld"), ordering="created_at")
    def created_display(self, registration):
        at = timezone.localtime(registration.created_at)
        return format_html(
            '<time datetime="{}">{} {}</time>', at.isoformat(), f"{at:%Y-%m-%d}", f"{at:%H:%M}"
        )

    @admin.display(description=gettext_lazy("workshoppar"))
    def workshop_codes(self, registration):
        return " · ".join(
            f"{c.workshop.code}{' (!)' if c.over_capacity else ''}"
            for c in registration.choices.all()
        )

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_display(self, registration):
        if registration.is_confirmed:
            return registration.get_status_display()
        return format_html(
            '<strong class="reglab-cancelled">{}</strong>', registration.get_status_display()
        )

    # Editing: the form's input goes to the services; their refusal becomes a form error
    # (RefusalAdminMixin).

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "event",
            "status",
            "language",
            "created_at",
            "recorded_choices",
            "queue_display",
            "audit_trail",
        ]

    @admin.display(description=gettext_lazy("historik"))
    def audit_trail(self, registration):
        """Every change to the registration: when, who and what (services.audit)."""
        entries = registration.audit.select_related("actor")
        return render_to_string("admin/registrations/audit_trail.html", {"entries": entries})

    @admin.display(description=gettext_lazy("sparade val"))
    def recorded_choices(self, registration):
        """The choices as stored, with the organisers' over-capacity placements marked."""
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}{}",
            (
                (
                    choice.slot,
                    choice.workshop,
                    _(" (placerad över platsgränsen)") if choice.over_capacity else "",
                )
                for choice in selectors.agenda(registration)
            ),
        )

    @admin.display(description=gettext_lazy("köar"))
    def queue_display(self, registration):
        places = selectors.queue_places(registration)
        if not places:
            return _("Står inte i kö.")
        return format_html_join(
            mark_safe("<br>"),
            "{}: {} ({})",
            (
                (
                    place.entry.slot.label,
                    place.entry.workshop.code,
                    _("nummer %(place)s i kön") % {"place": place.place},
                )
                for place in places
            ),
        )

    def get_fieldsets(self, request, obj=None):
        events = [obj.event] if obj else Event.objects.all()
        passes = [pass_field_name(number) for number in admin_pass_numbers(events)]
        if obj is None:
            person = ["event", "name", "email", "organisation", "consent"]
            choices = [*passes, "allow_over_capacity"]
        elif not self.has_change_permission(request, obj):
            # Read only (Staff, or a cancelled registration): the form's inputs would show
            # as "None"; the stored choices and queues say it all.
            person = [*PERSON_SHOWN]
            choices = ["recorded_choices", "queue_display"]
        else:
            person = [*PERSON_SHOWN]
            choices = [*passes, "allow_over_capacity", "recorded_choices"]
        fieldsets = [(_("Person"), {"fields": person}), (_("Workshoppar"), {"fields": choices})]
        if obj is not None:
            fieldsets.append((_("Historik"), {"fields": ["audit_trail"]}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form declares all its fields (the pass selects are added per event), so none are
        # taken from the model.
        kwargs["fields"] = []
        return super().get_form(request, obj, change, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A cancelled registration is history: it can be looked at, not changed.
        if obj is not None and not obj.is_confirmed:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            by = services.Actor.of(request.user)
            # A changed address is a correction: its own mail (the new link), its own entry.
            services.correct_email(registration=obj, new_email=data["email"], by=by)
            services.change_choices(
                registration=obj,
                workshops=form.chosen_workshops(),
                name=data["name"],
                organisation=data["organisation"],
                allow_over_capacity=data["allow_over_capacity"],
                check_window=False,
                by=by,
            )
        else:
            result = services.register(
                event=data["event"],
                name=data["name"],
                email=data["email"],
                organisation=data["organisation"],
                consent=data["consent"],
                workshops=form.chosen_workshops(),
                allow_over_capacity=data["allow_over_capacity"],
                check_window=False,
                by=services.Actor.of(request.user),
            )
            if not result.created:
                # Registered meanwhile by someone else: refuse instead of mailing the person.
                raise services.already_registered_error(data["email"])
            obj.pk = result.registration.pk
        obj.refresh_from_db()
        over = [c.workshop.code for c in obj.choices.filter(over_capacity=True)]
        if over:
            messages.warning(
                request,
                _("Placerad över platsgränsen i %(codes)s.") % {"codes": ", ".join(over)},
            )

    def save_related(self, request, form, formsets, change):
        """Nothing to save: the choices were written by the services in save_model."""

    # Actions

    # Removing a registration: always a cancellation through the service (seats freed, the
    # queue moved in the same transaction, the person mailed, the record and its trail kept),
    # after a page that says what it will do. Nobody deletes one here, not even a superuser:
    # wiping personal data is the erase and anonymise services' (README, "Anmälningar").

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_view(self, request, object_id, extra_context=None):
        # A typed or bookmarked delete address leads to the same confirmation as "Avboka".
        return redirect("admin:registrations_registration_cancel", object_id)

    @admin.action(description=gettext_lazy("Avboka markerade anmälningar"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        if request.POST.get("post") != "yes":
            return self._cancel_confirmation(request, queryset, bulk=True)
        cancelled = services.cancel_many(registrations=queryset, by=services.Actor.of(request.user))
        self._report_cancelled(request, len(cancelled))
        return None

    def cancel_view(self, request, object_id):
        """One registration's "Avboka", from its page: the same confirmation, then cancel."""
        registration = self.get_object(request, unquote(object_id))
        if registration is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not super().has_change_permission(request, registration):
            raise PermissionDenied
        change_url = reverse("admin:registrations_registration_change", args=[registration.pk])
        if not registration.is_confirmed:
            self.message_user(request, _("Anmälan är redan avbokad."), messages.WARNING)
            return redirect(change_url)
        if request.method != "POST":
            return self._cancel_confirmation(
                request, Registration.objects.filter(pk=registration.pk), bulk=False
            )
        cancelled = services.cancel_many(
            registrations=[registration], by=services.Actor.of(request.user)
        )
        self._report_cancelled(request, len(cancelled))
        return redirect(change_url)

    def _cancel_confirmation(self, request, queryset, *, bulk: bool):
        try:
            preview = services.preview_cancel(registrations=queryset.select_related("event"))
        except services.RegistrationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None if bulk else redirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Avboka anmälningar") if bulk else _("Avboka anmälan"),
            "opts": self.opts,
            "preview": preview,
            "bulk": bulk,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/registrations/registration/cancel_confirmation.html", context
        )

    def _report_cancelled(self, request, n: int) -> None:
        self.message_user(
            request,
            ngettext("%(n)s anmälan avbokad.", "%(n)s anmälningar avbokade.", n) % {"n": n},
        )

    @admin.action(description=gettext_lazy("Skicka bekräftelsen igen"), permissions=["change"])
    def resend_confirmation(self, request, queryset):
        # Only queued: the worker sends, so a slow mail server never holds up this page.
        queued = 0
        for registration in queryset.confirmed():
            emails.send_later(registration, "confirmation")
            queued += 1
        self.message_user(
            request,
            ngettext(
                "%(n)s bekräftelse lagd i kö för att skickas (se E-postutskick).",
                "%(n)s bekräftelser lagda i kö för att skickas (se E-postutskick).",
                queued,
            )
            % {"n": queued},
        )

    @admin.action(
        description=gettext_lazy("Skriv ut namnbrickor för valda"), permissions=["rosters"]
    )
    def print_badges(self, request, queryset):
        events = set(queryset.values_list("event__slug", flat=True))
        if len(events) != 1:
            self.message_user(
                request, _("Välj anmälningar från ett evenemang i taget."), messages.ERROR
            )
            return None
        query = urlencode([("registration", pk) for pk in queryset.values_list("pk", flat=True)])
        return redirect(f"{reverse('admin:registrations_badges', args=[events.pop()])}?{query}")

    def has_rosters_permission(self, request):
        return request.user.has_perm(ROSTER_PERMISSION)

    # Organiser pages: overview, rosters, badges, exports.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("overview/", view(self.overview_view), name="registrations_overview"),
            path(
                "overview/<slug:event_slug>/",
                view(self.overview_view),
                name="registrations_overview",
            ),
            path(
                "<path:object_id>/cancel/",
                view(self.cancel_view),
                name="registrations_registration_cancel",
            ),
            path("rosters/", view(self.rosters_view), name="registrations_rosters"),
            path(
                "rosters/<slug:event_slug>/",
                view(self.rosters_view),
                name="registrations_rosters",
            ),
            path(
                "rosters/<slug:event_slug>/W<int:number>/",
                view(self.rosters_view),
                name="registrations_roster",
            ),
            path("badges/<slug:event_slug>/", view(self.badges_view), name="registrations_badges"),
            path(
                "badges/<slug:event_slug>/W<int:number>/",
                view(self.badges_view),
                name="registrations_badges",
            ),
            path(
                "export/<slug:event_slug>/<str:fmt>/",
                view(self.export_view),
                name="registrations_export",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _require(request, permission: str) -> None:
        if not request.user.has_perm(permission):
            raise PermissionDenied

    def overview_view(self, request, event_slug=None):
        self._require(request, OVERVIEW_PERMISSION)
        event = event_from(event_slug)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Översikt: %(event)s") % {"event": event.name},
            "overview": selectors.overview(event),
            "events": Event.objects.exclude(pk=event.pk),
            "can_export": request.user.has_perm(EXPORT_PERMISSION),
            "can_print": request.user.has_perm(ROSTER_PERMISSION),
            "can_message": request.user.has_perm(MESSAGE_PERMISSION),
            "reminder": services.reminder_status(event),
            "can_check_in": services.may_check_in(request.user),
        }
        return TemplateResponse(request, "admin/registrations/overview.html", context)

    def rosters_view(self, request, event_slug=None, number=None):
        """All the event's rosters, one workshop (W3) or a selection (?workshop=id&...)."""
        self._require(request, ROSTER_PERMISSION)
        event = event_from(event_slug)
        workshops = Workshop.objects.filter(event=event)
        if number is not None:
            workshops = workshops.filter(number=number)
        elif request.GET.getlist("workshop"):
            workshops = workshops.filter(pk__in=_ids(request.GET.getlist("workshop")))
        rosters = selectors.rosters(workshops)
        if not rosters:
            raise Http404(_("Ingen sådan workshop."))
        context = {
            "event": event,
            "rosters": [(roster, exports.roster_pages(roster)) for roster in rosters],
        }
        return TemplateResponse(request, "registrations/rosters.html", context)

    def badges_view(self, request, event_slug, number=None):
        """Name badges, printed from the browser like the rosters: everyone registered, one
        workshop's people (W3, or ?workshop=id&...) or a selection (?registration=id&...)."""
        self._require(request, ROSTER_PERMISSION)
        event = event_from(event_slug)
        registrations = Registration.objects.filter(event=event)
        if number is not None:
            registrations = registrations.filter(
                choices__workshop__event=event, choices__workshop__number=number
            )
        elif request.GET.getlist("workshop"):
            registrations = registrations.filter(
                choices__workshop__in=_ids(request.GET.getlist("workshop"))
            )
        elif request.GET.getlist("registration"):
            registrations = registrations.filter(pk__in=_ids(request.GET.getlist("registration")))
        badges = selectors.badges(registrations)
        if not badges:
            raise Http404(_("Ingen är anmäld där."))
        for badge in badges:
            badge.qr = qr.checkin_qr_data_uri(badge.registration)
        sheets = [badges[i : i + BADGES_PER_SHEET] for i in range(0, len(badges), BADGES_PER_SHEET)]
        context = {"event": event, "sheets": sheets, "count": len(badges)}
        return TemplateResponse(request, "registrations/badges.html", context)

    def export_view(self, request, event_slug, fmt):
        """All registrations, one pass (?pass=2) or some workshops (?workshop=id&...)."""
        self._require(request, EXPORT_PERMISSION)
        if fmt not in CONTENT_TYPES:
            raise Http404
        event = event_from(event_slug)
        workshops = selectors.workshops_with_seats(event)
        choices = selectors.export_choices(event)
        scope = _("alla")
        if request.GET.get("pass"):
            slot = get_object_or_404(TimeSlot, event=event, number=_ids([request.GET["pass"]])[0])
            workshops = workshops.filter(slot=slot)
            choices = selectors.export_choices(event, slot=slot)
            scope = slot.label
        elif request.GET.getlist("workshop"):
            workshops = workshops.filter(pk__in=_ids(request.GET.getlist("workshop")))
            choices = selectors.export_choices(event, workshops=workshops)
            scope = "-".join(w.code for w in workshops)
        name = exports.filename(event, scope, fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_stream(choices), content_type=CONTENT_TYPES[fmt]
            )
        else:
            response = HttpResponse(
                exports.xlsx_bytes(choices, workshops=workshops), content_type=CONTENT_TYPES[fmt]
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


def _ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise Http404 from None


@admin.register(QueueEntry)
class QueueEntryAdmin(admin.ModelAdmin):
    """The waiting lists. Organisers may remove someone or move them first; people join and
    leave on their private page and are moved in by the services, never by hand here.

    No search: the place is numbered within the rows shown, so only whole queues (all, or
    filtered by event, pass or workshop) are listed.
    """

    list_display = ["workshop", "place", "registration", "created_at", "moved_to_front_at"]
    list_filter = ["slot__event", "slot", "workshop"]
    list_select_related = ["workshop", "registration", "slot"]
    actions = ["move_to_front"]
    readonly_fields = ["registration", "slot", "workshop", "created_at", "moved_to_front_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                place=Window(RowNumber(), partition_by=[F("workshop_id")], order_by=QUEUE_ORDER)
            )
            .order_by("workshop__number", *QUEUE_ORDER)
        )

    def get_ordering(self, request):
        return []

    @admin.display(description=gettext_lazy("plats"))
    def place(self, entry):
        return entry.place

    def has_add_permission(self, request):
        return False

    # Removing someone from a queue (Django's delete, one or selected) is recorded in their
    # registration's trail with the organiser's login.

    def delete_model(self, request, obj):
        services.remove_from_queue(entries=[obj], by=services.Actor.of(request.user))

    def delete_queryset(self, request, queryset):
        services.remove_from_queue(entries=queryset, by=services.Actor.of(request.user))

    @admin.action(description=gettext_lazy("Flytta först i kön"), permissions=["change"])
    def move_to_front(self, request, queryset):
        n = services.move_to_front(entries=queryset, by=services.Actor.of(request.user))
        self.message_user(request, _("%(n)s flyttade först i sin kö.") % {"n": n})


# The e-mail tasks (emails.send_later): which message to whom, and whether it went out.
admin.site.unregister(DBTaskResult)


def short_time(moment) -> str:
    return date_format(localtime(moment), "SHORT_DATETIME_FORMAT")


@admin.register(DBTaskResult)
class MailTaskAdmin(DBTaskResultAdmin):
    list_display = [
        "queued",
        "message_kind",
        "registration_link",
        "status",
        "tries",
        "when",
    ]
    list_display_links = ["queued"]
    list_filter = ["status"]

    @admin.display(description=gettext_lazy("köat"), ordering="enqueued_at")
    def queued(self, task):
        return short_time(task.enqueued_at)

    @admin.display(description=gettext_lazy("meddelande"))
    def message_kind(self, task):
        args = task.args_kwargs.get("args") or [None, None]
        if task.task_path.endswith("messages.deliver_message"):
            return _("Meddelande till deltagare (se Meddelanden)")
        if not task.task_path.endswith("emails.deliver"):
            return task.task_path
        return emails.describe(args[1])

    @admin.display(description=gettext_lazy("anmälan"))
    def registration_link(self, task):
        args = task.args_kwargs.get("args") or []
        if not task.task_path.endswith("emails.deliver") or not args:
            return "–"
        url = reverse("admin:registrations_registration_change", args=[args[0]])
        return format_html('<a href="{}">{}</a>', url, args[0])

    @admin.display(description=gettext_lazy("försök"))
    def tries(self, task):
        return tasks_db.tries(task)

    @admin.display(description=gettext_lazy("klart / nästa försök"))
    def when(self, task):
        if task.finished_at:
            return short_time(task.finished_at)
        if next_try := tasks_db.next_try(task):
            return _("nästa %(when)s") % {"when": short_time(next_try)}
        return "–"
