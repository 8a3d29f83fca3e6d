from django.urls import path

from nuanxin.care.views import assignments, campaigns, difficulties, reports, visits, week

app_name = "care"
urlpatterns: list = [
    path("week/", week.my_week, name="my_week"),
    path("families/<int:pk>/", week.family, name="family"),
    path("families/<int:pk>/visit/", visits.visit_create, name="visit_create"),
    path("families/<int:pk>/difficulty/", difficulties.difficulty_create, name="difficulty_create"),
    path("visits/<int:pk>/edit/", visits.visit_update, name="visit_update"),
    path("duties/<int:pk>/excuse/", week.duty_excuse, name="duty_excuse"),
    path("overview/", reports.overview, name="overview"),
    path("chart/", reports.chart, name="chart"),
    path("difficulties/", difficulties.difficulty_list, name="difficulty_list"),
    path("difficulties/<int:pk>/", difficulties.difficulty_detail, name="difficulty_detail"),
    path("difficulties/<int:pk>/status/", difficulties.difficulty_transition, name="difficulty_transition"),
    path("difficulties/<int:pk>/note/", difficulties.difficulty_note, name="difficulty_note"),
    path("difficulties/<int:pk>/owner/", difficulties.difficulty_owner, name="difficulty_owner"),
    path("assignments/", assignments.assignments, name="assignments"),
    path("assignments/assign/", assignments.assign, name="assign"),
    path("campaigns/", campaigns.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/end/", campaigns.campaign_declare_end, name="campaign_declare_end"),
]
