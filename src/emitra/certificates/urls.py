from django.urls import path

from emitra.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.certificate_list, name="list"),
    path("verify/", views.verify, name="verify"),
    path("verify/key", views.verify_key, name="verify_key"),
    path("verify/ca.pem", views.verify_ca, name="verify_ca"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/pdf", views.download, name="download"),
    path("<str:number>/revoke", views.revoke, name="revoke"),
]
