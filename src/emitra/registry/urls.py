from django.urls import path

from emitra.registry import views

app_name = "registry"

urlpatterns = [
    path("enrol/", views.enrol, name="enrol"),
    path("pickers/urban-body/", views.urban_body_picker, name="urban_body_picker"),
    path("requests/", views.changes, name="changes"),
    path("requests/<str:number>/", views.change, name="change"),
    path("requests/<str:number>/approve/", views.approve, name="approve"),
    path("requests/<str:number>/reject/", views.reject, name="reject"),
    path("consent/", views.consent, name="consent"),
    path("consent/<int:pk>/", views.consent_verify, name="consent_verify"),
    path("grants/<str:token>/", views.grant, name="grant"),
    path("grants/<str:token>/prefill/", views.prefill, name="prefill"),
    path("grants/<str:token>/schemes/", views.family_schemes, name="family_schemes"),
    path("grants/<str:token>/members/new/", views.add_member, name="add_member"),
    path("grants/<str:token>/members/<str:member_id>/", views.edit_member, name="edit_member"),
    path("my-family/", views.my_family, name="my_family"),
    path(
        "my-family/<str:family_id>/access-log.csv",
        views.my_family_accesses_csv,
        name="my_family_accesses_csv",
    ),
    path(
        "my-family/<str:family_id>/changes.csv",
        views.my_family_history_csv,
        name="my_family_history_csv",
    ),
    path("schemes/", views.checker, name="checker"),
]
