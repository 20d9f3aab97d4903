"""Calibration (issue 14): how far interviewers agree, and practice answers to calibrate on.

- ``selectors.calibration_report``: Krippendorff's alpha per question, per kit and per
  interviewer, and rater drift, from the same item ratings the scores rest on
  (``apps.interviews.services.scoring.card_item_ratings``), with the maths in
  ``apps.scoring.agreement``. Org admins only; aggregate-only organizations get no names.
- ``PracticeAnswer`` / ``PracticeRating``: a reference answer an admin rated per criterion,
  which members rate blind and only then compare with the reference.
"""
