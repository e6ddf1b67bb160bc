"""Messages to participants and the reminder before the day (registrations.services.messages).

The e-mails leave as outbox tasks: with the immediate backend (most tests) they are sent right
after the commit; the tests marked `with_worker` store them in the database and run the worker.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from registrations import outbox, services
from registrations.models import Message, MessageRecipient, Registration
from registrations.services.messages import deliver_message
from registrations.services.reminders import reminder_window
from tests.conftest import make_event, register_people
from tests.registrations.test_email_tasks import run_worker, with_worker
from workshops.models import Workshop

Audience = Message.Audience
Delivery = MessageRecipient.Status

ROOM_MOVED = (
    "Hej {namn}!\n\n"
    "W6 har flyttat till Hus B, sal 2 (andra våningen).\n\n"
    "Ditt program:\n{program}\n\n"
    "Din anmälan: {länk}"
)


def workshop(event, number):
    return Workshop.objects.get(event=event, number=number)


def draft(event, *, audience=Audience.WORKSHOPS, workshops=(), slot=None, subject=None, body=None):
    message = Message.objects.create(
        event=event,
        subject=subject if subject is not None else "Ny lokal för W6, {namn}",
        body=body if body is not None else ROOM_MOVED,
        audience=audience,
        slot=slot,
    )
    message.workshops.set(workshops)
    return message


def send(message, organiser, capture):
    with capture(execute=True):
        return services.send_message(message=message, by=services.Actor.of(organiser))


def inboxes():
    return sorted(address for m in mail.outbox for address in m.to)


def addresses(registrations):
    return sorted(r.email for r in registrations)


@pytest.fixture
def sender(db):
    """Who sends, in the tests with a worker: their real commits leave no groups to join."""
    from django.contrib.auth.models import User

    return User.objects.create_user("sender", is_staff=True)


@pytest.fixture
def w6_and_others(programme):
    """Three people in W6 (pass 2), two elsewhere; W6 is the first workshop of pass 2."""
    assert workshop(programme, 6).slot.number == 2
    in_w6 = register_people(programme, 3, index=0)
    others = register_people(programme, 2, start=10, index=1)
    return in_w6, others


# --- An organiser's message -------------------------------------------------------------------


def test_w6_participants_are_told_the_room_moved_and_nobody_else(
    programme, w6_and_others, organiser, django_capture_on_commit_callbacks
):
    in_w6, others = w6_and_others
    message = draft(programme, workshops=[workshop(programme, 6)])
    mail.outbox.clear()

    result = send(message, organiser, django_capture_on_commit_callbacks)

    assert result.queued == 3 and not result.already_sent
    assert inboxes() == addresses(in_w6)
    anna = in_w6[0]
    email = next(m for m in mail.outbox if m.to == [anna.email])
    assert email.subject == f"Ny lokal för W6, {anna.name}"
    assert email.body.startswith(f"Hej {anna.name}!\n\nW6 har flyttat till Hus B")
    assert "W6 Regional utbildnings- och arbetsmarknadsprognos" in email.body
    assert "Pass 2, 10:00–10:45" in email.body and "Lokal: " in email.body
    assert f"Din anmälan: http://testserver/anmalan/{anna.token}/" in email.body
    assert f"anmäld till {programme.name}" in email.body
    html = email.alternatives[0].content
    assert "<p>W6 har flyttat till Hus B, sal 2 (andra våningen).</p>" in html
    assert "<strong>W6 Regional utbildnings- och arbetsmarknadsprognos</strong>" in html
    assert f'href="http://testserver/anmalan/{anna.token}/"' in html
    # The same footer as every other e-mail: who to ask, and how the data is handled.
    privacy = f"http://testserver/integritet/{programme.slug}/"
    assert f"Så hanterar vi dina personuppgifter: {privacy}" in email.body
    assert f'<a href="{privacy}"' in html
    # {program} brings the calendar file, so the new room reaches calendars too.
    assert [a.filename for a in email.attachments] == [f"{programme.slug}.ics"]
    message.refresh_from_db()
    assert message.is_sent and message.sent_by == organiser
    assert message.sent_by_name == "organiser" and message.sent_at is not None
    assert sorted(message.recipients.values_list("registration__email", flat=True)) == addresses(
        in_w6
    )
    assert set(message.recipients.values_list("status", flat=True)) == {Delivery.SENT}
    assert all(r.delivered_at for r in message.recipients.all())


def test_a_message_without_the_agenda_has_no_calendar_file(
    programme, w6_and_others, organiser, django_capture_on_commit_callbacks
):
    message = draft(programme, workshops=[workshop(programme, 6)], body="Ta med en dator, {namn}.")
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    assert all(m.attachments == [] for m in mail.outbox)
    assert "W6 Regional" not in mail.outbox[0].body


def test_a_message_to_a_pass_reaches_its_participants_of_this_event_only(
    programme, organiser, django_capture_on_commit_callbacks
):
    people = register_people(programme, 2)
    other_event = make_event(slug="other")
    register_people(other_event, 1, start=50)
    slot = programme.slots.get(number=2)
    message = draft(programme, audience=Audience.PASS, slot=slot, body="Passet börjar senare.")
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    assert inboxes() == addresses(people)


def test_a_message_to_everyone_confirmed_leaves_out_the_cancelled(
    programme, organiser, django_capture_on_commit_callbacks
):
    people = register_people(programme, 3) + register_people(programme, 2, start=10, index=1)
    services.cancel(registration=people[0], notify=False)
    message = draft(programme, audience=Audience.EVERYONE, body="Välkommen, {namn}!")
    assert services.recipients(message).count() == 4
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    assert inboxes() == addresses(people[1:])
    assert not message.recipients.filter(registration=people[0]).exists()


@pytest.fixture
def queues(db):
    """Anna has the only seat of W1 (pass 1) and W4 (pass 2); Bo queues for W1, Cia for W4."""
    event = make_event(slug="queues", capacity=1, workshops_per_slot=3)
    (anna,) = register_people(event, 1, index=0)
    (bo,) = register_people(event, 1, start=1, index=1)
    (cia,) = register_people(event, 1, start=2, index=2)
    services.join_queue(registration=bo, workshop=workshop(event, 1))
    services.join_queue(registration=cia, workshop=workshop(event, 4))
    return event, anna, bo, cia


def test_a_message_to_one_queue_reaches_those_waiting_in_it(
    queues, organiser, django_capture_on_commit_callbacks
):
    event, anna, bo, cia = queues
    message = draft(
        event, audience=Audience.QUEUE, workshops=[workshop(event, 1)], body="Du står i kö."
    )
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    assert inboxes() == [bo.email]


def test_a_message_to_all_queues_reaches_everyone_waiting(
    queues, organiser, django_capture_on_commit_callbacks
):
    event, anna, bo, cia = queues
    message = draft(event, audience=Audience.QUEUE, body="Du står i kö.")
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    assert inboxes() == addresses([bo, cia])


def test_sending_twice_sends_once(
    programme, w6_and_others, organiser, django_capture_on_commit_callbacks
):
    message = draft(programme, workshops=[workshop(programme, 6)])
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    second = send(message, organiser, django_capture_on_commit_callbacks)
    assert second.already_sent and second.queued == 0
    assert len(mail.outbox) == 3
    assert message.recipients.count() == 3


def test_a_draft_changed_since_the_preview_is_not_sent(programme, w6_and_others, organiser):
    message = draft(programme, workshops=[workshop(programme, 6)])
    seen = message.updated_at.isoformat()
    message.body = "Ändrad text."
    message.save()
    with pytest.raises(services.RegistrationError, match="ändrats sedan du förhandsgranskade"):
        services.send_message(message=message, by=services.Actor.of(organiser), seen_version=seen)
    message.refresh_from_db()
    assert not message.is_sent and not message.recipients.exists()


def test_a_message_nobody_would_get_is_refused(programme, organiser):
    message = draft(programme, workshops=[workshop(programme, 6)])
    with pytest.raises(services.RegistrationError, match="Ingen bekräftad deltagare"):
        services.send_message(message=message, by=services.Actor.of(organiser))
    message.refresh_from_db()
    assert not message.is_sent


@pytest.mark.parametrize(
    ("subject", "body", "field", "unknown"),
    [
        ("Hej", "Hej {name}!", "body", "{name}"),
        ("Hej", "{namn.__class__.__mro__}", "body", "{namn.__class__.__mro__}"),
        ("Hej", "{0} och {}", "body", "{0}, {}"),
        ("Hej", "{{ registration.token }}", "body", "{ registration.token }"),
        ("Hej", "{% now 'Y' %}", "body", "{% now 'Y' %}"),
        ("Ditt program: {program}", "Hej", "subject", "{program}"),
    ],
)
def test_unknown_placeholders_are_refused_in_swedish(subject, body, field, unknown):
    with pytest.raises(services.RegistrationError) as refused:
        services.check_text(subject=subject, body=body)
    assert refused.value.field == field
    assert refused.value.message.startswith(f"Okänd platshållare: {unknown}. Här kan du använda")


def test_the_known_placeholders_pass():
    services.check_text(subject="Till {namn}", body="{namn} {program} {länk}: } och {")


def test_the_text_is_escaped_in_html_and_never_run_as_a_template(
    programme, organiser, django_capture_on_commit_callbacks
):
    (person,) = register_people(programme, 1)
    Registration.objects.filter(pk=person.pk).update(name="Ann <b>&</b> Ek")
    message = draft(
        programme,
        audience=Audience.EVERYONE,
        subject="Till {namn}",
        body="<script>alert(1)</script> & {namn}\nrad två",
    )
    mail.outbox.clear()
    send(message, organiser, django_capture_on_commit_callbacks)
    (email,) = mail.outbox
    assert email.subject == "Till Ann <b>&</b> Ek"
    assert email.body.startswith("<script>alert(1)</script> & Ann <b>&</b> Ek\nrad två")
    html = email.alternatives[0].content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Ann &lt;b&gt;&amp;&lt;/b&gt; Ek<br>" in html
    assert "<script>" not in html


# --- The outbox: one task per recipient, queued with the send ---------------------------------


def test_bulk_queued_tasks_are_the_rows_enqueue_writes(db, database_tasks):
    """outbox writes django-tasks-db's rows itself; this fails if the library changes them."""
    with transaction.atomic():
        deliver_message.enqueue(7)
        by_library = DBTaskResult.objects.get()
        outbox.enqueue_many(deliver_message, [(7,)])
        ours = DBTaskResult.objects.exclude(pk=by_library.pk).get()
    skip = {"id", "enqueued_at"}
    fields = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(ours, f) for f in fields} == {f: getattr(by_library, f) for f in fields}
    assert ours.task_result.args == [7]


