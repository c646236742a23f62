"""Shop systems' inbound webhooks: each module verifies its system's signature over the raw body with the tenant's
secret (SignatureError before anything is parsed) and reads the payload into a domain ShopEvent.

Every reader has the same shape: ``read(body, headers, secret, rules) -> ShopEvent``; malformed payloads raise
InvalidInputError naming the field, unknown topics come back as ignored events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.adapters.shops import generic, shopify, shopware, woocommerce

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import TypeAlias

    from chalicelib.domain.shop_orders import OrderRules, ShopEvent

    Reader: TypeAlias = Callable[[bytes, Mapping[str, str], str, OrderRules], ShopEvent]

READERS: dict[str, Reader] = {
    shopify.SYSTEM: shopify.read,
    woocommerce.SYSTEM: woocommerce.read,
    shopware.SYSTEM: shopware.read,
    generic.SYSTEM: generic.read,
}


def read_webhook(system: str, body: bytes, headers: Mapping[str, str], secret: str, rules: OrderRules) -> ShopEvent:
    return READERS[system](body, headers, secret, rules)
