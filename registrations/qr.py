"""The check-in QR code on the badge, the private page and the e-mails.

It holds the URL of the person's check-in (`checkin_url`), built from the registration's
`checkin_code`, never from the private link's token: without a staff login it opens nothing
(registrations.door), so a photographed badge cannot change or cancel a registration.
Made with segno (pure Python, no image library needed).
"""

import io

import segno
from django.conf import settings
from django.urls import reverse

from .models import Registration


def checkin_url(registration: Registration) -> str:
    """Where a staff member's camera leads: that person's check-in at the door."""
    path = reverse("registrations:door_scan", kwargs={"code": registration.checkin_code})
    return f"{settings.SITE_URL}{path}"


def checkin_qr(registration: Registration) -> segno.QRCode:
    # Error correction M (15 %): still read from a creased or scuffed badge.
    return segno.make_qr(checkin_url(registration), error="m")


def checkin_qr_png(registration: Registration, *, scale: int = 8) -> bytes:
    """A PNG for e-mails (attached inline, so no remote image is needed)."""
    buffer = io.BytesIO()
    checkin_qr(registration).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def checkin_qr_data_uri(registration: Registration) -> str:
    """An SVG as a data: URI, for pages and the badges: sharp at any print size, and
    allowed by the content security policy (img-src 'self' data:)."""
    return checkin_qr(registration).svg_data_uri(scale=4, border=4)
