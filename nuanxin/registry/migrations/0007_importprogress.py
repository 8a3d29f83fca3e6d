from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_versions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportProgress",
            fields=[
                ("batch_id", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ("done", models.PositiveIntegerField(default=0)),
                ("noted_at", models.DateTimeField()),
            ],
        ),
    ]
