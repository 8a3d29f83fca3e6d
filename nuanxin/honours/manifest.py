"""The commendations' manifest (``core/manifest.py``). ``HonoursConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest

MANIFEST = Manifest(app="honours")


def register() -> None:
    manifest.register(MANIFEST)
