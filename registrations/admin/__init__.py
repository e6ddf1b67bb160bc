"""The organisers' screens. Every write goes through registrations.services, so the admin
keeps the same rules as the site.

- registration.py: registrations, the waiting lists, the e-mail tasks, and the overview,
  rosters and exports (extra URLs on RegistrationAdmin);
- programme.py: the event and its passes, workshops and rooms, whose edits affect people
  already registered (the rest of the programme's screens are in workshops.admin);
- messages.py: messages to participants (and the reminder), with who got them;
- refusals.py: how a service's refusal at saving time reaches the organiser, on all of them;
- accounts.py: logins and groups, with Django's own permissions named in Swedish;
- forms.py: their forms.
"""

# Importing the modules registers their screens.
from . import accounts, messages, programme, registration  # noqa: F401
