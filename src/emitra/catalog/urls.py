from django.urls import path

from emitra.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.departments, name="departments"),
    path("<slug:code>/", views.department, name="department"),
]
