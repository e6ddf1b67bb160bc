from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Anmälningar")

    def ready(self):
        # The programme's pages (the lower app) show the seats counted here: workshops.availability.
        from workshops import availability

        from . import selectors

        availability.count_seats_with(selectors.seats_left)
