"""Gunicorn settings shared by production, `make serve` and `make bench`.

Override with the environment: PORT, HOST, WEB_CONCURRENCY (worker processes),
GUNICORN_THREADS (threads per worker).
"""

import multiprocessing
import os

wsgi_app = "reglab.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Requests are short and mostly wait on PostgreSQL: a few processes per core.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
