from django.urls import path

from emitra.commissions import views

app_name = "commissions"

urlpatterns = [
    path("<int:user_id>/", views.operator_statement, name="operator_statement"),
]
