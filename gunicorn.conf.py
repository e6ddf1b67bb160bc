"""Gunicorn settings shared by production, `make serve` and `make bench`.

Override with the environment: PORT, HOST, WEB_CONCURRENCY (worker processes),
GUNICORN_THREADS (threads per worker), GUNICORN_ACCESSLOG (a file, or - for stderr).
"""

import logging
import multiprocessing
import os
import sys

wsgi_app = "reglab.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# One process per core, each with two threads: one runs while the other waits on PostgreSQL.
# More threads wait longer for the interpreter lock between their statements: on the 2-core
# bench machine 2 x 2 answered the rush with p95 137/140 ms where 2 x 4 took 159/223 (back to
# back, the ninth round, README Prestanda), and served the programme page faster too.
# Single-threaded 3 x 1 and 5 x 1 reached 49 and 46 submissions/s where 2 x 4 reached 76.
# Raise GUNICORN_THREADS where requests wait longer on the database (one on another machine).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# gthread, taking a new connection only while one of its threads is free, so that a burst of
# connections is shared by the processes instead of mostly taken by one (reglab/gunicorn_worker.py).
worker_class = "reglab.gunicorn_worker.BalancedThreadWorker"
# A thread back from PostgreSQL waits for the interpreter lock while the others run Python:
# at most 1 ms instead of Python's 5, so a registration holding the workshops' row locks is
# held up less between its statements, and so are the registrations queued behind it.
sys.setswitchinterval(0.001)
timeout = 30
graceful_timeout = 20
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# The access log with private links' tokens masked (reglab/logs.py).
logger_class = "reglab.logs.GunicornLogger"


def post_worker_init(worker):
    # Before the worker's first request (reglab/warmup.py). A failure here would stop the
    # whole server (gunicorn treats it as a boot error, also when it replaces a worker in the
    # middle of a rush): the worker starts cold instead, and says so.
    from reglab.warmup import freeze_what_lasts, warm_up

    try:
        warm_up()
    except Exception:
        logging.getLogger("reglab.warmup").warning("Warm-up failed; starting cold", exc_info=True)
    freeze_what_lasts()
