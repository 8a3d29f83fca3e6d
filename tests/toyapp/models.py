from django.db import models

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy


class ToyNote(models.Model):
    """A note kept by an organisation: administrators see their subtree's notes."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=100)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions={"view": roles.MANAGERS})

    class Meta:
        app_label = "toyapp"

    def __str__(self) -> str:
        return self.text
