"""The e-mail worker's state for the admin's start page."""

from django import template

from registrations import tasks_db

register = template.Library()


@register.simple_tag
def mail_problems() -> dict[str, int]:
    """How many messages could not be sent at all, and how many wait for another try."""
    return {
        "failed": tasks_db.failed_tasks().count(),
        "retrying": tasks_db.waiting_for_another_try().count(),
    }
