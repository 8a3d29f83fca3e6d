from django.http import HttpResponse

from nuanxin.core import access
from tests.toyapp.models import ToyNote


@access.scoped(*ToyNote.policy.roles("view"))
def note_list(request):
    return HttpResponse("\n".join(n.text for n in ToyNote.objects.for_user(request.user, "view").order_by("pk")))


@access.scoped(*ToyNote.policy.roles("view"))
def note_detail(request, pk: int):
    note = access.get_scoped_or_404(ToyNote, request.user, "view", pk=pk)
    return HttpResponse(note.text)
