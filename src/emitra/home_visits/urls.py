from __future__ import annotations

from django.urls import path

from emitra.home_visits import views

app_name = "home_visits"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("book/", views.book, name="book"),
    path("today/", views.operator_list, name="operator"),
    path("district/", views.district_list, name="district"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/", views.act, name="act"),
]
