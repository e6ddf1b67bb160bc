from django.urls import path

app_name = "registrations"
urlpatterns: list = []
