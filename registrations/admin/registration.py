"""Organisers' screens: registrations, the event overview, exports and room rosters, the
waiting lists and the e-mail tasks.

The overview, rosters and exports are extra admin URLs on RegistrationAdmin; each checks its
own permission (see registrations/migrations/0006_organiser_groups.py for the two roles).
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from registrations import emails, exports, qr, selectors, services
from registrations.forms import pass_field_name
from registrations.models import QUEUE_ORDER, Choice, QueueEntry, Registration
from workshops.models import Event, TimeSlot, Workshop
from workshops.selectors import current_event

from .forms import RegistrationAdminForm, admin_pass_numbers
from .refusals import RefusalAdminMixin

EXPORT_PERMISSION = "registrations.export_registrations"
ROSTER_PERMISSION = "registrations.view_rosters"
OVERVIEW_PERMISSION = "workshops.view_workshop"
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


@admin.register(Registration)
class RegistrationAdmin(RefusalAdminMixin, admin.ModelAdmin):
    form = RegistrationAdminForm
    list_display = [
        "name",
        "email",
        "organisation",
        "workshop_codes",
        "created_at",
        "status_display",
    ]
    list_filter = [
        "event",
        "status",
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
        return ["event", "email", "status", "created_at", "recorded_choices", "audit_trail"]

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
                    choice.slot.label,
                    choice.workshop,
                    _(" (placerad över platsgränsen)") if choice.over_capacity else "",
                )
                for choice in selectors.agenda(registration)
            ),
        )

    def get_fieldsets(self, request, obj=None):
        events = [obj.event] if obj else Event.objects.all()
        passes = [pass_field_name(number) for number in admin_pass_numbers(events)]
        if obj is None:
            person = ["event", "name", "email", "organisation", "consent"]
            choices = [*passes, "allow_over_capacity"]
        else:
            person = ["event", "name", "email", "organisation", "status", "created_at"]
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
            services.change_choices(
                registration=obj,
                workshops=form.chosen_workshops(),
                name=data["name"],
                organisation=data["organisation"],
                allow_over_capacity=data["allow_over_capacity"],
                check_window=False,
                by=services.Actor.of(request.user),
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

    @admin.action(description=gettext_lazy("Avboka"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for registration in queryset.confirmed():
            services.cancel(registration=registration, by=services.Actor.of(request.user))
            cancelled += 1
        self.message_user(request, _("%(n)s anmälningar avbokade.") % {"n": cancelled})

    @admin.action(description=gettext_lazy("Skicka bekräftelsen igen"), permissions=["change"])
    def resend_confirmation(self, request, queryset):
        sent = failed = 0
        for registration in queryset.confirmed().select_related("event"):
            if emails.send(registration, "confirmation"):
                sent += 1
            else:
                failed += 1
        self.message_user(request, _("%(n)s bekräftelser skickade.") % {"n": sent})
        if failed:
            self.message_user(
                request,
                _("%(n)s kunde inte skickas; försök igen senare.") % {"n": failed},
                messages.ERROR,
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
            "rosters": rosters,
            "walk_in_lines": range(WALK_IN_LINES),
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

    @admin.action(description=gettext_lazy("Flytta först i kön"), permissions=["change"])
    def move_to_front(self, request, queryset):
        n = services.move_to_front(entries=queryset, by=services.Actor.of(request.user))
        self.message_user(request, _("%(n)s flyttade först i sin kö.") % {"n": n})


# The e-mail tasks (emails.send_later): which message to whom, and whether it went out.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class MailTaskAdmin(DBTaskResultAdmin):
    list_display = ["enqueued_at", "message_kind", "registration_link", "status", "finished_at"]
    list_display_links = ["enqueued_at"]
    list_filter = ["status"]

    @admin.display(description=gettext_lazy("meddelande"))
    def message_kind(self, task):
        args = task.args_kwargs.get("args") or [None, None]
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
