"""The role-brief check reads real-looking job ads as plant MES, enterprise MOM, mixed or unclear.

Pure Python: no database, no Django (runs with ``-p no:django``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apps.interviews.briefcheck import (
    ENTERPRISE_MIN_SHARE,
    MIN_SIGNAL,
    PLANT_MAX_SHARE,
    REPEAT_CAP,
    BriefCheck,
    PhraseBook,
    Warning,
    check_brief,
    load_phrasebook,
)

ROOT = Path(__file__).resolve().parents[2]
PHRASEBOOK = ROOT / "fixtures" / "role_phrases.yaml"


@pytest.fixture(scope="module")
def book() -> PhraseBook:
    return load_phrasebook(PHRASEBOOK)


def check(book: PhraseBook, title: str, description: str) -> BriefCheck:
    return check_brief(title=title, description=description, book=book)


def words(text: str) -> int:
    return len(text.split())


# -- the ads -----------------------------------------------------------------------------------

PLANT_AD = """\
MES Engineer - Automotive Components Plant (Leipzig)

About the role
Our plant in Leipzig produces brake components for European car makers on twelve machining and
assembly lines, running three shifts. We are looking for an MES Engineer to own the day-to-day
performance of our manufacturing execution system (Siemens Opcenter Execution Discrete) and its
connection to the shop floor.

What you will do
- Configure routings, work orders and dispatch lists in Opcenter, and keep work-order status
  accurate from release to goods receipt.
- Connect new machines and test benches to the MES via OPC UA and Kepware; work with the
  automation team on PLC handshakes and SCADA screens.
- Maintain part genealogy and track and trace for every safety-critical component.
- Build OEE and downtime reports for the production line leaders and run the morning shift
  review with operators and supervisors.
- Provide second-line support for the MES, including an on-call rota shared with two
  colleagues, and lead troubleshooting when a line stops.
- Support commissioning of the new assembly line in 2025: FAT at the machine builder, SAT in
  Leipzig, operator training and go-live support.

What you bring
- 3+ years with an MES in discrete manufacturing (Opcenter, Apriso, MPDV or similar).
- Good SQL, a working understanding of PLC and SCADA integration, and familiarity with ISA-95.
- German and English, and the wish to work on-site in Leipzig.
"""

ENTERPRISE_AD = """\
Global MES Architect - Pharmaceutical Manufacturing

Our company operates fourteen manufacturing sites in eight countries. Over the next four years
we will replace a patchwork of local MES solutions with one global MES template on a single
platform, deployed site by site from a pilot site in Ireland.

As Global MES Architect you are the technical and functional design authority for the
programme. You will:
- Define the global template and core model, maximising standardisation across sites while
  managing controlled site-specific deviations through the Centre of Excellence (CoE).
- Own the ISA-95 architecture of the operations layer, covering production, quality,
  maintenance and inventory operations, and the Level 3-4 integration with SAP S/4HANA, LIMS,
  QMS and the automation layer.
- Approve configuration vs customisation decisions and chair the template governance board.
- Maintain the MES roadmap and the application portfolio with the enterprise architecture team,
  and contribute to vendor selection for the remaining gaps.
- Plan the site rollout waves with the programme manager and report to the steering committee.
- Make sure the solution supports GxP, 21 CFR Part 11 and computer system validation at every
  site.

You bring
- 10+ years in manufacturing IT, including at least one multi-site MES programme in life
  sciences.
- Deep knowledge of ISA-95 and ISA-88 and of at least one major platform (Opcenter, PAS-X,
  Syncade, DELMIA Apriso).
- Experience leading architects and integrators across regions, and presenting to executive
  stakeholders.
- Travel to sites up to 30%.
"""

MIXED_AD = """\
MES Lead - Food & Beverage

We make snacks and cereals at our plant in Wrexham and at four other sites in the UK and
Poland. The MES Lead will look after the MES in Wrexham and help take it to the other sites.

Responsibilities
- Run the MES at our Wrexham site: work orders, dispatching, downtime and OEE on the packaging
  lines, and the links to PLCs and SCADA.
