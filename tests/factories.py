"""factory_boy factories for every model the tests build by hand."""

import factory
from django.contrib.auth import get_user_model

from apps.accounts.models import Membership, Organization, Role
from apps.bank.models import Anchor, Competency, Criterion, Kit, KitItem, Level, Question, Track
from apps.interviews.models import Candidate


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.INTERVIEWER


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track
        django_get_or_create = ("key",)

    key = "plant"
    name = factory.LazyAttribute(lambda t: t.key.title())


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level
        django_get_or_create = ("number",)

    number = 2
    name = factory.LazyAttribute(lambda lv: f"Level {lv.number}")


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency
        django_get_or_create = ("key",)

    key = "production_execution"
    name = "Production execution"
    isa95_area = "production"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"test-q-{n}")
    competency = factory.SubFactory(CompetencyFactory)
    track = factory.SubFactory(TrackFactory)
    level = factory.SubFactory(LevelFactory)
    kind = Question.Kind.ORAL
    status = Question.Status.PUBLISHED
    prompt = factory.Sequence(lambda n: f"How do you dispatch work order {n} at your plant?")
    guidance = "Listen for dispatching as a Level 3 activity."
    key_points = ["releases work orders", "assigns resources", "reports status"]
    follow_ups = ["What happens when a machine goes down?"]
    red_flags = [{"text": "Places MES at Level 4", "critical": True}]
    sources = ["S12"]

    @factory.post_generation
    def rubric(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        crit = Criterion.objects.create(question=obj, key="accuracy", label="Accuracy", weight=1)
        Anchor.objects.bulk_create(
            [Anchor(criterion=crit, rating=r, text=f"anchor {r} of {obj.key}") for r in range(5)]
        )


class KitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kit

    key = factory.Sequence(lambda n: f"test-kit-{n}")
    name = factory.Sequence(lambda n: f"Test kit {n}")
    track = factory.SubFactory(TrackFactory)
    level = factory.SubFactory(LevelFactory)
    competency_weights = {"production_execution": 1.0}


class KitItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitItem

    kit = factory.SubFactory(KitFactory)
    question = factory.SubFactory(QuestionFactory)


def make_kit(n_items: int = 3, *, track_key: str = "plant", level: int = 2, organization=None):
    """A kit of ``n_items`` published questions with two criteria each, weights summing to 1."""
    track = TrackFactory(key=track_key)
    lv = LevelFactory(number=level)
    kit = KitFactory(
        track=track,
        level=lv,
        organization=organization,
        competency_weights={"production_execution": 0.6, "quality_operations": 0.4},
    )
    quality = CompetencyFactory(key="quality_operations", name="Quality", isa95_area="quality")
    for i in range(n_items):
        q = QuestionFactory(
            track=track, level=lv, competency=quality if i % 2 else CompetencyFactory()
        )
        Criterion.objects.create(question=q, key="depth", label="Depth", weight=2, order=1)
        crit = q.criteria.get(key="depth")
        Anchor.objects.bulk_create(
            [Anchor(criterion=crit, rating=r, text=f"depth {r} of {q.key}") for r in range(5)]
        )
        KitItemFactory(kit=kit, question=q, order=i)
    return kit


def make_position(organization, kit, *, written: bool = False, **fields):
    """A role brief on ``kit`` made through the service (weights from the kit, brief checked).
    ``written`` turns the kit's questions into written ones, so a take-home can use them."""
    from apps.interviews import services

    if written:
        Question.objects.filter(kit_items__kit=kit).update(kind=Question.Kind.WRITTEN)
    defaults = {"client_company": "Client", "title": "MES Engineer", "job_description": ""}
    return services.position_create(
        organization=organization, created_by=None, track=kit.track, level=kit.level, kit=kit,
        **{**defaults, **fields},
    )  # fmt: skip


class CandidateSessionFactory(factory.Factory):
    """A session built through the service (so the kit is frozen), in a fresh organization."""

    class Meta:
        model = dict

    n_items = 3

    @classmethod
    def _create(cls, model_class, n_items=3, organization=None, **kwargs):
        from apps.interviews import services

        org = organization or OrganizationFactory()
        position = make_position(org, make_kit(n_items), job_description="Shop floor MES.")
        n = Candidate.objects.count()
        candidate = services.candidate_create(
            organization=org, name=f"Candidate {n}", email=f"c{n}-{org.slug}@example.com"
        )
        return services.session_create(position=position, candidate=candidate, **kwargs)
