from django.urls import path

from emitra.geo import views

app_name = "geo"

urlpatterns = [
    path("", views.districts, name="districts"),
    path("<slug:slug>/", views.district, name="district"),
]
