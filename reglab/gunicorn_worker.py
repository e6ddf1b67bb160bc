"""gunicorn's threaded worker, taking a new connection only while one of its threads is free.

All worker processes wait on the same listening socket, and whichever wakes first takes the
next connection, also when its threads are all busy. A client or a proxy that opens its
kept-alive connections in a burst then often finds one process taking most of them (19 of 20
was seen, README, Prestanda), and that process, with one interpreter lock, serves most of the
requests on one core while the other waits. Here a worker stops accepting while as many
requests as it has threads are running or waiting for one, so the next connection goes to a
worker that can serve it now (as Puma's `wait_for_less_busy_worker` does). A connection it
has taken stays with it; only new ones are steered.
"""

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Requests handed to the thread pool and not finished: run on the main thread only.
        self.requests_in_threads = 0

    def has_free_thread(self) -> bool:
        return self.requests_in_threads < self.cfg.threads

    def set_accept_enabled(self, enabled):
        # The run loop enables accepting whenever it may; here only with a thread free.
        super().set_accept_enabled(enabled and self.has_free_thread())

    def enqueue_req(self, conn):
        self.requests_in_threads += 1
        super().enqueue_req(conn)
        if not self.has_free_thread():
            self.set_accept_enabled(False)

    def finish_request(self, conn, fs):
        # Before the parent's work: it may hand the connection straight back (enqueue_req).
        self.requests_in_threads -= 1
        super().finish_request(conn, fs)