def test_a_rolled_back_send_queues_no_task(programme, w6_and_others, organiser, database_tasks):
    message = draft(programme, workshops=[workshop(programme, 6)])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_message(message=message, by=services.Actor.of(organiser))
        assert DBTaskResult.objects.count() == 3  # in the same transaction…
        raise RuntimeError("something after the send failed")
    assert not DBTaskResult.objects.exists()  # … so gone with it
    message.refresh_from_db()
    assert not message.is_sent and not message.recipients.exists()


def test_queueing_takes_the_same_queries_for_five_or_fifty(organiser, database_tasks):
    def queries_for(count, slug):
        event = make_event(slug=slug, capacity=100)
        register_people(event, count, start=1000 * len(slug))
        message = draft(event, audience=Audience.EVERYONE, body="Hej {namn}")
        tasks_before = DBTaskResult.objects.count()
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            services.send_message(message=message, by=services.Actor.of(organiser))
        assert DBTaskResult.objects.count() - tasks_before == count
        return len(queries)

    assert queries_for(5, "five") == queries_for(50, "fifty")


@with_worker
def test_the_worker_sends_each_recipient_and_records_it(
    programme, w6_and_others, sender, database_tasks
):
    in_w6, _ = w6_and_others
    message = draft(programme, workshops=[workshop(programme, 6)])
    services.send_message(message=message, by=services.Actor.of(sender))
    mail.outbox.clear()
    assert set(message.recipients.values_list("status", flat=True)) == {Delivery.PENDING}

    run_worker()

    assert inboxes() == addresses(in_w6)
    assert set(message.recipients.values_list("status", flat=True)) == {Delivery.SENT}
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@with_worker
def test_a_registration_cancelled_before_the_worker_ran_gets_nothing(
    programme, w6_and_others, sender, database_tasks
):
    in_w6, _ = w6_and_others
    message = draft(programme, workshops=[workshop(programme, 6)])
    services.send_message(message=message, by=services.Actor.of(sender))
    services.cancel(registration=in_w6[0], notify=False)
    mail.outbox.clear()

    run_worker()

    assert inboxes() == addresses(in_w6[1:])
    assert message.recipients.get(registration=in_w6[0]).status == Delivery.CANCELLED


