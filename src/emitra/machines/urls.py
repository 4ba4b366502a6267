from django.urls import path

from emitra.machines import views

app_name = "machines"

urlpatterns = [
    path("", views.home, name="home"),
    path("pair/", views.pair, name="pair"),
    path("bills/", views.billers, name="billers"),
    path("bills/<slug:code>/", views.consumer, name="consumer"),
    path("voucher/", views.voucher, name="voucher"),
    path("pay/", views.pay, name="pay"),
    path("pay/outcome/", views.outcome, name="outcome"),
    path("language/", views.language, name="language"),
    path("api/cash/insert", views.cash_insert, name="cash_insert"),
    path("api/cash/return", views.cash_return, name="cash_return"),
    path("api/cash/confirm", views.cash_confirm, name="cash_confirm"),
    path("api/card/charge", views.card_charge, name="card_charge"),
    path("api/payment", views.payment_state, name="payment_state"),
    path("api/heartbeat", views.heartbeat, name="heartbeat"),
    path("api/idle", views.idle, name="idle"),
]