- Support operators and shift teams, and be part of the on-call rota for production support.
- Act as lead site for the group's MES programme: help the Centre of Excellence define the
  global template, document site-specific deviations, and plan the site rollout to the other
  four plants.
- Contribute to the MES roadmap and to standardisation across sites of recipes and KPIs.
- Work with the group enterprise architecture team on ERP integration with SAP.

About you
- 5+ years in MES in food, beverage or FMCG, ideally including one multi-site rollout.
- Hands-on configuration skills: you can build a screen, a report or an interface yourself.
- Comfortable speaking to operators on the shop floor and to the group steering committee.
- A full driving licence; occasional travel to Poland.

We offer a competitive salary, a pension scheme, and 25 days of holiday.
"""

MES_TITLE_STRATEGY_BODY = """\
MES Engineer

We are a global specialty chemicals group with 22 plants on four continents. Reporting to the
VP Digital Operations, you will shape our manufacturing operations strategy and the MES roadmap
for the whole plant network.

Key responsibilities
- Define the target architecture for manufacturing systems across all sites, aligned with
  ISA-95 and our enterprise architecture principles.
- Drive standardisation across sites: build the business case, run the vendor selection and
  own the global template and core model.
- Set up and lead a Centre of Excellence that governs deviations from the template and the
  global data model.
- Plan and oversee the site rollout, starting with a pilot site in 2025, and manage the system
  integrators.
- Present progress and risks to the steering committee and to regional operations leaders.
- Own the application portfolio for quality, maintenance and inventory operations as well as
  production.

Requirements
- 12+ years in manufacturing IT or operations technology, including multi-site programmes.
- Proven ability to influence senior stakeholders and to lead without formal authority.
- Strong knowledge of ISA-95, ERP integration and the main MES platforms.
- Willingness to travel internationally (about 40% of the time).

We offer a hybrid working model, an international environment and a bonus scheme.
"""

MOM_TITLE_SHOPFLOOR_BODY = """\
MOM Architect

Join the team at our plant in Tilburg, where 350 people make infant nutrition on three filling
lines and a spray dryer. You will be the go-to person for our manufacturing execution system
(Werum PAS-X) on the shop floor.

What you will do
- Author and maintain master batch records and recipes in PAS-X, and configure weigh and
  dispense for the dispensary.
- Support electronic batch record execution and review by exception with QA.
- Connect filling-line equipment to the MES through OPC UA; work with the automation engineers
  on PLC and SCADA integration.
- Keep material genealogy complete from raw material receipt to pallet.
- Train operators and shift supervisors, write work instructions, and join the on-call rota.
- Lead troubleshooting of MES incidents and take part in IQ/OQ for changes.
- Support commissioning of the fourth filling line next year.

Who you are
- 4+ years with PAS-X, Syncade or a similar pharma or food MES.
- Comfortable with SQL and with GMP documentation.
- Hands-on, based at the plant in Tilburg, five days a week.

What we offer
A permanent contract, a thirteenth month, a pension plan and a canteen that is actually good.
"""

SYNONYM_AD = """\
MES/MOM Engineer - Medical Devices

We are looking for an MES/MOM Engineer to join the manufacturing IT team at our site in Galway,
where we make catheters and stents in clean rooms. Our MES (MOM) platform, Critical
Manufacturing, runs every production order from kitting to final pack.

Responsibilities
- Configure and maintain the MES/MOM platform: flows, work instructions, data collection and
  label printing.
- Connect equipment and test stations to the MES, and keep the device history record and
  genealogy complete.
- Support operators on all shifts and take part in the on-call rota.
- Investigate incidents, troubleshoot interfaces and deliver small enhancements for the
  production lines.
- Work with QA on validation (IQ/OQ) and 21 CFR Part 11 compliance.

Requirements
- 3+ years with an MES or MOM system in a regulated industry.
- SQL, web services and basic scripting.
- Experience with ISA-95 is a plus.

