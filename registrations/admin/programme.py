"""The organisers' screens for the event and its passes, workshops and rooms.

Their edits change what people registered have (date, times, seats, room, pass), so they go
through registrations.services and are registered from this app. The rest of the programme's
screens are in workshops.admin.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from registrations import services
from registrations.selectors import (
    Attendance,
    Seats,
    with_attendance,
    with_queue_length,
    with_seats_taken,
)
from workshops.models import Event, Room, TimeSlot, Workshop, WorkshopPresenter

from .forms import (
    EventAdminForm,
    RoomAdminForm,
    TimeSlotAdminForm,
    TimeSlotFormSet,
    WorkshopAdminForm,
)
from .refusals import RefusalAdminMixin
from .registration import EXPORT_PERMISSION, ROSTER_PERMISSION


class ProgrammeChangeAdmin(RefusalAdminMixin, admin.ModelAdmin):
    """The service decides on the save; the form shows a confirmation box only when one of
    the service's refusals asks for it."""

    def render_change_form(self, request, context, *args, **kwargs):
        # A confirmation box is on the page only when a refusal asks for it: after the form
        # was checked, so the fieldsets (fixed before that) lose the boxes not asked for.
        adminform = context["adminform"]
        left_off = adminform.form.confirmations_not_asked()
        adminform.fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in left_off]})
            for name, options in adminform.fieldsets
        ]
        return super().render_change_form(request, context, *args, **kwargs)


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    formset = TimeSlotFormSet
    extra = 0


@admin.register(Event)
class EventAdmin(ProgrammeChangeAdmin):
    """The event with its passes. A new date, venue or times reach everyone registered for
    them: the service asks the organiser to confirm, then mails each person once."""

    form = EventAdminForm
    list_display = ["name", "date", "venue", "registration_opens", "registration_closes"]
    search_fields = ["name", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TimeSlotInline]

    def save_model(self, request, obj, form, change):
        # A new event has nobody registered; an edited one is saved with its passes, below.
        if not change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not change:
            return super().save_related(request, form, formsets, change)
        (passes,) = formsets
        services.save_agenda(
            event=form.instance,
            slots=passes.save(commit=False),
            removed=passes.deleted_objects,
            confirm_notify=form.cleaned_data["notify_participants"],
            by=services.Actor.of(request.user),
        )
        return None


