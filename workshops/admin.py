"""The programme's plain screens: presenters.

Events and their passes, workshops and rooms are registered by registrations.admin: their
edits change what registered people have, so they go through the registration rules.
"""

from django.contrib import admin

from .models import Presenter


@admin.register(Presenter)
class PresenterAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "organisation"]
    search_fields = ["name", "organisation"]
