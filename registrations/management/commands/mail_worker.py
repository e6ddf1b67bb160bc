"""`manage.py mail_worker`: sends the e-mail tasks; see registrations/tasks_db.py."""

from registrations.tasks_db import Command  # noqa: F401
