from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Event, Presenter, Room, TimeSlot, Workshop, WorkshopPresenter


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "venue", "registration_opens", "registration_closes"]
    search_fields = ["name", "tagline"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TimeSlotInline]


@admin.register(TimeSlot)
class TimeSlotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "event", "number", "start_time", "end_time"]
    list_filter = ["event"]
    list_select_related = ["event"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "capacity"]
    search_fields = ["name"]


@admin.register(Presenter)
class PresenterAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "organisation"]
    search_fields = ["name", "organisation"]


class WorkshopPresenterInline(admin.TabularInline):
    model = WorkshopPresenter
    extra = 1
    autocomplete_fields = ["presenter"]
    fields = ["order", "presenter", "role"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["code_display", "title", "slot", "room", "presenter_names", "capacity_display"]
    list_display_links = ["code_display", "title"]
    list_filter = ["event", "slot", "room"]
    search_fields = ["title", "description", "presenters__name", "presenters__organisation"]
    ordering = ["event", "number"]
    inlines = [WorkshopPresenterInline]
    fieldsets = [
        (None, {"fields": ["event", "number", "title", "description"]}),
        (_("Tid och plats"), {"fields": ["slot", "room", "capacity"]}),
        (_("Medverkande utan namn"), {"fields": ["contributors_note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_programme()

    @admin.display(description=_("kod"), ordering="number")
    def code_display(self, workshop):
        return workshop.code

    @admin.display(description=_("medverkande"))
    def presenter_names(self, workshop):
        return ", ".join(wp.presenter.name for wp in workshop.ordered_presenters())

    @admin.display(description=_("platser"))
    def capacity_display(self, workshop):
        return workshop.effective_capacity
