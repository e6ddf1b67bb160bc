"""No private link reaches a log.

A participant's private link (`/anmalan/<token>/…`, registrations/urls.py) is the key to
their registration, so every log line has its token replaced by "…": Django's ("Not Found:",
"Forbidden (CSRF cookie not set.):", "Internal Server Error:"), the app's own ("Database
unavailable on …"), tracebacks, and gunicorn's access log (the request line, the path and
the Referer, which a page under a private link sends with its style sheets).

The filter is attached to every handler in settings.LOGGING, so records that propagate from
any logger pass it; gunicorn uses `GunicornLogger` (gunicorn.conf.py).
"""

import logging
import re

from gunicorn.glogging import Logger

# After /anmalan/ comes a token, except on the event's own pages (/<event>/anmalan/tack/ …).
PUBLIC_WORDS = "|".join(["tack", "min-lank", "avbokad", "raderad"])
END = r"""(?:/|$|[\s?"'#])"""
PRIVATE_PATH = re.compile(rf"""/anmalan/(?!(?:{PUBLIC_WORDS}){END})[^/\s?"'#]+""")
MASK = "/anmalan/…"


def mask_private_paths(text: str) -> str:
    return PRIVATE_PATH.sub(MASK, text)


class MaskPrivateTokens(logging.Filter):
    """Rewrites the record's message (and traceback) with the tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_private_paths(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_private_paths(record.exc_text)
        return True


class GunicornLogger(Logger):
    """Gunicorn's logger, with the tokens masked in every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_private_paths(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
