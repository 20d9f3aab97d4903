"""The audit trail: django-auditlog with entries filed per organization (see apps.py, models.py)."""
