"""The audit trail app: which models django-auditlog tracks, in one list.

Every tracked model names the path to its organization, so each entry is filed under the
tenant whose row changed. Secret fields are excluded here and, as a safety net, by name in
``registry.SECRET_WORDS``; ``updated_at`` is never logged (it changes on every save).
"""

from django.apps import AppConfig


def _draft_scorecard(instance, action) -> bool:
    # A draft is the interviewer's private working copy, autosaved every few seconds: the log
    # records its creation and, from submission on, every change (corrections included).
    from auditlog.models import AbstractLogEntry

    return action == AbstractLogEntry.Action.UPDATE and instance.status == instance.Status.DRAFT


def tracked():
    from .registry import Tracked

    return [
        # Who belongs to the organization and with which role.
        Tracked("accounts.Membership"),
        # The organization's own questions and their rubrics (shipped ones are not logged).
        Tracked("bank.Question"),
        Tracked("bank.Criterion", org_path="question__organization", parent="question"),
        Tracked(
            "bank.Anchor",
            org_path="criterion__question__organization",
            parent="criterion__question",
        ),
        # The organization's kits and what is in them.
        Tracked("bank.Kit"),
        Tracked("bank.KitItem", org_path="kit__organization", parent="kit"),
        # The organization's interview plans and their stages.
        Tracked("bank.Plan"),
        Tracked("bank.PlanStage", org_path="plan__organization", parent="plan"),
        # Role briefs and their stages; the brief check is derived, not something anyone did.
        Tracked("interviews.Position", exclude=("brief_check",)),
        Tracked("interviews.PositionStage", org_path="position__organization", parent="position"),
        # Sessions and who is assigned to them; the stored result is derived from the ratings.
        Tracked("interviews.CandidateSession", exclude=("result",), m2m=("interviewers",)),
        # Scorecards from submission on (drafts are private working copies).
        Tracked(
            "interviews.Scorecard",
            org_path="session__organization",
            parent="session",
            skip=_draft_scorecard,
        ),
        # An admin's corrections to a submitted scorecard (who, what, old and new value, why).
        Tracked(
            "interviews.ScorecardCorrection",
            org_path="scorecard__session__organization",
            parent="scorecard__session",
        ),
        # The pipeline state of an application, and each decision with its reason.
        Tracked("interviews.Application", exclude=("result",)),
        Tracked(
            "interviews.ApplicationDecision",
            org_path="application__organization",
            parent="application",
        ),
        # Links to share a shortlist or a report with a client (token and code hashes excluded).
        Tracked("shortlists.ShareLink"),
        # ATS API keys: named by their prefix, since the primary key contains the key's hash;
        # last_used_at is bookkeeping written at most once a minute.
        Tracked("ats.OrganizationAPIKey", exclude=("id", "last_used_at"), log_key="prefix"),
        # Outgoing webhook endpoints (their secrets excluded).
        Tracked("ats.WebhookEndpoint"),
        # Practice answers and their reference ratings: who wrote or corrected the reference
        # the panel calibrates against.
        Tracked("calibration.PracticeAnswer"),
    ]


class AuditConfig(AppConfig):
    name = "apps.audit"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from auditlog.signals import pre_log
        from django.db.models.signals import pre_delete

        from apps.accounts.models import Organization

        from . import registry

        registry.register_all(tracked())
        pre_log.connect(registry.before_log, dispatch_uid="audit.before_log")
        pre_delete.connect(
            registry.organization_deleting, sender=Organization, dispatch_uid="audit.org_del"
        )
