from django.urls import path

from emitra.ledger import views

app_name = "ledger"

urlpatterns = [
    path("accounts/<str:code>/statement/", views.account_statement, name="account_statement"),
]
