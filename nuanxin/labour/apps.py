from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabourConfig(AppConfig):
    name = "nuanxin.labour"
    label = "labour"
    verbose_name = _("Labour protection")

    def ready(self) -> None:
        from nuanxin.care.apps import relate_assigned_to
        from nuanxin.labour import models

        relate_assigned_to(
            (models.Arrangement, "worker__pk"),
            (models.LegalCase, "worker__pk"),
            (models.LegalCaseNote, "case__worker__pk"),
            (models.EmploymentCase, "worker__pk"),
            (models.EmploymentCaseNote, "case__worker__pk"),
            (models.Referral, "case__worker__pk"),
        )
        from nuanxin.labour import manifest

        manifest.register()  # the manifest and the hooks it connects to
