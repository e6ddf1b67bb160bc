"""When a service refuses a save that the organiser's form let through.

Someone may register between the form's check and the save, or the database may be too busy.
RegistrationAdmin, WorkshopAdmin and RoomAdmin all handle this the same way, with the two
classes below.
"""

from django.contrib import messages
from django.shortcuts import redirect

from registrations import services


class RefusableForm:
    """The form of a RefusalAdminMixin screen.

    `refused` is set to the service's refusal of this same input when the view runs again
    on the same POST. `shows_refusal` tells whether that second run will show it on the form.
    A refusal the form cannot show comes as a message instead.
    """

    refused: services.RegistrationError | None = None

    @classmethod
    def shows_refusal(cls, error: services.RegistrationError) -> bool:
        return True


class RefusalAdminMixin:
    """For a ModelAdmin whose save_model passes the input to a service, which may refuse.

    The admin's transaction is then rolled back, so nothing is half-saved and no e-mail is
    queued. The view runs once more on the same POST, and the form gets the refusal
    (RefusableForm), so the organiser sees it on their own edit with what they typed. If the
    form cannot show the refusal, or the service refuses a second time, the organiser gets
    the reason as a message on a fresh form instead of an error page.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refused = getattr(request, "reglab_refused", None)
        if refused is not None:
            form = type(form.__name__, (form,), {"refused": refused})
        return form

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except services.RegistrationError as error:
            if not self.form.shows_refusal(error):
                return self._refused(request, error)
            request.reglab_refused = error
        try:
            return super().changeform_view(request, *args, **kwargs)
        except services.RegistrationError as error:
            return self._refused(request, error)

    def _refused(self, request, error: services.RegistrationError):
        self.message_user(request, error.message, messages.ERROR)
        return redirect(request.get_full_path())
