from django.urls import path

from . import door, views

app_name = "registrations"
urlpatterns = [
    # The door on the event day (staff's login): before the event's own pages.
    path("incheckning/", door.passes, name="door_passes"),
    path("incheckning/kod/<slug:code>/", door.scan, name="door_scan"),
    path("incheckning/<slug:event_slug>/", door.passes, name="door_passes"),
    path("incheckning/<slug:event_slug>/pass-<int:number>/", door.rooms, name="door_rooms"),
    path("incheckning/<slug:event_slug>/w<int:number>/", door.door, name="door"),
    path("incheckning/<slug:event_slug>/w<int:number>/status/", door.status, name="door_status"),
    path("incheckning/<slug:event_slug>/w<int:number>/narvaro/", door.mark, name="door_mark"),
    path("incheckning/<slug:event_slug>/w<int:number>/flytta/", door.move, name="door_move"),
    path(
        "incheckning/<slug:event_slug>/w<int:number>/utan-anmalan/",
        door.walk_in,
        name="door_walk_in",
    ),
    path("anmalan/<slug:token>/", views.private, name="private"),
    path("anmalan/<slug:token>/andra/", views.change, name="change"),
    path("anmalan/<slug:token>/ko/", views.join_queue, name="join_queue"),
    path(
        "anmalan/<slug:token>/ko/<int:slot_number>/lamna/",
        views.leave_queue,
        name="leave_queue",
    ),
    path("anmalan/<slug:token>/avboka/", views.cancel, name="cancel"),
    path("anmalan/<slug:token>/radera/", views.erase, name="erase"),
    path("anmalan/<slug:token>/kalender.ics", views.calendar_file, name="calendar"),
    path("<slug:event_slug>/anmalan/", views.register, name="register"),
    path("<slug:event_slug>/anmalan/tack/", views.thanks, name="thanks"),
    path("<slug:event_slug>/anmalan/min-lank/", views.request_link, name="request_link"),
    path("<slug:event_slug>/anmalan/min-lank/skickad/", views.link_sent, name="link_sent"),
    path("<slug:event_slug>/anmalan/avbokad/", views.cancelled, name="cancelled"),
    path("<slug:event_slug>/anmalan/raderad/", views.erased, name="erased"),
]
