from django.urls import path

from emitra.settlement import views

app_name = "settlement"

urlpatterns = [
    path("", views.settlement_list, name="list"),
    path("mismatches/", views.mismatch_list, name="mismatches"),
    path("mismatches/<int:pk>/resolve/", views.mismatch_resolve, name="resolve"),
    path("mismatches/<int:pk>/recheck/", views.mismatch_recheck, name="recheck"),
    path("<str:number>/", views.settlement_detail, name="detail"),
    path("<str:number>/file.csv", views.settlement_file, name="file"),
    path("<str:number>/file.pdf", views.settlement_pdf, name="pdf"),
]
