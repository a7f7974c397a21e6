"""Deterministic generation of one company's customer touchpoints, in each vendor's own JSON shape.

The same people appear across channels by e-mail (with the case and white-space noise real systems
have); every event that would fall after the configured range is dropped, so the world is "as of" its end.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sandbox import timefmt
from sandbox.ads import AdAccount, ad_account, click_parameters

Record = dict[str, Any]

FIRST_NAMES = ["ana", "ben", "chloe", "dev", "emma", "farid", "grace", "hugo", "ines", "jon", "kai", "lena"]
LAST_NAMES = ["smith", "garcia", "muller", "rossi", "tanaka", "okafor", "novak", "silva", "kim", "dubois"]
COUNTRIES = ["US", "GB", "DE", "FR", "ES", "NL", "CA", "AU"]
PAGES = ["/", "/pricing", "/products", "/products/kettle", "/products/mug", "/blog", "/cart", "/checkout"]
SCREENS = ["Home", "Catalog", "Product", "Cart", "Checkout", "Account"]
SITE = "https://shop.example.com"
BLOG_POSTS = ["/blog/brewing-guide", "/blog/kettle-care", "/blog/gift-ideas"]
# Where a session comes from: (kind, weight, referrers, UTM parameters); e-mail visits follow Mailchimp clicks.
VISIT_SOURCES: list[tuple[str, int, list[str | None], dict[str, str]]] = [
    ("direct", 30, [None], {}),
    ("organic_search", 20, ["https://www.google.com/", "https://www.bing.com/"], {}),
    ("paid_search", 5, ["https://www.google.com/"],
     {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "brand-search", "utm_term": "kettle"}),
    ("paid_search_gclid", 5, ["https://www.google.com/"], {}),
    ("organic_social", 8, ["https://www.facebook.com/", "https://l.instagram.com/"], {}),
    ("paid_social", 8, ["https://l.facebook.com/", None], {}),  # the clicked ad's URL parameters
    ("referral", 8, ["https://www.kitchen-reviews.example/best-kettles", "https://news.example.org/gifts"], {}),
    ("display", 6, ["https://news.example.org/"],
     {"utm_source": "criteo", "utm_medium": "display", "utm_campaign": "retargeting"}),
    ("affiliate", 6, ["https://deals.example.net/"],
     {"utm_source": "awin", "utm_medium": "affiliate", "utm_campaign": "partners"}),
    ("other", 4, [None], {"utm_source": "flyer", "utm_medium": "print", "utm_campaign": "store-qr"}),
]  # fmt: skip
# A landing page's UTM parameters as Segment's ``context.campaign`` names them.
CAMPAIGN_FIELDS = {"utm_source": "source", "utm_medium": "medium", "utm_campaign": "name", "utm_term": "term",
                   "utm_content": "content"}  # fmt: skip
PAGE_ID = "104857600001"
BUSINESS_UNIT_ID = "5f1a2b3c4d5e6f7a8b9c0d1e"
LIST_ID = "b7c1d2e3f4"


@dataclass(frozen=True)
class SandboxConfig:
    """What the generated world looks like: a seed, a company size and a date range ``[start, end)``."""

    seed: int = 7
    customers: int = 300
    start: date = date(2026, 11, 1)
    end: date = date(2026, 11, 8)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), tzinfo=UTC)


@dataclass
class Person:
    """One real customer, known to several vendors under several ids."""

    index: int
    email: str
    country: str
    anonymous_id: str
    zendesk_user_id: int
    shopify_customer_id: int
    facebook_user_id: str | None
    subscribed: bool


@dataclass
class World:
    """Every vendor's records, in API shape, plus the web/app events."""

    config: SandboxConfig
    people: list[Person] = field(default_factory=list)
    mailchimp_lists: list[Record] = field(default_factory=list)
    mailchimp_members: list[Record] = field(default_factory=list)
    mailchimp_campaigns: list[Record] = field(default_factory=list)
    mailchimp_sent_to: dict[str, list[Record]] = field(default_factory=dict)
    mailchimp_activity: dict[str, list[Record]] = field(default_factory=dict)
    mailchimp_unsubscribed: dict[str, list[Record]] = field(default_factory=dict)
    facebook_posts: list[Record] = field(default_factory=list)
    facebook_comments: dict[str, list[Record]] = field(default_factory=dict)
    facebook_insights: dict[str, list[Record]] = field(default_factory=dict)
    trustpilot_reviews: list[Record] = field(default_factory=list)
    zendesk_users: list[Record] = field(default_factory=list)
    zendesk_tickets: list[Record] = field(default_factory=list)
    zendesk_ticket_events: list[Record] = field(default_factory=list)
    zendesk_satisfaction_ratings: list[Record] = field(default_factory=list)
    shopify_orders: list[Record] = field(default_factory=list)
    web_events: list[Record] = field(default_factory=list)
    meta_ads: AdAccount = field(default_factory=AdAccount)


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: md5 of the lower-cased address."""
    return hashlib.md5(email.strip().lower().encode()).hexdigest()


class _Builder:
    """Fills a World; one method per vendor, all drawing from one seeded generator."""

    def __init__(self, config: SandboxConfig) -> None:
        self.cfg = config
        self.rng = random.Random(config.seed)
        # Where visits come from has its own generator, so every draw of self.rng stays as it was.
        self.sources = random.Random(f"{config.seed}-sources")
        self.world = World(config=config)
        self._next_id = 1000

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def hex_id(self, length: int, rng: random.Random | None = None) -> str:
        return "".join((rng or self.rng).choice("0123456789abcdef") for _ in range(length))

    def within_range(self, ts: datetime) -> bool:
        return self.cfg.start_at <= ts < self.cfg.end_at

    def random_time(self, day: date, start_hour: int = 7, end_hour: int = 22) -> datetime:
        seconds = self.rng.randint(start_hour * 3600, end_hour * 3600 - 1)
        return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)

    def noisy(self, email: str, rng: random.Random | None = None) -> str:
        """The same address as another system may have typed it."""
        roll = (rng or self.rng).random()
        if roll < 0.15:
            return email.upper()
        if roll < 0.25:
            return f" {email.capitalize()} "
        return email

    def days(self) -> list[date]:
        count = (self.cfg.end - self.cfg.start).days
        return [self.cfg.start + timedelta(days=i) for i in range(count)]

    def build(self) -> World:
        self.world.meta_ads = ad_account(self.cfg)  # its own generator: the rest is unchanged
        self.people()
        self.mailchimp()
        self.facebook()
        self.trustpilot()
        self.web_and_orders()
        self.zendesk()
        return self.world

    def people(self) -> None:
        for i in range(self.cfg.customers):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            domain = self.rng.choice(["example.com", "example.org", "mail.example.net"])
            self.world.people.append(
                Person(
                    index=i,
                    email=f"{first}.{last}{i}@{domain}",
                    country=self.rng.choice(COUNTRIES),
                    anonymous_id=f"anon-{self.hex_id(12)}",
                    zendesk_user_id=360000000000 + i,
                    shopify_customer_id=7000000000000 + i,
                    facebook_user_id=str(10200000000 + i) if self.rng.random() < 0.3 else None,
                    subscribed=self.rng.random() < 0.75,
                )
            )

    def mailchimp(self) -> None:
        w, start = self.world, self.cfg.start_at
        w.mailchimp_lists.append({"id": LIST_ID, "name": "Newsletter", "stats": {}})
        for person in w.people:
            if not person.subscribed:
                continue
            changed = start - timedelta(days=self.rng.randint(1, 400))
            w.mailchimp_members.append(
                {
                    "id": subscriber_hash(person.email),
                    "email_address": self.noisy(person.email),
                    "status": "subscribed",
                    "list_id": LIST_ID,
                    "merge_fields": {"FNAME": person.email.split(".")[0].title(), "COUNTRY": person.country},
                    "timestamp_opt": timefmt.iso_offset(changed),
                    "last_changed": timefmt.iso_offset(changed),
                }
            )
        for n, day in enumerate(self.days()[::2]):
            send_time = datetime.combine(day, time(9, 0), tzinfo=UTC)
            campaign_id = self.hex_id(10)
            recipients = [p for p in w.people if p.subscribed]
            w.mailchimp_campaigns.append(
                {
                    "id": campaign_id,
                    "type": "regular",
                    "status": "sent",
                    "send_time": timefmt.iso_offset(send_time),
                    "create_time": timefmt.iso_offset(send_time - timedelta(days=1)),
                    "emails_sent": len(recipients),
                    "recipients": {"list_id": LIST_ID, "recipient_count": len(recipients)},
                    "settings": {"subject_line": f"Weekly picks #{n + 1}", "title": f"weekly-{n + 1}"},
                    # the utm_campaign Mailchimp adds to the e-mail's links (its Google Analytics slug)
                    "tracking": {
                        "opens": True,
                        "html_clicks": True,
                        "google_analytics": f"weekly_picks_{n + 1}",
                    },
                }
            )
            self._campaign_activity(campaign_id, send_time, recipients, f"weekly_picks_{n + 1}")

    def _campaign_activity(
        self, campaign_id: str, send_time: datetime, recipients: list[Person], utm_campaign: str
    ) -> None:
        w = self.world
        sent_to, activity, unsubscribed = [], [], []
        for person in recipients:
            email_id = subscriber_hash(person.email)
            actions: list[Record] = []
            status = "sent"
            if self.rng.random() < 0.04:
                status = self.rng.choice(["hard", "soft"])
                actions.append(self._action("bounce", send_time + timedelta(minutes=1), type_=status))
            elif self.rng.random() < 0.4:
                opened_at = send_time + timedelta(minutes=self.rng.randint(2, 2880))
                for k in range(self.rng.randint(1, 3)):
                    actions.append(self._action("open", opened_at + timedelta(hours=k * 5)))
                if self.rng.random() < 0.35:
                    for k in range(self.rng.randint(1, 2)):
                        clicked = opened_at + timedelta(minutes=1 + k * 3)
                        actions.append(self._action("click", clicked, url=f"{SITE}/picks"))
                    self._email_visit(person, utm_campaign, clicked)  # the last click opens the shop
                if self.rng.random() < 0.03:
                    left_at = opened_at + timedelta(minutes=5)
                    if self.within_range(left_at):
                        unsubscribed.append(
                            {
                                "email_id": email_id,
                                "email_address": person.email,
                                "timestamp": timefmt.iso_offset(left_at),
                                "reason": "",
                                "campaign_id": campaign_id,
                                "list_id": LIST_ID,
                            }
                        )
            sent_to.append(
                {
                    "email_id": email_id,
                    "email_address": person.email,
                    "status": status,
                    "open_count": sum(a["action"] == "open" for a in actions),
                    "last_open": "",
                    "campaign_id": campaign_id,
                    "list_id": LIST_ID,
                }
            )
            kept = [a for a in actions if self.within_range(timefmt.parse_any(a["timestamp"]))]
            activity.append(
                {
                    "campaign_id": campaign_id,
                    "list_id": LIST_ID,
                    "email_id": email_id,
                    "email_address": person.email,
                    "activity": kept,
                }
            )
        if self.within_range(send_time):
            w.mailchimp_sent_to[campaign_id] = sent_to
            w.mailchimp_activity[campaign_id] = activity
            w.mailchimp_unsubscribed[campaign_id] = unsubscribed

    @staticmethod
    def _action(action: str, ts: datetime, type_: str = "", url: str = "") -> Record:
        return {"action": action, "type": type_, "timestamp": timefmt.iso_offset(ts), "url": url, "ip": ""}

    def facebook(self) -> None:
        w = self.world
        fans = [p for p in w.people if p.facebook_user_id]
        for day in self.days():
            created = self.random_time(day, 10, 18)
            post_id = f"{PAGE_ID}_{self.new_id()}"
            impressions = self.rng.randint(400, 6000)
            shares = self.rng.randint(0, 25)
            w.facebook_posts.append(
                {
                    "id": post_id,
                    "message": f"Post of {day.isoformat()}",
                    "created_time": timefmt.facebook(created),
                    "permalink_url": f"https://www.facebook.com/{post_id}",
                    "shares": {"count": shares},
                }
            )
            comments = []
            for _ in range(self.rng.randint(0, 8)):
                author = self.rng.choice(fans) if fans and self.rng.random() < 0.7 else None
                user_id = author.facebook_user_id if author else str(10900000000 + self.new_id())
                at = created + timedelta(minutes=self.rng.randint(5, 3000))
                if not self.within_range(at):
                    continue
                comment_id = f"{post_id.split('_')[1]}_{self.new_id()}"
                comments.append(self._comment(comment_id, user_id, "Fan", at, None))
                if self.rng.random() < 0.6:
                    reply_at = at + timedelta(minutes=self.rng.randint(15, 900))
                    if self.within_range(reply_at):
                        reply_id = f"{post_id.split('_')[1]}_{self.new_id()}"
                        comments.append(self._comment(reply_id, PAGE_ID, "Brand", reply_at, comment_id))
            w.facebook_comments[post_id] = sorted(comments, key=lambda c: c["created_time"])
            reactions = {"like": self.rng.randint(5, 200), "love": self.rng.randint(0, 40)}
            link_clicks = self.rng.randint(0, impressions // 20)
            w.facebook_insights[post_id] = [
                self._insight("post_impressions", impressions),
                self._insight("post_impressions_unique", int(impressions * self.rng.uniform(0.5, 0.9))),
                self._insight("post_reactions_by_type_total", reactions),
                self._insight("post_clicks_by_type", {"link clicks": link_clicks, "other clicks": 3}),
            ]

    @staticmethod
    def _comment(comment_id: str, user_id: str, name: str, at: datetime, parent: str | None) -> Record:
        record: Record = {
            "id": comment_id,
            "from": {"id": user_id, "name": name},
            "message": "Thanks!" if parent else "Love it",
            "created_time": timefmt.facebook(at),
        }
        if parent:
            record["parent"] = {"id": parent}
        return record

    @staticmethod
    def _insight(name: str, value: Any) -> Record:
        return {"name": name, "period": "lifetime", "values": [{"value": value}], "id": name}

    def trustpilot(self) -> None:
        w = self.world
        for day in self.days():
            for _ in range(self.rng.randint(1, max(2, self.cfg.customers // 60))):
                person = self.rng.choice(w.people)
                created = self.random_time(day)
                stars = self.rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 6])[0]
                review: Record = {
                    "id": self.hex_id(24),
                    "stars": stars,
                    "title": "Great" if stars > 3 else "Not great",
                    "text": "…",
                    "createdAt": timefmt.iso_z(created),
                    "consumer": {"id": self.hex_id(24), "displayName": person.email.split("@")[0]},
                    "referralEmail": self.noisy(person.email) if self.rng.random() < 0.7 else None,
                    "companyReply": None,
                    "language": "en",
                }
                if self.rng.random() < 0.6:
                    replied = created + timedelta(minutes=self.rng.randint(60, 72 * 60))
                    if self.within_range(replied):
                        review["companyReply"] = {"text": "Thank you", "createdAt": timefmt.iso_z(replied)}
                w.trustpilot_reviews.append(review)
        w.trustpilot_reviews.sort(key=lambda r: r["createdAt"])

    def web_and_orders(self) -> None:
        """Web/app sessions; some end in an order, and some orders come without a session."""
        w = self.world
        for day in self.days():
            for person in self.rng.sample(w.people, k=max(1, len(w.people) // 6)):
                self._session(person.anonymous_id, person, self.random_time(day, 6, 23))
            for _ in range(max(1, len(w.people) // 20)):
                self._session(f"anon-{self.hex_id(12)}", None, self.random_time(day, 0, 23))
            for person in self.rng.sample(w.people, k=max(1, len(w.people) // 40)):
                self._order(person, self.random_time(day))

    def _email_visit(self, person: Person, utm_campaign: str, clicked: datetime) -> None:
        """The visit a click in a campaign's e-mail starts: its landing page carries the campaign's UTM tags."""
        rng, at, events = self.sources, clicked + timedelta(seconds=self.sources.randint(5, 60)), []
        for i in range(rng.choice([1, 2, 3])):
            event = self._web_event("page", person.anonymous_id, at, rng)
            if i == 0:
                event["name"] = "/picks"
            elif rng.random() < 0.5:
                event["name"] = rng.choice(BLOG_POSTS)
            event["properties"] = {"path": event["name"]}
            events.append(event)
            at += timedelta(seconds=rng.randint(5, 300))
        referrer = rng.choice([None, "https://mail.google.com/"])
        utm = {"utm_source": "mailchimp", "utm_medium": "email", "utm_campaign": utm_campaign}
        self._add_page_context(events, referrer, utm)
        buys = rng.random() < 0.2  # some come to buy what the e-mail showed them: they sign in and order
        if buys:
            events.append(self._identify(person, at, rng))
        self.world.web_events.extend(
            e for e in events if self.within_range(timefmt.parse_any(e["timestamp"]))
        )
        if buys:
            self._order(person, at + timedelta(minutes=rng.randint(1, 20)), rng)

    def _identify(self, person: Person, at: datetime, rng: random.Random | None = None) -> Record:
        """Segment's identify call when a known visitor signs in: it ties the visitor to their e-mail."""
        identify = self._web_event("identify", person.anonymous_id, at, rng)
        identify["userId"] = f"u{person.index}"
        identify["traits"] = {"email": self.noisy(person.email, rng)}
        return identify

    def _add_page_context(self, events: list[Record], referrer: str | None, utm: dict[str, str]) -> None:
        """Segment's ``context.page`` on each page event, and ``context.campaign`` on the landing page (the
        one with the UTM tags), which some sources leave to the URL's query string alone."""
        previous_url = referrer
        for position, event in enumerate(e for e in events if e["type"] == "page"):
            path = event["properties"]["path"]
            query = (
                "?" + "&".join(f"{key}={value}" for key, value in utm.items()) if utm and not position else ""
            )
            url = f"{SITE}{path}{query}"
            title = "Shop" if path == "/" else f"{path.rsplit('/', 1)[-1].replace('-', ' ').title()} | Shop"
            event["context"]["page"] = {
                "path": path, "referrer": previous_url or "", "search": query, "title": title, "url": url
            }  # fmt: skip
            campaign = {CAMPAIGN_FIELDS[key]: value for key, value in utm.items() if key in CAMPAIGN_FIELDS}
            if query and campaign and self.sources.random() < 0.8:
                event["context"]["campaign"] = campaign
            previous_url = url

    def _visit_source(self) -> tuple[str | None, dict[str, str]]:
        """The referrer and UTM parameters (or click id) a session's landing page arrives with."""
        weights = [source[1] for source in VISIT_SOURCES]
        kind, _, referrers, utm = self.sources.choices(VISIT_SOURCES, weights=weights)[0]
        utm = dict(utm)
        if kind == "paid_search_gclid":
            utm = {"gclid": self.hex_id(12, self.sources)}
        elif kind == "paid_social" and self.world.meta_ads.ads:
            utm = click_parameters(self.sources.choice(self.world.meta_ads.ads))
        return self.sources.choice(referrers), utm

    def _session(self, anonymous_id: str, person: Person | None, start: datetime) -> None:
        referrer, utm = self._visit_source()
        is_app = self.rng.random() < 0.25
        at, events = start, []
        for i in range(self.rng.choice([1, 1, 2, 3, 4, 6])):
            kind = "screen" if is_app else "page"
            if i > 0 and self.rng.random() < 0.3:
                kind = "track"
            events.append(self._web_event(kind, anonymous_id, at))
            at += timedelta(seconds=self.rng.randint(5, 600))
        if events[0]["type"] == "page" and referrer and not utm and self.sources.random() < 0.4:
            # a visit from a search result, a post or another site often lands on a blog post
            events[0]["name"] = self.sources.choice(BLOG_POSTS)
            events[0]["properties"] = {"path": events[0]["name"]}
        self._add_page_context(events, referrer, utm)
        # an ad reaches people who are about to buy: a known visitor from one signs in and orders more often
        buys_from_ad = (
            person is not None and utm.get("utm_medium") == "paid_social" and self.sources.random() < 0.3
        )
        identified = person is not None and self.rng.random() < 0.3
        if person and (identified or buys_from_ad):  # what the ad adds draws from self.sources alone
            events.append(self._identify(person, at, None if identified else self.sources))
        kept = [e for e in events if self.within_range(timefmt.parse_any(e["timestamp"]))]
        self.world.web_events.extend(kept)
        if person and self.rng.random() < 0.12:
            self._order(person, at + timedelta(minutes=self.rng.randint(1, 20)))
        elif person and buys_from_ad:
            self._order(person, at + timedelta(minutes=self.sources.randint(1, 20)), self.sources)

    def _web_event(
        self, kind: str, anonymous_id: str, at: datetime, rng: random.Random | None = None
    ) -> Record:
        event: Record = {
            "type": kind,
            "messageId": f"msg-{self.hex_id(16, rng)}",
            "anonymousId": anonymous_id,
            "userId": None,
            "timestamp": timefmt.iso_millis_z(at),
            "context": {"library": {"name": "analytics.js"}},
            "properties": {},
        }
        if kind == "page":
            event["name"] = (rng or self.rng).choice(PAGES)
            event["properties"] = {"path": event["name"]}
        elif kind == "screen":
            event["name"] = self.rng.choice(SCREENS)
            event["context"] = {"app": {"name": "Shop", "version": "4.2"}, "os": {"name": "iOS"}}
        elif kind == "track":
            event["event"] = self.rng.choice(["Product Viewed", "Product Added"])
        return event

    def _order(self, person: Person, at: datetime, rng: random.Random | None = None) -> None:
        if not self.within_range(at):
            return
        cents = (rng or self.rng).randint(900, 25000)
        order_id = 5100000000000 + self.new_id()
        self.world.shopify_orders.append(
            {
                "id": order_id,
                "name": f"#{order_id % 100000}",
                "email": self.noisy(person.email, rng),
                "created_at": timefmt.shopify(at),
                "processed_at": timefmt.shopify(at),
                "updated_at": timefmt.shopify(at + timedelta(minutes=2)),
                "currency": "USD",
                "total_price": f"{cents / 100:.2f}",
                "financial_status": "paid",
                "cancelled_at": None,
                "customer": {"id": person.shopify_customer_id, "email": self.noisy(person.email, rng)},
                "billing_address": {"country_code": person.country},
            }
        )

    def zendesk(self) -> None:
        w = self.world
        for person in w.people:
            w.zendesk_users.append(
                {
                    "id": person.zendesk_user_id,
                    "email": self.noisy(person.email),
                    "role": "end-user",
                    "created_at": timefmt.iso_z(self.cfg.start_at - timedelta(days=30)),
                    "updated_at": timefmt.iso_z(self.cfg.start_at - timedelta(days=30)),
                }
            )
        agent_id = 361000000001
        w.zendesk_users.append(
            {
                "id": agent_id,
                "email": "agent@brand.example.com",
                "role": "agent",
                "created_at": timefmt.iso_z(self.cfg.start_at - timedelta(days=300)),
                "updated_at": timefmt.iso_z(self.cfg.start_at - timedelta(days=300)),
            }
        )
        for day in self.days():
            for person in self.rng.sample(w.people, k=max(1, len(w.people) // 30)):
                self._ticket(person, agent_id, self.random_time(day))
        self._spam_ticket()
        w.zendesk_tickets.sort(key=lambda t: t["updated_at"])
        w.zendesk_ticket_events.sort(key=lambda e: e["created_at"])
        w.zendesk_satisfaction_ratings.sort(key=lambda r: r["updated_at"])

    def _spam_ticket(self) -> None:
        """A ticket an agent deleted as spam, from a sender Zendesk knows only from it: the export keeps
        it with status ``deleted``, and its sender is nobody's customer."""
        w, created = self.world, self.cfg.start_at + timedelta(hours=3)
        sender, ticket_id = 362000000001, self.new_id()
        w.zendesk_users.append(
            {"id": sender, "email": "offers@spam.example.net", "role": "end-user",
             "created_at": timefmt.iso_z(created), "updated_at": timefmt.iso_z(created)}
        )  # fmt: skip
        w.zendesk_ticket_events.append(
            {"id": self.new_id(), "ticket_id": ticket_id, "created_at": timefmt.iso_z(created),
             "timestamp": int(created.timestamp()), "updater_id": sender, "event_type": "Comment",
             "child_events": [{"id": self.new_id(), "event_type": "Comment", "public": True, "author_id": sender}]}
        )  # fmt: skip
        deleted_at = created + timedelta(minutes=30)
        w.zendesk_tickets.append(
            {"id": ticket_id, "subject": "Cheap watches", "status": "deleted", "requester_id": sender,
             "channel": "email", "via": {"channel": "email"}, "created_at": timefmt.iso_z(created),
             "updated_at": timefmt.iso_z(deleted_at), "generated_timestamp": int(deleted_at.timestamp()),
             "metric_set": {"replies": 0, "solved_at": None, "reopens": 0}}
        )  # fmt: skip

    def _ticket(self, person: Person, agent_id: int, created: datetime) -> None:
        w = self.world
        ticket_id = self.new_id()
        comments = [(created, person.zendesk_user_id)]
        at = created
        for _ in range(self.rng.choice([0, 1, 1, 1, 2, 3])):
            at += timedelta(minutes=self.rng.randint(5, 900))
            comments.append((at, agent_id))
            if self.rng.random() < 0.4:
                at += timedelta(minutes=self.rng.randint(10, 600))
                comments.append((at, person.zendesk_user_id))
        comments = [c for c in comments if self.within_range(c[0])]
        solved_at = None
        if len(comments) > 1 and self.rng.random() < 0.8:
            candidate = comments[-1][0] + timedelta(minutes=self.rng.randint(30, 2000))
            solved_at = candidate if self.within_range(candidate) else None
        updated = max([c[0] for c in comments] + ([solved_at] if solved_at else []))
        for ts, author in comments:
            w.zendesk_ticket_events.append(
                {
                    "id": self.new_id(),
                    "ticket_id": ticket_id,
                    "created_at": timefmt.iso_z(ts),
                    "timestamp": int(ts.timestamp()),
                    "updater_id": author,
                    "event_type": "Comment",
                    "child_events": [
                        {"id": self.new_id(), "event_type": "Comment", "public": True, "author_id": author}
                    ],
                }
            )
        if solved_at and self.rng.random() < 0.7:
            rated_at = solved_at + timedelta(minutes=self.rng.randint(10, 1500))
            if self.within_range(rated_at):
                score = self.rng.choices(["good", "bad", "offered"], weights=[6, 2, 2])[0]
                w.zendesk_satisfaction_ratings.append(
                    {
                        "id": self.new_id(),
                        "ticket_id": ticket_id,
                        "requester_id": person.zendesk_user_id,
                        "score": score,
                        "created_at": timefmt.iso_z(solved_at),
                        "updated_at": timefmt.iso_z(rated_at),
                    }
                )
                updated = max(updated, rated_at)
        replies = sum(author == agent_id for _, author in comments)
        w.zendesk_tickets.append(
            {
                "id": ticket_id,
                "subject": "Where is my order?",
                "status": "solved" if solved_at else ("open" if replies else "new"),
                "requester_id": person.zendesk_user_id,
                "channel": "email",
                "via": {"channel": "email"},
                "created_at": timefmt.iso_z(created),
                "updated_at": timefmt.iso_z(updated),
                "generated_timestamp": int(updated.timestamp()),
                "metric_set": {
                    "replies": replies,
                    "solved_at": timefmt.iso_z(solved_at) if solved_at else None,
                    "reopens": 0,
                },
            }
        )


def generate(config: SandboxConfig) -> World:
    """Build the world for a configuration; the same configuration always gives the same world."""
    return _Builder(config).build()