What we offer
Flexible hours, a pension scheme, private health insurance and a yearly training budget. We
welcome applications from people of all backgrounds.
"""


def test_the_ads_are_realistic_length():
    for ad in (
        PLANT_AD,
        ENTERPRISE_AD,
        MIXED_AD,
        MES_TITLE_STRATEGY_BODY,
        MOM_TITLE_SHOPFLOOR_BODY,
        SYNONYM_AD,
    ):
        assert 150 <= words(ad) <= 300, words(ad)


# -- readings ----------------------------------------------------------------------------------


def test_plant_mes_engineer_ad_reads_plant_without_warnings(book):
    result = check(book, "MES Engineer", PLANT_AD)

    assert result.reading == "plant"
    assert result.title_track == "plant"
    assert result.share_enterprise is not None
    assert result.share_enterprise <= PLANT_MAX_SHARE
    assert result.enterprise_score == 0
    assert result.plant_score > 20
    assert result.warnings == ()
    top = [m.phrase for m in result.top("plant")]
    assert top == ["commissioning", "production line", "PLC"]
    [commissioning] = [m for m in result.matches if m.phrase == "commissioning"]
    assert commissioning.count == 4  # commissioning, FAT, SAT, go-live support
    assert commissioning.found == ("commissioning", "FAT", "SAT")
    assert result.summary.startswith("Reads as plant-level MES (0% enterprise signal)")
    assert result.summary.endswith("Advice only: you decide.")


def test_global_mes_architect_ad_reads_enterprise_without_warnings(book):
    result = check(book, "Global MES Architect", ENTERPRISE_AD)

    assert result.reading == "enterprise"
    # "Global MES Architect" is enterprise scope although it says MES (DOMAIN.md 3.1 [S56]).
    assert result.title_track == "enterprise"
    assert result.share_enterprise is not None
    assert result.share_enterprise >= ENTERPRISE_MIN_SHARE
    assert result.share_enterprise > 0.9
    assert result.warnings == ()
    found = {m.phrase for m in result.matches if m.track == "enterprise"}
    assert {
        "global template",
        "core model",
        "centre of excellence",
        "design authority",
        "ISA-95 architecture",
        "Level 3-4 integration",
        "quality, maintenance and inventory operations",
        "deviation governance",
        "site rollout",
        "multi-site",
    } <= found
    # The ISA-88 mention is a faint plant hint, reported rather than hidden.
    assert [m.phrase for m in result.matches if m.track == "plant"] == ["ISA-88"]


def test_mixed_ad_reads_mixed_and_asks_the_recruiter_to_clarify(book):
    result = check(book, "MES Lead", MIXED_AD)

    assert result.reading == "mixed"
    assert result.title_track is None  # "MES Lead" is used for both scopes: the body decides
    assert result.share_enterprise is not None
    assert PLANT_MAX_SHARE < result.share_enterprise < ENTERPRISE_MIN_SHARE
    assert result.warning_codes == ("mixed_scope",)
    message = result.warnings[0].message
    assert "which role they actually need" in message
    assert "Hiring one for the other tends to end in a mismatch within months" in message
    assert '"our plant"' in message or '"operator"' in message
    assert '"standardisation across sites"' in message
    assert result.summary.startswith("Reads as a mix of plant-level MES and enterprise-level MOM")
    assert "clarify which role is needed" in result.summary


def test_mes_engineer_title_over_a_multi_site_strategy_body_is_a_mismatch(book):
    result = check(book, "MES Engineer", MES_TITLE_STRATEGY_BODY)

    assert result.title_track == "plant"
    assert result.reading == "enterprise"
    assert result.warning_codes == ("title_body_mismatch",)
    message = result.warnings[0].message
    assert message.startswith('The title "MES Engineer" reads as a plant-level MES role')
    assert "the description reads as enterprise-level MOM" in message
    top3 = [m.phrase for m in result.top("enterprise", 3)]
    assert len(top3) == 3
    for phrase in top3:
        assert f'"{phrase}"' in message
    assert "the title and the body disagree" in result.summary


def test_mom_architect_title_over_a_shop_floor_body_is_a_mismatch(book):
    result = check(book, "MOM Architect", MOM_TITLE_SHOPFLOOR_BODY)

    assert result.title_track == "enterprise"
    assert result.reading == "plant"
    # The only enterprise signal is the title line pasted at the top of the ad ("MOM").
    assert [m.phrase for m in result.matches if m.track == "enterprise"] == [
        "manufacturing operations management"
    ]
    assert result.enterprise_score == 1.0
    assert result.warning_codes == ("title_body_mismatch",)
    message = result.warnings[0].message
    assert 'The title "MOM Architect" reads as an enterprise-level MOM role' in message
    assert "the description reads as plant-level MES (3% enterprise signal)" in message
    for m in result.top("plant", 3):
        assert f'"{m.phrase}"' in message


def test_mes_mom_used_as_synonyms_is_flagged_with_the_text_quoted(book):
    result = check(book, "MES/MOM Engineer", SYNONYM_AD)

    assert [(s.text, s.where) for s in result.synonyms] == [
        ("MES/MOM", "title"),
        ("MES (MOM)", "description"),
        ("MES or MOM", "description"),
    ]
    assert result.warning_codes == ("synonyms",)
    message = result.warnings[0].message
    assert message.startswith('MES and MOM are used as synonyms: "MES/MOM", "MES (MOM)", ')
    assert '"MES or MOM"' in message
    # The synonym text itself carries no scope: the title gets no track from its "MOM", and the
    # body is read from what the job actually involves.
    assert result.title_track is None
    assert result.reading == "plant"
    assert "manufacturing operations management" not in {m.phrase for m in result.matches}
    assert "MES and MOM are used as synonyms" in result.summary


@pytest.mark.parametrize(
    "text",
    [
        "Experience with MES/MOM platforms.",
        "Experience with MOM / MES platforms.",
        "You will own the MOM (MES) system.",
        "Our MES, also known as MOM, runs the plant.",
        "The MES aka MOM layer.",
        "MOM, i.e. MES, is our core system.",
        "Knowledge of Manufacturing Execution Systems (MOM).",
    ],
)
def test_synonym_patterns_catch_the_usual_spellings(book, text):
    result = check(book, "Engineer", text)
    assert "synonyms" in result.warning_codes


def test_mes_and_mom_named_as_different_things_is_not_a_synonym(book):
    text = "You understand how MES differs from MOM, and where MES sits within MOM."
    assert check(book, "MOM Architect", text).synonyms == ()


@pytest.mark.parametrize(
    "description",
    ["", "   ", "We are hiring an MES engineer. Great benefits and a friendly team."],
)
def test_empty_or_very_short_description_is_unclear(book, description):
    result = check(book, "MES Engineer", description)

    assert result.reading == "unclear"
    assert result.signal < MIN_SIGNAL
    assert result.warning_codes == ("unclear",)
    assert "too little about scope" in result.warnings[0].message
    assert result.summary.startswith("Too little scope signal")


def test_one_strong_phrase_is_still_too_little_signal(book):
    result = check(book, "Engineer", "Experience of multi-site work is welcome.")
    assert result.enterprise_score == 3.0
    assert result.reading == "unclear"
    assert result.share_enterprise == 1.0


# -- matching ----------------------------------------------------------------------------------


def test_spelling_variants_count_as_one_phrase(book):
    text = "Multi-site scope, multisite rollouts, a multi site team and MULTI-SITES everywhere."
    result = check(book, "", text)

    [match] = [m for m in result.matches if m.phrase == "multi-site"]
    assert match.count == 4
    assert match.found == ("Multi-site", "multisite", "multi site")
    # weight 3, four occurrences: 3 * min(1 + 0.5 * 3, 2.5) = 7.5
    assert match.contribution == pytest.approx(3.0 * REPEAT_CAP)


def test_plurals_hyphens_and_spellings(book):
    text = (
        "Release work orders and work-orders, keep genealogies complete, join the Center of "
        "Excellence, drive standardization across sites, and fix PLCs on the shop-floor."
    )
    counts = {m.phrase: m.count for m in check(book, "", text).matches}

    assert counts == {
        "work order": 2,
        "genealogy": 1,
        "centre of excellence": 1,
        "standardisation across sites": 1,
        "PLC": 1,
        "shop floor": 1,
    }


def test_repeats_have_diminishing_returns(book):
    once = check(book, "", "dispatching")
    twice = check(book, "", "dispatching and dispatching")
    many = check(book, "", " ".join(["dispatching"] * 10))

    assert once.plant_score == pytest.approx(2.0)
    assert twice.plant_score == pytest.approx(3.0)
    assert many.plant_score == pytest.approx(5.0)


def test_whole_words_and_case_sensitive_acronyms(book):
    text = (
        "The offline guideline says the mom and pop shop sat on fat margins; "
        "our plants use a coe-ordinated approach."
    )
    assert check(book, "", text).matches == ()


def test_the_longer_overlapping_phrase_wins(book):
    result = check(book, "", "The plant network shares one global template.")
    assert [m.phrase for m in result.matches] == ["global template", "plant network"]
    assert result.plant_score == 0


def test_title_patterns_prefer_the_most_specific(book):
    def track(title: str) -> str | None:
        return check(book, title, "").title_track

    assert track("Senior MES Engineer") == "plant"
    assert track("MES Developer (Opcenter)") == "plant"
    assert track("Automation Engineer") == "plant"
    assert track("Global MES Architect") == "enterprise"
    assert track("Head of Manufacturing Systems") == "enterprise"
    assert track("MOM Architect") == "enterprise"
    assert track("MES Architect") is None
    assert track("Project Manager") is None


# -- explanations ------------------------------------------------------------------------------


def test_matches_explain_the_decision(book):
    result = check(book, "Global MES Architect", ENTERPRISE_AD)

    contributions = [m.contribution for m in result.matches]
    assert contributions == sorted(contributions, reverse=True)
    top = result.matches[0]
    assert top.phrase == "global template"
    assert top.track == "enterprise"
    assert (top.weight, top.count) == (3.0, 2)
    assert top.contribution == pytest.approx(3.0 * 1.5)
    assert top.found == ("global MES template", "global template")
    assert top.why.startswith("Designing the global template that every site deploys")
    [coe] = [m for m in result.matches if m.phrase == "centre of excellence"]
    assert coe.found == ("Centre of Excellence", "CoE")  # one concept, counted as a repeat
    assert coe.contribution == pytest.approx(2.5 * 1.5)
    for m in result.matches:
        assert m.why.endswith(".")
        assert m.contribution == pytest.approx(m.weight * min(1 + 0.5 * (m.count - 1), 2.5))
    assert result.enterprise_score == pytest.approx(
        sum(m.contribution for m in result.matches if m.track == "enterprise")
    )
    assert 'mainly because of "global template", "centre of excellence" and' in result.summary


def test_to_dict_is_json_ready_for_storage_and_templates(book):
    data = check(book, "MES Engineer", MES_TITLE_STRATEGY_BODY).to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["reading"] == "enterprise"
    assert data["title_track"] == "plant"
    assert data["warnings"][0]["code"] == "title_body_mismatch"
    assert set(data["matches"][0]) == {
        "phrase",
        "track",
        "weight",
        "count",
        "why",
        "contribution",
        "found",
    }
    assert data["thresholds"] == {
        "min_signal": MIN_SIGNAL,
        "plant_max_share": PLANT_MAX_SHARE,
        "enterprise_min_share": ENTERPRISE_MIN_SHARE,
    }
    assert data["summary"] == check(book, "MES Engineer", MES_TITLE_STRATEGY_BODY).summary


def test_warning_is_a_code_and_a_message(book):
    result = check(book, "MES Engineer", "")
    assert isinstance(result.warnings[0], Warning)
    assert result.warnings[0].to_dict()["code"] == "unclear"


# -- the phrasebook ----------------------------------------------------------------------------


def test_shipped_phrasebook_is_sound(book):
    assert len(book.plant) >= 20
    assert len(book.enterprise) >= 20
    for phrase in book.phrases:
        assert 0.5 <= phrase.weight <= 3, phrase.phrase
        assert phrase.why.endswith("."), phrase.phrase
    assert {p.track for p in book.title_patterns} == {"plant", "enterprise"}
    assert all(s.example for s in book.synonym_patterns)


def test_briefcheck_does_not_import_django():
    code = (
        "import sys, apps.interviews.briefcheck; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


VALID = """\
kind: role_phrases
plant:
  - phrase: shop floor
    weight: 2
    why: Plant work.
