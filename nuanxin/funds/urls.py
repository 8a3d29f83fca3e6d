from nuanxin.funds.views import entries, figures, funds, spending

AREAS = (funds, entries, spending, figures)

app_name = "funds"
urlpatterns: list = [pattern for area in AREAS for pattern in area.urlpatterns]