@admin.register(TimeSlot)
class TimeSlotAdmin(ProgrammeChangeAdmin):
    form = TimeSlotAdminForm
    list_display = ["__str__", "event", "number", "start_time", "end_time"]
    list_filter = ["event"]
    list_select_related = ["event"]
    fields = ["event", "number", "start_time", "end_time", "notify_participants"]

    def get_readonly_fields(self, request, obj=None):
        # A pass stays with its event: its workshops and choices belong there.
        return ["event"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        services.save_agenda(
            event=obj.event,
            slots=[obj],
            confirm_notify=form.cleaned_data["notify_participants"],
            by=services.Actor.of(request.user),
        )


@admin.register(Room)
class RoomAdmin(ProgrammeChangeAdmin):
    form = RoomAdminForm
    list_display = ["name", "capacity"]
    search_fields = ["name"]
    fields = ["name", "capacity", "confirm_overbooking"]

    def save_model(self, request, obj, form, change):
        # More seats move the queues in; fewer than registered needs the confirmation.
        services.save_room(
            room=obj,
            confirm_overbooking=form.cleaned_data["confirm_overbooking"],
            by=services.Actor.of(request.user),
        )


class WorkshopPresenterInline(admin.TabularInline):
    model = WorkshopPresenter
    extra = 1
    autocomplete_fields = ["presenter"]
    fields = ["order", "presenter", "role"]


@admin.register(Workshop)
class WorkshopAdmin(ProgrammeChangeAdmin):
    form = WorkshopAdminForm
    # Few, short columns that wrap, so all of them fit beside the admin's menu and the
    # filters at 1280 px (static/css/reglab-admin.css; tests/registrations/test_admin_lists_
    # browser.py): the presenters go under the title.
    list_display = [
        "code_display",
        "title_display",
        "slot_display",
        "room",
        "seats_display",
        "queue_length_display",
        "roster_link",
    ]
    list_display_links = ["code_display"]
    list_filter = ["event", "status", "slot", "room"]
    search_fields = ["title", "description", "presenters__name", "presenters__organisation"]
    ordering = ["event", "number"]
    inlines = [WorkshopPresenterInline]
    actions = ["publish", "export_xlsx", "export_csv", "print_rosters", "print_badges"]
    fieldsets = [
        (None, {"fields": ["event", "number", "title", "description", "status"]}),
        (
            _("Tid och plats"),
            {
                "fields": [
                    "slot",
                    "room",
                    "capacity",
                    "registered_display",
                    "confirm_overbooking",
                    "move_participants",
                ]
            },
        ),
        (_("Medverkande utan namn"), {"fields": ["contributors_note"]}),
        # Optional: an English page shows the Swedish text when these are empty.
        (_("På engelska"), {"fields": ["title_en", "description_en"]}),
    ]

    # Drafts become published only through the action, which checks them first.
    readonly_fields = ["registered_display", "status"]

    class Media:
        css = {"all": ["css/reglab-admin.css"]}

    def get_queryset(self, request):
        # seats_taken is counted in the list's own query, whatever the number of rows.
        return with_attendance(
            with_queue_length(with_seats_taken(super().get_queryset(request).for_programme()))
        )

    def save_model(self, request, obj, form, change):
        # Possibly more seats (the queue moves in), fewer, or a new room or pass for the
        # people registered: the service decides, with the organiser's confirmations.
        services.save_workshop(
            workshop=obj,
            confirm_overbooking=form.cleaned_data["confirm_overbooking"],
            move_participants=form.cleaned_data["move_participants"],
            by=services.Actor.of(request.user),
        )

    def get_list_display(self, request):
        if request.user.has_perm(ROSTER_PERMISSION):
            return self.list_display
        return [name for name in self.list_display if name != "roster_link"]

    @admin.display(description=_("kod"), ordering="number")
    def code_display(self, workshop):
        return workshop.code

    @admin.display(description=_("pass"), ordering="slot__number")
    def slot_display(self, workshop):
        return workshop.slot.label

    @admin.display(description=_("titel och medverkande"), ordering="title")
    def title_display(self, workshop):
        names = ", ".join(wp.presenter.name for wp in workshop.ordered_presenters())
        # A draft says so in the title's cell: a column of its own would not fit at 1280 px.
        draft = (
            format_html(" <strong>({})</strong>", gettext("utkast")) if workshop.is_draft else ""
        )
        return format_html(
            '{}{}<br><span class="reglab-presenters">{}</span>', workshop.title, draft, names
        )

    @admin.display(description=_("anmälda / platser"), ordering="seats_taken")
    def seats_display(self, workshop):
        seats = Seats.of(workshop)
        came = Attendance.of(workshop)
        attendance = (
            format_html("<br><small>{}</small>", self.attendance_text(workshop))
            if came.present or came.walk_ins
            else ""
        )
        return format_html(
            '<meter min="0" max="100" low="75" high="90" optimum="0" value="{}" '
            'aria-hidden="true"></meter> {}\u00a0/\u00a0{} <small>({}\u00a0%)</small>{}',
            seats.fill_percent,
            seats.taken,
            seats.capacity,
            seats.fill_percent,
            attendance,
        )

    @admin.display(description=_("berörs av ändringar"))
    def registered_display(self, workshop):
        # Before the organiser edits the pass, room or seats: who would be affected.
        if workshop is None or workshop.pk is None:
            return "–"
        return gettext("%(taken)s anmälda, %(queued)s i kö") % {
            "taken": workshop.seats_taken,
            "queued": workshop.queue_length,
        }

    @admin.display(description=_("i kö"), ordering="queue_length")
    def queue_length_display(self, workshop):
        return workshop.queue_length

    def attendance_text(self, workshop) -> str:
        """Checked in / registered (and walk-ins), under the seats once anyone has come: a
        column of its own would not fit at 1280 px."""
        came = Attendance.of(workshop)
        if not came.walk_ins:
            text = f"{came.present}\u00a0/\u00a0{came.registered}"
        else:
            text = gettext("%(present)s\u00a0/\u00a0%(registered)s, +%(walk_ins)s utan anmälan") % {
                "present": came.present,
                "registered": came.registered,
                "walk_ins": came.walk_ins,
            }
        return gettext("här: %(text)s") % {"text": text}

    @admin.display(description=_("lista"))
    def roster_link(self, workshop):
        url = reverse("admin:registrations_roster", args=[workshop.event.slug, workshop.number])
        return format_html('<a href="{}">{}</a>', url, gettext("Skriv ut"))

    @admin.action(description=_("Publicera valda utkast"), permissions=["change"])
    def publish(self, request, queryset):
        published = 0
        for workshop in queryset.filter(status=Workshop.Status.DRAFT).order_by("number"):
            try:
                services.publish_workshop(workshop=workshop)
            except services.RegistrationError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.log_change(request, workshop, [{"changed": {"fields": ["status"]}}])
                published += 1
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(n)s workshop är publicerad.", "%(n)s workshoppar är publicerade.", published
                )
                % {"n": published},
                messages.SUCCESS,
            )

    # Actions on the selected workshops; they lead to the same pages as the overview's links.

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORT_PERMISSION)

    def has_rosters_permission(self, request):
        return request.user.has_perm(ROSTER_PERMISSION)

    def _for_one_event(self, request, queryset, url_name, *args):
        events = {w.event for w in queryset}
        if len(events) != 1:
            self.message_user(
                request, gettext("Välj workshoppar från ett evenemang i taget."), messages.ERROR
            )
            return None
        (event,) = events
        query = urlencode([("workshop", w.pk) for w in queryset])
        return redirect(f"{reverse(url_name, args=[event.slug, *args])}?{query}")

    @admin.action(description=_("Ladda ner anmälningar till valda (Excel)"), permissions=["export"])
    def export_xlsx(self, request, queryset):
        return self._for_one_event(request, queryset, "admin:registrations_export", "xlsx")

    @admin.action(description=_("Ladda ner anmälningar till valda (CSV)"), permissions=["export"])
    def export_csv(self, request, queryset):
        return self._for_one_event(request, queryset, "admin:registrations_export", "csv")

    @admin.action(description=_("Skriv ut närvarolistor för valda"), permissions=["rosters"])
    def print_rosters(self, request, queryset):
        return self._for_one_event(request, queryset, "admin:registrations_rosters")

    @admin.action(
        description=_("Skriv ut namnbrickor för valdas deltagare"), permissions=["rosters"]
    )
    def print_badges(self, request, queryset):
        return self._for_one_event(request, queryset, "admin:registrations_badges")
