"""The home page and translated error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from emitra.core.access import public


@public("the front page of e-Mitra is open to everyone")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return HttpResponse(render_to_string(template, {}, request), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: the failure may be in one of them.
    return HttpResponse(render_to_string("500.html", {}), status=500)
