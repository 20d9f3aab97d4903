"""Role briefs, candidates, sessions, scorecards and ratings.

Rules that must hold:
- A SessionItem is a frozen copy of a bank question and its rubric taken when the session was
  created. It never changes: editing or retiring the bank question later changes no session,
  rating or score. The text and rubric live in a shared, content-addressed FrozenQuestion row
  (apps.interviews.frozen), never updated, so sessions of one kit share one copy. The session
  also freezes the role (track, level, competency weights).
- One scorecard per (session, interviewer); one Rating row per (scorecard, item, criterion).
  A submitted scorecard is read-only; an admin correction is recorded in ScorecardCorrection.
- Scorecards are blind: before submitting, an interviewer sees no other scorecard of the
  session (apps.interviews.selectors enforces it at the query level).
- An Application is one candidate for one position: the unit of decision. It is created with
  the candidate's first session for that position, every session belongs to one, and it freezes
  the role (track, level, weights, bar, panel size) when it starts.
- The session's result (what that stage showed) and its application's result (every stage
  pooled: SCORING.md version 2) are recomputed from the submitted scorecards in the same
  transaction as the submit, correction, cancellation or "discussed live" mark that changed
  them; each stores the constants and scoring version.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.accounts.models import Organization
from apps.bank import isa95
from apps.bank.models import Kit, Level, Plan, PlanStage, Question, Track

#: The bar on the 0..100 scale: 62.5 (between rating 2 and 3) unless a position sets its own
#: within 50-87.5 (SCORING.md v2, "The bar"). The engine's inputs hold the same rule on 0..1.
BAR_DEFAULT = 62.5
BAR_MIN = 50.0
BAR_MAX = 87.5
BAR_VALIDATORS = [
    MinValueValidator(BAR_MIN, message="The bar must be between 50 and 87.5."),
    MaxValueValidator(BAR_MAX, message="The bar must be between 50 and 87.5."),
]


class Position(models.Model):
    """A role brief: what the client actually needs, and the kit to interview for it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="positions"
    )
    client_company = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="positions")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="positions")
    job_description = models.TextField(blank=True)
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="positions")
    competency_weights = models.JSONField(default=dict)
    bar = models.FloatField(
        default=BAR_DEFAULT,
        validators=BAR_VALIDATORS,
        help_text="The score a candidate must clear (50-87.5; 62.5 is the boundary between "
        "'partly right' and 'meets the bar').",
    )
    panel_size = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="How many interviewers usually rate a live interview for this role.",
    )
    brief_check = models.JSONField(default=dict, blank=True)
    # Set only on rows `load_demo` made: it finds its own rows by this, never by title, so a
    # user's brief called "MES Engineer" is left alone.
    demo_key = models.CharField(max_length=60, blank=True, default="", editable=False)
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
        help_text="The interview plan the stages were copied from.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.client_company})"


