"""The payment gateway's way in: its callback (no session, no CSRF — an HMAC instead)."""

from django.urls import path

from emitra.payments import views

app_name = "gateway"

urlpatterns = [
    path("callback/", views.callback, name="callback"),
]
