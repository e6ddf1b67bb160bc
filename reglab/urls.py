from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("forslag/", include("proposals.urls")),
    path("", include("workshops.urls")),
    path("", include("registrations.urls")),
]
