"""The people the erasure tests forget, what must not remain of them and the scan of files that finds
it, and the company whose vendors never had them (tests/conftest.py ``company_without_them``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import duckdb

from sandbox.erasure import without_person
from sandbox.generator import Person, World, subscriber_hash


def has(world: World, person: Person) -> dict[str, int]:
    """How many records of each kind the vendors hold of a person."""
    last_day = (world.config.end - timedelta(days=1)).isoformat()
    reviews = [
        r for r in world.trustpilot_reviews if r["consumer"]["displayName"] == person.email.split("@")[0]
    ]
    return {
        "orders": sum(o["customer"]["id"] == person.shopify_customer_id for o in world.shopify_orders),
        "tickets": sum(t["requester_id"] == person.zendesk_user_id for t in world.zendesk_tickets),
        "identified": sum(e["type"] == "identify" and e["anonymousId"] == person.anonymous_id for e in world.web_events),
        "events": sum(e["anonymousId"] == person.anonymous_id for e in world.web_events),
        "events_on_the_last_day": sum(
            e["anonymousId"] == person.anonymous_id and e["timestamp"] >= last_day for e in world.web_events
        ),
        "reviews": len(reviews),
        "anonymous_reviews": sum(not r["referralEmail"] for r in reviews),
        "member": int(person.subscribed),
        "facebook": int(person.facebook_user_id is not None),
    }  # fmt: skip


def _someone(world: World, wanted: Callable[[dict[str, int]], bool]) -> Person:
    """The first person the vendors hold the wanted records of, and whom an address leads to whole: no
    Facebook id, every review with an address, and web events only on an identified device."""
    for person in world.people:
        found = has(world, person)
        traceable = (
            not found["facebook"]
            and not found["anonymous_reviews"]
            and (found["identified"] or not found["events"])
        )
        if traceable and wanted(found):
            return person
    raise AssertionError("the test world holds nobody with these records: choose other criteria")


def chosen_people(world: World) -> list[Person]:
    """Three people who, together, have records at every vendor an address leads to."""
    return [
        # with events on the last day, so that running that day again meets them at landing
        _someone(
            world,
            lambda has: (
                has["identified"] and has["orders"] and has["member"] and has["events_on_the_last_day"]
            ),
        ),
        _someone(world, lambda has: has["tickets"] and has["identified"]),
        _someone(world, lambda has: has["reviews"] and has["member"]),
    ]


def traces(world: World, person: Person) -> set[str]:
    """What must not remain of a person: the address, its SHA-256, their customer_id and vendor ids."""
    sha = hashlib.sha256(person.email.encode()).hexdigest()
    consumer_ids = {
        r["consumer"]["id"] for r in world.trustpilot_reviews if (r["referralEmail"] or "").strip().lower() == person.email
    }  # fmt: skip
    return {
        person.email, sha, f"cus_{sha[:16]}", subscriber_hash(person.email), person.anonymous_id,
        str(person.zendesk_user_id), str(person.shopify_customer_id), f"u{person.index}", *consumer_ids,
    }  # fmt: skip


def addresses_of(people: list[Person]) -> list[str]:
    """Their addresses as an erasure request may write them: in another casing, with spaces."""
    return [people[0].email.upper(), f"  {people[1].email} ", *(p.email for p in people[2:])]


def without_them(world: World, people: list[Person]) -> World:
    """The world with the people deleted at every vendor."""
    for person in people:
        world = without_person(world, person)
    return world


def _texts(path: Path) -> Iterator[str]:
    """A file's content as text: every row of a DuckDB or Parquet file, or its bytes."""
    if path.suffix == ".parquet":
        with duckdb.connect() as db:
            yield from (
                row[0]
                for row in db.execute(
                    f"select cast(t as varchar) from read_parquet('{path}') as t"
                ).fetchall()
            )
    elif path.suffix == ".duckdb":
        with duckdb.connect(str(path), read_only=True) as db:
            for schema, table in db.execute("select schema_name, table_name from duckdb_tables()").fetchall():
                yield from (
                    row[0]
                    for row in db.execute(
                        f'select cast(t as varchar) from "{schema}"."{table}" as t'
                    ).fetchall()
                )
    yield path.read_bytes().decode("utf-8", errors="replace")  # raw bytes too: what a compressed copy hides  # fmt: skip


def files_naming(roots: list[Path], needles: set[str]) -> list[str]:
    """``file: needle`` for every file under the roots that names one of the needles, in any casing
    (a short id only as a whole word)."""
    patterns = {n: re.compile(rf"(?<![\w-]){re.escape(n.lower())}(?![\w-])") for n in needles}
    found = []
    for root in roots:
        for path in sorted(
            p for p in root.rglob("*") if p.is_file() and not p.name.endswith((".lock", ".js"))
        ):
            for text in _texts(path):
                lowered = text.lower()
                found += [
                    f"{path}: {n}"
                    for n, pattern in patterns.items()
                    if n.lower() in lowered and pattern.search(lowered)
                ]
    return sorted(set(found))
