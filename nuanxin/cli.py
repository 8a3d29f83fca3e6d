"""The ``nuanxin`` console script: Django's manage.py for the installed project.

Command names may be written with hyphens as in the documentation (``nuanxin import-tables``,
``nuanxin export-tables``); Django's own spelling with underscores works too.
"""

import os
import sys


def _command_name(argv: list[str]) -> list[str]:
    argv = list(argv)
    # argv[1] is the sub-command; `nuanxin help import-tables` names it in argv[2].
    for i in (1, 2) if len(argv) > 2 and argv[1] == "help" else (1,):
        if len(argv) > i and not argv[i].startswith("-"):
            argv[i] = argv[i].replace("-", "_")
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads the settings: a wrong variable is named here)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"nuanxin: {exc}\n")
        raise SystemExit(2) from None
    execute_from_command_line(_command_name(argv if argv is not None else sys.argv))


if __name__ == "__main__":
    main()