class PositionStage(models.Model):
    """One stage of a position's own interview plan, copied from a plan so the organization can
    add, remove, reorder stages and swap kits without touching the plan (or other positions)."""

    # The same two modes as the plan's stages it is copied from.
    Mode = PlanStage.Mode

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.LIVE)
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="position_stages")
    expected_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    panel_size = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )

    class Meta:
        ordering = ["position_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.order + 1}. {self.name}"


class Candidate(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="candidates"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    # Lower-cased copy of the e-mail: duplicates are detected per organization on this field.
    email_normalized = models.EmailField(editable=False)
    phone = models.CharField(max_length=50, blank=True)
    external_ids = models.JSONField(
        default=dict, blank=True, help_text='ATS ids, e.g. {"greenhouse": "12345"}'
    )
    # Set when apps.privacy erased the candidate's personal data: the row stays (as "Erased
    # candidate #<id>") so the anonymous ratings that item statistics need keep their place.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email_normalized"], name="one_candidate_per_email"
            )
        ]
        indexes = [models.Index(fields=["organization", "updated_at"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.email_normalized = self.normalize_email(self.email)
        super().save(*args, **kwargs)

    @staticmethod
    def normalize_email(email: str) -> str:
        """The form two e-mails are compared in: one candidate per address per organization."""
        return email.strip().lower()


class Application(models.Model):
    """One candidate for one position in one organization: the unit of decision.

    The role is frozen when the application starts (the first session): later edits to the
    position do not move the bar under a candidate already in process. ``result`` pools every
    non-cancelled session (SCORING.md v2); ``state`` is the recruiter's pipeline decision, with
    who, when and why (every change is kept in ApplicationDecision).
    """

    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        ADVANCED = "advanced", "Advanced"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="applications"
    )
    candidate = models.ForeignKey(
        "Candidate", on_delete=models.PROTECT, related_name="applications"
    )
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="applications")
    role_track = models.CharField(max_length=40)
    role_level = models.PositiveSmallIntegerField()
    role_weights = models.JSONField(default=dict)
    role_bar = models.FloatField(default=BAR_DEFAULT, validators=BAR_VALIDATORS)
    role_panel_size = models.PositiveSmallIntegerField(default=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    state_reason = models.TextField(blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # The result's stretch of the export's NDJSON line, written with the result by
    # apps.interviews.services.scoring (PostgreSQL only; see services/export_parts.py).
    export_part = models.TextField(null=True, blank=True, editable=False)
    # Legal hold (apps.privacy): while set, neither an erasure request nor the retention job
    # touches the candidate's data.
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.TextField(blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    legal_hold_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "candidate", "position"],
                name="one_application_per_candidate_and_position",
            )
        ]
        # The export's order (updated_at, id): read in index order, it streams without a sort.
        indexes = [
            models.Index(
                fields=["organization", "updated_at", "id"], name="application_export_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.position}"


class ApplicationDecision(models.Model):
    """One pipeline decision on an application: the state it moved to, who, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    state = models.CharField(max_length=10, choices=Application.State.choices)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.state}"


class CandidateSession(models.Model):
    class Mode(models.TextChoices):
        LIVE = "live", "Live interview"
        TAKE_HOME = "take_home", "Take-home"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Answers submitted"
        SCORED = "scored", "Scored"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sessions"
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="sessions")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="sessions")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="sessions")
    stage = models.ForeignKey(
        PositionStage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        help_text="The position's plan stage this session runs (empty: ad hoc).",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.LIVE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    interviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="assigned_sessions", blank=True
    )
    # The role as it was when the session was created (frozen like the items).
    role_track = models.CharField(max_length=40)
    role_level = models.PositiveSmallIntegerField()
    role_weights = models.JSONField(default=dict)
    kit_key = models.CharField(max_length=80)
    result = models.JSONField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    # The result's stretch of the export's NDJSON line, written with the result by
    # apps.interviews.services.scoring (PostgreSQL only; see services/export_parts.py).
    export_part = models.TextField(null=True, blank=True, editable=False)
    # When and where a live interview happens; interviewers get an .ics invite from these.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(
        max_length=500, blank=True, help_text="A room or address, or the video-call link."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The export's order (updated_at, id): read in index order, it streams without a sort.
        indexes = [
            models.Index(fields=["organization", "updated_at", "id"], name="session_export_order")
        ]

    def __str__(self) -> str:
        return f"{self.candidate} for {self.position}"

    @property
    def display_status(self) -> str:
        """The status in words that say what is true now ("Expired", "Answers in, ready to
        score", ...): derived in apps/interviews/session_state.py, shown on every page."""
        from .session_state import display_status

        return display_status(self)


class FrozenQuestion(models.Model):
    """The content a session froze from a question version: text, guidance, key points,
    follow-ups, red flags, rubric (criteria and anchors) and minutes.

    Content-addressed (``digest``: apps.interviews.frozen.digest of those fields) and never
    updated or deleted while an item points at it, so every session that froze the same
    content shares this one row. Not tenant-owned: a row is reached only through a session item
    of the reader's organization, and equal content is equal whoever froze it.
    """

    digest = models.CharField(max_length=64, unique=True)
    prompt = models.TextField()
    guidance = models.TextField()
    key_points = models.JSONField(default=list)
    follow_ups = models.JSONField(default=list)
    red_flags = models.JSONField(default=list)
    # [{"key", "label", "weight", "anchors": {"0": text, ..., "4": text}}]
    rubric = models.JSONField(default=list)
    expected_minutes = models.PositiveSmallIntegerField(default=10)

    def __str__(self) -> str:
        return self.digest[:12]


class SessionItemManager(models.Manager):
    """Every read of items brings its frozen content in the same query (a join on a small
    table), so pages that show prompts or rubrics keep a constant number of queries."""

    def get_queryset(self):
        return super().get_queryset().select_related("frozen")


class SessionItem(models.Model):
    """A frozen copy of one kit question and its rubric. Never changes after creation.

    The question's text and rubric are in ``frozen`` (shared with every session that froze the
    same content); the properties below read them, so item.prompt, item.rubric etc. work as
    before. Lookups through the ORM use ``frozen__prompt``, ``item__frozen__rubric``, ....
    """

    # No index of its own: the unique (session, order) index serves every lookup by session.
    session = models.ForeignKey(
        CandidateSession, on_delete=models.CASCADE, related_name="items", db_index=False
    )
    order = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # No index: nothing looks items up by their frozen row (frozen rows are never deleted), and
    # at tens of millions of items each index costs about as much as the row's text columns.
    frozen = models.ForeignKey(
        FrozenQuestion, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    question_key = models.CharField(max_length=80)
    question_version = models.PositiveIntegerField()
    competency_key = models.CharField(max_length=80)
    competency_name = models.CharField(max_length=200)
    track_tag = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)
    weight = models.FloatField()
    # The question's ISA-95 tags when the session was created (apps.bank.isa95): the map of a
    # past session does not move when the bank's tags are corrected.
    isa95_categories = models.JSONField(default=list, blank=True)
    isa95_activities = models.JSONField(default=list, blank=True)
    isa95_boundary = models.BooleanField(default=False)
    isa95_outside = models.CharField(max_length=isa95.OUTSIDE_MAX_LENGTH, blank=True)

    objects = SessionItemManager()

    class Meta:
        ordering = ["session_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["session", "order"], name="session_item_order")
        ]

    def __str__(self) -> str:
        return f"#{self.order + 1} {self.question_key}"

    # The frozen content, read through ``frozen`` (read-only: a frozen item never changes).
    prompt = property(lambda self: self.frozen.prompt)
    guidance = property(lambda self: self.frozen.guidance)
    key_points = property(lambda self: self.frozen.key_points)
    follow_ups = property(lambda self: self.frozen.follow_ups)
    red_flags = property(lambda self: self.frozen.red_flags)
    rubric = property(lambda self: self.frozen.rubric)
    expected_minutes = property(lambda self: self.frozen.expected_minutes)

    @property
    def criterion_keys(self) -> list[str]:
        return [c["key"] for c in self.rubric]


class Scorecard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Recommendation(models.TextChoices):
        STRONG_NO = "strong_no", "Strong no"
        NO = "no", "No"
        NO_DECISION = "no_decision", "No decision"
        YES = "yes", "Yes"
        STRONG_YES = "strong_yes", "Strong yes"

    session = models.ForeignKey(
        CandidateSession, on_delete=models.CASCADE, related_name="scorecards"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    recommendation = models.CharField(max_length=12, choices=Recommendation.choices, blank=True)
    notes = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "interviewer"], name="one_scorecard_per_interviewer"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="submitted_scorecard_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer} on {self.session}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Rating(models.Model):
    """One interviewer's rating of one criterion of one item (0-4, chosen by its anchor)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="ratings")
    criterion_key = models.CharField(max_length=60)
    value = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "item", "criterion_key"], name="one_rating_per_criterion"
            ),
            models.CheckConstraint(condition=Q(value__lte=4), name="rating_0_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_key}={self.value}"


class ItemNote(models.Model):
    """An interviewer's notes and observed red flags on one item, whether they asked it, and
    their private scratch notes.

    ``not_asked``: the interviewer had no time for the question; their ratings of it are
    ignored by scoring and not required to submit. ``scratch`` is the interviewer's alone:
    never shown to anyone else, never exported, never part of the submitted notes.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="item_notes")
    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="notes")
    notes = models.TextField(blank=True)
    not_asked = models.BooleanField(default=False)
    scratch = models.TextField(blank=True)
    # Indexes into the frozen item's red_flags list.
    red_flags = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "item"], name="one_note_per_item")
        ]

    def __str__(self) -> str:
        return f"notes on item {self.item_id}"


