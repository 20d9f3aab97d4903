"""The self-reported group questions a candidate may answer, voluntarily.

Categories follow the US EEO-1 component 1 categories (sex; race/ethnicity) and the ADEA's
40-and-over line, because the four-fifths rule (29 CFR 1607.4(D)) is read against them; every
question has "prefer not to say", which is left out of every ratio like an unanswered question.
"""

from __future__ import annotations

PREFER_NOT = "prefer_not_to_say"

DIMENSIONS: dict[str, dict] = {
    "sex": {
        "label": "Sex",
        "question": "What is your sex?",
        "options": [("female", "Female"), ("male", "Male"), ("another", "Another / non-binary")],
    },
    "ethnicity": {
        "label": "Race or ethnicity",
        "question": "Which best describes your race or ethnicity?",
        "options": [
            ("hispanic_latino", "Hispanic or Latino"),
            ("white", "White"),
            ("black", "Black or African American"),
            ("pacific_islander", "Native Hawaiian or Other Pacific Islander"),
            ("asian", "Asian"),
            ("american_indian", "American Indian or Alaska Native"),
            ("two_or_more", "Two or more races"),
        ],
    },
    "age": {
        "label": "Age",
        "question": "Are you 40 or older?",
        "options": [("under_40", "Under 40"), ("40_or_older", "40 or older")],
    },
}


def choices(dimension: str) -> list[tuple[str, str]]:
    return [*DIMENSIONS[dimension]["options"], (PREFER_NOT, "Prefer not to say")]


def value_label(dimension: str, value: str) -> str:
    return dict(choices(dimension)).get(value, value)
