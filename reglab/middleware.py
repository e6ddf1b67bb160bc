"""A lost database answers a friendly page instead of a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


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