class ScorecardCorrection(models.Model):
    """An admin's change to a submitted scorecard: who, when, the old and the new value."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=200)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corrected_at", "pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} -> {self.new_value}"


class Invitation(models.Model):
    """A take-home link. The link is the key, so it is built like one: the token exists only
    in the e-mail (and once on the recruiter's screen); the database keeps its SHA-256."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    session = models.OneToOneField(
        CandidateSession, on_delete=models.CASCADE, related_name="invitation"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    instructions = models.TextField(blank=True)
    expires_at = models.DateTimeField(help_text="The deadline: the link stops working after it.")
    time_limit_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time allowed once started; empty for no limit."
    )
    extra_time_percent = models.PositiveSmallIntegerField(default=0)
    extra_time_minutes = models.PositiveSmallIntegerField(default=0)
    contact = models.CharField(
        max_length=200, help_text="Whom the candidate contacts (shown on expired links)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Invitation for {self.session}"


def answer_attachment_path(instance: Answer, filename: str) -> str:
    """A random name per file: the candidate's file name never reaches the storage path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"takehome/{instance.item.session.organization_id}/{uuid.uuid4().hex}.{ext}"


class Answer(models.Model):
    """A candidate's answer to one take-home item.

    ``version`` is bumped by every accepted save; a save must name the version it was based on,
    so a stale tab can never silently overwrite newer text (compare-and-swap in one UPDATE).
    Integrity signals are information for the interviewer, never part of a score.
    """

    item = models.OneToOneField(SessionItem, on_delete=models.CASCADE, related_name="answer")
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    paste_events = models.JSONField(default=list, blank=True)  # [{"at": iso, "size": n}]
    focus_lost = models.PositiveIntegerField(default=0)
    active_seconds = models.PositiveIntegerField(default=0)
    # An interviewer went through this answer with the candidate live: it then weighs as a live
    # answer in the application's score (SCORING.md v2, step 2).
    discussed_live_at = models.DateTimeField(null=True, blank=True)
    discussed_live_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One optional file (PDF, PNG or JPEG, checked by its content): shown to the organization's
    # members beside the answer and counted towards nothing automatic.
    attachment = models.FileField(upload_to=answer_attachment_path, blank=True, max_length=200)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"answer to {self.item} (v{self.version})"
