"""Public feedback on a receipt (its QR code and SMS link point here), mounted at /feedback/."""

from django.urls import path

from emitra.kiosks import views

app_name = "feedback"

urlpatterns = [
    path("<str:receipt>/", views.feedback, name="receipt"),
    path("<str:receipt>/rate/", views.feedback_rate, name="rate"),
    path("<str:receipt>/complain/", views.feedback_complain, name="complain"),
]
