"""Huge numbers are refused quickly with a NumberError, never a ValueError or a hang."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grader.model import Reason
from grader.numeric import NumberError, read_array


@pytest.mark.parametrize("value", [Decimal("1e999999999"), Decimal("-1e401"), [Decimal("1e-999999")]])
def test_decimals_far_out_of_range_are_refused_without_building_them(value: object) -> None:
    with pytest.raises(NumberError) as caught:
        read_array(value)
    assert caught.value.reason is Reason.NOT_FINITE
