from django.urls import path

from emitra.billpay import views

app_name = "billpay"

urlpatterns = [
    path("", views.index, name="index"),
    path("today/", views.day, name="day"),
    path("today/states.json", views.states, name="states"),
    path("receipts/<str:number>/", views.receipt, name="receipt"),
    path("receipts/<str:number>/<str:layout>.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("attention/", views.attention_list, name="attention"),
    path("attention/<str:number>/", views.attention_detail, name="attention_detail"),
    path("<slug:code>/", views.fetch, name="fetch"),
    path("<slug:code>/pay/", views.pay, name="pay"),
]
