from django.urls import path

from . import views

app_name = "workshops"
urlpatterns = [
    path("", views.programme, name="programme"),
    path("<slug:event_slug>/", views.programme, name="event_programme"),
    path("<slug:event_slug>/w<int:number>/", views.workshop_detail, name="workshop_detail"),
]
