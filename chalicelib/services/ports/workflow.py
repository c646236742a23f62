"""Ports of the claim's workflow: the state machine's executions, and the token of the wait they are in."""

from __future__ import annotations

from typing import Any, Protocol

# Generations per run of a claim's workflow. A claim re-opened for the n-th time (a refund after it was paid)
# starts at generation REOPENED_RUN * n; an execution continues every 300 days, so no run uses up 1000.
REOPENED_RUN = 1000


def execution_name(claim_id: str, generation: int) -> str:
    """The first execution is named after the claim (starting twice is refused); continuations count on.

    A claim re-opened by a refund runs again from generation REOPENED_RUN * n, named `<claim>-r<n>`,
    and its continuations `<claim>-r<n>-g<k>`.
    """
    run, continuation = divmod(generation, REOPENED_RUN)
    return claim_id + (f"-r{run}" if run else "") + (f"-g{continuation}" if continuation else "")


class WorkflowClient(Protocol):
    def start(self, claim_id: str, tenant_id: str, generation: int = 0) -> str:
        """Start the claim's execution (named after the claim and generation); starting twice is harmless."""
        ...

    def notify(self, task_token: str, event: dict[str, Any]) -> bool:
        """Resume a waiting execution; False if the token is no longer waiting."""
        ...

    def status(self, claim_id: str, generation: int = 0) -> str | None:
        """RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED; None when the claim never had this execution."""
        ...

    def stop(self, claim_id: str, generation: int, cause: str) -> None:
        """Stop a running execution (an operator's repair); stopping one that ended is harmless."""
        ...


class TaskTokenRepository(Protocol):
    """Where the waiting execution's token is kept, so that payments and the debtor's actions can resume it.

    ClaimRepository.update and PaymentRepository.apply_payment never write it: each returns the token that is
    stored once its write committed, and takes it off a claim the write closed.
    """

    def set_task_token(self, claim_id: str, token: str, run: int | None = None) -> None:
        """Store the waiting execution's token while the claim is open and `run` is still its run.

        ClaimClosedError when the claim is closed, or was re-opened into a newer run (`claim.reopened` > run)
        since this execution began: no one would resume that wait. None: the run is not known (not checked).
        """
        ...

    def clear_task_token(self, claim_id: str) -> None:
        """The claim's execution finished: whatever token is stored can no longer be resumed."""
        ...
