"""The public catalog, mounted at /services/."""

from django.urls import path

from emitra.catalog import views

app_name = "services"

urlpatterns = [
    path("", views.index, name="index"),
    path("rate-list/", views.rate_list, name="rate_list"),
    path("department/<slug:code>/", views.department_services, name="department"),
    path("category/<slug:code>/", views.category, name="category"),
    path("pickers/<slug:kind>/", views.picker, name="picker"),
    path("<slug:code>/", views.service, name="service"),
    path("<slug:code>/form/", views.service_form, name="form"),
]
