from django.apps import AppConfig


class PeriodicAppConfig(AppConfig):
    name = "nuanxin.core.tests.periodic_app"
    label = "periodic_app"

    def ready(self) -> None:
        from nuanxin.core import manifest

        manifest.register(manifest.Manifest(app=self.label, jobs="nuanxin.core.tests.periodic_app.periodic.JOBS"))
