"""The programme's plain screens: events with their passes, and presenters.

Workshops and rooms are registered by registrations.admin: their edits go through the
registration rules.
"""

from django.contrib import admin

from .models import Event, Presenter, TimeSlot


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


@admin.register(Presenter)
class PresenterAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "organisation"]
    search_fields = ["name", "organisation"]
