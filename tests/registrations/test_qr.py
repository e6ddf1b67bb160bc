"""The check-in QR code: it holds the check-in URL (from the check-in code, never the private
token), and decodes back to it from the e-mail's image (zxing-cpp)."""

import datetime
import struct
import textwrap
import zlib
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from django.core import mail

from registrations import qr, services
from tests.conftest import register_people
from tests.django_script import run_script

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def png_pixels(png: bytes) -> memoryview:
    """A grey (0 or 255) pixel buffer of a 1-bit greyscale PNG, as segno writes them."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        chunks.setdefault(kind, b"")
        chunks[kind] += png[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0), "1-bit greyscale"
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    pixels, above = bytearray(), bytes(stride)
    for row in range(height):
        kind, line = raw[row * (stride + 1)], raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)]
        assert kind in (0, 2), "no filter, or 'up' (what segno writes)"
        if kind == 2:
            line = bytes((a + b) & 0xFF for a, b in zip(line, above, strict=True))
        above = line
        for x in range(width):
            pixels.append(255 if line[x // 8] >> (7 - x % 8) & 1 else 0)
    return memoryview(bytes(pixels)).cast("B", (height, width))


def decode(png: bytes) -> str:
    (code,) = zxingcpp.read_barcodes(png_pixels(png))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    return code.text


def test_the_qr_code_decodes_to_the_check_in_url(programme, settings):
    settings.SITE_URL = "https://anmalan.example.se"
    (anna,) = register_people(programme, 1)

    url = qr.checkin_url(anna)

    assert url == f"https://anmalan.example.se/incheckning/kod/{anna.checkin_code}/"
    assert anna.token not in url
    assert decode(qr.checkin_qr_png(anna)) == url


def test_check_in_codes_are_unguessable_and_not_the_token(programme):
    people = register_people(programme, 20)
    codes = {p.checkin_code for p in people}
    assert len(codes) == 20
    assert all(len(code) >= 22 for code in codes)  # 16 random bytes
    assert not codes & {p.token for p in people}


def assert_carries_the_qr_code_inline(message, person):
    html = message.alternatives[0].content
    assert 'src="cid:incheckning@reglab"' in html
    (image,) = [a for a in message.attachments if getattr(a, "get_content_type", None)]
    assert image["Content-ID"] == "<incheckning@reglab>"
    assert image.get_content_disposition() == "inline"
    assert decode(image.get_content()) == qr.checkin_url(person)
    assert "QR-koden i bilagan" in message.body


def test_the_confirmation_carries_the_qr_code_inline(programme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (anna,) = register_people(programme, 1)

    (message,) = mail.outbox
    assert_carries_the_qr_code_inline(message, anna)


def test_the_reminder_carries_the_qr_code_inline_beside_the_ics(
    programme, django_capture_on_commit_callbacks
):
    (anna,) = register_people(programme, 1)
    mail.outbox.clear()
    the_day_before = datetime.datetime.combine(
        programme.date - datetime.timedelta(days=1), datetime.time(12), tzinfo=STOCKHOLM
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_reminders(now=the_day_before)

    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Påminnelse:")
    assert_carries_the_qr_code_inline(reminder, anna)
    assert [a[0] for a in reminder.attachments if isinstance(a, tuple)] == [f"{programme.slug}.ics"]


def test_the_private_page_shows_the_qr_code(client, programme):
    (anna,) = register_people(programme, 1)
    html = client.get(f"/anmalan/{anna.token}/").content.decode()
    assert qr.checkin_qr_data_uri(anna) in html
    assert "QR-kod för incheckning" in html


# Registrations made before the check-in code existed get one each when migrating.
BACKFILL = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "registrations", "0013", verbosity=0)
    # The programme's tables as they are now, for the fixture (workshops needs no registrations).
    call_command("migrate", "workshops", verbosity=0)
    call_command("loaddata", "fixtures/utsikt_ar_insikt.json", verbosity=0)
    state = MigrationExecutor(connection).loader.project_state(
        ("registrations", "0013_mail_delivery")
    )
    Event = state.apps.get_model("workshops", "Event")
    Registration = state.apps.get_model("registrations", "Registration")
    event = Event.objects.get()
    for i in range(3):
        Registration.objects.create(
            event=event, name=f"P{i}", email=f"p{i}@example.se", organisation="O",
            consent=True, token=f"token-{i}",
        )
    call_command("migrate", verbosity=0)
    from registrations.models import Registration
    print(json.dumps(list(Registration.objects.values_list("checkin_code", flat=True))))
    """
)


def test_migrating_gives_each_existing_registration_its_own_code(tmp_path):
    codes = run_script(BACKFILL, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", timeout=180)
    assert len(codes) == 3 == len(set(codes))
    assert all(code and len(code) >= 22 for code in codes)


@pytest.mark.parametrize("scale", [1, 3, 8])
def test_the_png_is_the_one_segno_writes_byte_for_byte(scale):
    import io

    import segno

    code = segno.make_qr("https://anmalan.example.se/incheckning/kod/abcdefghijklmnopqrstuv/")
    written = io.BytesIO()
    code.save(written, kind="png", scale=scale, border=4, compresslevel=qr.PNG_COMPRESSION)
    assert qr.png(code, scale=scale, border=4) == written.getvalue()
