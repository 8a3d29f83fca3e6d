"""Choices of the register. Labels are English msgids; the zh_Hans catalogue gives the
words of the official tables (医生, 护士, 援鄂医疗队 ...). The importer's Chinese aliases
live beside each choice so a table filled in by hand maps onto the same values."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.core import roles


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


GENDER_ALIASES = {
    "男": Gender.MALE,
    "男性": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
}


class PersonnelCategory(models.TextChoices):
    """人员类别 of the official tables."""

    DOCTOR = "doctor", _("Doctor")
    NURSE = "nurse", _("Nurse")
    TECHNICIAN = "technician", _("Medical technician")
    MANAGEMENT = "management", _("Management")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


CATEGORY_ALIASES = {
    "医生": PersonnelCategory.DOCTOR,
    "医师": PersonnelCategory.DOCTOR,
    "护士": PersonnelCategory.NURSE,
    "护理": PersonnelCategory.NURSE,
    "护师": PersonnelCategory.NURSE,
    "医技": PersonnelCategory.TECHNICIAN,
    "技师": PersonnelCategory.TECHNICIAN,
    "管理": PersonnelCategory.MANAGEMENT,
    "行政": PersonnelCategory.MANAGEMENT,
    "后勤": PersonnelCategory.LOGISTICS,
    "其他": PersonnelCategory.OTHER,
    "其它": PersonnelCategory.OTHER,
}


class TeamType(models.TextChoices):
    """一线团队: which frontline team a worker belongs to."""

    HUBEI_AID = "hubei_aid", _("Hubei aid medical team")
    DESIGNATED_HOSPITAL = "designated_hospital", _("Designated-hospital treatment team")
    CDC = "cdc", _("CDC testing and tracing team")
    AMBULANCE = "ambulance", _("120 transfer team")
    OTHER = "other", _("Other frontline team")


TEAM_ALIASES = {
    "援鄂医疗队": TeamType.HUBEI_AID,
    "援鄂": TeamType.HUBEI_AID,
    "援鄂抗疫": TeamType.HUBEI_AID,
    "定点医疗机构确诊病例救治团队": TeamType.DESIGNATED_HOSPITAL,
    "定点医院": TeamType.DESIGNATED_HOSPITAL,
    "救治团队": TeamType.DESIGNATED_HOSPITAL,
    "疾控检测流调团队": TeamType.CDC,
    "疾控": TeamType.CDC,
    "流调": TeamType.CDC,
    "120转运团队": TeamType.AMBULANCE,
    "120": TeamType.AMBULANCE,
    "转运": TeamType.AMBULANCE,
    "其他": TeamType.OTHER,
}


class WorkerStatus(models.TextChoices):
    ON_DUTY = "on_duty", _("On duty")
    DEPLOYED = "deployed", _("Deployed")
    RETURNED = "returned", _("Returned")
    SICK = "sick", _("Sick or in quarantine")
    DECEASED = "deceased", _("Deceased")
    ARCHIVED = "archived", _("Removed from the register")


class Carrier(models.TextChoices):
    """手机运营商 of table 3 (the fee waiver of measure 7 is requested per carrier)."""

    MOBILE = "mobile", _("China Mobile")
    UNICOM = "unicom", _("China Unicom")
    TELECOM = "telecom", _("China Telecom")
    BROADNET = "broadnet", _("China Broadnet")
    OTHER = "other", _("Other carrier")


CARRIER_ALIASES = {
    "移动": Carrier.MOBILE,
    "中国移动": Carrier.MOBILE,
    "china mobile": Carrier.MOBILE,
    "联通": Carrier.UNICOM,
    "中国联通": Carrier.UNICOM,
    "china unicom": Carrier.UNICOM,
    "电信": Carrier.TELECOM,
    "中国电信": Carrier.TELECOM,
    "china telecom": Carrier.TELECOM,
    "广电": Carrier.BROADNET,
    "中国广电": Carrier.BROADNET,
    "china broadnet": Carrier.BROADNET,
    "其他": Carrier.OTHER,
}

# Carrier names as phonenumbers' carrier data gives them (English), for suggestions.
CARRIER_BY_PHONENUMBERS_NAME = {
    "China Mobile": Carrier.MOBILE,
    "China Unicom": Carrier.UNICOM,
    "China Telecom": Carrier.TELECOM,
    "China Broadnet": Carrier.BROADNET,
}


class MaternityStatus(models.TextChoices):
    """孕期 / 哺乳期: sensitive (PIPL art. 28), for measure 5's labour protection."""

    NONE = "", _("Not applicable")
    PREGNANT = "pregnant", _("Pregnant")
    LACTATING = "lactating", _("Lactating")


# The role sets live in core/roles.py (these names stay for the modules that import them).
REGISTER_VIEW_ROLES = roles.REGISTER_VIEW
REGISTER_CHANGE_ROLES = roles.REGISTER_CHANGE
SENSITIVE_ROLES = roles.SENSITIVE
