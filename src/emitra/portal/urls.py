from django.urls import path

from emitra.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("bills/", views.pay_bill, name="pay_bill"),
    path("bills/<str:number>/", views.bill, name="bill"),
    path("bills/<str:number>/check/", views.check, name="check"),
    path("receipts/<str:number>/pdf", views.receipt_pdf, name="receipt_pdf"),
    path("gateway/callback/", views.gateway_callback, name="gateway_callback"),
    path("offline/", views.offline, name="offline"),
]
