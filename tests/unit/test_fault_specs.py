"""The sandbox's --fault specs."""

from __future__ import annotations

import pytest

from sandbox.faults import Fault, parse_fault_spec


def test_fault_specs_parse_and_reject_unknown_kinds() -> None:
    route, faults = parse_fault_spec("shopify_orders=throttle,ok,error503,duplicate")
    assert route == "shopify_orders"
    assert faults == [Fault.throttle(), None, Fault.error(503), Fault.duplicate()]
    with pytest.raises(ValueError, match="bad fault spec"):
        parse_fault_spec("shopify_orders=meltdown")
