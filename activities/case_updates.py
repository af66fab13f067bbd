"""Publishing case updates on ``onething.case-updates`` (runs on the orchestrator task queue)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from temporalio import activity

from activities.closures import FINAL_STATUSES, announce_closure_soon
from events.binding import STRUCTURED_HEADERS
from events.models import OutEvent
from onething.constants import TOPIC_CASE_UPDATES
from workflows.models import CaseUpdateInput, Published


class CaseUpdatePublisher:
    """Holds the worker's producer; its bound method is the activity."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    @activity.defn(name="case_updates.publish")
    async def publish(self, input: CaseUpdateInput) -> Published:
        """Publish one case update; its ID repeats on retry so consumers can drop duplicates."""
        event = OutEvent(
            id=f"{input.case_id}/{input.type}" + (f"/{input.sequence}" if input.sequence else ""),
            type=input.type,
            subject=input.case_id,
            time=input.time,
            data={
                "case_id": input.case_id,
                "bundle": input.bundle,
                "status": input.status,
                "documents": [d.model_dump(mode="json") for d in input.documents],
            },
        )
        metadata = await self._producer.send_and_wait(
            TOPIC_CASE_UPDATES,
            event.model_dump_json().encode(),
            key=input.case_id.encode(),
            headers=STRUCTURED_HEADERS,
        )
        if input.status in FINAL_STATUSES:
            # In the background: the case's end is not held up by six departments' answers.
            announce_closure_soon(input.case_id)
        return Published(topic=metadata.topic, partition=metadata.partition, offset=metadata.offset)
