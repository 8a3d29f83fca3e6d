"""The REST API under /api/v1/: bearer-token auth, JSON errors, OpenAPI at /api/v1/openapi.json,
interactive docs at /api/v1/docs (served from ninja's packaged static files, no CDN).

Each app with operations has ``nuanxin/<app>/api.py`` defining ``router = Router(tags=[...])``
and gets one line below. See ``nuanxin/core/apiutils.py`` for the pattern and helpers.
"""

from ninja.openapi.docs import Swagger

from nuanxin.core.apiutils import BearerTokenAuth, NuanxinAPI, install_error_handlers

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

# --- routers, one line per app ---------------------------------------------------------------
api.add_router("", "nuanxin.core.api.router")
api.add_router("", "nuanxin.orgs.api.router")
api.add_router("", "nuanxin.registry.api.router")
api.add_router("", "nuanxin.tables.imports.api.router")
api.add_router("", "nuanxin.care.api.router")
