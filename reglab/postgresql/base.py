"""Django's PostgreSQL backend, with the connection health check only where it can help.

Django's check (CONN_HEALTH_CHECKS) costs a `SELECT 1` round trip at the start of every request
that reuses a connection: in a rush, one query in five. A connection that answered a moment ago
is checked by the request's own first query instead: if the database went away in that moment,
that request gets the 503 page (reglab.middleware.DatabaseUnavailableMiddleware), as it would
had the database gone away during it, and Django drops the connection so the next request
connects afresh. A connection idle for longer (a restart, a cut network, a quiet site) is checked
as before, so a site coming back after an outage answers its first request normally.
tests/reglab/test_database_unavailable.py drills both.
"""

import time

from django.db.backends.postgresql import base

# A connection that ended a request less than this ago is not checked at the next one.
RECENTLY_USED_SECONDS = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    _used_at: float | None = None

    def close_if_unusable_or_obsolete(self):
        # Called when every request starts and ends (django.db.close_old_connections).
        super().close_if_unusable_or_obsolete()
        now = time.monotonic()
        if self.connection is None:
            self._used_at = None
            return
        if self._used_at is not None and now - self._used_at < RECENTLY_USED_SECONDS:
            self.health_check_done = True
        self._used_at = now
