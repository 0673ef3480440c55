"""Open data of the competitions (issue 10 item 9), on one world per module (tests/competitions/
application_helpers.py: a published call with three lots, a draft on lot 1 and a submitted application
on lot 2, plus a published call whose Russian title starts with `=`):

- the OCDS 1.1 tender release package of a published call validates against the vendored OCDS 1.1.5
  release-package schema with the lots extension v1.1.5 merged in, `$ref`s resolved locally (no
  network), before and after intake closes (numberOfTenderers), and the builder's other tags too;
- CSV neutralizes a title a spreadsheet would run as a formula;
- a call's lots carry counts of submitted applications only, never who applied; drafts are not open data;
- every parameter is bounded (in the OpenAPI schema, and refused beyond it);
- the list and the call page link to the files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import asar.competitions.opendata.api as opendata_api
from asar.accounts.models import User
from asar.competitions.applications.service import submitted_by_lot
from asar.competitions.models import Call
from asar.competitions.opendata import ocds
from asar.competitions.opendata.service import CALL_COLUMNS, LOT_COLUMNS
from tests.competitions.application_helpers import World, build_world
from tests.competitions.helpers import make_call, window
from tests.competitions.opendata_schemas import SCHEMAS, _load, assert_valid_ocds
from tests.organizations.helpers import bearer, make_official


class OpenWorld:
    def __init__(self, base: World, formula_call: int, draft_call: int, region: int) -> None:
        self.base, self.formula_call, self.draft_call, self.region = base, formula_call, draft_call, region


@pytest.fixture(scope="module")
async def world(table: Any) -> OpenWorld:
    async with table.build() as session:
        base = await build_world(session)
        official, _body = await make_official(session)
        opens_at, closes_at = window(days_from_now=-1)
        formula = await make_call(session, official, publish=True, opens_at=opens_at, closes_at=closes_at,
                                  title_ru='=HYPERLINK("http://evil.example","Click")', title_kk="")
        draft = await make_call(session, official)
        await session.commit()
        return OpenWorld(base, formula.id, draft.id, formula.region_ids[0])


async def test_the_tender_package_of_a_published_call_validates_against_ocds_1_1(
        world: OpenWorld, table_case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, session = table_case.client, table_case.session
    r = await client.get(f"/api/v1/open-data/calls/{world.base.call}/ocds.json")
    assert r.status_code == 200, r.text
    package = r.json()
    assert_valid_ocds(package)
    release = package["releases"][0]
    assert release["ocid"] == f"ocds-asarkz-call-{world.base.call}" and release["tag"] == ["tender"]
    party = release["parties"][0]
    assert party["id"].startswith("KZ-BIN-") and party["identifier"]["scheme"] == "KZ-BIN"
    assert len(party["identifier"]["id"]) == 12 and party["roles"] == ["buyer", "procuringEntity"]
    assert release["buyer"]["id"] == party["id"] == release["tender"]["procuringEntity"]["id"]
    tender = release["tender"]
    assert tender["value"] == {"amount": 30_000_000, "currency": "KZT"}
    assert [lot["value"]["amount"] for lot in tender["lots"]] == [10_000_000] * 3
    assert "numberOfTenderers" not in tender  # intake is open: the count is told once it closes
    # an amendment (the rules are locked: the first application is submitted) makes a tenderAmendment
    official = await session.get(User, world.base.users["official"])
    r = await client.patch(f"/api/v1/competitions/{world.base.call}", headers=await bearer(session, official),
                           json={"title_en": "Youth initiatives", "reason": "English title added."})
    assert r.status_code == 200 and r.json()["amendments"] == 1, r.text
    package = (await client.get(f"/api/v1/open-data/calls/{world.base.call}/ocds.json")).json()
    assert_valid_ocds(package)
    release = package["releases"][0]
    assert release["tag"] == ["tenderAmendment"] and release["tender"]["title_en"] == "Youth initiatives"
    assert release["tender"]["amendments"][0]["rationale"] == "English title added."
    # once intake has closed: a tenderUpdate with the submitted applications (the draft does not count)
    call = await session.get(Call, world.base.call)
    monkeypatch.setattr(opendata_api, "utcnow", lambda: call.closes_at + timedelta(seconds=1))
    r = await client.get(f"/api/v1/open-data/calls/{world.base.call}/ocds.json")
    package = r.json()
    assert_valid_ocds(package)
    assert package["releases"][0]["tag"] == ["tenderUpdate"]
    assert package["releases"][0]["tender"]["numberOfTenderers"] == 1
    r = await client.get("/api/v1/open-data/ocds.json?kind=state_grant&per_page=10")
    assert r.status_code == 200 and len(r.json()["releases"]) == 3
    assert_valid_ocds(r.json())


def test_the_builder_tags_amendments_and_cancellations_and_stays_valid() -> None:
    """Pure builder: an amended call is a tenderAmendment (with tender.amendments), a cancelled one a
    tenderCancellation; both packages validate."""
    t0 = datetime(2027, 3, 1, 4, 0, tzinfo=UTC)
    base = ocds.CallData(id=7, kind="state_social_order", status="published", title_kk="Қазақша", title_ru="",
                         title_en="English", description="", total_budget=5_000_000, opens_at=t0,
                         closes_at=t0 + timedelta(days=25), published_at=t0 - timedelta(days=1),
                         issuer=ocds.Party("971240001315", "Әкімдік", "Әкімдік", "Акимат"),
                         lots=[ocds.LotData(11, 1, "Lot", 5_000_000)],
                         amendments=[ocds.AmendmentData(1, "Бюджет уточнён.", t0 + timedelta(days=2), ("lots",))])
    release = ocds.tender_release(base, prefix="ocds-abc123", now=t0 + timedelta(days=3))
    assert release["tag"] == ["tenderAmendment"] and release["tender"]["amendments"][0]["rationale"]
    assert release["tender"]["title"] == "Қазақша" and release["tender"]["title_en"] == "English"
    cancelled = ocds.tender_release(
        ocds.CallData(**{**base.__dict__, "status": "cancelled", "cancelled_at": t0 + timedelta(days=4)}),
        prefix="ocds-abc123", now=t0 + timedelta(days=5))
    assert cancelled["tag"] == ["tenderCancellation"] and cancelled["tender"]["status"] == "cancelled"
    assert release["id"] != cancelled["id"]
    for r in (release, cancelled):
        assert_valid_ocds(ocds.release_package([r], uri="https://asar.kz/x", publisher="ASAR",
                                               publisher_uri="https://asar.kz/", now=t0))


def test_the_vendored_schemas_are_the_standards_bytes() -> None:
    """Each vendored file is byte for byte the blob that SOURCES.json records (`git hash-object`), at its
    tag in the standard's repository: a local edit or a swapped file fails here."""
    sources = json.loads((SCHEMAS / "SOURCES.json").read_text(encoding="utf-8"))["files"]
    on_disk = {str(p.relative_to(SCHEMAS)) for p in SCHEMAS.glob("*/*.json")}
    assert on_disk == {entry["file"] for entry in sources}
    for entry in sources:
        data = (SCHEMAS / entry["file"]).read_bytes()
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == entry["git_blob"], entry["file"]


