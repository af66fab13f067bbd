"""Reading ``onething.dead-letters`` for operators: what was refused, why and where from.

It reads every partition from the start up to the end offsets it found on arrival, in no
consumer group (reading moves no one's offsets), and keeps what each record says about the
refusal, never the original bytes or the key: those may hold personal data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import BaseModel, ConfigDict, ValidationError

from events.dead_letters import DeadLetter
from events.kafka import new_reader
from onething.constants import TOPIC_DEAD_LETTERS
from onething.settings import Settings

#: Every reason an input is dead-lettered for (a unit test keeps it true to the bridge).
REASONS: Final = (
    "too_large",
    "not_utf8",
    "not_json",
    "not_cloudevent",
    "unknown_type",
    "wrong_topic",
    "invalid_event",
    "key_mismatch",
    "subject_is_id_number",
    "correction_rejected",
    "too_deep",
    "bad_headers",
    "unparseable",
    "unstartable",
    "implausible_event",
    "unsupported_content_type",
)
#: How long to wait for a partition that has records still to come (a stuck broker).
_FETCH_TIMEOUT_MS = 2_000
_MAX_EMPTY_FETCHES = 15


class DeadLetterEntry(BaseModel):
    """One dead letter as operators see it: no values, no original bytes."""

    model_config = ConfigDict(frozen=True)

    reason: str
    detail: str
    source_topic: str
    partition: int
    offset: int
    dead_lettered_at: datetime
    case_id: str | None = None

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterEntry:
        """The operator's view of a dead-letter record."""
        return cls(
            reason=letter.reason,
            detail=letter.detail,
            source_topic=letter.source_topic,
            partition=letter.partition,
            offset=letter.offset,
            dead_lettered_at=letter.dead_lettered_at,
            case_id=letter.case_id or _case_named_in(letter),
        )


def _case_named_in(letter: DeadLetter | DeadLetterEntry) -> str | None:
    """The case a rejected correction was for, from letters written before they named it."""
    if letter.reason != "correction_rejected":
        return None
    named, found, _ = letter.detail.partition(" exists;")
    return named if found and " " not in named else None


async def read_dead_letters(
    settings: Settings,
    *,
    since: datetime | None = None,
    reason: str | None = None,
    case_id: str | None = None,
) -> list[DeadLetterEntry]:
    """Every dead letter (oldest first), or those matching the filters.

    Args:
        settings: Where Kafka is.
        since: Only letters dead-lettered at or after this moment.
        reason: Only letters with this reason, e.g. ``invalid_event``.
        case_id: Only letters about this case (rejected corrections of it).

    Returns:
        The letters, in order of the time they were dead-lettered.
    """
    reader = new_reader(settings)
    await reader.start()
    try:
        partitions = reader.partitions_for_topic(TOPIC_DEAD_LETTERS) or set()
        if not partitions:
            await reader.force_metadata_update()
            partitions = reader.partitions_for_topic(TOPIC_DEAD_LETTERS) or set()
        assigned = [TopicPartition(TOPIC_DEAD_LETTERS, p) for p in sorted(partitions)]
        if not assigned:
            return []
        reader.assign(assigned)
        await reader.seek_to_beginning(*assigned)
        ends = await reader.end_offsets(assigned)
        letters: list[DeadLetterEntry] = []
        empty = 0
        while await _behind(reader, ends):
            batches = await reader.getmany(*assigned, timeout_ms=_FETCH_TIMEOUT_MS)
            empty = 0 if batches else empty + 1
            if empty >= _MAX_EMPTY_FETCHES:
                raise TimeoutError("the dead-letter topic stopped answering")
            for tp, records in batches.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    entry = _entry(record.value)
                    if entry is not None and _matches(entry, since, reason, case_id):
                        letters.append(entry)
        return sorted(letters, key=lambda e: e.dead_lettered_at)
    finally:
        await reader.stop()


async def _behind(reader: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """Whether some partition still has records before the end found on arrival."""
    for partition, end in ends.items():
        if await reader.position(partition) < end:
            return True
    return False


def _entry(value: bytes | None) -> DeadLetterEntry | None:
    # Only the fields operators see: letters of every version the bridge has written read alike.
    try:
        entry = DeadLetterEntry.model_validate_json(value or b"")
    except ValidationError:
        return None
    if entry.case_id is not None:
        return entry
    return entry.model_copy(update={"case_id": _case_named_in(entry)})


def _matches(
    entry: DeadLetterEntry, since: datetime | None, reason: str | None, case_id: str | None
) -> bool:
    if since is not None and entry.dead_lettered_at < since.astimezone(UTC):
        return False
    if reason is not None and entry.reason != reason:
        return False
    return case_id is None or entry.case_id == case_id
