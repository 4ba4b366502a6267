"""How a machine proves itself: its device token (in an HttpOnly cookie set once at pairing,
or an `Authorization: Device <token>` header), never a person's login.

`machine_only` is the access declaration of every machine view (checked by the access walk);
it also enforces the idle timeout server-side and activates the citizen's language.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from emitra.machines import conf, services
from emitra.machines.models import Machine

V = TypeVar("V", bound=Callable[..., HttpResponse])

COOKIE = "emitra_machine"
SEEN = "machine_seen"  # last touch (epoch seconds) of the citizen at the screen
LANG = "machine_lang"
CASH = "machine_cash"  # the key of the citizen's cash payment in progress
VOUCHER = "machine_voucher"  # the code of a refund voucher the citizen will use for the bill
LANGUAGES = ("hi", "en")


def token_of(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Device "):
        return header[len("Device ") :].strip()
    return request.COOKIES.get(COOKIE, "")


def machine_of(request: HttpRequest) -> Machine:
    machine = getattr(request, "machine", None)
    assert isinstance(machine, Machine)
    return machine


def wipe_session(request: HttpRequest) -> None:
    """Forget the citizen: any escrow goes back, then the whole server session goes."""
    from emitra.machines.devices import devices_for
    from emitra.machines.models import CashPayment

    key = request.session.get(CASH)
    machine = getattr(request, "machine", None)
    if key and isinstance(machine, Machine):
        cash = CashPayment.objects.filter(key=key, machine=machine).first()
        if cash is not None:
            services.cancel_cash_payment(cash=cash, devices=devices_for(machine.code))
    request.session.flush()


def machine_only(reason: str, *, api: bool = False, touch: bool = True) -> Callable[[V], V]:
    """Only a machine with a valid device token; people (logged-in users) are refused, since
    a person's session must never drive the cash box. `touch=False` for background calls
    (heartbeat, status polls) that must not keep a citizen's session alive."""

    def decorate(view: V) -> V:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated:
                return _refuse(api, 403)
            machine = services.machine_for_token(token_of(request))
            if machine is None:
                if api:
                    return _refuse(api, 401)
                return redirect("machines:pair")
            request.machine = machine  # type: ignore[attr-defined]
            now = time.time()
            seen = request.session.get(SEEN)
            if seen is not None and now - float(seen) > conf.idle_seconds():
                wipe_session(request)
            if touch:
                request.session[SEEN] = now
            language = request.session.get(LANG, "hi")
            translation.activate(language if language in LANGUAGES else "hi")
            request.LANGUAGE_CODE = translation.get_language()
            if request.headers.get("Authorization", "").startswith("Device "):
                return view(request, *args, **kwargs)  # not a cookie: no CSRF to fear
            return protected(request, *args, **kwargs)

        wrapper.access = {  # type: ignore[attr-defined]
            "public": False,
            "roles": "machine",
            "reason": reason,
        }
        return csrf_exempt(wrapper)  # type: ignore[return-value]

    return decorate


def _refuse(api: bool, status: int) -> HttpResponse:
    if api:
        return JsonResponse({"ok": False, "error": "machine token required"}, status=status)
    return HttpResponse(status=status)