@with_worker
def test_a_message_the_mail_server_refused_is_recorded_as_failed(
    programme, sender, database_tasks, mail_down
):
    register_people(programme, 1)
    message = draft(programme, audience=Audience.EVERYONE, body="Hej")
    services.send_message(message=message, by=services.Actor.of(sender))

    run_worker()

    assert message.recipients.get().status == Delivery.FAILED
    task = DBTaskResult.objects.get(task_path=deliver_message.module_path)
    assert task.status == "FAILED" and "MessageNotSent" in task.exception_class_path


def test_a_task_run_twice_sends_once(programme, organiser, database_tasks):
    register_people(programme, 1)
    message = draft(programme, audience=Audience.EVERYONE, body="Hej")
    services.send_message(message=message, by=services.Actor.of(organiser))
    recipient = message.recipients.get()
    mail.outbox.clear()
    assert deliver_message.call(recipient.pk) == Delivery.SENT
    assert deliver_message.call(recipient.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_message_is_no_change_of_the_registration(
    programme, w6_and_others, organiser, django_capture_on_commit_callbacks
):
    in_w6, _ = w6_and_others
    before = in_w6[0].audit.count()
    send(
        draft(programme, workshops=[workshop(programme, 6)]),
        organiser,
        django_capture_on_commit_callbacks,
    )
    assert in_w6[0].audit.count() == before


# --- The reminder before the day --------------------------------------------------------------


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_the_reminder_goes_out_from_eight_the_day_before_until_the_first_pass(programme):
    day = programme.date
    assert programme.reminder_days_before == 1  # the default
    assert reminder_window(programme) == (local(day - datetime.timedelta(days=1), 8), local(day, 9))
    programme.reminder_days_before = 3
    assert reminder_window(programme)[0] == local(day - datetime.timedelta(days=3), 8)
    programme.reminder_days_before = None
    assert reminder_window(programme) is None


@pytest.mark.parametrize(
    ("days_before", "at", "due"),
    [
        (1, (-1, 7, 59), False),  # the day before, before eight
        (1, (-1, 8, 0), True),
        (1, (0, 8, 59), True),  # the morning of the day, before the first pass
        (1, (0, 9, 0), False),  # too late
        (1, (-2, 12, 0), False),  # too early
        (2, (-2, 12, 0), True),
        (None, (-1, 12, 0), False),  # off
    ],
)
def test_the_reminder_is_due_only_in_its_window(
    programme, days_before, at, due, django_capture_on_commit_callbacks
):
    register_people(programme, 2)
    programme.reminder_days_before = days_before
    programme.save()
    offset, hour, minute = at
    now = local(programme.date + datetime.timedelta(days=offset), hour, minute)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_due_reminders(now=now)
    assert sent == ([(programme, 2)] if due else [])
    assert len(mail.outbox) == (2 if due else 0)


def day_before(event):
    return local(event.date - datetime.timedelta(days=1), 12)


def test_the_reminder_has_the_agenda_with_times_and_rooms_the_ics_and_the_link(
    programme, django_capture_on_commit_callbacks
):
    (person,) = register_people(programme, 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(now=day_before(programme))
    (email,) = mail.outbox
    assert email.to == [person.email]
    assert email.subject.startswith(f"Påminnelse: {programme.name} ")
    body = email.body
    assert body.startswith(f"Hej {person.name}!\n\nSnart är det dags för {programme.name}")
    for choice in person.choices.select_related("slot", "workshop__room"):
        assert str(choice.slot) in body  # "Pass 1, 09:00–09:45"
        assert f"{choice.workshop.code} {choice.workshop.title}" in body
        assert f"Lokal: {choice.workshop.room.name}" in body
    assert f"http://testserver/anmalan/{person.token}/" in body
    html = email.alternatives[0].content
    assert "Snart är det dags" in html and f"/anmalan/{person.token}/" in html
    ics_file, qr_image = email.attachments  # the QR code: tests/registrations/test_qr.py
    filename, ics, mimetype = ics_file
    assert filename == f"{programme.slug}.ics" and mimetype == "text/calendar"
    assert ics.count("BEGIN:VEVENT") == 3
    assert qr_image.get_content_type() == "image/png"


def test_running_the_scheduler_again_reminds_nobody_twice(
    programme, django_capture_on_commit_callbacks
):
    people = register_people(programme, 3)
    services.cancel(registration=people[0], notify=False)
    now = day_before(programme)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_due_reminders(now=now)
        second = services.send_due_reminders(now=now + datetime.timedelta(hours=1))
    assert first == [(programme, 2)] and second == [(programme, 0)]
    assert inboxes() == addresses(people[1:])
    reminder = Message.objects.get(kind=Message.Kind.REMINDER)
    assert reminder.recipients.count() == 2 and reminder.sent_at == now

    # Someone who registered since gets it at the next run, alone.
    (late,) = register_people(programme, 1, start=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        third = services.send_due_reminders(now=now + datetime.timedelta(hours=2))
    assert third == [(programme, 1)] and inboxes() == [late.email]


def test_send_reminders_command_says_what_it_did(programme, django_capture_on_commit_callbacks):
    from io import StringIO

    register_people(programme, 2)
    # Due since yesterday at eight, whatever the time now.
    programme.date = timezone.localdate() + datetime.timedelta(days=1)
    programme.reminder_days_before = 2
    programme.save()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        f"Reminders queued: 2 for {programme.slug}.",
        f"Reminders queued: 0 for {programme.slug}.",
    ]
    programme.reminder_days_before = None
    programme.save()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue() == "No reminders due.\n"


def test_the_reminder_status_says_whether_it_went_out_and_to_how_many(
    programme, django_capture_on_commit_callbacks
):
    register_people(programme, 2)
    status = services.reminder_status(programme)
    assert status.message is None and status.window == reminder_window(programme)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(now=day_before(programme))
    status = services.reminder_status(programme)
    assert status.message.recipients_total == 2 and status.message.recipients_sent == 2


def test_a_draft_saved_with_an_unknown_placeholder_previews_it_as_typed(programme):
    (person,) = register_people(programme, 1)
    message = draft(programme, audience=Audience.EVERYONE, body="Hej {förnamn} <{}>")
    email = services.compose(message, person)
    assert email.body.startswith("Hej {förnamn} <{}>")
    assert "<p>Hej {förnamn} &lt;{}&gt;</p>" in email.alternatives[0].content
    with pytest.raises(services.RegistrationError, match="Okänd platshållare"):
        services.send_message(message=message, by=services.SYSTEM)
