from nuanxin.reports.views import approval, dashboards, filling, forms, rates

AREAS = (
    forms,
    filling,
    approval,
    rates,
    dashboards,
)

app_name = "reports"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
