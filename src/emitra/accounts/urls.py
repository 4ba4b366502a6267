from django.urls import path

from emitra.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.password_login, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("citizen/", views.citizen_login, name="citizen_login"),
    path("citizen/verify/", views.citizen_verify, name="citizen_verify"),
    path("totp/", views.totp, name="totp"),
    path("language/", views.set_language, name="set_language"),
    path("me/", views.me, name="me"),
    path("users/", views.users, name="users"),
]
