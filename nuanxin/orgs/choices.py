from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CITY_FEDERATION = "city_federation", _("City federation of trade unions")
    DISTRICT_FEDERATION = "district_federation", _("District federation of trade unions")
    INDUSTRY_UNION = "industry_union", _("Industry union")
    UNIT_UNION = "unit_union", _("Unit union")
    HEALTH_BUREAU = "health_bureau", _("Health bureau")
    OTHER = "other", _("Other")


# Chinese labels accepted in organisation files, whatever the interface language.
ORG_KIND_ALIASES = {
    "市总工会": OrgKind.CITY_FEDERATION,
    "市级总工会": OrgKind.CITY_FEDERATION,
    "总工会": OrgKind.CITY_FEDERATION,
    "区市总工会": OrgKind.DISTRICT_FEDERATION,
    "区（市）总工会": OrgKind.DISTRICT_FEDERATION,
    "区(市)总工会": OrgKind.DISTRICT_FEDERATION,
    "区总工会": OrgKind.DISTRICT_FEDERATION,
    "县总工会": OrgKind.DISTRICT_FEDERATION,
    "县级市总工会": OrgKind.DISTRICT_FEDERATION,
    "产业工会": OrgKind.INDUSTRY_UNION,
    "行业工会": OrgKind.INDUSTRY_UNION,
    "基层工会": OrgKind.UNIT_UNION,
    "单位工会": OrgKind.UNIT_UNION,
    "卫生健康局": OrgKind.HEALTH_BUREAU,
    "卫健局": OrgKind.HEALTH_BUREAU,
    "卫健委": OrgKind.HEALTH_BUREAU,
    "卫生健康委员会": OrgKind.HEALTH_BUREAU,
    "其他": OrgKind.OTHER,
}
