"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.orgs.forms import OrgChoiceField, base_depth
from nuanxin.orgs.models import Organisation
from nuanxin.registry.choices import TeamType
from nuanxin.tables.imports.safety import limit


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Table file"),
        help_text=_("Table 1, 2 or 3 of the notice as .xlsx, .xls, .ods or .csv; one or several sheets."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.ods,.csv"}),
    )
    organisation = OrgChoiceField(
        label=_("Import into"),
        queryset=Organisation.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    default_team = forms.ChoiceField(
        label=_("Team of table 2 rows when the sheet does not say"),
        choices=[("", _("As the sheet says, else other frontline team")), *TeamType.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.for_user(user, "change").order_by("path")
        self.fields["organisation"].base_depth = base_depth(user)
        mb = round(limit("MAX_BYTES") / 1048576)
        self.fields["file"].help_text = _(
            "Table 1, 2 or 3 of the notice as .xlsx, .xls, .ods or .csv; one or several sheets; "
            "at most %(mb)s MB and %(rows)s rows."
        ) % {"mb": mb, "rows": limit("MAX_ROWS")}
