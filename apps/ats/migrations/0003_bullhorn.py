# Bullhorn connector (helper G): connection, status mappings, processed events,
# application links and the call log. Operations copied from makemigrations --dry-run.
import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("ats", "0002_greenhouse_key_webhook_rotation"),
        ("interviews", "0003_applications"),
    ]

    operations = [
        migrations.CreateModel(
            name='BullhornApplication',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('candidate_id', models.BigIntegerField()),
                ('submission_id', models.BigIntegerField(blank=True, null=True)),
                ('job_order_id', models.BigIntegerField(blank=True, null=True)),
                ('note_digest', models.CharField(blank=True, max_length=64)),
                ('note_id', models.BigIntegerField(blank=True, null=True)),
                ('file_digest', models.CharField(blank=True, max_length=64)),
                ('file_id', models.BigIntegerField(blank=True, null=True)),
                ('written_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='bullhorn', to='interviews.application')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bullhorn_applications', to='accounts.organization')),
            ],
        ),
        migrations.CreateModel(
            name='BullhornConnection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('client_id', models.CharField(max_length=200)),
                ('client_secret_encrypted', models.TextField()),
                ('username', models.CharField(max_length=200)),
                ('password_encrypted', models.TextField()),
                ('note_action', models.CharField(default='Assessment', max_length=100)),
                ('status', models.CharField(choices=[('pending', 'Connecting'), ('active', 'Connected'), ('disabled', 'Disabled')], default='pending', max_length=10)),
                ('status_detail', models.TextField(blank=True)),
                ('disabled_at', models.DateTimeField(blank=True, null=True)),
                ('oauth_url', models.URLField(blank=True, max_length=500)),
                ('login_rest_url', models.URLField(blank=True, max_length=500)),
                ('rest_url', models.URLField(blank=True, max_length=500)),
                ('access_token_encrypted', models.TextField(blank=True)),
                ('access_expires_at', models.DateTimeField(blank=True, null=True)),
                ('refresh_token_encrypted', models.TextField(blank=True)),
                ('rest_token_encrypted', models.TextField(blank=True)),
                ('rest_token_expires_at', models.DateTimeField(blank=True, null=True)),
                ('subscription_id', models.CharField(blank=True, max_length=100)),
                ('subscribed_at', models.DateTimeField(blank=True, null=True)),
                ('pending_request_id', models.BigIntegerField(blank=True, null=True)),
                ('last_request_id', models.BigIntegerField(blank=True, null=True)),
                ('last_polled_at', models.DateTimeField(blank=True, null=True)),
                ('polling_until', models.DateTimeField(blank=True, null=True)),
                ('paused_until', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='bullhorn_connection', to='accounts.organization')),
            ],
        ),
        migrations.CreateModel(
            name='BullhornCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('method', models.CharField(max_length=10)),
                ('path', models.CharField(max_length=500)),
                ('status', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('duration_ms', models.PositiveIntegerField(default=0)),
                ('error', models.CharField(blank=True, max_length=500)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bullhorn_calls', to='accounts.organization')),
            ],
            options={
                'ordering': ['-at', '-pk'],
                'indexes': [models.Index(fields=['organization', '-at'], name='bullhorn_call_org_at')],
            },
        ),
        migrations.CreateModel(
            name='BullhornEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.CharField(max_length=200)),
                ('request_id', models.BigIntegerField(blank=True, null=True)),
                ('entity_name', models.CharField(max_length=50)),
                ('entity_id', models.BigIntegerField(blank=True, null=True)),
                ('event_type', models.CharField(blank=True, max_length=20)),
                ('outcome', models.CharField(blank=True, max_length=300)),
                ('processed_at', models.DateTimeField(auto_now_add=True)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bullhorn_events', to='accounts.organization')),
            ],
            options={
                'ordering': ['-processed_at', '-pk'],
                'constraints': [models.UniqueConstraint(fields=('organization', 'event_id'), name='bullhorn_event_once')],
            },
        ),
        migrations.CreateModel(
            name='BullhornStatusMapping',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(max_length=100)),
                ('send_takehome', models.BooleanField(default=False)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bullhorn_mappings', to='accounts.organization')),
                ('position', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='interviews.position')),
            ],
            options={
                'ordering': ['status'],
                'constraints': [models.UniqueConstraint(models.F('organization'), django.db.models.functions.text.Lower('status'), name='bullhorn_mapping_status')],
            },
        ),
    ]
