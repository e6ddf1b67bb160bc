"""Third-party apps under names organisers understand in the admin."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class MailTasksConfig(TasksAppConfig):
    """The e-mail task queue (django-tasks-db)."""

    verbose_name = _("E-postutskick")


class LoginProtectionConfig(AxesAppConfig):
    """django-axes (admin login lockout), named in Swedish; its strings are in locale/sv."""

    verbose_name = _("Inloggningsskydd")
