"""The evidence report: what one candidate's page (and PDF page) shows, redacted by what the
link allows. Used by the client's share page, the recruiter's preview and the PDFs, so the
three always show the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from apps.interviews import charts
from apps.interviews.isa95_maps import isa95_evidence_map
from apps.interviews.models import Application

from . import selectors
from .models import ShareLink, Shortlist


@dataclass(frozen=True)
class Redaction:
    """What the reader sees; the defaults hide interviewer names and free-text notes."""

    show_competencies: bool = True
    show_track: bool = True
    show_flags: bool = True
    show_summary: bool = True
    show_interviewer_names: bool = False
    show_notes: bool = False

    @classmethod
    def of(cls, link: ShareLink | None) -> Redaction:
        if link is None:
            return cls()
        return cls(**{f: getattr(link, f) for f in cls.__dataclass_fields__})


def candidate_reports(
    applications: list[Application],
    *,
    redaction: Redaction,
    summaries: dict[int, str] | None = None,
    isa95_map: bool = False,
) -> list[dict]:
    """One dict per application: the rows of the compare page plus charts, summary, panel.

    With ``isa95_map`` (one candidate's report, not a list) each row also carries the ISA-95
    competency map, shown with the competencies: it takes three queries per application, so
    lists of candidates leave it out."""
    names = selectors.competency_names()
    rows = selectors.candidate_rows(applications, names)
    show_panel = redaction.show_interviewer_names or redaction.show_notes
    panels = selectors.panel_details(applications, notes=redaction.show_notes) if show_panel else {}
    for row in rows:
        application, verdict = row["application"], row["verdict"]
        row["summary"] = (summaries or {}).get(application.pk, "") if redaction.show_summary else ""
        row["panel"] = panels.get(application.pk, [])
        if not redaction.show_interviewer_names:
            for card in row["panel"]:
                card["name"] = ""
        row["show_flags"] = redaction.show_flags
        if verdict is not None:
            row["band_chart"] = charts.verdict_band(verdict.band, verdict.score, verdict.bar)
            if redaction.show_competencies:
                row["competency_chart"] = charts.competency_bars(
                    verdict.competencies, names, application.role_weights, verdict.bar
                )
            if redaction.show_competencies and isa95_map:
                row["isa95_map"] = isa95_evidence_map(application)
            if redaction.show_track:
                row["track_chart"] = charts.track_profile(verdict.track, verdict.bar)
    return rows


def shortlist_summaries(shortlist: Shortlist) -> dict[int, str]:
    return dict(shortlist.entries.values_list("application_id", "summary"))
