from tests.authz import standard_cases
from tests.toyapp.models import ToyNote


def cases(p):
    note = ToyNote.objects.create(organisation=p.shinan, text="乙的笔记")
    return [
        *standard_cases(p, "toyapp:note_list", model=ToyNote, action="view", allowed=p.yi),
        *standard_cases(p, "toyapp:note_detail", model=ToyNote, action="view", obj=note, allowed=p.yi),
        *standard_cases(p, "GET /api/v1/toy/notes/{id}", model=ToyNote, action="view", obj=note, lookup="id",
                        allowed=p.yi),
    ]
