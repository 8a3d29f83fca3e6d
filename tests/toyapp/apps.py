from django.apps import AppConfig


class ToyConfig(AppConfig):
    name = "tests.toyapp"
    label = "toyapp"
    verbose_name = "Toy notes"

    def ready(self) -> None:
        from nuanxin.core import manifest
        from tests.toyapp.manifest import MANIFEST

        manifest.register(MANIFEST)
