"""A stuck case's failure message is shown without what could be personal data."""

from __future__ import annotations

from onething.cases import mask_personal


def test_id_numbers_phone_numbers_and_chinese_text_are_masked() -> None:
    message = "KeyError: '330702199001011234' of 张三 at 浙江省兰溪市虹兴路39号, call 13800138000"
    shown = mask_personal(message)
    assert shown == "KeyError: '…' of … at …39…, call …"


def test_only_the_first_line_is_kept_and_it_is_short() -> None:
    shown = mask_personal("step 'verify_x' failed\n  File workflows/engine.py\n" + "x" * 500)
    assert shown == "step 'verify_x' failed"
    assert len(mask_personal("y" * 500)) == 200
    assert mask_personal("") == ""
