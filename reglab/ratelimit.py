"""Rate limits per client address, counted in Django's cache (Redis in production).

A fixed window per (scope, address): simple, shared between app servers through the cache,
and cheap (one atomic increment per request). Switched off with REGLAB_RATELIMIT=off.
"""

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


def hit(scope: str, request, *, limit: int, period: int) -> bool:
    """Count one request; True while the client is within `limit` requests per `period` s."""
    if not settings.REGLAB_RATELIMIT:
        return True
    window = int(clock() // period)
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"rl:{scope}:{address}:{window}"
    # add() is a no-op when the key exists; incr() is atomic in Redis and in local memory.
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=period + 5)
        count = 1
    return count <= limit


def ratelimit(scope: str, *, limit: int, period: int = 60, methods=("POST",)):
    """View decorator: over the limit, answer 429 with a Swedish page instead of the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(scope, request, limit=limit, period=period):
                response = render(request, "429.html", {"period": period}, status=429)
                response["Retry-After"] = str(period)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
