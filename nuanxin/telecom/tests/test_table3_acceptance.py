"""As the issue checks it: table 3 imported (the sample of docs/samples) gives the lists per
carrier, which match the register's table-3 export split by carrier, number for number; the
dispatch's document is that export's rows with the waiver period; undoing the import takes the
lines with it."""

import io

import pytest
from python_calamine import CalamineWorkbook

from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import Carrier
from nuanxin.tables import exports as table_exports
from nuanxin.tables.imports import services as imports
from nuanxin.tables.tests.import_fixtures import build_world, import_path, sample
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.services import documents, lists, transitions

pytestmark = pytest.mark.django_db


def _sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_lists_match_table_3_as_imported(personas):
    world = build_world(personas)
    table1 = import_path(personas.yi, world.unit, sample("table1_aid_team.xlsx"))
    imports.apply_batch(actor=personas.yi, batch=table1)
    table3 = import_path(personas.yi, world.unit, sample("table3_wuhan_phones.xlsx"))
    imports.apply_batch(actor=personas.yi, batch=table3)
    result = lists.sync(actor=personas.yi)
    assert result.created == 3
    mine = sorted(Waiver.objects.values_list("carrier", "worker__name", "mobile"))
    assert mine == [
        (Carrier.MOBILE, "刘洋", "+8613905321111"),
        (Carrier.TELECOM, "王芳", "+8618905320003"),
        (Carrier.UNICOM, "张伟", "+8618605320001"),
    ]
    assert not Waiver.objects.filter(carrier_flagged=True).exists()  # the sample's carriers agree
    export = table_exports.export_table(actor=personas.yi, organisation=world.unit, table=3, by_carrier=True)
    by_carrier = _sheets(export.content)
    for carrier in ("mobile", "unicom", "telecom"):
        word = table_exports.CARRIER_WORDS[Carrier(carrier)]
        exported = [row[1:4] for row in by_carrier[word][3:]]  # 姓名, 单位, 在武汉使用的手机号
        dispatch = transitions.send(actor=personas.yi, carrier=carrier, organisation=world.unit)
        document = _sheets(documents.export(actor=personas.yi, dispatch=dispatch).content)[word]
        assert [row[1:4] for row in document[3:]] == exported
        assert [row[4] for row in document[3:]] == [word] * len(exported)
    imports.undo_batch(actor=personas.yi, batch=table3)
    assert Waiver.objects.count() == 0
    assert lists.sync(actor=SYSTEM).created == 0
