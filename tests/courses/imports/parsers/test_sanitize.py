"""HTML that comes in with imported text (pure): plain text and Wagtail rich text."""

from courses.imports.parsers.sanitize import plain_text, rich_text


def test_plain_text_strips_markup_and_keeps_plain_symbols():
    assert plain_text("<script>alert(1)</script>电压<b>多少</b>") == "电压多少"
    assert plain_text("电压 < 36V & 电流") == "电压 < 36V & 电流"
    assert plain_text('<img src=x onerror="alert(1)">') == ""
    for value in ("<p>a &lt; b</p>", "x\x07y"):
        assert plain_text(plain_text(value)) == plain_text(value)


def test_rich_text_keeps_wagtail_markup_only_and_is_idempotent():
    dirty = '<p data-block-key="k1" onclick="x">一<br/>二</p><script>alert(1)</script><a href="javascript:alert(1)">坏</a><a href="https://a.cn">好</a>'
    clean = rich_text(dirty)
    assert clean == '<p data-block-key="k1">一<br>二</p><a>坏</a><a href="https://a.cn">好</a>'
    assert rich_text(clean) == clean
    assert rich_text("第一段\n第二行\n\n第二段 <3") == "<p>第一段<br>第二行</p><p>第二段 &lt;3</p>"
    assert rich_text("<table><tr><td>1</td></tr></table>") == "<p>1</p>"
