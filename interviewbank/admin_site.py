"""The Django admin is for platform staff only.

The admin sees every tenant's rows, so it must never be a tool for an organization: an org admin
(even one with ``is_staff``) gets the admin's login page and nothing else. Organizations author
their questions and kits in the product, where every query is scoped to them.

With ADMIN_REQUIRE_OTP (on in production), platform staff also prove a TOTP code from a device
registered with ``manage.py add_totp_device`` (django-otp): a stolen password alone opens
nothing that sees every tenant.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class PlatformAdminSite(admin.AdminSite):
    site_header = "InterviewBank administration (platform staff)"
    site_title = "InterviewBank"

    # Read on every request, so the setting can change without rebuilding the site.
    @property
    def login_form(self):
        if not settings.ADMIN_REQUIRE_OTP:
            return None
        # Imported here: this module is also the admin's AppConfig, loaded before any model.
        from django_otp.admin import OTPAdminAuthenticationForm

        return OTPAdminAuthenticationForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if settings.ADMIN_REQUIRE_OTP else None

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff and user.is_superuser):
            return False
        return not settings.ADMIN_REQUIRE_OTP or user.is_verified()


class PlatformAdminConfig(AdminConfig):
    default_site = "interviewbank.admin_site.PlatformAdminSite"
