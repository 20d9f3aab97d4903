# The take-home fixtures (a started invitation in a candidate's browser session).
from tests.takehome.conftest import (  # noqa: F401
    make_invitation,
    media_root,
    started,
    th_candidate,
    th_position,
)
