"""The hotline's pages, one module per area; each exports ``urlpatterns`` and the ``MENU``
entries, ``COUNTERS`` and ``HOME_PANELS`` it adds (``urls.py`` and ``manifest.py`` join them)."""
