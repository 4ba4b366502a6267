"""Helpers for top-up tests: an HTTP "browser" logged in to the live server, starting
top-ups, posting callbacks, reading wallets."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from emitra.ledger import selectors as ledger_selectors
from emitra.ledger.verify import verify_ledger
from emitra.payments import gateway, services
from emitra.payments.models import TopUp

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_KEY = re.compile(r'name="key" value="([^"]+)"')


class Browser:
    """An HTTP client holding a logged-in session on the live server, as a browser would."""

    def __init__(self, base_url: str, user: Any) -> None:
        login = Client()
        login.force_login(user)
        session = login.cookies[settings.SESSION_COOKIE_NAME].value
        self.base_url = base_url
        self.http = httpx.Client(
            base_url=base_url,
            cookies={settings.SESSION_COOKIE_NAME: session},
            follow_redirects=False,
            timeout=30,
        )

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(url, **kwargs)

    def submit_topup(self, amount: str) -> httpx.Response:
        """Open the wallet page and submit its top-up form, as a person would."""
        page = self.get("/wallet/")
        assert page.status_code == 200
        token = _CSRF.search(page.text)
        key = _KEY.search(page.text)
        assert token is not None and key is not None
        return self.http.post(
            "/wallet/",
            data={"csrfmiddlewaretoken": token[1], "key": key[1], "amount": amount},
            headers={"Referer": f"{self.base_url}/wallet/"},
        )

    def close(self) -> None:
        self.http.close()


def start_topup(operator: Any, site_url: str, amount: int = 500_00) -> TopUp:
    """A top-up started through the service, with the gateway calling back to `site_url`."""
    return services.start_topup(
        operator=operator, amount=amount, key=uuid.uuid4().hex, site_url=site_url
    )


def wallet_balance(operator: Any) -> int:
    wallet = ledger_selectors.wallet_of(operator.pk)
    assert wallet is not None
    return ledger_selectors.posted_balance(wallet)


def post_callback(url: str, body: bytes, signature: str | None = None) -> httpx.Response:
    """POST a callback to the live server, signed with the merchant secret unless given."""
    return httpx.post(
        f"{url}/payments/gateway/callback/",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Signature": gateway.sign(body) if signature is None else signature,
        },
        timeout=30,
    )


def assert_ledger_holds() -> None:
    report = verify_ledger()
    assert report.ok, report.breaches


def shown(message: str, **params: Any) -> str:
    """`message` as a Hindi page shows it (the msgid itself while no translation exists)."""
    with translation.override("hi"):
        text = gettext(message)
        return escape(text % params if params else text)
