"""``/attachments/<id>/``: a private file, served only through its owner's policy
(nuanxin/core/attachments.py)."""

from django.urls import path

from nuanxin.core import attachments

app_name = "attachments"
urlpatterns = [
    path("<int:pk>/", attachments.serve, name="serve"),
]
