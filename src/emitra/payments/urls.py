from django.urls import path

from emitra.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.wallet, name="wallet"),
    path("topups/<str:number>/", views.topup, name="topup"),
    path("topups/<str:number>/check/", views.check, name="check"),
]
