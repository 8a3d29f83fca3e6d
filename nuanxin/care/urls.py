from django.urls import path

from nuanxin.care import views

app_name = "care"
urlpatterns: list = [
    path("week/", views.my_week, name="my_week"),
    path("families/<int:pk>/", views.family, name="family"),
    path("families/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("families/<int:pk>/difficulty/", views.difficulty_create, name="difficulty_create"),
    path("visits/<int:pk>/edit/", views.visit_update, name="visit_update"),
    path("duties/<int:pk>/excuse/", views.duty_excuse, name="duty_excuse"),
    path("overview/", views.overview, name="overview"),
    path("chart/", views.chart, name="chart"),
    path("difficulties/", views.difficulty_list, name="difficulty_list"),
    path("difficulties/<int:pk>/", views.difficulty_detail, name="difficulty_detail"),
    path("difficulties/<int:pk>/status/", views.difficulty_transition, name="difficulty_transition"),
    path("difficulties/<int:pk>/note/", views.difficulty_note, name="difficulty_note"),
    path("difficulties/<int:pk>/owner/", views.difficulty_owner, name="difficulty_owner"),
    path("assignments/", views.assignments, name="assignments"),
    path("assignments/assign/", views.assign, name="assign"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/end/", views.campaign_declare_end, name="campaign_declare_end"),
]
