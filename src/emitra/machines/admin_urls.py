from django.urls import path

from emitra.machines import views

app_name = "machine_admin"

urlpatterns = [
    path("", views.machine_list, name="list"),
    path("token/", views.issue_token, name="token"),
    path("vouchers/", views.voucher_payout, name="voucher_payout"),
]
