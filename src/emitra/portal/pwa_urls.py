"""The web app's files that must sit at the site's root (the service worker's scope is the
folder it is served from)."""

from django.urls import path

from emitra.portal import views

urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
