from ninja import Schema

from nuanxin.core import apiutils
from tests.toyapp.models import ToyNote

router = apiutils.ScopedRouter(tags=["toy"])


class NoteOut(Schema):
    id: int
    text: str


@router.get("/toy/notes/{id}", model=ToyNote, action="view", response={200: NoteOut, **apiutils.ERROR_RESPONSES},
            operation_id="toy_get_note")
def get_note(request, id: int):
    return apiutils.get_scoped_or_404(ToyNote, request, "view", pk=id)
