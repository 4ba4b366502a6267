from django.urls import path

from emitra.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("bills/", views.pay_bill, name="pay_bill"),
    path("bills/<str:number>/", views.bill, name="bill"),
    path("bills/<str:number>/check/", views.check, name="check"),
    path("apply/", views.apply_list, name="apply_list"),
    path("apply/<slug:code>/", views.apply, name="apply"),
    path("fees/<str:number>/", views.fee, name="fee"),
    path("fees/<str:number>/check/", views.fee_check, name="fee_check"),
    path("receipts/<str:number>/pdf", views.receipt_pdf, name="receipt_pdf"),
    path("gateway/callback/", views.gateway_callback, name="gateway_callback"),
    path("offline/", views.offline, name="offline"),
]
