"""Gunicorn settings for the web process: `gunicorn -c interviewbank/gunicorn.conf.py
interviewbank.wsgi:application` (Dockerfile and docker-compose.yml)."""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# The access log, on stdout, never carries a take-home token (see gunicorn_logging.py).
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "interviewbank.gunicorn_logging.RedactingLogger"
