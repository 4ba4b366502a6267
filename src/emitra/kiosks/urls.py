"""The kiosk network, mounted at /kiosks/."""

from django.urls import path

from emitra.kiosks import views

app_name = "kiosks"

urlpatterns = [
    path("", views.kiosk_list, name="list"),
    path("new/", views.kiosk_apply, name="apply"),
    path("lsps/", views.lsp_list, name="lsps"),
    path("lsps/new/", views.lsp_register, name="lsp_register"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/map/", views.coverage_map, name="map"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/<str:number>/", views.complaint_detail, name="complaint"),
    path("<str:code>/", views.kiosk_detail, name="detail"),
    path("<str:code>/act/", views.kiosk_act, name="act"),
    path("<str:code>/rates/", views.kiosk_rates, name="rates"),
]
