"""`manage.py db_worker`: django-tasks-db's name for the worker, run as reglab's `mail_worker`
(registrations/tasks_db.py), which also reconnects, tries again later and gives way to a rush."""

from registrations.tasks_db import Command  # noqa: F401
