from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("forslag/", include("proposals.urls")),
    path("integritet/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    # Before workshops: its /<event slug>/ pattern would otherwise catch /anmalan/.
    path("", include("registrations.urls")),
    path("", include("workshops.urls")),
]
