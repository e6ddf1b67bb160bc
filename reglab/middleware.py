"""A lost database answers a friendly page instead of a traceback."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
ADMIN_PREFIX = "/admin/"  # reglab/urls.py


class DatabaseUnavailableMiddleware:
    """Turn "cannot reach the database" into a 503 page that itself needs no database.

    The page is rendered without the request, so no context processor, session or user lookup
    runs. Django drops the broken connection at the end of the request, so the next request
    connects afresh and the site recovers by itself once the database is back. A transaction
    cut off halfway is rolled back by the database, so nothing is half written.

    Lock and statement timeouts are OperationalErrors too, but the services turn the ones they
    expect into a "try again" message; any that get here are also best answered with a 503.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable on %s: %s", request.path, exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class SwedishAdminMiddleware:
    """The admin is in Swedish whatever the visitor's browser or language switch says: the
    organisers write the programme in Swedish and the admin's words match the README.
    Placed after LocaleMiddleware, which has chosen the public pages' language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PREFIX):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
