"""Organization API keys: the admins' page to create, list and revoke them (views.py).
The model is ``apps.ats.models.OrganizationAPIKey``; authentication is ``apps.ats.auth``."""
