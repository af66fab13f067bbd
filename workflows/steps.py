"""The kinds of step a bundle is made of, one per way a certificate is replaced.

- :class:`Step`: a department acts (issues a document) or reads a fact from another department's
  data (``way="data_query"``), through one activity.
- :class:`Verification`: the requesting department asks the providing department, point to point;
  the provider answers at once or a person answers later, and the wait has a deadline.
- :class:`Commitment`: the applicant's pledge lets the step go ahead at once; the engine checks the
  pledge later and revokes what it obtained if it was false. An applicant who may not pledge goes
  by verification instead.
- :class:`NotifyCases`: tells other open cases about this one (a death reaches a retirement).

Each kind declares the facts it ``needs`` and ``gives``; the engine runs it when its needs are met.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.errors import VERIFICATION_REFUSED
    from activities.models import (
        VerificationAnswerInput,
        VerificationInput,
        VerificationOutcome,
    )
    from activities.verifications import open_verification, record_verification_answer
    from onething.constants import CASE_SCOPE, Bundle, Department, department_task_queue
    from workflows.models import (
        CaseOptions,
        FactWay,
        StepInput,
        StepOutput,
        SubjectDeceased,
        VerificationAnswerRequest,
    )
    from workflows.retrying import RetryRecorder, call_department

StepActivity = Callable[[StepInput], Awaitable[StepOutput]]
Facts = Mapping[str, Any]
#: Decides from the step's facts whether it applies; returns why not, or None to run it.
SkipRule = Callable[[Facts], str | None]

ACTIVITY_TIMEOUT = timedelta(seconds=30)


class StepContext(RetryRecorder, Protocol):
    """What a step may ask of the engine running it."""

    case_id: str
    bundle: Bundle
    options: CaseOptions

    async def await_answer(
        self, step: str, provider: Department, kind: str, verification_id: str
    ) -> VerificationAnswerRequest:
        """Wait durably for a person's answer to a verification (escalating past the deadline)."""
        ...

    def schedule_check(self, step: Commitment, given: Facts) -> None:
        """Check ``step``'s pledge after the configured delay."""
        ...

    def step_scope(self) -> Any:
        """The case scope every step activity carries, or None where only queries carry it."""
        ...


async def run_activity(
    context: StepContext,
    activity: StepActivity,
    department: Department,
    step: str,
    facts: Facts,
    *,
    attempt_timeout: timedelta = ACTIVITY_TIMEOUT,
) -> StepOutput:
    """Run a step activity on its department's task queue, retrying visibly while it is down.

    The activity gets the case scope with its facts, so that an issuing call can show the
    department which case and people it acts for.
    """
    given = dict(facts)
    scope = context.step_scope()
    if scope is not None:
        given[CASE_SCOPE] = scope
    step_input = StepInput(case_id=context.case_id, bundle=context.bundle, step=step, facts=given)
    return await call_department(
        context,
        step,
        department,
        lambda policy: workflow.execute_activity(
            activity,
            step_input,
            task_queue=department_task_queue(department),
            start_to_close_timeout=attempt_timeout,
            retry_policy=policy,
        ),
    )


@dataclass(frozen=True)
class Patch:
    """A change to a step of a bundle that has cases running.

    Cases that take the change (``id``, one of ``workflows.changes.CURRENT``) get ``needs``;
    cases started before it keep the step's old needs, so their histories replay.
    """

    id: str
    needs: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """A department acts, or reads a fact from another's data, through one activity.

    Attributes:
        name: unique within the bundle; also the department's idempotency key suffix.
        department: who carries it out (the activity runs on that department's task queue).
        activity: the activity function, called by reference.
        needs: facts the step is given; it starts once all of them are known.
        gives: facts the step returns.
        way: how the facts it gives reach the case.
        skip: an optional rule that, from the needed facts, says the step does not apply.
        timeout: start-to-close timeout of one attempt.
        patch: a later change to the step's needs, taken only by cases started after it.
    """

    name: str
    department: Department
    activity: StepActivity
    needs: tuple[str, ...]
    gives: tuple[str, ...] = ()
    way: FactWay = "issued"
    skip: SkipRule | None = None
    timeout: timedelta = ACTIVITY_TIMEOUT
    patch: Patch | None = None

    async def execute(self, context: StepContext, given: Facts) -> StepOutput:
        """Run the activity."""
        return await run_activity(
            context, self.activity, self.department, self.name, given, attempt_timeout=self.timeout
        )


