"""Organisers' messages to participants, and who got them.

A message is written as a draft (the add and change forms). A draft's page shows how many it
reaches and a preview for one real recipient (text, and the HTML in a sandboxed frame), with
the button that sends it. A sent message is kept as it went, read-only, with its delivery
per recipient (the recipients' list). The reminder before the day is a message too, sent by
the system (services.messages); the overview page says whether it went out.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from registrations import services
from registrations.models import Message, MessageRecipient
from workshops.selectors import current_event

from .forms import TEXT_FIELDS, MessageAdminForm

SEND_PERMISSION = "registrations.send_message"
# The preview frame shows the e-mail as mail programs do, inline styles included; nothing in
# it may run or load, and only the admin's own pages may frame it.
PREVIEW_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "frame-ancestors": ["'self'"],
}


def describe_audience(message: Message) -> str:
    codes = ", ".join(w.code for w in message.workshops.order_by("number"))
    Audience = Message.Audience
    if message.audience == Audience.WORKSHOPS:
        return _("Deltagarna i %(codes)s") % {"codes": codes}
    if message.audience == Audience.PASS:
        return _("Deltagarna under %(slot)s") % {"slot": message.slot.label}
    if message.audience == Audience.QUEUE:
        if codes:
            return _("De som köar till %(codes)s") % {"codes": codes}
        return _("Alla som står i kö")
    return _("Alla bekräftade deltagare")


def recipients_url(message: Message, **filters) -> str:
    url = reverse("admin:registrations_messagerecipient_changelist")
    return f"{url}?{urlencode({'message__id__exact': message.pk, **filters})}"


def delivery_summary(message: Message) -> str:
    """For a message annotated by services.with_delivery: to how many, and how it went (the
    counts that are not zero)."""
    counts = [
        (message.recipients_sent, _("%(n)s skickade")),
        (message.recipients_failed, _("%(n)s misslyckades")),
        (message.recipients_waiting, _("%(n)s väntar")),
        (message.recipients_cancelled, _("%(n)s avbokade, inte skickat")),
    ]
    parts = [text % {"n": n} for n, text in counts if n]
    return _("%(total)s mottagare: %(parts)s") % {
        "total": message.recipients_total,
        "parts": ", ".join(parts) or "–",
    }


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    form = MessageAdminForm
    list_display = ["subject", "audience_display", "sent", "sender", "delivery"]
    list_display_links = ["subject"]
    list_filter = ["event", "kind", "status"]
    # No bulk deletion: a sent message is kept (has_delete_permission).
    actions = None
    list_select_related = ["event", "slot"]
    search_fields = ["subject"]
    change_form_template = "admin/registrations/message/change_form.html"

    class Media:
        css = {"all": ["css/reglab-admin.css"]}

    def get_queryset(self, request):
        return services.with_delivery(super().get_queryset(request)).prefetch_related("workshops")

    @admin.display(description=gettext_lazy("mottagare"))
    def audience_display(self, message):
        return describe_audience(message)

    @admin.display(description=gettext_lazy("skickat"), ordering="sent_at")
    def sent(self, message):
        if not message.is_sent:
            return message.get_status_display()
        return date_format(timezone.localtime(message.sent_at), "j F Y H:i")

    @admin.display(description=gettext_lazy("skickat av"), ordering="sent_by_name")
    def sender(self, message):
        if not message.is_sent:
            return "–"
        return message.sent_by_name or _("systemet")

    @admin.display(description=gettext_lazy("leverans"))
    def delivery(self, message):
        if not message.is_sent:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', recipients_url(message), delivery_summary(message)
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # No links to add or edit events, workshops or passes from a message.
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
        return formfield

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # One button: saving a draft leads to its preview (response_add, response_change).
        context.update(show_save_and_add_another=False, show_save_and_continue=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._to_preview(request, obj)

    def response_change(self, request, obj):
        return self._to_preview(request, obj)

    def _to_preview(self, request, message):
        self.message_user(
            request,
            _("Utkastet är sparat. Titta på förhandsgranskningen nedan och skicka det därifrån."),
            messages.SUCCESS,
        )
        return redirect("admin:registrations_message_change", message.pk)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "event" not in initial and (event := current_event()) is not None:
            initial["event"] = event.pk
        return initial

    def get_fields(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return ["event", "kind", *TEXT_FIELDS, "audience_display", "sent_at", "sender"]
        return list(MessageAdminForm.Meta.fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return self.get_fields(request, obj)
        return []

    def has_change_permission(self, request, obj=None):
        # A sent message is kept as it went out.
        if obj is not None and obj.is_sent:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_sent:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/send/", view(self.send_view), name="registrations_message_send"),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="registrations_message_preview",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        message = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if message is not None:
            extra.update(self._status(request, message))
        return super().change_view(request, object_id, form_url, extra)

    def _status(self, request, message: Message) -> dict:
        """What the page shows below the form: the delivery of a sent message, or the count
        and preview of a draft."""
        if message.is_sent:
            annotated = services.with_delivery(Message.objects.filter(pk=message.pk)).get()
            return {
                "delivery": delivery_summary(annotated),
                "recipients_url": recipients_url(message),
                "failed_url": recipients_url(message, status__exact="failed")
                if annotated.recipients_failed
                else None,
            }
        people = services.recipients(message)
        count = people.count()
        first = people.first()
        preview = services.compose(message, first) if first is not None else None
        return {
            "draft": True,
            "recipient_count": count,
            "in_english": people.filter(language="en").count(),
            "has_english": bool(message.subject_en.strip()),
            "preview_for": first,
            "preview": preview,
            "preview_url": reverse("admin:registrations_message_preview", args=[message.pk]),
            "audience": describe_audience(message),
            "version": message.updated_at.isoformat(),
            "can_send": request.user.has_perm(SEND_PERMISSION) and count > 0,
        }

    @method_decorator(require_POST)
    def send_view(self, request, object_id):
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        # get_object answers None for an id that is not a number, as for an unknown one.
        message = self.get_object(request, unquote(object_id))
        if message is None or message.kind != Message.Kind.MESSAGE:
            raise Http404
        try:
            result = services.send_message(
                message=message,
                by=services.Actor.of(request.user),
                seen_version=request.POST.get("version"),
            )
        except services.RegistrationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            if result.already_sent:
                self.message_user(
                    request,
                    _("Meddelandet var redan skickat. Ingen fick det en gång till."),
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Meddelandet skickas till %(n)s mottagare.",
                        "Meddelandet skickas till %(n)s mottagare.",
                        result.queued,
                    )
                    % {"n": result.queued},
                    messages.SUCCESS,
                )
        return redirect("admin:registrations_message_change", message.pk)

    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp_override(PREVIEW_CSP))
    def preview_view(self, request, object_id):
        """The HTML of the preview's e-mail, for the frame on the draft's page."""
        message = self.get_object(request, unquote(object_id))
        if message is None or not self.has_view_permission(request, message):
            raise Http404
        first = services.recipients(message).first()
        if first is None:
            raise Http404
        html = services.compose(message, first).alternatives[0].content
        response = HttpResponse(html)
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(MessageRecipient)
class MessageRecipientAdmin(admin.ModelAdmin):
    """Who got a message, and whether it went out (the task updates the status)."""

    list_display = ["name", "email", "status", "delivered_at", "message"]
    # The name links to the registration; a recipient has no page of its own worth opening.
    list_display_links = None

    class Media:
        css = {"all": ["css/reglab-admin.css"]}

    list_filter = ["status", ("message", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["registration", "message"]
    search_fields = ["registration__name", "registration__email"]

    def get_model_perms(self, request):
        # Reached from a message's page, not listed on its own in the admin's index.
        return {}

    @admin.display(description=gettext_lazy("namn"), ordering="registration__name")
    def name(self, recipient):
        url = reverse("admin:registrations_registration_change", args=[recipient.registration_id])
        return format_html('<a href="{}">{}</a>', url, recipient.registration.name)

    @admin.display(description=gettext_lazy("e-post"))
    def email(self, recipient):
        return recipient.registration.email

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
