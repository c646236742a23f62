"""Port of the shop systems' inbound webhooks: one reader per system."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.domain.shop_orders import OrderRules, ShopEvent


class ShopEventReader(Protocol):
    def __call__(self, body: bytes, headers: Mapping[str, str], secret: str, rules: OrderRules, /) -> ShopEvent:
        """The order event of a delivery whose signature checks out with the tenant's secret.

        SignatureError before anything is parsed; InvalidInputError naming the field for a malformed payload.
        """
        ...
