"""Login (password + TOTP for staff, mobile OTP for citizens), language, my account, people."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from emitra.accounts import selectors, services
from emitra.accounts.access import allow, signed_in
from emitra.accounts.forms import CodeForm, MobileForm, PasswordLoginForm
from emitra.accounts.middleware import otp_verified
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core import qr
from emitra.core.access import public
from emitra.core.errors import DomainError
from emitra.core.exports import csv_response

SESSION_OTP_MOBILE = "citizen_otp_mobile"
SESSION_TOTP_DEVICE = "totp_enrol_device"


def _safe_next(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


class PasswordLogin(LoginView):
    template_name = "accounts/login.html"
    authentication_form = PasswordLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Operators start their day at the counter; everyone else at home (or `next`)."""
        if getattr(self.request.user, "role", "") == Role.OPERATOR:
            return reverse("console")
        return str(super().get_default_redirect_url())


password_login = public("the login page must be reachable before login")(PasswordLogin.as_view())


@public("logging out needs only the session it ends")
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@public("citizens log in here by mobile OTP")
def citizen_login(request: HttpRequest) -> HttpResponse:
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otp = services.request_citizen_otp(mobile=form.cleaned_data["mobile"])
        except DomainError as exc:
            form.add_error("mobile", str(exc.message))
        else:
            request.session[SESSION_OTP_MOBILE] = otp.mobile
            return redirect("accounts:citizen_verify")
    return render(request, "accounts/citizen_login.html", {"form": form})


@public("the second step of citizen OTP login")
def citizen_verify(request: HttpRequest) -> HttpResponse:
    mobile = request.session.get(SESSION_OTP_MOBILE)
    if not mobile:
        return redirect("accounts:citizen_login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.verify_citizen_otp(mobile=mobile, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            request.session.pop(SESSION_OTP_MOBILE, None)
            login(request, user, backend="emitra.accounts.backends.MobileOrSsoIdBackend")
            return HttpResponseRedirect(_safe_next(request, default="portal:home"))
    return render(request, "accounts/citizen_verify.html", {"form": form, "mobile": mobile})


def _qr_svg(device: TOTPDevice) -> str:
    return qr.svg_inline(device.config_url)


@signed_in("staff pass or set up TOTP after their password; others are sent home")
def totp(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not user.needs_totp or otp_verified(user):
        return HttpResponseRedirect(_safe_next(request))
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    form = CodeForm(request.POST or None)
    if confirmed:
        if request.method == "POST" and form.is_valid():
            try:
                matched = services.verify_totp(user=user, token=form.cleaned_data["code"])
            except DomainError as exc:
                form.add_error("code", str(exc.message))
            else:
                otp_login(request, matched)
                return HttpResponseRedirect(_safe_next(request))
        return render(request, "accounts/totp_verify.html", {"form": form})
    device = TOTPDevice.objects.filter(
        pk=request.session.get(SESSION_TOTP_DEVICE), user=user, confirmed=False
    ).first()
    if device is None:
        device = services.start_totp_enrolment(user=user)
        request.session[SESSION_TOTP_DEVICE] = device.pk
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp_enrolment(
                user=user, device=device, token=form.cleaned_data["code"]
            )
        except DomainError as exc:
            form.add_error("code", str(exc.message))
        else:
            request.session.pop(SESSION_TOTP_DEVICE, None)
            otp_login(request, device)
            messages.success(request, _("Your authenticator is set up."))
            return HttpResponseRedirect(_safe_next(request))
    context: dict[str, Any] = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": base64.b32encode(device.bin_key).decode().rstrip("="),
    }
    return render(request, "accounts/totp_setup.html", context)


@public("anyone may choose the language of the pages they read")
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        body = render_to_string(
            "400.html", {"message": _("Unknown language. Choose हिन्दी or English.")}, request
        )
        return HttpResponseBadRequest(body)
    if request.user.is_authenticated:
        assert isinstance(request.user, User)
        services.set_preferred_language(user=request.user, language=language)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite="Lax",
        httponly=False,
    )
    return response


@signed_in("each user sees their own account")
def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = {
        "account": user,
        "sign_ins": selectors.recent_sign_ins(user),
        "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "accounts/me.html", context)


@allow(Role.STATE_ADMIN, Role.AUDITOR, Role.DISTRICT_ADMIN, reason="people directory, scoped")
def users(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, User)
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    query = request.GET.get("q", "").strip()[:60]
    people = selectors.users_visible_to(viewer, role=role, query=query)
    if request.GET.get("format") == "csv":
        return csv_response(
            "emitra-people.csv",
            ["sso_id", "name", "role", "district", "mobile", "active"],
            (
                (
                    u.username,
                    u.full_name,
                    u.role,
                    u.district.name_en if u.district else "",
                    u.masked_mobile,
                    u.is_active,
                )
                for u in people
            ),
        )
    return render(
        request,
        "accounts/users.html",
        {
            "people": people[:500],
            "count": people.count(),
            "roles": Role.choices,
            "role": role,
            "q": query,
        },
    )
