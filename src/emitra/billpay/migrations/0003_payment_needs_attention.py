"""Bill payments the biller can neither confirm nor cancel are referred to staff."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billpay", "0002_seed_billers"),
    ]

    operations = [
        migrations.AddField(
            model_name="billpayment",
            name="attention_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("cancel_unanswered", "The biller answered neither status nor cancel"),
                    ("hold_expiring", "The money's hold nears its expiry"),
                ],
                max_length=20,
                verbose_name="why staff attention is needed",
            ),
        ),
        migrations.AddField(
            model_name="billpayment",
            name="attention_since",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="needs staff attention since"
            ),
        ),
        migrations.AddField(
            model_name="billpayment",
            name="cancel_attempts",
            field=models.PositiveIntegerField(default=0, verbose_name="cancel attempts"),
        ),
        migrations.AddIndex(
            model_name="billpayment",
            index=models.Index(
                condition=models.Q(("attention_since__isnull", False)),
                fields=["attention_since"],
                name="billpay_needs_attention",
            ),
        ),
    ]
