"""The four award types of the documents, at city level (青岛市…): 工人先锋号 (a collective),
五一劳动奖状 (a unit), 五一劳动奖章 (a person) and 劳动模范 (a person). City administrators add
more (``services.catalogue.create_award_type``). Unapplying removes those still unused."""

from django.db import migrations

AWARD_TYPES = [
    ("gongren_xianfeng_hao", "青岛市工人先锋号", "collective",
     "授予在疫情防控和生产一线作出突出贡献的班组、团队。"),
    ("wuyi_jiangzhuang", "青岛市五一劳动奖状", "unit",
     "授予在疫情防控中作出突出贡献的单位。"),
    ("wuyi_jiangzhang", "青岛市五一劳动奖章", "person",
     "授予在疫情防控中作出突出贡献的职工。"),
    ("laodong_mofan", "青岛市劳动模范", "person",
     "授予在疫情防控和经济社会发展中作出重大贡献的职工。"),
]


def seed(apps, schema_editor):
    AwardType = apps.get_model("honours", "AwardType")
    for code, name, recipient, description in AWARD_TYPES:
        AwardType.objects.get_or_create(
            code=code,
            defaults={"name": name, "level": "city", "recipient": recipient, "description": description},
        )


def unseed(apps, schema_editor):
    AwardType = apps.get_model("honours", "AwardType")
    Nomination = apps.get_model("honours", "Nomination")
    codes = [code for code, *_ in AWARD_TYPES]
    used = set(Nomination.objects.filter(award_type__code__in=codes).values_list("award_type__code", flat=True))
    AwardType.objects.filter(code__in=set(codes) - used, calls__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("honours", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