enterprise:
  - phrase: multi-site
    weight: 3
    why: Many sites.
synonym_patterns:
  - pattern: '\\bMES\\s*/\\s*MOM\\b'
    example: MES/MOM
    message: Not the same.
title_patterns:
  - phrase: MES engineer
    track: plant
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "role_phrases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_accepts_a_minimal_valid_file(tmp_path):
    book = load_phrasebook(write(tmp_path, VALID))
    assert [p.phrase for p in book.phrases] == ["shop floor", "multi-site"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "weight: 2\n",
            "weight: 5\n",
            "plant[0] 'shop floor': weight must be between 0.5 and 3.0, got 5",
        ),
        ("weight: 2\n", "weight: high\n", "plant[0] 'shop floor': weight must be a number"),
        ("weight: 2\n", "weight: true\n", "plant[0] 'shop floor': weight must be a number"),
        ("- phrase: multi-site", "- phrase: ''", "enterprise[0]: phrase is empty"),
        ("- phrase: multi-site", "- phrase: ' - '", "enterprise[0] '-': phrase is empty"),
        (
            "'\\bMES\\s*/\\s*MOM\\b'",
            "'(MES/MOM'",
            "synonym_patterns[0] '(MES/MOM': pattern is not a valid regular expression",
        ),
        ("example: MES/MOM", "example: MES and MOM", "example 'MES and MOM' does not match"),
        ("track: plant", "track: shop", "title_patterns[0] 'MES engineer': track must be one of"),
        ("why: Plant work.", "why: ''", "plant[0] 'shop floor': why is missing"),
        ("weight: 3", "wieght: 3", "enterprise[0] 'multi-site': unknown field(s) wieght"),
        (
            "- phrase: multi-site",
            "- phrase: Shop-Floor",
            "enterprise 'Shop-Floor': 'Shop-Floor' is already listed under plant 'shop floor'",
        ),
        ("kind: role_phrases", "questions: []", "unknown section(s) questions"),
    ],
)
def test_loader_rejects_bad_data_naming_the_entry(tmp_path, old, new, expected):
    assert old in VALID
    with pytest.raises(ValueError, match=r"role_phrases\.yaml") as excinfo:
        load_phrasebook(write(tmp_path, VALID.replace(old, new, 1)))
    assert expected in str(excinfo.value)


def test_loader_rejects_a_file_that_is_not_a_phrasebook(tmp_path):
    with pytest.raises(ValueError, match="is not valid YAML"):
        load_phrasebook(write(tmp_path, "plant: [unclosed"))
    with pytest.raises(ValueError, match="must be a mapping"):
        load_phrasebook(write(tmp_path, "- just a list"))
    with pytest.raises(ValueError, match="plant: must be a non-empty list"):
        load_phrasebook(write(tmp_path, "enterprise: []\n"))


def test_loader_reuses_an_unchanged_file_and_rereads_an_edited_one(tmp_path):
    path = write(tmp_path, VALID)
    first = load_phrasebook(path)
    assert load_phrasebook(path) is first
    write(tmp_path, VALID.replace("weight: 2\n", "weight: 1.5\n", 1))
    assert load_phrasebook(path).plant[0].weight == 1.5


def test_loader_names_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        load_phrasebook(tmp_path / "missing.yaml")
