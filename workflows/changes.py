"""Changes to the case engine made while cases were running, and which of them a case takes.

A case takes a change when the bridge started it with the change named in its options
(``CaseOptions.changes``): the input is in the history, so replay takes the same path, and no
marker is written. A case whose input names no changes (started before its starter knew of them)
asks ``workflow.patched`` instead, as before, so its recorded history still replays.

Naming the changes in the input matters for speed: every ``workflow.patched`` call in a new case
makes the SDK upsert the ``TemporalChangeVersion`` search attribute, which costs the server a
rewrite of the case's visibility row, per change, per case (``docs/benchmark.md``).

Deploy workers before the bridge: a worker that predates a change must not be handed a case
whose input names it.
"""

from __future__ import annotations

from typing import Final

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.models import CaseOptions

#: Newborn: the vaccination record is filed under the child's ID number, once police issue it.
VACCINATION_RECORD_UNDER_ID_NUMBER: Final = "vaccination-record-under-id-number"
#: ``WaitingOn`` names departments only while the case waits on them.
SEARCH_ATTRIBUTES_ONLY_WHEN_WAITING: Final = "search-attributes-only-when-waiting"

#: Death: police are told the time of death, and social security pays and ends insurance only
#: once it has recorded the death (the pension termination), since departments refuse to act on
#: a death they have not recorded, or one dated in the future.
DEATH_RECORDED_BEFORE_ACTED_ON: Final = "death-recorded-before-acted-on"
#: An operator's cancel ends the case ``cancelled`` (before: ``revoked``, like a false pledge).
CANCEL_ENDS_CANCELLED: Final = "cancel-ends-cancelled"
#: The case's flags (a missed deadline, a pledge check still to come) are kept in its memo.
CASE_FLAGS_IN_MEMO: Final = "case-flags-in-memo"
#: Every step activity gets the case scope, so departments can check the case on issuing calls.
CASE_SCOPE_ON_EVERY_STEP: Final = "case-scope-on-every-step"
#: A case that stops (cancelled, rejected, revoked) withdraws its pending verifications and checks.
WITHDRAW_WHEN_STOPPED: Final = "withdraw-when-stopped"

#: A department call that keeps failing is retried by the case, which shows the attempts and
#: waits on the department (see workflows/retrying.py).
VISIBLE_RETRIES: Final = "visible-retries"

#: Every change, for the starter to name in each new case's options.
CURRENT: Final = (
    VACCINATION_RECORD_UNDER_ID_NUMBER,
    SEARCH_ATTRIBUTES_ONLY_WHEN_WAITING,
    DEATH_RECORDED_BEFORE_ACTED_ON,
    CANCEL_ENDS_CANCELLED,
    CASE_FLAGS_IN_MEMO,
    CASE_SCOPE_ON_EVERY_STEP,
    WITHDRAW_WHEN_STOPPED,
    VISIBLE_RETRIES,
)
#: Changes a case asks about only when it leaves the normal flow (it stops, a department is
#: down), so a case in its normal flow writes no marker for them even without named changes.
ASKED_ONLY_OFF_THE_NORMAL_FLOW: Final = (WITHDRAW_WHEN_STOPPED, VISIBLE_RETRIES)


def takes(options: CaseOptions, change: str) -> bool:
    """Whether the running case takes ``change`` (call from workflow code only).

    Args:
        options: The case's options, from its input.
        change: One of :data:`CURRENT`.
    """
    return change in options.changes or workflow.patched(change)
