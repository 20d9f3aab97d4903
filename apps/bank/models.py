"""The question bank: tracks, levels, competencies, questions with rubrics, and kits.

Rules that must hold:
- Shipped content has ``organization = NULL`` and is read-only to tenants; an organization's own
  questions and kits carry its organization.
- A question ``key`` is stable across versions; exactly one version per key is the latest, and
  the bank shows the latest.
- A question version that a session has used (``locked``) is never edited in place: an edit
  makes a new version (Open edX ORA2's rule), so past sessions keep the rubric they were scored
  with. Sessions also freeze a full copy of each item (apps.interviews).
- Every criterion has exactly one anchor per rating 0-4 (SCORING.md); the importer and the
  integrity test enforce it for shipped content.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.accounts.models import Organization
from apps.bank import isa95

CORE = "core"


class Track(models.Model):
    """A career track (``plant``, ``enterprise``). Data, not an enum, so a third can be added."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    number = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"L{self.number} {self.name}"


class Competency(models.Model):
    ISA95_AREAS = [
        ("architecture", "Architecture"),
        ("production", "Production operations"),
        ("quality", "Quality operations"),
        ("maintenance", "Maintenance operations"),
        ("inventory", "Inventory operations"),
        ("integration", "Integration"),
        # Not a fifth ISA-95 category: performance analysis is one of the eight generic
        # activities, applied within each of the four categories (DOMAIN.md 1.5-1.6).
        ("performance", "Performance analysis (an activity in every category)"),
        ("compliance", "Regulatory compliance"),
        ("security", "OT security"),
        ("programme", "Programme and platforms"),
    ]

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    isa95_area = models.CharField(max_length=20, choices=ISA95_AREAS)
    description = models.TextField(blank=True)
    tracks = models.ManyToManyField(Track, related_name="competencies")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class QuestionQuerySet(models.QuerySet):
    def latest(self) -> QuestionQuerySet:
        return self.filter(is_latest=True)

    def published(self) -> QuestionQuerySet:
        return self.filter(status=Question.Status.PUBLISHED)

    def visible_to(self, organization: Organization | None) -> QuestionQuerySet:
        """Shipped questions plus the organization's own."""
        scope = Q(organization__isnull=True)
        if organization is not None:
            scope |= Q(organization=organization)
        return self.filter(scope)

    def for_track(self, track_key: str) -> QuestionQuerySet:
        """Questions that serve a track: tagged with it, or ``core``."""
        return self.filter(Q(track__key=track_key) | Q(track__isnull=True))


class Question(models.Model):
    class Kind(models.TextChoices):
        ORAL = "oral", "Oral"
        WRITTEN = "written", "Written"
        SCENARIO = "scenario", "Scenario"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="questions",
        help_text="Empty for shipped questions (read-only to tenants).",
    )  # fmt: skip
    key = models.SlugField(max_length=80)
    version = models.PositiveIntegerField(default=1)
    is_latest = models.BooleanField(default=True)
    locked = models.BooleanField(
        default=False, help_text="Used by a session: edits create a new version instead."
    )
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="questions")
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.PROTECT, related_name="questions",
        help_text="Empty means core: the question serves every track.",
    )  # fmt: skip
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    prompt = models.TextField()
    guidance = models.TextField()
    key_points = models.JSONField(default=list)
    follow_ups = models.JSONField(default=list)
    red_flags = models.JSONField(default=list, help_text='[{"text": ..., "critical": bool}]')
    sources = models.JSONField(default=list, help_text="Source tags into DOMAIN.md")
    expected_minutes = models.PositiveSmallIntegerField(default=10)
    # ISA-95 tags (apps.bank.isa95): the Part 3 categories and generic activities the question
    # samples, whether it is about the Level 3-4 boundary, and otherwise why it samples none.
    # Sessions freeze their own copy, so correcting a used version's tags needs no new version.
    isa95_categories = models.JSONField(default=list, blank=True)
    isa95_activities = models.JSONField(default=list, blank=True)
    isa95_boundary = models.BooleanField(default=False)
    isa95_outside = models.CharField(max_length=isa95.OUTSIDE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["competency__order", "level_id", "key"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="question_key_version"),
            models.UniqueConstraint(
                fields=["key"], condition=Q(is_latest=True), name="one_latest_version_per_key"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["oral", "written", "scenario"]), name="question_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["is_latest", "status", "level"])]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def track_tag(self) -> str:
        return self.track.key if self.track_id else CORE

    @property
    def critical_flags(self) -> list[str]:
        return [f["text"] for f in self.red_flags if f.get("critical")]


class Criterion(models.Model):
    """One rubric criterion of a question version; its anchors describe ratings 0-4."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    weight = models.FloatField(default=1.0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="criterion_key_per_question"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.question.key}: {self.label}"


class Anchor(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="anchors")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["criterion_id", "rating"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "rating"], name="anchor_rating_per_criterion"
            ),
            models.CheckConstraint(condition=Q(rating__lte=4), name="anchor_rating_0_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}: {self.text[:40]}"


class KitQuerySet(models.QuerySet):
    def visible_to(self, organization: Organization | None) -> KitQuerySet:
        scope = Q(organization__isnull=True)
        if organization is not None:
            scope |= Q(organization=organization)
        return self.filter(scope)

    def own_first(self) -> KitQuerySet:
        """The organization's own kits before shipped ones. NULLs sort last explicitly: SQLite
        and PostgreSQL disagree on where they go by default."""
        return self.order_by(F("organization_id").asc(nulls_last=True), "pk")


class Kit(models.Model):
    """A question set for one track and target level; competency weights sum to 1."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="kits"
    )
    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="kits")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="kits")
    take_home = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    competency_weights = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = KitQuerySet.as_manager()

    class Meta:
        ordering = ["track__order", "level_id", "take_home", "key"]

    def __str__(self) -> str:
        return self.name


