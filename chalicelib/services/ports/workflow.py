"""Ports of the claim's workflow: the state machine's executions, and the token of the wait they are in."""

from __future__ import annotations

from typing import Any, Protocol

# Generations per run of a claim's workflow. A claim re-opened for the n-th time (a refund after it was paid)
# starts at generation REOPENED_RUN * n; an execution continues every 300 days, so no run uses up 1000.
REOPENED_RUN = 1000


class WorkflowClient(Protocol):
    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        """Start the claim's execution (named after the claim and generation); starting twice is harmless."""
        ...

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        """Resume a waiting execution; False if the token is no longer waiting."""
        ...


class TaskTokenRepository(Protocol):
    """Where the waiting execution's token is kept, so that payments and the debtor's actions can resume it."""

    def set_task_token(self, claim_id: str, token: str) -> None:
        """Store the waiting execution's token while the claim is still open (ClaimClosedError)."""
        ...
