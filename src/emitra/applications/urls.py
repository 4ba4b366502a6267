from django.urls import path

from emitra.applications import views

app_name = "applications"

urlpatterns = [
    path("", views.services_list, name="services"),
    path("new/<slug:code>/", views.apply, name="apply"),
    path("inbox/", views.inbox, name="inbox"),
    path("statewide/", views.statewide, name="statewide"),
    path("track/", views.track, name="track"),
    path("track/otp/", views.track_otp, name="track_otp"),
    path("track/<str:number>/", views.track_status, name="track_status"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/receipt/", views.receipt, name="receipt"),
    path("<str:number>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<str:number>/act/", views.act, name="act"),
    path("<str:number>/documents/<int:pk>/", views.document, name="document"),
]
