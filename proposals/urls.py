from django.urls import path, register_converter

from . import views


class TokenConverter:
    # secrets.token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]; anything else is a 404
    # before the database sees it (PostgreSQL refuses NUL bytes in a query with an error).
    regex = "[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TokenConverter, "token")

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("nytt/", views.proposal_create, name="create"),
    path("nytt/mottaget/", views.proposal_received, name="received"),
    path("prioritera/<token:token>/", views.vote, name="vote"),
    path("rangordning/<int:round_id>/", views.ranking, name="ranking"),
]
