"""Settings for every environment, read from the environment (12-factor).

Defaults are the embedded, single-machine setup: SQLite under ``var/``, the outbox worker
in-process, partner simulators on loopback. Production sets ``DATABASE_URL``, ``REDIS_URL``,
``SECRET_KEY`` and ``ALLOWED_HOSTS``; see the configuration table in README.md.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from csp.constants import NONE, SELF

django_stubs_ext.monkeypatch()  # ModelAdmin[Model], QuerySet[Model] at run time

SRC_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(environ.Env().str("EMITRA_VAR_DIR", default=str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

# Development mode: plain-HTTP cookies on loopback and a generated secret key kept in var/.
DEV = env.bool("EMITRA_DEV", default=False)
DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """A secret key from the environment, or in development one generated once into var/."""
    key: str | None = env.str("SECRET_KEY", default=None)
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if not DEV and not env.bool("EMITRA_ALLOW_GENERATED_SECRET", default=False):
        raise environ.ImproperlyConfigured(
            "SECRET_KEY is not set. Set it, or set EMITRA_DEV=1 for a development key in var/."
        )
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "emitra.core",
    "emitra.geo",
    "emitra.accounts",
    "emitra.ledger",
    "emitra.payments",
    "emitra.commissions",
    "emitra.settlement",
    "emitra.catalog",
    "emitra.kiosks",
    "emitra.billpay",
    "emitra.certificates",
    "emitra.documents",
    "emitra.applications",
    "emitra.registry",
    "emitra.apitokens",
    "emitra.home_visits",
    "emitra.machines",
    "emitra.portal",
    "emitra.notifications",
    "emitra.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "emitra.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "emitra.core.middleware.MetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "emitra.accounts.middleware.LanguageMiddleware",
    "emitra.core.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "emitra.accounts.middleware.StaffVerificationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emitra.urls"
WSGI_APPLICATION = "emitra.wsgi.application"
ASGI_APPLICATION = "emitra.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "emitra.accounts.context_processors.navigation",
            ],
            "builtins": ["emitra.core.templatetags.emitra"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'emitra.sqlite3'}")


def _database(url: str) -> dict[str, Any]:
    db: dict[str, Any] = environ.Env.db_url_config(url)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
        # so two writers queue instead of failing halfway with "database is locked".
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
        db["TEST"] = {"NAME": str(VAR_DIR / "test_emitra.sqlite3")}
    else:
        db["ENGINE"] = "django.db.backends.postgresql"
        db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
        db["CONN_HEALTH_CHECKS"] = True
        db.setdefault("OPTIONS", {})["application_name"] = "emitra"
    db["ATOMIC_REQUESTS"] = False
    return db


DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str | None = env.str("REDIS_URL", default=None)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and security ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "emitra.accounts.backends.MobileOrSsoIdBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
# Count failures per account however the name was typed, on every form (admin included).
AXES_USERNAME_CALLABLE = "emitra.accounts.backends.lockout_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

OTP_TOTP_ISSUER = "e-Mitra"
CITIZEN_OTP_TTL_SECONDS = env.int("CITIZEN_OTP_TTL_SECONDS", default=300)
CITIZEN_OTP_MAX_ATTEMPTS = 5

# API v1: bearer tokens for the app live this long (stored as SHA-256 only); an idempotency
# key whose first request never finished may be retried after this many seconds.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
API_IDEMPOTENCY_STALE_SECONDS = 120
# How long a write's answer is kept for replays under its Idempotency-Key (then purged).
API_IDEMPOTENCY_KEEP_HOURS = env.int("EMITRA_API_IDEMPOTENCY_KEEP_HOURS", default=48)

# e-Mitra@Home: the rate card has no doorstep charge, so it is set here (₹50, waived for
# priority groups); four 2-hour slots (home_visits.slots), visits per operator per slot.
HOME_VISIT_CHARGE_PAISE = env.int("HOME_VISIT_CHARGE_PAISE", default=50_00)
HOME_VISIT_SLOT_CAPACITY = env.int("HOME_VISIT_SLOT_CAPACITY", default=2)
HOME_VISIT_BOOKING_DAYS = 30

SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEV)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEV else 31536000)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Language and formats -------------------------------------------------------------------
LANGUAGE_CODE = "hi"
LANGUAGES = [("hi", "हिन्दी"), ("en", "English")]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "emitra_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
TIME_ZONE = "Asia/Kolkata"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [SRC_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded documents (emitra.documents) go to STORAGES["default"]: local disk under MEDIA_ROOT.
# There is deliberately no MEDIA_URL: documents are served only by views that check scope.
# For an S3-compatible bucket install django-storages[s3] and set DOCUMENTS_S3_BUCKET (and
# DOCUMENTS_S3_ENDPOINT_URL for MinIO/Ceph; credentials from the usual AWS_* variables).
DOCUMENTS_S3_BUCKET: str | None = env.str("DOCUMENTS_S3_BUCKET", default=None)
if DOCUMENTS_S3_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_STORAGE_BUCKET_NAME = DOCUMENTS_S3_BUCKET
    AWS_S3_ENDPOINT_URL: str | None = env.str("DOCUMENTS_S3_ENDPOINT_URL", default=None)
    AWS_DEFAULT_ACL = "private"
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
DOCUMENT_MAX_PAGES = env.int("DOCUMENT_MAX_PAGES", default=20)

# --- Outbox, worker, partners ---------------------------------------------------------------
# "inline": `emitra worker` runs handlers itself. "celery": it hands due messages to Celery.
OUTBOX_BACKEND = env.str("OUTBOX_BACKEND", default="celery" if REDIS_URL else "inline")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=60)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_DEFAULT_QUEUE = "emitra"

# The site's public address, printed in QR codes and SMS links (receipts, certificates,
# acknowledgements); each may be set apart (BILLPAY_VERIFY_ORIGIN, CERT_VERIFY_ORIGIN,
# KIOSK_FEEDBACK_ORIGIN).
PUBLIC_ORIGIN = env.str("PUBLIC_ORIGIN", default="http://127.0.0.1:8000")

SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="http://127.0.0.1:8025")
SMS_GATEWAY_KEY = env.str("SMS_GATEWAY_KEY", default="dev-sms-key")
# Wallet top-ups: the gateway's API (its hosted payment pages are on the same origin), the API
# key we send, and the secret its callbacks are signed with (HMAC-SHA256).
PAYMENT_GATEWAY_URL = env.str("PAYMENT_GATEWAY_URL", default="http://127.0.0.1:8026")
PAYMENT_GATEWAY_KEY = env.str("PAYMENT_GATEWAY_KEY", default="dev-pg-key")
PAYMENT_GATEWAY_SECRET = env.str("PAYMENT_GATEWAY_SECRET", default="dev-pg-secret")
# Bill payments: the biller aggregator's API (the simulator in development), its key, how long
# one call may take, how long an unanswered payment is polled before it is cancelled and
# reversed, the first poll delay (doubling up to a minute), and the origin printed in receipt QRs.
BILLER_URL = env.str("BILLER_URL", default="http://127.0.0.1:8027")
BILLER_KEY = env.str("BILLER_KEY", default="dev-biller-key")
BILLER_TIMEOUT_SECONDS = env.float("BILLER_TIMEOUT_SECONDS", default=10.0)
BILLPAY_DEADLINE_SECONDS = env.int("BILLPAY_DEADLINE_SECONDS", default=900)
BILLPAY_POLL_SECONDS = env.float("BILLPAY_POLL_SECONDS", default=5.0)
BILLPAY_VERIFY_ORIGIN = env.str("BILLPAY_VERIFY_ORIGIN", default=PUBLIC_ORIGIN)
METRICS_TOKEN: str | None = env.str("METRICS_TOKEN", default=None)

# Certificates: the PAdES signing key and certificate, the CA that issued it (the trust root
# verifiers use) and the Ed25519 key of QR payloads. Development defaults are created by
# `emitra certificates_ca` under var/signing/; production points these at its own files.
CERT_SIGNING_DIR = VAR_DIR / "signing"
CERT_SIGNING_KEY = env.str("CERT_SIGNING_KEY", default=str(CERT_SIGNING_DIR / "signer-key.pem"))
CERT_SIGNING_CERT = env.str("CERT_SIGNING_CERT", default=str(CERT_SIGNING_DIR / "signer-cert.pem"))
CERT_CA_CERT = env.str("CERT_CA_CERT", default=str(CERT_SIGNING_DIR / "ca-cert.pem"))
CERT_QR_KEY = env.str("CERT_QR_KEY", default=str(CERT_SIGNING_DIR / "qr-ed25519.pem"))
CERT_SIGNING_KEY_PASSPHRASE = env.str("CERT_SIGNING_KEY_PASSPHRASE", default="")
# Absolute origin printed in certificate QR codes (the public verify page lives under it).
CERT_VERIFY_ORIGIN = env.str("CERT_VERIFY_ORIGIN", default=PUBLIC_ORIGIN)

# Kiosk network rules (emitra.kiosks.rules): the inactivity rule's monthly minimum of ledger
# transactions, the complaint SLA, the repeat-offender rule (upheld complaints in a window) and
# the per-receipt complaint rate limit.
KIOSK_INACTIVITY_MIN_TRANSACTIONS = env.int("KIOSK_INACTIVITY_MIN_TRANSACTIONS", default=10)
KIOSK_COMPLAINT_SLA_DAYS = env.int("KIOSK_COMPLAINT_SLA_DAYS", default=7)
KIOSK_OFFENDER_UPHELD_COMPLAINTS = env.int("KIOSK_OFFENDER_UPHELD_COMPLAINTS", default=3)
KIOSK_OFFENDER_WINDOW_DAYS = env.int("KIOSK_OFFENDER_WINDOW_DAYS", default=90)
KIOSK_COMPLAINTS_PER_RECEIPT = env.int("KIOSK_COMPLAINTS_PER_RECEIPT", default=2)
KIOSK_COMPLAINT_WINDOW_HOURS = env.int("KIOSK_COMPLAINT_WINDOW_HOURS", default=24)
# Absolute origin of the public feedback links (/feedback/<receipt>/) printed in application
# acknowledgements' QR codes and SMS.
KIOSK_FEEDBACK_ORIGIN = env.str("KIOSK_FEEDBACK_ORIGIN", default=PUBLIC_ORIGIN)


# Family registry (emitra.registry): the Aadhaar vault's Fernet keys (the first encrypts, all
# decrypt, so a new key is put first and `emitra registry_rotate_vault` re-encrypts) and the
# separate HMAC key of the duplicate check. Generated into var/ in development, like SECRET_KEY.
def _dev_secret(name: str, make: Any) -> str:
    path = VAR_DIR / name
    if not DEV and not env.bool("EMITRA_ALLOW_GENERATED_SECRET", default=False):
        raise environ.ImproperlyConfigured(
            f"{name.upper()} is not set. Set it, or set EMITRA_DEV=1 for a development key."
        )
    if not path.exists():
        path.write_text(str(make()))
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


AADHAAR_VAULT_KEYS: list[str] = env.list("AADHAAR_VAULT_KEYS", default=[]) or [
    _dev_secret("aadhaar_vault_key", _fernet_key)
]
AADHAAR_HMAC_KEY: str = env.str("AADHAAR_HMAC_KEY", default="") or _dev_secret(
    "aadhaar_hmac_key", lambda: secrets.token_urlsafe(48)
)
REGISTRY_CONSENT_OTP_TTL_SECONDS = env.int("REGISTRY_CONSENT_OTP_TTL_SECONDS", default=300)
REGISTRY_CONSENT_MINUTES = env.int("REGISTRY_CONSENT_MINUTES", default=15)

# --- Logging --------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "emitra.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Lockout is per account (username), whatever the address: kiosks share NATed IPs, so
# locking by IP would lock out a whole village. axes warns because it assumes IP-based rules.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
