"""Rate limits per client address, counted in Django's cache (Redis in production).

A fixed window per (scope, address): simple, shared between app servers through the cache,
and cheap (one atomic increment per request). Switched off with REGLAB_RATELIMIT=off.
Which limits there are, and why: README, "Gränser per klientadress".

While Redis is unreachable the counts are kept in each process's memory (reglab.cache_backends),
so a limit then holds per process rather than for the whole site.
"""

import contextlib
import functools
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

# The limiter's clock; tests pin it to stay inside one window.
clock = time.time


def client_address(request) -> str:
    # Behind a reverse proxy the proxy must set REMOTE_ADDR correctly (see README, deployment);
    # X-Forwarded-For is only trusted when DJANGO_BEHIND_PROXY is on.
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def client_ip(request) -> str | None:
    """The client address if it is a real IP address, else None (django-axes stores it in an
    inet column, which refuses anything else, e.g. for the request-less force_login)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _key(scope: str, request, period: int) -> str:
    window = int(clock() // period)
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"rl:{scope}:{address}:{window}"


def hit(scope: str, request, *, limit: int, period: int) -> bool:
    """Count one request; True while the client is within `limit` requests per `period` s."""
    if not settings.REGLAB_RATELIMIT:
        return True
    key = _key(scope, request, period)
    # add() is a no-op when the key exists; incr() is atomic in Redis and in local memory.
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count <= limit


def refund(scope: str, request, *, period: int) -> None:
    """Take back one `hit`: for a limit on what a request achieved, counted before it runs
    (so that simultaneous requests cannot all slip under the limit) and given back when it
    achieved nothing."""
    if not settings.REGLAB_RATELIMIT:
        return
    with contextlib.suppress(ValueError):  # a new window began meanwhile: nothing to give
        cache.decr(_key(scope, request, period))


def too_many(request, period: int):
    """The Swedish 429 page, asking to wait `period` seconds."""
    response = render(request, "429.html", {"period": period}, status=429)
    response["Retry-After"] = str(period)
    return response


def ratelimit(scope: str, *, limit: int, period: int = 60, methods=("POST",)):
    """View decorator: over the limit, answer 429 with a Swedish page instead of the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(scope, request, limit=limit, period=period):
                return too_many(request, period)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
