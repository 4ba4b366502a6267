from django.contrib import admin
from django.urls import include, path

from emitra import api, views
from emitra.billpay import views as billpay_views
from emitra.commissions import views as commission_views
from emitra.core import views as core_views
from emitra.kiosks import views as kiosk_views
from emitra.ledger import views as ledger_views

admin.site.site_header = admin.site.site_title = "e-Mitra"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("wallet/statement/", ledger_views.wallet_statement, name="wallet_statement"),
    path("accounts/", include("emitra.accounts.urls")),
    path("geo/", include("emitra.geo.urls")),
    path("departments/", include("emitra.catalog.urls")),
    path("services/", include("emitra.catalog.public_urls")),
    path("wallet/commission/", commission_views.own_statement, name="commission_statement"),
    path("wallet/", include("emitra.payments.urls")),
    path("payments/gateway/", include("emitra.payments.gateway_urls")),
    path("ledger/", include("emitra.ledger.urls")),
    path("settlement/", include("emitra.settlement.urls")),
    path("commissions/", include("emitra.commissions.urls")),
    path("certificates/", include("emitra.certificates.urls")),
    path("applications/", include("emitra.applications.urls")),
    path("kiosks/", include("emitra.kiosks.urls")),
    path("registry/", include("emitra.registry.urls")),
    path("console/", kiosk_views.console, name="console"),
    path("feedback/", include("emitra.kiosks.feedback_urls")),
    path("bills/", include("emitra.billpay.urls")),
    path("home-visits/", include("emitra.home_visits.urls")),
    path("machine/", include("emitra.machines.urls")),
    path("machines/", include("emitra.machines.admin_urls")),
    path("my/", include("emitra.portal.urls")),
    path("", include("emitra.portal.pwa_urls")),
    path("receipts/verify/", billpay_views.verify, name="receipt_verify"),
    path("api/v1/", api.urls()),
    path("admin/", admin.site.urls),
]

handler400 = "emitra.views.bad_request"
handler403 = "emitra.views.permission_denied"
handler404 = "emitra.views.page_not_found"
handler500 = "emitra.views.server_error"
