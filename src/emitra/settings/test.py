"""Test settings: the same as production but fast hashing and plain static storage."""

import os

os.environ.setdefault("EMITRA_ALLOW_GENERATED_SECRET", "1")

from emitra.settings.base import *  # noqa: F403
from emitra.settings.base import STORAGES

# Argon2 is the production hasher (tested in accounts.tests); the tests only need speed.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_COOKIES = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
OUTBOX_BACKEND = "inline"
LOG_LEVEL = "WARNING"
