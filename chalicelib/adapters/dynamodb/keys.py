"""Key formats for DynamoDB items, built here and nowhere else."""

from __future__ import annotations


def api_key(key_hash: str) -> str:
    return f"apikey#{key_hash}"


def external_id(tenant_id: str, external: str) -> str:
    return f"external#{tenant_id}#{external}"


def payment_reference(reference: str) -> str:
    return f"payref#{reference}"


def provider_payment(tenant_id: str, provider: str, reference: str) -> str:
    """A PSP's payment id (Stripe payment intent, Adyen pspReference): its refunds and disputes find the claim.

    Per tenant: PSP ids are unique only within a merchant's account, and anyone may post a payment event
    naming any id to their own tenant's webhook; another tenant's payment must never take this one's over.
    """
    return f"psp#{tenant_id}#{provider}#{reference}"


def legacy_provider_payment(provider: str, reference: str) -> str:
    """The tenant-less key stored before; read only where the item names the tenant asking (its tenant_id)."""
    return f"psp#{provider}#{reference}"


def statement(tenant_id: str, digest: str) -> str:
    """A bank statement file (sha256 of its bytes) imported for the tenant: the same file twice changes nothing."""
    return f"statement#{tenant_id}#{digest}"


def bank_transfer(tenant_id: str, transfer_key: str) -> str:
    """A bank credit filed under what its reversal would share with it (Credit.transfer_keys)."""
    return f"banktransfer#{tenant_id}#{transfer_key}"


def pay_token(token_hash: str) -> str:
    return f"paytoken#{token_hash}"


def idempotency(tenant_id: str, key: str) -> str:
    return f"idempotency#{tenant_id}#{key}"


def delivery(stage: str, channel: str) -> str:
    return f"{stage}#{channel}"


def review(booking_date: str, entry_id: str) -> str:
    """Sort key of the bank review list: oldest booking first, entries of one day in a stable order."""
    return f"{booking_date}#{entry_id}"


def status_claim(status: str, claim_id: str) -> str:
    """Sort key of the by-status index: claims of one status, oldest first (ULIDs sort by time)."""
    return f"{status}#{claim_id}"


def rate_window(counted: str, window_seconds: int, window_start: int) -> str:
    """A rate-limit counter: what is counted (domain.pay_limits.counted), the window's length and its start."""
    return f"{counted}:{window_seconds}#{window_start}"
