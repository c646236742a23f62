"""DynamoAgencyFileRepository: where each claim's hand-over to the collection agency stands (agency_handovers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamodb.models import AgencyHandoverModel
from chalicelib.adapters.dynamodb.transactions import raise_if_throttled
from chalicelib.domain.agency_updates import AgencyFile, FileState

if TYPE_CHECKING:
    from pynamodb.expressions.update import Action


class DynamoAgencyFileRepository:
    def open(self, file: AgencyFile) -> AgencyFile:
        item = AgencyHandoverModel(
            file.claim_id,
            tenant_id=file.tenant_id,
            handover_id=file.handover_id,
            state=str(FileState.STARTED),
            opened_at=datetime.now(UTC),
        )
        new_or_refused_before = AgencyHandoverModel.claim_id.does_not_exist() | (
            AgencyHandoverModel.state == str(FileState.FAILED)
        )
        try:
            item.save(condition=new_or_refused_before)
        except PutError as exc:
            raise_if_throttled(exc)
            found = self.get(file.claim_id)  # started or filed already: a retry, or a claim handed over again
            if found is None:
                raise
            return found
        return _file(item)

    def filed(self, claim_id: str, reference: str, covered: frozenset[str]) -> None:
        self._set(
            claim_id,
            [
                AgencyHandoverModel.state.set(str(FileState.FILED)),
                AgencyHandoverModel.reference.set(reference),
                AgencyHandoverModel.covered.set(sorted(covered)),
            ],
        )

    def refused(self, claim_id: str) -> None:
        self._set(claim_id, [AgencyHandoverModel.state.set(str(FileState.FAILED))])

    def get(self, claim_id: str) -> AgencyFile | None:
        try:
            return _file(AgencyHandoverModel.get(claim_id, consistent_read=True))
        except DoesNotExist:
            return None

    def _set(self, claim_id: str, actions: list[Action]) -> None:
        try:
            AgencyHandoverModel._get_connection().update_item(
                claim_id, actions=actions, condition=AgencyHandoverModel.claim_id.exists()
            )
        except UpdateError as exc:
            raise_if_throttled(exc)
            raise


def _file(item: AgencyHandoverModel) -> AgencyFile:
    return AgencyFile(
        claim_id=item.claim_id,
        tenant_id=item.tenant_id,
        handover_id=item.handover_id,
        state=FileState(item.state),
        reference=item.reference,
        covered=frozenset(item.covered or ()),
    )
