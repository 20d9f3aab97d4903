"""Candidate data rights (issue 14: GDPR articles 15 and 17, California's CCPA/CPRA).

- ``export``: everything held about one candidate as a zip (``candidate.json`` + the PDF report).
- ``services``: the legal hold on an application, and ``erase_candidate``, which removes or
  anonymises the candidate's personal data everywhere in one transaction while keeping the
  anonymous ratings that item statistics and calibration need.
- ``retention``: who is due for anonymisation under ``Organization.retention_months``, listed in
  a dry run at least ``GRACE_DAYS`` before the daily job erases them.

Rules it keeps: every read is scoped to one organization; a held application blocks every
erasure of its candidate; an erasure records a ``candidate.erased`` audit event with counts only.
"""
