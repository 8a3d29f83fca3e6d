from django.http import HttpResponse

from nuanxin.core import access
from tests.toyapp.models import ToyNote


@access.scoped(ToyNote, "view")
def note_list(request):
    return HttpResponse("\n".join(n.text for n in ToyNote.objects.for_user(request.user, "view").order_by("pk")))


@access.scoped(ToyNote, "view", lookup="pk")
def note_detail(request, note: ToyNote):
    return HttpResponse(note.text)
