"""The workbench's words in Simplified Chinese (first) and English."""

from __future__ import annotations

from typing import Final, Literal, get_args

Language = Literal["zh", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "zh"

_WORDS: Final[dict[str, tuple[str, str]]] = {
    "title": ("一件事工作台", "One-thing workbench"),
    "health": ("卫生健康", "Health"),
    "police": ("公安", "Police"),
    "social_security": ("人力社保", "Social security"),
    "tax": ("税务", "Tax"),
    "market_regulation": ("市场监管", "Market regulation"),
    "civil_affairs": ("民政", "Civil affairs"),
    "ops": ("运行管理", "Operations"),
    "worklist": ("待核验事项", "Verifications waiting"),
    "mine": ("我认领的", "Mine"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "officer_id": ("工号", "Officer ID"),
    "department": ("部门", "Department"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "case": ("案件", "Case"),
    "step": ("环节", "Step"),
    "kind": ("核验内容", "What is asked"),
    "opened": ("发起时间", "Opened"),
    "deadline": ("截止时间", "Deadline"),
    "time_left": ("剩余时间", "Time left"),
    "overdue": ("已超期", "Overdue"),
    "held_by": ("认领人", "Held by"),
    "nobody": ("未认领", "Unclaimed"),
    "open": ("查看", "Open"),
    "claim": ("认领", "Claim"),
    "release": ("放回", "Release"),
    "confirm": ("确认属实", "Confirm"),
    "refuse": ("不属实", "Refuse"),
    "answer": ("核验结论", "Answer"),
    "reason": ("理由", "Reason"),
    "submit": ("提交", "Submit"),
    "facts_needed": ("本次核验所需信息", "Facts this verification needs"),
    "to_check": ("需核实的内容", "What to check"),
    "subject_unavailable": (
        "暂时无法从本部门系统读取核验内容，请稍后刷新。",
        "Your department's system did not give what to check; reload in a moment.",
    ),
    "verification_number": ("核验编号", "Verification number"),
    "field": ("字段", "Field"),
    "value": ("内容", "Value"),
    "fact": ("信息", "Fact"),
    "source": ("来源", "Source"),
    "way": ("方式", "How obtained"),
    "empty": ("暂无待核验事项。", "Nothing is waiting."),
    "empty_mine": ("您没有认领任何事项。", "You hold no verification."),
    "held_by_other": (
        "该事项已被 {officer} 认领，您不能处理。",
        "{officer} holds this verification; you cannot act on it.",
    ),
    "you_hold": ("您已认领此事项。", "You hold this verification."),
    "answered": (
        "已提交：{case} 的核验结论已送达，案件继续办理（{status}）。",
        "Sent: the answer for {case} was accepted; the case goes on ({status}).",
    ),
    "moved_on": (
        "该核验已有结论或案件已继续办理，本次提交未改变任何内容。",
        "This verification was already answered or the case has moved on; nothing changed.",
    ),
    "not_waiting": (
        "该案件当前没有等待此核验。",
        "The case is not waiting for this verification.",
    ),
    "released": ("已放回待认领池。", "Released to the pool."),
    "claimed": ("已认领。", "Claimed."),
    "forbidden_department": (
        "您是{mine}部门的工作人员，无权查看或处理{other}部门的事项。",
        "You are an officer of {mine}; you may not see or act on the work of {other}.",
    ),
    "bad_form": (
        "表单已过期或无效，请刷新页面后重试。",
        "The form has expired or is not valid; reload the page and try again.",
    ),
    "reason_required": ("请填写理由（1–500 字）。", "Give a reason (1–500 characters)."),
    "bad_officer": (
        "工号只能包含字母、数字、点、下划线和连字符（1–64 位）。",
        "An officer ID is 1–64 letters, digits, dots, underscores or hyphens.",
    ),
    "unknown_department": ("没有这个部门。", "There is no such department."),
    "back": ("返回列表", "Back to the list"),
    "minutes": ("{n} 分钟", "{n} min"),
    "hours": ("{h} 小时 {m} 分钟", "{h} h {m} min"),
    "days": ("{d} 天 {h} 小时", "{d} d {h} h"),
    "death_outside_hospital": ("核实死亡（非医院内死亡）", "Confirm a death outside a hospital"),
    "address": ("核实经营场所地址", "Confirm a business address"),
    "citizen": ("市民提供", "the citizen"),
    "event": ("事件", "event"),
    "issued": ("部门出具", "issued"),
    "data_query": ("数据共享", "data query"),
    "department_verification": ("部门核验", "department verification"),
    "commitment": ("告知承诺", "commitment"),
    "language": ("English", "中文"),
    "cases": ("案件", "Cases"),
    "bundle": ("事项", "Bundle"),
    "status": ("状态", "Status"),
    "waiting_on": ("等待部门", "Waiting on"),
    "older_than": ("早于（如 2h、P1D）", "Older than (e.g. 2h, P1D)"),
    "all": ("全部", "All"),
    "filter": ("筛选", "Filter"),
    "counts": ("各状态数量", "Cases per status"),
    "started": ("开始时间", "Started"),
    "closed": ("结束时间", "Closed"),
    "no_cases": ("没有符合条件的案件。", "No case matches."),
    "no_case": ("没有这个案件。", "There is no such case."),
    "bad_age": ("无法识别的时长，例如 2h、1d、PT30M。", "Not a duration; e.g. 2h, 1d, PT30M."),
    "action_refused": ("案件拒绝了该操作：{detail}", "The case refused the action: {detail}"),
    "action_accepted": (
        "操作已受理：{case} 现为 {status}。",
        "Action accepted: {case} is now {status}.",
    ),
    "steps": ("环节", "Steps"),
    "state": ("状态", "State"),
    "note": ("说明", "Note"),
    "documents": ("证照", "Documents"),
    "number": ("编号", "Number"),
    "doc_kind": ("证照种类", "Kind"),
    "issued_at": ("出具时间", "Issued"),
    "revoked": ("已撤销", "revoked"),
    "facts": ("信息及来源", "Facts and where they came from"),
    "waits": ("等待中的核验", "Verifications waiting"),
    "actions": ("人工操作", "Operator actions"),
    "operator": ("操作人", "Operator"),
    "action": ("操作", "Action"),
    "timeline": ("时间线", "Timeline"),
    "event_col": ("事件", "Event"),
    "detail": ("详情", "Detail"),
    "retry": ("重试失败环节", "Retry a failed step"),
    "cancel": ("撤销案件", "Cancel the case"),
    "failure": ("失败原因", "Failure"),
    "sla": ("办结时限", "SLA deadline"),
    "live_note": (
        "列表每 10 秒自动刷新。时间均为北京时间。",
        "The list refreshes every 10 seconds. Times are China Standard Time (UTC+8).",
    ),
}


def choose_language(requested: str | None, remembered: str | None) -> Language:
    """The language asked for (``?lang=``), else the remembered one, else Chinese."""
    for candidate in (requested, remembered):
        if candidate == "zh":
            return "zh"
        if candidate == "en":
            return "en"
    return DEFAULT_LANGUAGE


def translate(language: Language, key: str, **values: object) -> str:
    """The words for ``key`` in ``language``; an unknown key is shown as it is.

    Args:
        language: ``zh`` or ``en``.
        key: A word key, a department name, a verification kind or a fact way.
        **values: Filled into the words' ``{placeholders}``.

    Returns:
        The words.
    """
    pair = _WORDS.get(key)
    if pair is None:
        return key
    words = pair[LANGUAGES.index(language)]
    return words.format(**values) if values else words


def duration(language: Language, seconds: float) -> str:
    """A time left in words: minutes, hours and minutes, or days and hours."""
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return translate(language, "minutes", n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return translate(language, "hours", h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return translate(language, "days", d=days, h=hours)
