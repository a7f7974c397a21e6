"""A real HTTP server on 127.0.0.1 that answers like Mailchimp, Facebook Pages, Trustpilot, Zendesk, Shopify
and the Meta Marketing API.

Each route serves the generated World with the vendor's own paging, filters and auth headers, so the
connectors talk to it exactly as they would to the vendor's host.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from sandbox import timefmt
from sandbox.ads import AD_ACCOUNT_ID, insights_between
from sandbox.faults import Fault, FaultPlan
from sandbox.generator import BUSINESS_UNIT_ID, PAGE_ID, Record, World
from sandbox.throttling import (
    PAGE_LIMIT_REACHED,
    VENDOR_LIMITS,
    Throttle,
    VendorLimits,
    Verdict,
    throttling_answer,
)

SANDBOX_SECRET = "sandbox-secret"  # noqa: S105 - the sandbox's own fake credential, not a real one


@dataclass
class Reply:
    """What a route answers."""

    body: Any
    status: int = 200
    headers: dict[str, str] | None = None


Query = dict[str, str]
Route = Callable[["SandboxHandler", re.Match[str], Query], Reply]


def _encode_cursor(offset: int, query: Query) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": query}).encode()).decode()


def _decode_cursor(cursor: str) -> tuple[int, Query]:
    data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    return int(data["o"]), dict(data["q"])


def _ts(value: str) -> datetime:
    """Query-parameter time: epoch seconds or any ISO form."""
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    return timefmt.parse_any(value)


def _between(records: list[Record], key: str, since: str | None, until: str | None) -> list[Record]:
    lower = _ts(since) if since else None
    upper = _ts(until) if until else None
    return [
        r
        for r in records
        if (lower is None or timefmt.parse_any(r[key]) >= lower)
        and (upper is None or timefmt.parse_any(r[key]) < upper)
    ]


class SandboxHandler(BaseHTTPRequestHandler):
    """Dispatches GET requests to the vendor routes below."""

    server: SandboxServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keep test output quiet."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        for pattern, auth, route in ROUTES:
            match = pattern.fullmatch(parts.path)
            if match:
                with self.server.faults.serving(route.__name__) as in_flight:
                    fault = self.server.faults.next_fault(route.__name__)
                    if fault and self._misbehave(fault, route.__name__):
                        return
                    verdict = self.server.throttle.verdict(route.__name__, parts.path, in_flight)
                    if verdict.status is not None:
                        self._answer(verdict)
                        return
                    reply = auth(self, query) or route(self, match, query)
                    if reply.status == 200:
                        reply.body = self.server.faults.shape(
                            route.__name__, fault, copy.deepcopy(reply.body)
                        )
                    reply.headers = {**(verdict.headers or {}), **(reply.headers or {})}
                    self._send(reply)
                return
        self._send(Reply({"error": f"no route for {parts.path}"}, HTTPStatus.NOT_FOUND))

    def _misbehave(self, fault: Fault, route: str) -> bool:
        """Apply a fault; True when it replaced the answer, False when the normal answer should follow."""
        if fault.kind == "slow":
            time.sleep(fault.seconds)
            return False
        if fault.kind in ("duplicate", "malformed"):
            return False  # applied to the page by FaultPlan.shape
        if fault.kind == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind == "expired_token":
            self._send(Reply({"error": "invalid_token", "description": "The access token expired"}, 401))
            return True
        if fault.kind == "throttle":
            self._answer(throttling_answer(route, fault.retry_after))
            return True
        if fault.kind == "page_throttle":
            self._answer(Verdict(400, PAGE_LIMIT_REACHED, Throttle.facebook_usage(100, 0)))
            return True
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        self._send(Reply({"error": "Internal Server Error"}, fault.status, headers))
        return True

    def _answer(self, verdict: Verdict) -> None:
        self._send(Reply(verdict.body, verdict.status or 200, verdict.headers), verdict.content_type)

    def _send(self, reply: Reply, content_type: str = "application/json") -> None:
        payload = (reply.body if isinstance(reply.body, str) else json.dumps(reply.body)).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (reply.headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    @property
    def world(self) -> World:
        return self.server.world

    def page_size(self, requested: str | None, default: int) -> int:
        return min(int(requested or default), self.server.max_page_size)

    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


# --- auth -------------------------------------------------------------------------------------------
def _basic_auth(handler: SandboxHandler, _query: Query) -> Reply | None:
    header = handler.headers.get("Authorization", "")
    if header.startswith("Basic "):
        decoded = base64.b64decode(header[6:]).decode(errors="replace")
        if decoded.partition(":")[2] == handler.server.secret:
            return None
    return Reply({"status": 401, "title": "API Key Invalid", "detail": "Your API key may be invalid."}, 401)


def _facebook_auth(handler: SandboxHandler, query: Query) -> Reply | None:
    token = query.get("access_token") or handler.headers.get("Authorization", "").removeprefix("Bearer ")
    if token == handler.server.secret:
        return None
    error = {"message": "Error validating access token", "type": "OAuthException", "code": 190}
    return Reply({"error": error}, 400)


def _trustpilot_auth(handler: SandboxHandler, _query: Query) -> Reply | None:
    bearer = handler.headers.get("Authorization", "").removeprefix("Bearer ")
    if handler.headers.get("apikey") and bearer == handler.server.secret:
        return None
    return Reply({"fault": {"faultstring": "Invalid access token"}}, 401)


def _shopify_auth(handler: SandboxHandler, _query: Query) -> Reply | None:
    if handler.headers.get("X-Shopify-Access-Token") == handler.server.secret:
        return None
    return Reply(
        {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}, 401
    )


# --- Mailchimp --------------------------------------------------------------------------------------
def _mailchimp_page(handler: SandboxHandler, key: str, records: list[Record], query: Query) -> Reply:
    count = handler.page_size(query.get("count"), 10)
    offset = int(query.get("offset", 0))
    return Reply({key: records[offset : offset + count], "total_items": len(records)})


def mailchimp_lists(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    return _mailchimp_page(h, "lists", h.world.mailchimp_lists, q)


def mailchimp_members(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    members = [r for r in h.world.mailchimp_members if r["list_id"] == m["list_id"]]
    return _mailchimp_page(
        h, "members", _between(members, "last_changed", q.get("since_last_changed"), None), q
    )


def mailchimp_campaigns(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    sent = _between(
        h.world.mailchimp_campaigns, "send_time", q.get("since_send_time"), q.get("before_send_time")
    )
    return _mailchimp_page(h, "campaigns", sent, q)


def mailchimp_sent_to(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    return _mailchimp_page(h, "sent_to", h.world.mailchimp_sent_to.get(m["id"], []), q)


def mailchimp_activity(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    emails = []
    for entry in h.world.mailchimp_activity.get(m["id"], []):
        activity = _between(entry["activity"], "timestamp", q.get("since"), None)
        if activity:
            emails.append({**entry, "activity": activity})
    return _mailchimp_page(h, "emails", emails, q)


def mailchimp_unsubscribed(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    return _mailchimp_page(h, "unsubscribes", h.world.mailchimp_unsubscribed.get(m["id"], []), q)


# --- Facebook ---------------------------------------------------------------------------------------
def _graph_page(h: SandboxHandler, path: str, records: list[Record], q: Query) -> Reply:
    limit = h.page_size(q.get("limit"), 25)
    offset = int(q.get("offset", 0))
    body: Record = {"data": records[offset : offset + limit], "paging": {}}
    if offset + limit < len(records):
        # as Graph does, the next page's URL carries the access token, whichever way the request sent it
        after = {**q, "access_token": h.server.secret, "offset": str(offset + limit)}
        body["paging"] = {"next": f"{h.base_url()}{path}?{urlencode(after)}"}
    return Reply(
        body, headers={"X-App-Usage": json.dumps({"call_count": 1, "total_time": 1, "total_cputime": 1})}
    )


def facebook_posts(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    if m["page_id"] != PAGE_ID:
        return Reply({"error": {"message": "Unknown page", "type": "GraphMethodException", "code": 100}}, 400)
    posts = _between(h.world.facebook_posts, "created_time", q.get("since"), q.get("until"))
    return _graph_page(h, urlsplit(h.path).path, posts, q)


def facebook_comments(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    return _graph_page(h, urlsplit(h.path).path, h.world.facebook_comments.get(m["post_id"], []), q)


def facebook_insights(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    wanted = set(q.get("metric", "").split(","))
    insights = [i for i in h.world.facebook_insights.get(m["post_id"], []) if i["name"] in wanted]
    return _graph_page(h, urlsplit(h.path).path, insights, q)


# --- Trustpilot -------------------------------------------------------------------------------------
def trustpilot_reviews(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    if m["unit"] != BUSINESS_UNIT_ID:
        return Reply({"fault": {"faultstring": "Business unit not found"}}, 404)
    reviews = _between(h.world.trustpilot_reviews, "createdAt", q.get("startDateTime"), q.get("endDateTime"))
    per_page = h.page_size(q.get("perPage"), 20)
    page = int(q.get("page", 1))
    links = []
    if page * per_page < len(reviews):
        nxt = {**q, "page": str(page + 1)}
        links.append(
            {
                "href": f"{h.base_url()}{urlsplit(h.path).path}?{urlencode(nxt)}",
                "method": "GET",
                "rel": "next-page",
            }
        )
    return Reply({"reviews": reviews[(page - 1) * per_page : page * per_page], "links": links})


# --- Zendesk ----------------------------------------------------------------------------------------
def _zendesk_cursor_export(h: SandboxHandler, key: str, records: list[Record], q: Query) -> Reply:
    if "cursor" in q:
        offset, original = _decode_cursor(q["cursor"])
    else:
        offset, original = 0, q
    since = _ts(original["start_time"])
    matching = [r for r in records if timefmt.parse_any(r["updated_at"]) >= since]
    size = h.page_size(original.get("per_page"), 1000)
    page = matching[offset : offset + size]
    end_of_stream = offset + size >= len(matching)
    cursor = _encode_cursor(offset + size, original)
    body: Record = {
        key: [{k: v for k, v in r.items() if k != "metric_set"} for r in page],
        "after_cursor": None if end_of_stream else cursor,
        "after_url": None if end_of_stream else f"{h.base_url()}{urlsplit(h.path).path}?cursor={cursor}",
        "end_of_stream": end_of_stream,
    }
    if key == "tickets" and "metric_sets" in original.get("include", ""):
        body["metric_sets"] = [{"ticket_id": r["id"], **r["metric_set"]} for r in page]
    return Reply(body)


def zendesk_tickets(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    return _zendesk_cursor_export(h, "tickets", h.world.zendesk_tickets, q)


def zendesk_users(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    return _zendesk_cursor_export(h, "users", h.world.zendesk_users, q)


def zendesk_ticket_events(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    since = int(q["start_time"])
    events = [e for e in h.world.zendesk_ticket_events if e["timestamp"] >= since]
    size = h.page_size(q.get("per_page"), 1000)
    page = events[:size]
    end_of_stream = len(events) <= size
    end_time = page[-1]["timestamp"] if page else since  # Zendesk repeats the boundary second
    return Reply(
        {
            "ticket_events": page,
            "count": len(page),
            "end_time": end_time,
            "end_of_stream": end_of_stream,
            "next_page": f"{h.base_url()}{urlsplit(h.path).path}?start_time={end_time}",
        }
    )


def zendesk_satisfaction(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    if "page[after]" in q:
        offset, original = _decode_cursor(q["page[after]"])
    else:
        offset, original = 0, q
    ratings = _between(
        h.world.zendesk_satisfaction_ratings,
        "updated_at",
        original.get("start_time"),
        original.get("end_time"),
    )
    size = h.page_size(original.get("page[size]"), 100)
    has_more = offset + size < len(ratings)
    cursor = _encode_cursor(offset + size, original)
    nxt = f"{h.base_url()}{urlsplit(h.path).path}?{urlencode({'page[after]': cursor})}" if has_more else None
    return Reply(
        {
            "satisfaction_ratings": ratings[offset : offset + size],
            "meta": {"has_more": has_more, "after_cursor": cursor if has_more else None},
            "links": {"next": nxt},
        }
    )


# --- Shopify ----------------------------------------------------------------------------------------
def shopify_orders(h: SandboxHandler, _m: re.Match[str], q: Query) -> Reply:
    if "page_info" in q:
        offset, original = _decode_cursor(q["page_info"])
    else:
        offset, original = 0, q
    orders = sorted(h.world.shopify_orders, key=lambda o: timefmt.parse_any(o["updated_at"]))
    orders = _between(orders, "updated_at", original.get("updated_at_min"), original.get("updated_at_max"))
    limit = h.page_size(q.get("limit"), 50)
    headers = {}
    if offset + limit < len(orders):
        nxt = urlencode({"limit": limit, "page_info": _encode_cursor(offset + limit, original)})
        headers["Link"] = f'<{h.base_url()}{urlsplit(h.path).path}?{nxt}>; rel="next"'
    return Reply({"orders": orders[offset : offset + limit]}, headers=headers)


# --- Meta Marketing API ----------------------------------------------------------------------------
def _cursor_page(h: SandboxHandler, records: list[Record], q: Query) -> Reply:
    """Graph cursor paging: opaque ``before``/``after`` cursors, and ``next`` (with the token) while more
    follow; the last page has no ``next``."""
    offset = _decode_cursor(q["after"])[0] if "after" in q else 0
    limit = h.page_size(q.get("limit"), 25)
    page = records[offset : offset + limit]
    cursors = {"before": _encode_cursor(offset, {}), "after": _encode_cursor(offset + len(page), {})}
    body: Record = {"data": page, "paging": {"cursors": cursors}}
    if offset + limit < len(records):
        after = {**q, "access_token": h.server.secret, "after": cursors["after"]}
        body["paging"]["next"] = f"{h.base_url()}{urlsplit(h.path).path}?{urlencode(after)}"
    return Reply(body)


def _unknown_ad_account(account: str) -> Reply | None:
    if account == AD_ACCOUNT_ID:
        return None
    message = f"(#100) Ad account owner has NOT grant ads_management or ads_read permission: act_{account}"
    return Reply({"error": {"message": message, "type": "OAuthException", "code": 100}}, 400)


def meta_ad_insights(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    """Daily (``time_increment=1``) ad-level insights of ``time_range``, both days included."""
    if refused := _unknown_ad_account(m["account"]):
        return refused
    if q.get("level") != "ad" or q.get("time_increment") != "1" or "time_range" not in q:
        error = {
            "message": "(#100) the sandbox serves level=ad, time_increment=1 and a time_range",
            "code": 100,
        }
        return Reply({"error": {**error, "type": "OAuthException"}}, 400)
    time_range = json.loads(q["time_range"])
    rows = insights_between(h.world.meta_ads, time_range["since"], time_range["until"], q.get("fields", ""))
    return _cursor_page(h, rows, q)


def meta_ads(h: SandboxHandler, m: re.Match[str], q: Query) -> Reply:
    return _unknown_ad_account(m["account"]) or _cursor_page(h, h.world.meta_ads.ads, q)


ROUTES: list[tuple[re.Pattern[str], Callable[[SandboxHandler, Query], Reply | None], Route]] = [
    (re.compile(r"/3\.0/lists"), _basic_auth, mailchimp_lists),
    (re.compile(r"/3\.0/lists/(?P<list_id>\w+)/members"), _basic_auth, mailchimp_members),
    (re.compile(r"/3\.0/campaigns"), _basic_auth, mailchimp_campaigns),
    (re.compile(r"/3\.0/reports/(?P<id>\w+)/sent-to"), _basic_auth, mailchimp_sent_to),
    (re.compile(r"/3\.0/reports/(?P<id>\w+)/email-activity"), _basic_auth, mailchimp_activity),
    (re.compile(r"/3\.0/reports/(?P<id>\w+)/unsubscribed"), _basic_auth, mailchimp_unsubscribed),
    (re.compile(r"/v21\.0/(?P<page_id>\d+)/posts"), _facebook_auth, facebook_posts),
    (re.compile(r"/v21\.0/(?P<post_id>\d+_\d+)/comments"), _facebook_auth, facebook_comments),
    (re.compile(r"/v21\.0/(?P<post_id>\d+_\d+)/insights"), _facebook_auth, facebook_insights),
    (re.compile(r"/v1/private/business-units/(?P<unit>\w+)/reviews"), _trustpilot_auth, trustpilot_reviews),
    (re.compile(r"/api/v2/incremental/tickets/cursor\.json"), _basic_auth, zendesk_tickets),
    (re.compile(r"/api/v2/incremental/users/cursor\.json"), _basic_auth, zendesk_users),
    (re.compile(r"/api/v2/incremental/ticket_events\.json"), _basic_auth, zendesk_ticket_events),
    (re.compile(r"/api/v2/satisfaction_ratings\.json"), _basic_auth, zendesk_satisfaction),
    (re.compile(r"/admin/api/2024-10/orders\.json"), _shopify_auth, shopify_orders),
    (re.compile(r"/v21\.0/act_(?P<account>\d+)/insights"), _facebook_auth, meta_ad_insights),
    (re.compile(r"/v21\.0/act_(?P<account>\d+)/ads"), _facebook_auth, meta_ads),
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SandboxServer(ThreadingHTTPServer):
    """The sandbox: serves one generated world until shut down."""

    daemon_threads = True

    def __init__(
        self,
        world: World,
        port: int = 0,
        secret: str = SANDBOX_SECRET,
        max_page_size: int = 50,
        limits: VendorLimits = VENDOR_LIMITS,
    ) -> None:
        super().__init__(("127.0.0.1", port), SandboxHandler)
        self.world = world
        self.secret = secret
        self.max_page_size = max_page_size
        self.faults = FaultPlan()
        self.throttle = Throttle(limits)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="touchpoints-sandbox", daemon=True)
        thread.start()
        return thread
