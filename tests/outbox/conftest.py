# The take-home fixtures (a position with written questions, a candidate, make_invitation).
from tests.takehome.conftest import (  # noqa: F401
    make_invitation,
    started,
    th_candidate,
    th_position,
)
