"""The REST API under /api/v1/: bearer-token auth, JSON errors, OpenAPI at /api/v1/openapi.json,
interactive docs at /api/v1/docs (served from ninja's packaged static files, no CDN).

Each app with operations has ``nuanxin/<app>/api.py`` defining ``router = Router(tags=[...])``
and names it in its manifest (``Manifest(api_router="nuanxin.<app>.api.router")``); nothing
is added here. See ``nuanxin/core/apiutils.py`` for the pattern and helpers.
"""

from ninja.openapi.docs import Swagger

from nuanxin.core import manifest
from nuanxin.core.apiutils import BearerTokenAuth, NuanxinAPI, install_error_handlers


def build_api() -> NuanxinAPI:
    """The API with every installed app's router, as its manifest says (core/manifest.py), in
    INSTALLED_APPS order. Built once, below; a test that installs another app builds its own."""
    api = NuanxinAPI(
        title="Nuanxin API",
        version="1",
        description="暖心 Nuanxin REST API. Authenticate with `Authorization: Bearer <token>`.",
        urls_namespace="api",
        auth=BearerTokenAuth(),
        docs_url="/docs",
        # No third-party host: the validator badge would load an image from swagger.io.
        docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    )
    install_error_handlers(api)
    for app in manifest.manifests():
        for router in app.api_routers:
            api.add_router("", router)
    return api


api = build_api()
