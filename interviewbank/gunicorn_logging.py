"""Gunicorn's logger with take-home tokens redacted (used by interviewbank/gunicorn.conf.py).

A candidate's link is /t/<token>/, and the token is the key to their take-home: gunicorn's
access log would otherwise write it for every visit (in the request line and, on the pages
that follow, in the Referer). Every atom of the access line goes through the same redaction as
Django's own logs (``apps.takehome.security.redact_tokens``), and the error log gets the same
filter as Django's handlers.
"""

from gunicorn.glogging import Logger

from apps.takehome.security import RedactTokens, redact_tokens


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_tokens(value) for key, value in atoms.items()}

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, RedactTokens) for f in self.error_log.filters):
            self.error_log.addFilter(RedactTokens())
