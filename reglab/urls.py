from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from registrations.views import privacy

# The admin's name in its header and the browser's title bar (Django says "Django-administration").
admin.site.site_header = _("Reglab – administration")
admin.site.site_title = _("Reglab – administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    # The language switch in base.html. Without a CSRF token, so the public pages need no
    # cookie until someone chooses; a forged post could only change the page's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("forslag/", include("proposals.urls")),
    path("integritet/", privacy, name="privacy"),
    path("integritet/<slug:event_slug>/", privacy, name="event_privacy"),
    # Before workshops: its /<event slug>/ pattern would otherwise catch /anmalan/.
    path("", include("registrations.urls")),
    path("", include("workshops.urls")),
]
