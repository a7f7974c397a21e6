"""Every source the pipeline extracts, by name."""

from __future__ import annotations

from connectors import facebook, mailchimp, meta_ads, shopify, trustpilot, web_events, zendesk
from connectors.streams import Source

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        mailchimp.SOURCE,
        facebook.SOURCE,
        trustpilot.SOURCE,
        zendesk.SOURCE,
        shopify.SOURCE,
        web_events.SOURCE,
        meta_ads.SOURCE,
    )
}
