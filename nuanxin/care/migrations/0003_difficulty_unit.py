"""A difficulty keeps its worker's unit (``organisation``), filled in from the worker for the
rows that exist, so that an organisation's difficulty summary reads an index."""

import django.db.models.deletion
from django.db import migrations, models


def fill_units(apps, schema_editor):
    Difficulty = apps.get_model("care", "Difficulty")
    HistoricalDifficulty = apps.get_model("care", "HistoricalDifficulty")
    Worker = apps.get_model("registry", "Worker")
    unit_of = models.Subquery(Worker.objects.filter(pk=models.OuterRef("worker_id")).values("organisation_id")[:1])
    Difficulty.objects.update(organisation_id=unit_of)
    HistoricalDifficulty.objects.update(organisation_id=unit_of)


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0002_duties_visits_notes_escalation"),
        ("orgs", "0001_initial"),
        ("registry", "0004_import_rows_without_redundant_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="difficulty",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.organisation",
                verbose_name="unit",
            ),
        ),
        migrations.AddField(
            model_name="historicaldifficulty",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="orgs.organisation",
                verbose_name="unit",
            ),
        ),
        migrations.RunPython(fill_units, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="difficulty",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.organisation",
                verbose_name="unit",
            ),
        ),
        migrations.AddIndex(
            model_name="difficulty",
            index=models.Index(fields=["organisation", "status"], name="care_difficulty_unit_idx"),
        ),
    ]
