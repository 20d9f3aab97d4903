from .tenancy import membership_for, remember_membership

SESSION_KEY = "organization_id"


class TenantMiddleware:
    """Attach ``request.membership`` and ``request.organization`` (None for anonymous users).

    Resolved once per request (one query, joined with the organization) so every view and
    template sees the same tenant.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = membership_for(request.user, request.session.get(SESSION_KEY))
        request.organization = request.membership.organization if request.membership else None
        remember_membership(request.user, request.membership)
        return self.get_response(request)