@dataclass(frozen=True)
class Verification:
    """Department verification: ``department`` asks ``provider``, which may need a person.

    The step gives ``gives[0]`` = ``{"verification_id": ..., "status": "confirmed"}``; a refusal
    ends the case ``rejected``.

    Attributes:
        subject: builds what the provider is asked about from the needed facts.
    """

    name: str
    department: Department
    provider: Department
    kind: str
    needs: tuple[str, ...]
    gives: tuple[str, ...]
    subject: Callable[[Facts], dict[str, Any]]
    skip: SkipRule | None = None
    way: FactWay = "department_verification"

    async def execute(self, context: StepContext, given: Facts) -> StepOutput:
        """Ask the provider; wait for a person if it cannot answer at once."""
        return StepOutput(facts={self.gives[0]: await self.verify(context, given)})

    async def verify(
        self, context: StepContext, given: Facts, *, step: str | None = None
    ) -> dict[str, str]:
        """The confirmed verification, or raise ``VerificationRefused``.

        Args:
            context: The engine running the case.
            given: The facts the verification may use.
            step: The name of the step the engine runs when it is not this verification's own
                (a commitment's, whose fallback this is): the wait is shown, and answered, under it.
        """
        shown = step or self.name
        request = VerificationInput(
            case_id=context.case_id,
            bundle=context.bundle,
            step=self.name,
            provider=self.provider,
            requested_by=self.department,
            kind=self.kind,
            subject=self.subject(given),
        )
        opened: VerificationOutcome = await call_department(
            context,
            shown,
            self.provider,
            lambda policy: workflow.execute_activity(
                open_verification,
                request,
                task_queue=department_task_queue(self.provider),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=policy,
            ),
        )
        status = opened.status
        if status == "pending":
            answer = await context.await_answer(
                shown, self.provider, self.kind, opened.verification_id
            )
            recording = VerificationAnswerInput(
                case_id=context.case_id,
                provider=self.provider,
                verification_id=opened.verification_id,
                answer=answer.answer,
                operator=answer.operator,
                reason=answer.reason,
            )
            recorded: VerificationOutcome = await call_department(
                context,
                shown,
                self.provider,
                lambda policy: workflow.execute_activity(
                    record_verification_answer,
                    recording,
                    task_queue=department_task_queue(self.provider),
                    start_to_close_timeout=ACTIVITY_TIMEOUT,
                    retry_policy=policy,
                ),
            )
            status = recorded.status
        if status != "confirmed":
            raise ApplicationError(
                f"{self.provider} did not confirm {self.kind} ({status})",
                type=VERIFICATION_REFUSED,
                non_retryable=True,
            )
        return {"verification_id": opened.verification_id, "status": status}


@dataclass(frozen=True)
class Commitment:
    """Notification and commitment: the pledge stands in for a material until it is checked.

    When ``pledged(given)`` holds, the step gives ``gives[0] = "commitment"`` at once and the
    engine schedules ``check`` after ``CaseOptions.pledge_check_after``; if the check finds the
    pledge false (``check_passes`` is false), every step that depended on it is undone in reverse
    order, ``credit`` writes a record to the credit system, and the case ends ``revoked``.
    Otherwise the material goes by ``fallback`` verification and ``gives[0] = "verification"``;
    a person's answer to it is awaited, shown and given under this step's name.
    """

    name: str
    department: Department
    needs: tuple[str, ...]
    gives: tuple[str, ...]
    pledged: Callable[[Facts], bool]
    check: Step
    check_passes: Callable[[StepOutput], bool]
    credit: Step
    fallback: Verification
    skip: SkipRule | None = None
    way: FactWay = "commitment"

    async def execute(self, context: StepContext, given: Facts) -> StepOutput:
        """Go ahead on the pledge, or verify when there is none (or it may not be given)."""
        if self.pledged(given):
            context.schedule_check(self, given)
            return StepOutput(facts={self.gives[0]: "commitment"}, way="commitment")
        await self.fallback.verify(context, given, step=self.name)
        return StepOutput(facts={self.gives[0]: "verification"}, way="department_verification")


@dataclass(frozen=True)
class NotifyCases:
    """Tells the open cases named by fact ``needs[0]`` that their subject has died."""

    name: str
    department: Department
    needs: tuple[str, ...]
    gives: tuple[str, ...] = ()
    skip: SkipRule | None = None
    way: FactWay = "issued"

    async def execute(self, context: StepContext, given: Facts) -> StepOutput:
        """Signal each other case; one already closed is left as it is."""
        signal = SubjectDeceased(death_case_id=context.case_id)
        reached = 0
        for other in given[self.needs[0]] or []:
            if other == context.case_id:
                continue
            try:
                await workflow.get_external_workflow_handle(other).signal(
                    "subject_deceased", signal
                )
                reached += 1
            except Exception:
                workflow.logger.info("case %s could not be notified (closed)", other)
        return StepOutput(skipped=None if reached else "no other open case of the deceased")


AnyStep = Step | Verification | Commitment | NotifyCases
