from django.contrib import admin
from django.urls import include, path

from registrations.views import privacy

urlpatterns = [
    path("admin/", admin.site.urls),
    path("forslag/", include("proposals.urls")),
    path("integritet/", privacy, name="privacy"),
    # Before workshops: its /<event slug>/ pattern would otherwise catch /anmalan/.
    path("", include("registrations.urls")),
    path("", include("workshops.urls")),
]
