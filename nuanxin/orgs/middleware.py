from nuanxin.orgs import scope

SESSION_KEY = "nuanxin_active_grant"


class ActiveScopeMiddleware:
    """Applies the scope the user picked in the switcher (stored in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            active = request.session.get(SESSION_KEY)
            if active and not any(g.pk == active for g in scope.grants(user)):
                request.session.pop(SESSION_KEY, None)
                active = None
            user.nuanxin_active_grant_id = active
        return self.get_response(request)
