"""Difficulties become cases (nuanxin/cases): ``Difficulty`` and ``DifficultyNote`` are concrete
models of the abstract ``Case`` and ``CaseNote``, on the same tables with the same columns, so
no row moves. What changes:

- the owner's reverse name (``user.owned_difficulties``, used nowhere) is dropped, as every
  case's owner has none: state only, no SQL;
- the data step: the generic case services read a case's own ``organisation`` (the worker's
  unit, kept with it) for its audit rows, who may own it and whom an escalation reaches, where
  the difficulty services read the worker's. A difficulty whose unit column no longer matches
  its worker's unit (a move that did not carry it along) is set to the worker's unit, so that
  both read the same. Rows that match are not written; nothing to undo backwards.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def align_units(apps, schema_editor):
    Difficulty = apps.get_model("care", "Difficulty")
    Worker = apps.get_model("registry", "Worker")
    unit_of = models.Subquery(Worker.objects.filter(pk=models.OuterRef("worker_id")).values("organisation_id")[:1])
    Difficulty.objects.exclude(organisation_id=unit_of).update(organisation_id=unit_of)


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0005_versions"),
        ("registry", "0004_import_rows_without_redundant_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="difficulty",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.RunPython(align_units, migrations.RunPython.noop),
    ]
