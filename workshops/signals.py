"""Any edit of the programme (in the admin, a fixture, a shell) changes its version, which
everything kept from it is keyed by (reglab.caches); writes that bypass save() are seen by
models.ProgrammeQuerySet."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from reglab import caches

from . import models

PROGRAMME_MODELS = (
    models.Event,
    models.TimeSlot,
    models.Room,
    models.Presenter,
    models.Workshop,
    models.WorkshopPresenter,
)


def _changed(sender, **kwargs):
    caches.programme_changed()


def connect() -> None:
    for model in PROGRAMME_MODELS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"programme-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"programme-del-{model.__name__}")
    m2m_changed.connect(
        _changed, sender=models.Workshop.presenters.through, dispatch_uid="programme-m2m"
    )
