"""The one place where request data is scoped to a tenant.

Every view that serves tenant data goes through these helpers, so forgetting the organization
filter is hard to do by accident:

- :func:`tenant_filter` narrows a queryset to the request's organization (optionally also the
  shipped, organization-less rows such as the bank's own questions);
- :func:`get_for_tenant_or_404` fetches one row or answers 404, also for another tenant's row;
- :func:`member_required` / :func:`role_required` guard views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Membership, Organization


def membership_for(user, organization_id: int | None = None) -> Membership | None:
    """The membership a user acts under: the one chosen in the session, else the oldest."""
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("organization").filter(user=user)
    if organization_id is not None:
        chosen = memberships.filter(organization_id=organization_id).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("created_at", "pk").first()


_CAN_MANAGE = "_can_manage_in"


def can_manage(user, organization: Organization | None) -> bool:
    """THE "admin or recruiter" rule (``Membership.can_manage``) for a user in an organization.
    Remembered on the user object for the request (``TenantMiddleware`` primes it from the
    membership it resolved), so asking costs no query on a page."""
    if organization is None or not getattr(user, "is_authenticated", False):
        return False
    known = getattr(user, _CAN_MANAGE, None)
    if known is None:
        known = {}
        setattr(user, _CAN_MANAGE, known)
    if organization.pk not in known:
        membership = Membership.objects.filter(user=user, organization=organization).first()
        known[organization.pk] = bool(membership and membership.can_manage)
    return known[organization.pk]


def remember_membership(user, membership: Membership | None) -> None:
    """Prime :func:`can_manage` with the membership a request acts under."""
    if membership is not None:
        setattr(user, _CAN_MANAGE, {membership.organization_id: membership.can_manage})


def tenant_filter(
    request: HttpRequest, queryset: QuerySet | type[Model], *, include_shared: bool = False
) -> QuerySet:
    """Rows of the request's organization (and, with ``include_shared``, shipped rows)."""
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    org: Organization | None = getattr(request, "organization", None)
    if org is None:
        return qs.none()
    scope = Q(organization=org)
    if include_shared:
        scope |= Q(organization__isnull=True)
    return qs.filter(scope)


def get_for_tenant_or_404(
    request: HttpRequest,
    queryset: QuerySet | type[Model],
    *,
    include_shared: bool = False,
    **lookups,
) -> Model:
    return get_object_or_404(
        tenant_filter(request, queryset, include_shared=include_shared), **lookups
    )


def member_required(view: Callable) -> Callable:
    """Logged in and a member of some organization; otherwise to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise Http404("You are not a member of an organization.")
        return view(request, *args, **kwargs)

    return wrapped


def role_required(roles: Iterable[str]) -> Callable[[Callable], Callable]:
    """Members whose role is in ``roles``; others get 404 (we do not confirm the page exists)."""
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @member_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.membership.role not in allowed:
                raise Http404("Not available for your role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
