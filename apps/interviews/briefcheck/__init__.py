"""The role-brief check: does a job description read as plant-level MES or enterprise-level MOM?

The seed's most common job-description mistake is using MES and MOM as synonyms (DOMAIN.md 0,
[S57]): an MES engineer owns production execution at one site, a MOM architect owns the ISA-95
Level 3 operations layer and, in practice, its standardisation across sites (DOMAIN.md 3.1). This
module reads the title and the body of an ad and says which scope the body describes, which
phrases made it think so, and when to look twice. It advises; the recruiter decides.

The method is deliberately plain, so that every reading can be explained and argued with:

1. Phrases are data: ``fixtures/role_phrases.yaml`` (next to the bank) lists plant and
   enterprise phrases, each with a weight (0.5-3) and a one-sentence ``why``. Nothing is
   learned or hidden.
2. Matching is case-insensitive (acronyms listed as ``acronyms`` are case-sensitive), on whole
   words, tolerant of spacing ("multi-site" = "multisite" = "multi site") and of a plural on the
   last word ("work orders"). When two phrases overlap, the longer one wins, so "plant network"
   does not also count as "our plant".
3. A phrase found ``n`` times contributes ``weight * min(1 + REPEAT_BONUS * (n - 1), REPEAT_CAP)``:
   repetition adds evidence with diminishing returns, and one phrase cannot carry the whole ad.
4. ``P`` and ``E`` are the sums per track; ``share_enterprise = E / (P + E)``. The reading is
   ``unclear`` when ``P + E < MIN_SIGNAL``, ``plant`` when the share is at most
   ``PLANT_MAX_SHARE``, ``enterprise`` when it is at least ``ENTERPRISE_MIN_SHARE``, else
   ``mixed``.
5. The title is mapped to a track by the phrasebook's ``title_patterns`` (the longest match wins;
   a "Global MES Architect" is enterprise scope, DOMAIN.md 3.1 [S56]). Text matched by a
   ``synonym_patterns`` regex ("MES/MOM") is blanked out of title and body first: it says
   nothing about scope.
6. Warnings: ``title_body_mismatch`` (the title says one track, the body reads as the other),
   ``synonyms`` (MES and MOM written as one thing), ``mixed_scope`` and ``unclear``.

Known limits, stated rather than hidden: negation is not understood ("no multi-site
responsibility" still counts "multi-site"), company boilerplate counts like any other text, and
usage of the terms is contested (LNS does not separate them [S26], TechTarget calls MOM a merger
of ERP and MES [S27]). That is why the check only advises.

Pure Python (PyYAML only, no Django), so it can be tested and reused without a database.
"""

from .check import (
    ENTERPRISE_MIN_SHARE,
    MIN_SIGNAL,
    PLANT_MAX_SHARE,
    REPEAT_BONUS,
    REPEAT_CAP,
    BriefCheck,
    BriefWarning,
    Match,
    SynonymHit,
    Warning,
    check_brief,
)
from .phrasebook import (
    READINGS,
    TRACKS,
    Phrase,
    PhraseBook,
    SynonymPattern,
    TitlePattern,
    load_phrasebook,
)

__all__ = [
    "ENTERPRISE_MIN_SHARE",
    "MIN_SIGNAL",
    "PLANT_MAX_SHARE",
    "READINGS",
    "REPEAT_BONUS",
    "REPEAT_CAP",
    "TRACKS",
    "BriefCheck",
    "BriefWarning",
    "Match",
    "Phrase",
    "PhraseBook",
    "SynonymHit",
    "SynonymPattern",
    "TitlePattern",
    "Warning",
    "check_brief",
    "load_phrasebook",
]
