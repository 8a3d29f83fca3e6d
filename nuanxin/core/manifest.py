"""App manifests: how an app plugs itself into the project without the project knowing it.

Each Nuanxin app registers one ``Manifest`` from its ``AppConfig.ready()``::

    manifest.register(Manifest(
        app="care",
        url_prefix="care/", urls="nuanxin.care.urls",           # namespace: the urls' app_name
        api_router="nuanxin.care.api.router",
        menu=[MenuEntry(_("Campaigns"), "care:campaign_list", order=270,
                        visible=lambda user: Campaign.policy.may(user, "manage"))],
        counters=[Counter("workers", _("Workers in the register"), count_workers, "registry:worker_list")],
        jobs="nuanxin.care.periodic.JOBS",
        authz_cases="nuanxin.care.tests.authz_cases",
        demo="nuanxin.care.demo",
        audit_labels="nuanxin.care.audit_labels.LABELS",
    ))

``nuanxin/urls.py`` includes every manifest's urls, ``nuanxin/api.py`` adds every router, the
navigation bar and the home page show every visible menu entry and counter, ``nuanxin
scheduler`` runs every manifest's jobs, ``nuanxin demo`` runs every demo, the authorization
test collects every case module, and the audit page reads every app's labels. Manifests are
kept in INSTALLED_APPS order whatever the order ``ready()`` ran in; menu entries and counters
are sorted by their ``order`` (ties: INSTALLED_APPS order). Dotted strings are imported when
first used, so a manifest may name modules that import the app's models and services.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

_manifests: dict[str, Manifest] = {}


def resolve(target: Any) -> Any:
    """``"package.module.attribute"`` → the attribute, ``"package.module"`` → the module
    (when it is one); anything else is returned as it is."""
    if not isinstance(target, str):
        return target
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name != target:
            raise
    module_name, _, attribute = target.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True)
class MenuEntry:
    """One link of the navigation bar.

    ``visible(user)`` decides whether this user sees it (ask the policy:
    ``lambda u: Worker.policy.may(u, "view")``; never spell a role). ``section`` ``"main"`` is
    the left part of the bar, ``"user"`` the right part next to the account. ``start``: the
    entry's place in the home page's "where to start" row (None: not there), drawn as
    ``start_style`` ``"primary"``, ``"primary-lg"`` or ``"outline"``, for the users
    ``start_visible`` accepts (default: ``visible``). ``element_id`` is the link's HTML id
    (browser tests click it)."""

    label: Any
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 500
    section: str = "main"
    element_id: str = ""
    start: int | None = None
    start_style: str = "outline"
    start_visible: Callable[[Any], bool] | None = None

    def __post_init__(self) -> None:
        if self.section not in {"main", "user"}:
            raise ValueError(f"MenuEntry.section must be 'main' or 'user', not {self.section!r}")
        if self.start_style not in {"primary", "primary-lg", "outline"}:
            raise ValueError(f"unknown MenuEntry.start_style {self.start_style!r}")

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Counter:
    """A number on the home page, counted inside the user's scope. ``count(user)`` returns
    None to hide the counter from this user. ``url_name``: where the label links to."""

    key: str
    label: Any
    count: Callable[[Any], int | None]
    url_name: str | None = None
    order: int = 500


@dataclass(frozen=True)
class HomePanel:
    """A card of the home page: ``template`` rendered with ``context(request)`` (a dict, or
    None to leave the card out for this user)."""

    template: str
    context: Callable[[Any], dict | None]
    order: int = 500


@dataclass(frozen=True)
class Manifest:
    """Everything the project needs to know about one app (see the module's docstring).

    ``url_prefix`` is the path the app's ``urls`` module is included under (``""`` for the
    site's root); the URL namespace is that module's ``app_name`` unless ``namespace`` says
    otherwise. ``api_router`` is one dotted path or several. ``jobs`` is a list of
    ``core.periodic.Job`` or the dotted path of one. ``authz_cases`` is the module holding
    ``cases(personas)`` for the authorization test. ``demo`` is the dotted path of a module
    with ``build(*, out)``, run by ``nuanxin demo`` in app order, and optionally ``logins()``
    (the demo's sign-ins that ``nuanxin demo`` and ``serve`` print). ``audit_labels`` is a
    ``core.auditlabels.Labels`` (or its dotted path)."""

    app: str
    url_prefix: str | None = None
    urls: str | None = None
    namespace: str | None = None
    api_router: str | Sequence[str] = ()
    menu: Sequence[MenuEntry] = ()
    counters: Sequence[Counter] = ()
    home_panels: Sequence[HomePanel] = ()
    jobs: str | Sequence[Any] = ()
    authz_cases: str | None = None
    demo: str | None = None
    audit_labels: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.url_prefix is None) != (self.urls is None):
            raise ImproperlyConfigured(f"manifest {self.app!r}: url_prefix and urls go together")
        if self.url_prefix and not self.url_prefix.endswith("/"):
            raise ImproperlyConfigured(f"manifest {self.app!r}: url_prefix must end with '/'")

    @property
    def api_routers(self) -> list[str]:
        return [self.api_router] if isinstance(self.api_router, str) else list(self.api_router)

    def job_list(self) -> list[Any]:
        return list(resolve(self.jobs)) if self.jobs else []

    def demo_module(self) -> Any:
        return importlib.import_module(self.demo) if self.demo else None


def register(manifest: Manifest) -> Manifest:
    """Register (or, when ``ready()`` runs again, replace) the manifest of ``manifest.app``,
    and its audit labels."""
    _manifests[manifest.app] = manifest
    if manifest.audit_labels is not None:
        from nuanxin.core import auditlabels

        auditlabels.register(resolve(manifest.audit_labels))  # the same labels again change nothing
    return manifest


def unregister(app: str) -> None:
    """Forget an app's manifest (tests that install a toy app take it out again)."""
    _manifests.pop(app, None)


def _app_order() -> dict[str, int]:
    return {config.label: i for i, config in enumerate(apps.get_app_configs())}


def manifests() -> list[Manifest]:
    """The registered manifests of installed apps, in INSTALLED_APPS order."""
    order = _app_order()
    return sorted((m for m in _manifests.values() if m.app in order), key=lambda m: order[m.app])


def get(app: str) -> Manifest | None:
    return _manifests.get(app) if app in _app_order() else None


# --- what the project reads ----------------------------------------------------------------


def menu_entries(user: Any, section: str = "main") -> list[MenuEntry]:
    """The menu entries of ``section`` this user may see, in menu order."""
    if user is None or not user.is_authenticated:
        return []
    entries = [(e.order, i, e) for i, m in enumerate(manifests()) for e in m.menu if e.section == section]
    return [e for _o, _i, e in sorted(entries, key=lambda t: t[:2]) if e.visible(user)]


def start_entries(user: Any) -> list[MenuEntry]:
    """The entries of the home page's "where to start" row this user may see."""
    if user is None or not user.is_authenticated:
        return []
    entries = [e for m in manifests() for e in m.menu if e.start is not None]
    return [e for e in sorted(entries, key=lambda e: e.start or 0) if (e.start_visible or e.visible)(user)]


def current_entry(path: str, entries: Sequence[MenuEntry]) -> MenuEntry | None:
    """The entry the page at ``path`` belongs to: the one whose URL is the longest prefix of
    the path (``/care/difficulties/12/`` belongs to ``/care/difficulties/``); the home page
    (``/``) only to itself."""
    best: tuple[int, MenuEntry] | None = None
    for entry in entries:
        try:
            url = entry.url
        except NoReverseMatch:
            continue
        matches = path == url if url == "/" else path.startswith(url)
        if matches and (best is None or len(url) > best[0]):
            best = (len(url), entry)
    return best[1] if best else None


def counts_for(user: Any) -> list[tuple[Counter, int]]:
    """The home page's counters this user sees, with their values."""
    counters = [(c.order, i, c) for i, m in enumerate(manifests()) for c in m.counters]
    result = []
    for _o, _i, counter in sorted(counters, key=lambda t: t[:2]):
        value = counter.count(user)
        if value is not None:
            result.append((counter, value))
    return result


def home_panels(request: Any) -> list[tuple[HomePanel, dict]]:
    """The home page's cards for this request, with their contexts."""
    panels = [(p.order, i, p) for i, m in enumerate(manifests()) for p in m.home_panels]
    result = []
    for _o, _i, panel in sorted(panels, key=lambda t: t[:2]):
        context = panel.context(request)
        if context is not None:
            result.append((panel, context))
    return result


def jobs() -> list[Any]:
    """Every manifest's periodic jobs, in app order (``core.periodic.discover_jobs`` checks them)."""
    return [job for m in manifests() for job in m.job_list()]


def demo_modules() -> list[Any]:
    """The demo modules of every manifest with a demo, in app order."""
    return [m.demo_module() for m in manifests() if m.demo]


def authz_case_modules() -> list[Any]:
    """The authorization case modules of every manifest, in app order."""
    return [importlib.import_module(m.authz_cases) for m in manifests() if m.authz_cases]


def url_patterns() -> list[Any]:
    """``path(prefix, include(urls))`` for every manifest with pages, in app order."""
    from django.urls import include, path

    patterns = []
    for m in manifests():
        if m.urls is None:
            continue
        included = include(m.urls) if m.namespace is None else include((m.urls, m.namespace))
        patterns.append(path(m.url_prefix or "", included))
    return patterns


# --- the navigation bar (a template context processor) ---------------------------------------


class Navigation:
    """The bar's entries for one request, computed when the layout first reads them: ``main``
    and ``user`` (the visible entries of each section), ``current`` (the entry the page
    belongs to, marked ``aria-current="page"``) and ``home_is_current``."""

    def __init__(self, request: Any) -> None:
        self.request = request
        self._main: list[MenuEntry] | None = None
        self._user: list[MenuEntry] | None = None
        self._current: MenuEntry | bool | None = False

    @property
    def main(self) -> list[MenuEntry]:
        if self._main is None:
            self._main = menu_entries(self.request.user, "main")
        return self._main

    @property
    def user(self) -> list[MenuEntry]:
        if self._user is None:
            self._user = menu_entries(self.request.user, "user")
        return self._user

    @property
    def current(self) -> MenuEntry | None:
        if self._current is False:
            self._current = current_entry(self.request.path, [*self.main, *self.user])
        return self._current  # type: ignore[return-value]

    @property
    def current_url_name(self) -> str:
        return self.current.url_name if self.current is not None else ""

    @property
    def home_is_current(self) -> bool:
        return self.request.path == "/"


def navigation(request: Any) -> dict[str, Any]:
    """``nx_nav`` for the layout (settings: TEMPLATES' context processors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nx_nav": Navigation(request)}


# --- a system check: nothing an app holds is left out of its manifest -----------------------

# module of the app -> (what the manifest must say, how to tell it does)
_EXPECTED = {
    "urls": ("urls", lambda m, name: m.urls == name),
    # ``api.router``, or routers in the modules of an ``api`` package (one per area)
    "api": ("api_router", lambda m, name: any(r.startswith(f"{name}.") for r in m.api_routers)),
    "periodic": ("jobs", lambda m, name: isinstance(m.jobs, str) and m.jobs.startswith(f"{name}.")),
    "tests.authz_cases": ("authz_cases", lambda m, name: m.authz_cases == name),
}


def check_manifests(app_configs=None, **kwargs) -> list:
    """``manage.py check`` (and so the test run): an installed ``nuanxin.*`` app that has pages,
    an API, periodic jobs or authorization cases names them in its manifest; otherwise they
    would silently not be served, scheduled or tested."""
    import importlib.util

    from django.core import checks

    errors = []
    for config in app_configs or apps.get_app_configs():
        if not config.name.startswith("nuanxin."):
            continue
        registered = get(config.label)
        for module, (field_name, names_it) in _EXPECTED.items():
            name = f"{config.name}.{module}"
            try:
                found = importlib.util.find_spec(name) is not None
            except ModuleNotFoundError:  # no tests package
                found = False
            if found and (registered is None or not names_it(registered, name)):
                errors.append(
                    checks.Error(
                        f"{name} exists but the manifest of {config.label!r} does not name it ({field_name}=...)",
                        hint="Register a core.manifest.Manifest from the app's AppConfig.ready(): docs/architecture.md",
                        obj=config.name,
                        id="nuanxin.E101",
                    )
                )
    return errors
