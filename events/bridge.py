"""The event bridge: Kafka events in, cases started in Temporal, nothing dropped.

Each record is validated; a valid one starts its case (idempotently), an invalid one goes to the
dead-letter topic. Offsets are committed only after every record of a batch is durable in one of
those two places, so a crash re-reads rather than loses; a re-read starts nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from temporalio.client import Client

from events.case_starter import StartOutcome, start_case
from events.corrections import deliver_to_case
from events.dead_letters import dead_letter
from events.kafka import new_bridge_consumer, new_producer
from events.parsing import Rejection, parse_event
from onething.settings import Settings, get_settings
from onething.temporal_client import connect_temporal
from workers.runtime import configure_logging, serve_until_stopped, stop_on_signals

PART = "bridge"
log = logging.getLogger(PART)


class EventBridge:
    """Moves records from the input topics to cases or dead letters; see the module docstring."""

    def __init__(
        self,
        client: Client,
        consumer: AIOKafkaConsumer,
        producer: AIOKafkaProducer,
        settings: Settings,
    ) -> None:
        self._client = client
        self._settings = settings
        self._consumer = consumer
        self._producer = producer
        self.started = 0
        self.duplicates = 0
        self.dead_lettered = 0

    async def handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Make one record durable as a case or a dead letter (raises if neither could be)."""
        value = record.value or b""
        parsed = parse_event(value, topic=record.topic, key=record.key)
        if isinstance(parsed, Rejection):
            await self._dead_letter(record, parsed)
            return
        case, outcome = await start_case(self._client, parsed, self._settings)
        if outcome is StartOutcome.STARTED:
            self.started += 1
            log.info("started %s", case)
            return
        verdict = await deliver_to_case(self._client, case, parsed, self._settings)
        if verdict.outcome == "rejected":
            await self._dead_letter(
                record,
                Rejection(
                    "correction_rejected",
                    f"{case} exists; fields {verdict.fields}: {verdict.reason}",
                ),
            )
            return
        self.duplicates += verdict.outcome == "duplicate"
        log.info(
            "%s exists: event %s/%d/%d was a %s",
            case,
            record.topic,
            record.partition,
            record.offset,
            "redelivery" if verdict.outcome == "duplicate" else "correction",
        )

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], rejection: Rejection
    ) -> None:
        await dead_letter(
            self._producer,
            rejection,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value or b"",
        )
        self.dead_lettered += 1
        log.warning(
            "dead-lettered %s/%d/%d: %s",
            record.topic,
            record.partition,
            record.offset,
            rejection.reason,
        )

    async def handle_batch(
        self, batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> None:
        """Handle a batch concurrently, then commit it; on failure, rewind to re-read it."""
        records = [record for records in batch.values() for record in records]
        results = await asyncio.gather(*(self.handle(r) for r in records), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            for tp, tp_records in batch.items():
                self._consumer.seek(tp, tp_records[0].offset)
            raise failures[0]
        await self._consumer.commit(
            {tp: tp_records[-1].offset + 1 for tp, tp_records in batch.items()}
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set, backing off while Kafka or Temporal is unavailable."""
        backoff = 0.5
        while not stop.is_set():
            try:
                batch = await self._consumer.getmany(timeout_ms=500)
                if batch:
                    await self.handle_batch(batch)
                backoff = 0.5
            except Exception as err:
                # Kafka or Temporal unavailable, or a start that failed: the batch was rewound.
                log.warning("retrying in %.1fs after %s", backoff, type(err).__name__)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 30.0)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def main(
    client: Client | None = None,
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the bridge until ``stop`` is set (SIGTERM or SIGINT by default)."""
    settings = settings or get_settings()
    client = client or await connect_temporal(settings)
    stop = stop or stop_on_signals()
    consumer = new_bridge_consumer(settings)
    producer = new_producer(settings)
    await producer.start()
    await consumer.start()
    bridge = EventBridge(client, consumer, producer, settings)
    try:
        runner = asyncio.create_task(bridge.run(stop))
        await serve_until_stopped(settings, PART, stop)
        await runner
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    configure_logging(PART)
    asyncio.run(main())