class KitItem(models.Model):
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="kit_items")
    weight = models.FloatField(default=1.0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kit_id", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="kit_item_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kit.key} #{self.order}: {self.question.key}"


class Source(models.Model):
    """A source tag of DOMAIN.md's source list, which questions cite (``S3``, ``S36b``)."""

    tag = models.CharField(max_length=10, unique=True)
    title = models.CharField(max_length=300)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.tag} {self.title}"


class PlanQuerySet(models.QuerySet):
    def visible_to(self, organization: Organization | None) -> PlanQuerySet:
        scope = Q(organization__isnull=True)
        if organization is not None:
            scope |= Q(organization=organization)
        return self.filter(scope)

    def own_first(self) -> PlanQuerySet:
        """The organization's own plans before shipped ones (NULLs last on every database)."""
        return self.order_by(F("organization_id").asc(nulls_last=True), "pk")


class Plan(models.Model):
    """An interview plan: ordered stages (a screen, a take-home, a panel...) for one track and
    target level. ``competency_weights`` are the role's default weights and sum to 1.

    Shipped plans (``organization = NULL``, one per track x level, ``fixtures/bank/plans.yaml``)
    must pass the simulation in SCORING.md ("What a kit and a plan must make possible"):
    ``apps.bank.plans.simulate_plan`` and ``manage.py plan_check``.
    """

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="plans"
    )
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="plans")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="plans")
    description = models.TextField(blank=True)
    competency_weights = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["track__order", "level_id", "key"]
        constraints = [
            # One key per organization, and one among shipped plans (NULLs are distinct in a
            # plain unique constraint, hence the second, conditional one).
            models.UniqueConstraint(fields=["organization", "key"], name="plan_key_per_org"),
            models.UniqueConstraint(
                fields=["key"], condition=Q(organization__isnull=True), name="plan_key_shipped"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanStage(models.Model):
    """One stage of a plan: a live interview or a take-home, run with one kit.

    ``panel_size`` is how many interviewers rate each item (>= 1; a take-home is usually rated
    by one). ``expected_minutes`` empty means "the sum of the kit's questions' minutes", which
    :attr:`minutes` resolves, so a kit edit never leaves a stale figure behind.
    """

    class Mode(models.TextChoices):
        LIVE = "live", "Live interview"
        TAKE_HOME = "take_home", "Take-home"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=120)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.LIVE)
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="plan_stages")
    expected_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty: the sum of the kit's questions' minutes."
    )
    panel_size = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["plan_id", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(panel_size__gte=1), name="plan_stage_panel_size"),
            models.CheckConstraint(
                condition=Q(mode__in=["live", "take_home"]), name="plan_stage_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.key} #{self.order}: {self.name}"

    @property
    def minutes(self) -> int:
        if self.expected_minutes is not None:
            return self.expected_minutes
        return sum(item.question.expected_minutes for item in self.kit.items.all())


class QuestionReport(models.Model):
    """A tenant's report of a problem with a shipped question (a wrong fact, an unclear anchor,
    a question the item statistics flag): shipped questions are read-only to tenants, so this
    is how a problem reaches the bank's editors (platform staff, in the Django admin, and by
    e-mail to ``BANK_EDITORS_EMAIL``). The question version is the one the reporter saw."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="question_reports"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, help_text="What the editors did (for the record).")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["resolved_at", "-created_at"])]

    def __str__(self) -> str:
        return f"Report #{self.pk} on {self.question.key} v{self.question.version}"
