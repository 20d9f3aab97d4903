"""Every existing session gets its application (one per organization, candidate, position).

The role is taken from the candidate's first session for that position, as it was frozen then;
the bar is the version 2 default (62.5), since version 1 positions had none of their own.
Session results stay as they are (scoring version 1) until an explicit rescore, which also
computes the applications' results: `manage.py rescore_sessions`.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Application = apps.get_model("interviews", "Application")
    CandidateSession = apps.get_model("interviews", "CandidateSession")
    applications = {}
    sessions = CandidateSession.objects.filter(application__isnull=True).order_by("created_at", "pk")
    for session in sessions.iterator():
        key = (session.organization_id, session.candidate_id, session.position_id)
        application = applications.get(key)
        if application is None:
            application, _ = Application.objects.get_or_create(
                organization_id=session.organization_id,
                candidate_id=session.candidate_id,
                position_id=session.position_id,
                defaults={
                    "role_track": session.role_track,
                    "role_level": session.role_level,
                    "role_weights": session.role_weights,
                    "role_bar": 62.5,
                    "role_panel_size": 2,
                },
            )
            applications[key] = application
        CandidateSession.objects.filter(pk=session.pk).update(application=application)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0003_applications")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
