"""Settings for the test suite: production settings with a throwaway key and plain static files."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef"
)

# Lock waits end after a second in tests, so the lock-timeout tests are quick.
os.environ.setdefault("REGLAB_DB_LOCK_TIMEOUT_MS", "1000")
# The worker keeps its usual priority and does not give way: in a test run both cores are busy
# with tests, and the worker would wait behind them. test_mail_drills and test_worker_gives_way
# check the defaults.
os.environ.setdefault("REGLAB_WORKER_PRIORITY", "normal")
os.environ.setdefault("REGLAB_WORKER_GIVE_WAY_SECONDS", "0")

from reglab.settings import *  # noqa: E402,F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
HTTPS = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "http://testserver"
