"""The e-mail task queue (django-tasks-db) under a name organisers understand in the admin."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class MailTasksConfig(TasksAppConfig):
    verbose_name = _("E-postutskick")