def test_the_vendored_360giving_schema_is_a_valid_2020_12_schema() -> None:
    """Grants come with awards (item 7); the schema is vendored now and must load and resolve locally."""
    grant = _load("360giving-1.4.3/360-giving-schema.json")
    package = _load("360giving-1.4.3/360-giving-package-schema.json")
    jsonschema.Draft202012Validator.check_schema(grant)
    jsonschema.Draft202012Validator.check_schema(package)
    registry: Registry = Registry().with_resource(
        package["properties"]["grants"]["items"]["$ref"], Resource.from_contents(grant, DRAFT202012))
    validator = jsonschema.Draft202012Validator(package, registry=registry)
    assert not validator.is_valid({"grants": []})  # a package has at least one grant
    assert list(validator.iter_errors({"grants": [{}]}))  # and a grant its required fields


async def test_csv_neutralizes_a_title_that_starts_with_a_formula(world: OpenWorld, table_case: Any) -> None:
    client = table_case.client
    r = await client.get("/api/v1/open-data/calls.csv?per_page=50")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    row = next(x for x in rows if x["id"] == str(world.formula_call))
    assert row["title_ru"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["issuer_identifier"].startswith("KZ-BIN-") and row["currency"] == "KZT"
    assert not any(x["id"] == str(world.draft_call) for x in rows)  # drafts are never open data
    r = await client.get("/api/v1/open-data/lots.csv?kind=state_grant")
    assert r.status_code == 200 and r.text.startswith("call_id,ocid,lot_id,")


async def test_every_csv_names_its_type_and_charset_once(world: OpenWorld, table_case: Any) -> None:
    """`text/csv; charset=utf-8; charset=utf-8` (the charset given twice, an error by RFC 6838) was served."""
    call = world.base.call
    for path in ("/api/v1/open-data/calls.csv", "/api/v1/open-data/lots.csv", "/api/v1/open-data/awards.csv",
                 f"/api/v1/open-data/calls/{call}/lots.csv", f"/api/v1/open-data/calls/{call}/awards.csv"):
        r = await table_case.client.get(path)
        assert r.status_code == 200, (path, r.text)
        assert r.headers["content-type"] == "text/csv; charset=utf-8", path


async def test_a_calls_lots_carry_counts_only(world: OpenWorld, table_case: Any) -> None:
    client = table_case.client
    r = await client.get(f"/api/v1/open-data/calls/{world.base.call}/lots.json")
    assert r.status_code == 200, r.text
    lots = r.json()
    assert [lot["applications"] for lot in lots] == [0, 1, 0]  # the draft on lot 1 is not counted
    shown = await submitted_by_lot(table_case.session, world.base.call)  # what the call page shows
    assert {lot["lot_id"]: lot["applications"] for lot in lots if lot["applications"]} == shown
    assert all(set(lot) == {"call_id", "ocid", "lot_id", "number", "title", "budget", "currency",
                            "duration_months", "size_class", "applications"} for lot in lots)
    for path in (f"/api/v1/open-data/calls/{world.base.call}/lots.json",
                 f"/api/v1/open-data/calls/{world.base.call}/lots.csv",
                 f"/api/v1/open-data/calls/{world.base.call}/ocds.json", "/api/v1/open-data/calls.json",
                 "/api/v1/open-data/lots.json"):
        text = (await client.get(path)).text
        for secret in ("Волонтёры", "Наставники для подростков", "NGO admin", "Другое НПО"):
            assert secret not in text, (path, secret)
    calls = (await client.get("/api/v1/open-data/calls.json?kind=state_grant")).json()
    assert next(c for c in calls["items"] if c["id"] == world.base.call)["applications"] == 1
    for suffix in ("lots.json", "lots.csv", "ocds.json"):
        r = await client.get(f"/api/v1/open-data/calls/{world.draft_call}/{suffix}")
        assert r.status_code == 404, (suffix, r.status_code)


async def test_parameters_are_bounded(world: OpenWorld, table_case: Any) -> None:
    client = table_case.client
    for query in ("per_page=501", "page=0", "page=10001", "kind=nonsense", "status=draft", "area=0",
                  "kind=" + "x" * 25):
        for path in ("calls.json", "calls.csv", "lots.json", "ocds.json", "awards.json", "awards.csv",
                     "360giving.json"):
            r = await client.get(f"/api/v1/open-data/{path}?{query}")
            assert r.status_code == 400, (path, query, r.status_code)
    r = await client.get("/api/v1/open-data/ocds.json?kind=grant_programme")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/open-data/calls.json", "/api/v1/open-data/calls.csv", "/api/v1/open-data/lots.json",
                 "/api/v1/open-data/lots.csv", "/api/v1/open-data/ocds.json", "/api/v1/open-data/awards.json",
                 "/api/v1/open-data/awards.csv", "/api/v1/open-data/360giving.json"):
        params = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert params["per_page"]["maximum"] == 500 and params["page"]["maximum"] == 10_000, path
        assert all("maxLength" in str(params[name]) for name in ("kind", "status")), path
    assert "text/csv" in str(schema["paths"]["/api/v1/open-data/calls.csv"]["get"]["responses"]["200"])
    for name, columns in (("CallRow", CALL_COLUMNS), ("LotRow", LOT_COLUMNS)):  # JSON and CSV say the same
        assert tuple(schema["components"]["schemas"][name]["properties"]) == columns
        assert tuple(f.name for f in fields(getattr(opendata_api, name))) == columns


async def test_the_list_and_the_call_page_link_to_the_open_data(world: OpenWorld, table_case: Any) -> None:
    client = table_case.client
    r = await client.get(f"/competitions?kind=state_grant&region={world.region}", headers={"accept-language": "ru"})
    assert r.status_code == 200
    assert f"/api/v1/open-data/calls.csv?kind=state_grant&amp;region={world.region}\"" in r.text
    assert f"/api/v1/open-data/ocds.json?kind=state_grant&amp;region={world.region}\"" in r.text
    assert f"/api/v1/open-data/awards.csv?kind=state_grant&amp;region={world.region}\"" in r.text
    r = await client.get(f"/competitions/{world.base.call}", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert f"/api/v1/open-data/calls/{world.base.call}/lots.csv" in r.text
    assert f"/api/v1/open-data/calls/{world.base.call}/ocds.json" in r.text and "Open data" in r.text
