"""Open data of the later stages (issue 10 item 9), on the pure builders (plain values, no database):

- OCDS: a call announced before its window opens is `planned` (tenderStatus codelist: scheduled, not yet
  taking place), then a `tenderUpdate` makes it `active`; the award release at the publication of the
  results (pending awards, the NGOs as supplier parties, the lot in relatedLots), the awardUpdate at the
  award (active), a contract release per signed agreement and an implementation release per released
  tranche: every package validates against the vendored OCDS 1.1.5 schema with the lots extension;
- 360Giving 1.4: the grants validate against the vendored 1.4.3 schema, organizations as KZ-BIN-<BIN>;
- scores: a row per application, member and criterion, recused members marked and without points;
- awards: nothing before the results are published, then pending, then active with the tranches;
- CSV cells are neutralized."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from asar.competitions.opendata import giving, ocds, rows
from asar.csvsafe import dict_rows_to_csv
from tests.competitions.opendata_schemas import assert_valid_360giving, assert_valid_ocds, giving_validator

T0 = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)  # intake opens (09:00 in Almaty)
ISSUER = ocds.Party("971240001315", "Акимат", "Әкімдік", "Акимат")
NGO_A = ocds.Party("180540012345", "ОФ «Жастар»")
NGO_B = ocds.Party("190640023456", "=cmd|' /C calc'!A0")  # a name a spreadsheet would run


def _call(**changes: Any) -> ocds.CallData:
    base = ocds.CallData(id=7, kind="state_grant", status="published", title_kk="Жастар", title_ru="Молодёжь",
                         title_en="", description="", total_budget=20_000_000, opens_at=T0,
                         closes_at=T0 + timedelta(days=25), published_at=T0 - timedelta(days=3), issuer=ISSUER,
                         lots=[ocds.LotData(11, 1, "Лот 1", 10_000_000), ocds.LotData(12, 2, "Лот 2", 10_000_000)])
    return ocds.CallData(**{**base.__dict__, **changes})


def _package(releases: list[dict[str, Any]]) -> dict[str, Any]:
    package = ocds.release_package(releases, uri="https://asar.kz/x", publisher="ASAR",
                                   publisher_uri="https://asar.kz/", now=T0)
    assert_valid_ocds(package)
    return package


PUBLISHED = T0 + timedelta(days=60)  # the results
AWARDED = PUBLISHED + timedelta(days=10)
WINNERS = [ocds.WinnerData(101, 11, "Клуб", 9_000_000, NGO_A, rank=1, registration_number="G-7-0001"),
           ocds.WinnerData(102, 12, "Кружок", 8_000_000, NGO_A, rank=2, registration_number="G-7-0002"),
           ocds.WinnerData(103, 12, "Школа", 2_000_000, NGO_B, rank=1, registration_number="G-7-0003")]


def _grants() -> list[ocds.GrantData]:
    tranches = [ocds.TrancheData(1, 1, 4_000_000, AWARDED + timedelta(days=5), "Аванс"),
                ocds.TrancheData(2, 2, 5_000_000, AWARDED + timedelta(days=90)),
                ocds.TrancheData(3, 3, 0 + 1, None)]
    return [ocds.GrantData(501, 101, 11, "Клуб", 9_000_000, NGO_A, AWARDED, signed_at=AWARDED + timedelta(days=2),
                           duration_months=12, tranches=tranches, url="https://asar.kz/projects/9",
                           description="План\nработы " * 400, applied_for=9_500_000),
            ocds.GrantData(502, 102, 12, "Кружок", 8_000_000, NGO_A, AWARDED),  # not signed yet
            ocds.GrantData(503, 103, 12, "Школа", 2_000_000, NGO_B, AWARDED)]


def test_a_call_announced_before_its_window_opens_is_planned_then_active() -> None:
    call = _call()
    before = ocds.tender_release(call, prefix="ocds-abc123", now=T0 - timedelta(seconds=1))
    assert before["tag"] == ["tender"] and before["tender"]["status"] == "planned"
    assert {lot["status"] for lot in before["tender"]["lots"]} == {"planned"}
    opened = ocds.tender_release(call, prefix="ocds-abc123", now=T0)
    assert opened["tag"] == ["tenderUpdate"] and opened["tender"]["status"] == "active"
    assert opened["date"] == ocds.stamp(T0) and opened["id"] != before["id"]
    # announced while already open: a tender release, active at once
    late = ocds.tender_release(_call(published_at=T0 + timedelta(hours=1)), prefix="ocds-abc123",
                               now=T0 + timedelta(hours=2))
    assert late["tag"] == ["tender"] and late["tender"]["status"] == "active"
    for release in (before, opened, late):
        _package([release])


def test_award_contract_and_implementation_releases_validate_against_ocds() -> None:
    # at the decision: the tender release and the award release (pending during the appeal window)
    decided = ocds.releases(_call(status="appeals"), prefix="ocds-abc123", now=PUBLISHED + timedelta(days=1),
                            winners=WINNERS, results_published_at=PUBLISHED, decided_at=PUBLISHED - timedelta(days=1))
    assert [r["tag"] for r in decided] == [["tenderUpdate"], ["award"]]
    award = decided[1]
    assert award["date"] == ocds.stamp(PUBLISHED) and award["buyer"]["id"] == "KZ-BIN-971240001315"
    assert {a["date"] for a in award["awards"]} == {ocds.stamp(PUBLISHED - timedelta(days=1))}  # the meeting
    assert [(a["id"], a["status"], a["value"]["amount"], a["relatedLots"], a["suppliers"][0]["id"])
            for a in award["awards"]] == [("award-101", "pending", 9_000_000, ["11"], "KZ-BIN-180540012345"),
                                          ("award-102", "pending", 8_000_000, ["12"], "KZ-BIN-180540012345"),
                                          ("award-103", "pending", 2_000_000, ["12"], "KZ-BIN-190640023456")]
    parties = {p["id"]: p["roles"] for p in award["parties"]}  # NGO A won two lots: one party
    assert parties == {"KZ-BIN-971240001315": ["buyer", "procuringEntity"], "KZ-BIN-180540012345": ["supplier"],
                       "KZ-BIN-190640023456": ["supplier"]}
    assert award["parties"][1]["identifier"] == {"scheme": "KZ-BIN", "id": "180540012345",
                                                 "legalName": "ОФ «Жастар»"}
    _package(decided)
    # awarded: the award turns active, one agreement signed, two of its tranches released
    done = ocds.releases(_call(status="awarded", awarded_at=AWARDED), prefix="ocds-abc123",
                         now=AWARDED + timedelta(days=100), winners=WINNERS, results_published_at=PUBLISHED,
                         decided_at=PUBLISHED - timedelta(days=1), grants=_grants())
    assert [r["tag"][0] for r in done] == ["award", "tenderUpdate", "awardUpdate", "contract", "implementation",
                                           "implementation"]
    tender = next(r for r in done if r["tag"] == ["tenderUpdate"])
    assert tender["tender"]["status"] == "complete" and tender["date"] == ocds.stamp(AWARDED)
    assert award["id"] == done[0]["id"]  # the award release does not change once published: same id
    update = done[2]
    assert {a["status"] for a in update["awards"]} == {"active"} and update["awards"][0]["contractPeriod"] == {
        "durationInDays": 365}
    contract = done[3]["contracts"][0]
    assert contract["awardID"] == "award-101" and contract["dateSigned"] == ocds.stamp(AWARDED + timedelta(days=2))
    first, second = (r["contracts"][0]["implementation"]["transactions"] for r in done[4:])
    assert [t["value"]["amount"] for t in first] == [4_000_000]
    assert [t["value"]["amount"] for t in second] == [4_000_000, 5_000_000]  # up to and including the tranche
    assert first[0]["payer"]["id"] == ISSUER.id and first[0]["payee"]["id"] == NGO_A.id
    assert len({r["id"] for r in done}) == len(done)
    _package(done)


def test_grants_as_360giving_1_4_validate_with_kz_bin_organizations() -> None:
    # the results went public at 20:00 UTC: 01:00 the next day in Almaty, the awardDate
    programme = giving.Programme(ocid="ocds-abc123-call-7", title="Молодёжь", funder=ISSUER,
                                 decided_at=datetime(2027, 5, 1, 20, 0, tzinfo=UTC),
                                 url="https://asar.kz/competitions/7", regions=(("KZ-75", "Алматы"), ("KZ-79", "Шымкент")))
    grants = [giving.grant(g, programme, prefix="360G-asarkz") for g in _grants()]
    package = giving.package(grants, title="ASAR grants", publisher="ASAR", publisher_url="https://asar.kz/",
                             now=AWARDED)
    assert_valid_360giving(package)
    first = grants[0]
    assert first["id"] == "360G-asarkz-501" and first["awardDate"] == "2027-05-02"
    assert first["recipientOrganization"] == [{"id": "KZ-BIN-180540012345", "name": "ОФ «Жастар»"}]
    assert first["fundingOrganization"] == [{"id": "KZ-BIN-971240001315", "name": "Акимат"}]
    assert first["amountAwarded"] == 9_000_000 and first["amountAppliedFor"] == 9_500_000
    assert first["amountDisbursed"] == 9_000_000 and len(first["disbursementTransaction"]) == 2
    assert first["plannedDates"] == [{"startDate": giving.local_day(AWARDED + timedelta(days=2)).isoformat(),
                                      "duration": 12}]
    assert len(first["description"]) <= giving.MAX_DESCRIPTION and "\n" not in first["description"]
    assert first["grantProgramme"][0]["code"] == "ocds-abc123-call-7" and first["fromOpenCall"] == "Yes"
    assert grants[1]["description"] == "Кружок" and "disbursementTransaction" not in grants[1]
    for bad in ("2027-13-02", "2 May 2027", "2027-05-02T25:00:00Z"):  # the validator does check dates
        assert not giving_validator().is_valid({**package, "grants": [{**first, "awardDate": bad}]}), bad


def test_score_rows_mark_recusals_and_never_carry_a_recused_members_points() -> None:
    apps = [rows.ScoredApplication(102, 12, "G-7-0002", NGO_A), rows.ScoredApplication(101, 11, "G-7-0001", NGO_B)]
    members = [rows.Member(2, "Б. Серікова"), rows.Member(1, "А. Ахметов")]
    criteria = [rows.CriterionInfo(31, 1, "Relevance", 60, 10), rows.CriterionInfo(32, 2, "Budget", 40, 5)]
    sheets = {(1, 101): {31: 8, 32: 4}, (2, 101): {31: 6, 32: 5}, (1, 102): {31: 9, 32: 3},
              (2, 102): {31: 10, 32: 5}}  # member 2's sheet on 102 must not leak: they are recused
    out = rows.score_rows(call_id=7, ocid="ocds-abc123-call-7", applications=apps, members=members,
                          criteria=criteria, sheets=sheets, recused={(2, 102)})
    assert len(out) == 2 * 2 * 2 and all(tuple(r) == rows.SCORE_COLUMNS for r in out)
    assert [(r["application_id"], r["member_id"], r["criterion_id"], r["points"], r["recused"]) for r in out] == [
        (101, 1, 31, 8, False), (101, 1, 32, 4, False), (101, 2, 31, 6, False), (101, 2, 32, 5, False),
        (102, 1, 31, 9, False), (102, 1, 32, 3, False), (102, 2, 31, None, True), (102, 2, 32, None, True)]
    parsed = list(csv.DictReader(io.StringIO(dict_rows_to_csv(rows.SCORE_COLUMNS, rows.csv_cells(out)))))
    assert parsed[0]["applicant_name"] == "'=cmd|' /C calc'!A0"  # neutralized
    assert (parsed[-1]["points"], parsed[-1]["recused"]) == ("", "true")


def test_award_rows_start_with_the_published_results() -> None:
    lots = [rows.LotInfo(11, 1, "Лот 1"), rows.LotInfo(12, 2, "Лот 2")]
    args: dict[str, Any] = {"call_id": 7, "ocid": "ocds-abc123-call-7", "lots": lots, "winners": WINNERS}
    assert rows.award_rows(**args, results_published_at=None) == []  # never before publication
    pending = rows.award_rows(**args, results_published_at=PUBLISHED)
    assert [(r["lot_number"], r["rank"], r["award_status"], r["award_id"]) for r in pending] == [
        (1, 1, "pending", None), (2, 1, "pending", None), (2, 2, "pending", None)]
    assert all(tuple(r) == rows.AWARD_COLUMNS for r in pending)
    active = rows.award_rows(**args, results_published_at=PUBLISHED, grants=_grants())
    first = active[0]
    assert (first["award_status"], first["award_id"], first["tranches"], first["tranches_released"],
            first["amount_released"]) == ("active", 501, 3, 2, 9_000_000)
    assert first["signed_at"] == ocds.stamp(AWARDED + timedelta(days=2)) and active[1]["signed_at"] == ""
    text = dict_rows_to_csv(rows.AWARD_COLUMNS, rows.csv_cells(active))
    assert "\"'=cmd|' /C calc'!A0\"" in text or "'=cmd|' /C calc'!A0" in text
