from nuanxin.core.manifest import Manifest, MenuEntry
from tests.toyapp.models import ToyNote

MANIFEST = Manifest(
    app="toyapp",
    url_prefix="toy/",
    urls="tests.toyapp.urls",
    api_router="tests.toyapp.api.router",
    menu=[
        MenuEntry("Toy notes", "toyapp:note_list", order=900, visible=lambda u: ToyNote.policy.may(u, "view"))
    ],
    authz_cases="tests.toyapp.authz_cases",
)
