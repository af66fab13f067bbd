"""The event bridge: Kafka events in, cases started in Temporal, nothing dropped.

Each record is validated; a valid one starts its case (idempotently), an invalid one goes to the
dead-letter topic. An offset is committed only once its record, and every one before it in its
partition, is durable in one of those two places, so a crash re-reads rather than loses; a re-read
starts nothing twice. No record can hold a partition up: whatever cannot be taken becomes a dead
letter that fits, and a dead letter that cannot be written yet is retried on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from temporalio.client import Client

from events.case_starter import StartOutcome, start_case
from events.corrections import deliver_to_case
from events.dead_letters import DeadLetterWriter, build_dead_letter
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
        stop: asyncio.Event | None = None,
    ) -> None:
        """Start cases with ``client``, dead-letter with ``producer``, stop once ``stop`` is set."""
        self._client = client
        self._settings = settings
        self._consumer = consumer
        self._stop = stop or asyncio.Event()
        self._dead_letters = DeadLetterWriter(producer, self._stop)
        #: Records handled past a failed one of their partition: not handled again when re-read.
        self._finished: dict[TopicPartition, set[int]] = defaultdict(set)
        self.started = 0
        self.duplicates = 0
        self.dead_lettered = 0

    async def handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Make one record durable as a case or a dead letter (raises if neither could be)."""
        value = record.value or b""
        parsed = parse_event(value, topic=record.topic, key=record.key, headers=record.headers)
        if isinstance(parsed, Rejection):
            await self._dead_letter(record, parsed)
            return
        try:
            case, outcome = await start_case(self._client, parsed, self._settings)
        except (ValueError, TypeError, UnicodeError) as err:
            # Not Temporal being away (that is retried) but an input no case can be built from.
            await self._dead_letter(
                record, Rejection("unstartable", f"no case can start from it: {type(err).__name__}")
            )
            return
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
                case_id=case,
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
        self,
        record: ConsumerRecord[bytes, bytes],
        rejection: Rejection,
        *,
        case_id: str | None = None,
    ) -> None:
        letter = build_dead_letter(
            rejection,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=record.key,
            value=record.value or b"",
            headers=record.headers,
            max_original_bytes=self._settings.dead_letter_max_original_bytes,
            case_id=case_id,
        )
        await self._dead_letters.write(letter)
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
        """Handle a batch concurrently, then commit what is done.

        A partition whose records all became durable is committed to its end. One with a failure
        is committed up to the first failed record and rewound to it; the records after it that
        did succeed are remembered, so re-reading them starts and dead-letters nothing again.
        """
        todo = [
            record
            for tp, records in batch.items()
            for record in records
            if record.offset not in self._finished[tp]
        ]
        results = await asyncio.gather(*(self.handle(r) for r in todo), return_exceptions=True)
        failed = {
            (record.topic, record.partition, record.offset): result
            for record, result in zip(todo, results, strict=True)
            if isinstance(result, BaseException)
        }
        commits: dict[TopicPartition, int] = {}
        for tp, records in batch.items():
            rewind_to = next(
                (r.offset for r in records if (r.topic, r.partition, r.offset) in failed), None
            )
            if rewind_to is None:
                commits[tp] = records[-1].offset + 1
                continue
            if rewind_to > records[0].offset:
                commits[tp] = rewind_to
            self._finished[tp].update(
                r.offset
                for r in records
                if r.offset > rewind_to and (r.topic, r.partition, r.offset) not in failed
            )
            self._consumer.seek(tp, rewind_to)
        if commits:
            await self._consumer.commit(commits)
            for tp, offset in commits.items():
                self._finished[tp] = {o for o in self._finished[tp] if o >= offset}
        if failed:
            raise next(iter(failed.values()))

    async def run(self) -> None:
        """Consume until ``stop`` is set, backing off while Kafka or Temporal is away."""
        backoff = 0.5
        while not self._stop.is_set():
            try:
                batch = await self._consumer.getmany(timeout_ms=500)
                if batch:
                    await self.handle_batch(batch)
                backoff = 0.5
            except Exception as err:
                # Kafka or Temporal unavailable: the failed records were rewound, nothing else.
                log.warning("retrying in %.1fs after %s", backoff, type(err).__name__)
                await _sleep_or_stop(self._stop, backoff)
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
    bridge = EventBridge(client, consumer, producer, settings, stop)
    try:
        runner = asyncio.create_task(bridge.run())
        await serve_until_stopped(settings, PART, stop)
        await runner
    finally:
        await consumer.stop()
        await producer.stop()


if __name__ == "__main__":
    configure_logging(PART)
    asyncio.run(main())
