"""django-auditlog's middleware, believing only REMOTE_ADDR for the client's address.

auditlog's own middleware prefers the first X-Forwarded-For address when there is one; a client
can write that header, so it would let anyone choose the address the audit trail records. The
project's rule (apps/takehome/security.py, apps/shortlists) is that a trusted proxy sets the real
address into REMOTE_ADDR; this keeps the trail to that rule. Everything else (the actor, the
correlation id, the port) is auditlog's.
"""

from auditlog.middleware import AuditlogMiddleware

from .events import remote_addr_of


class AuditMiddleware(AuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request):
        return remote_addr_of(request)

    @staticmethod
    def _get_remote_port(request) -> int | None:
        # X-Forwarded-Port is as writable as X-Forwarded-For: not recorded.
        return None
