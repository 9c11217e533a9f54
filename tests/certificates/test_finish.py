"""What makes a certificate look finished: a signature line with a name or none at all, and the seal's
ring text spaced along the ring for the length of the issuer's name."""

import math
import re

import pytest

from django.utils import timezone

from certificates import snapshots
from certificates.artwork import RING_INNER, RING_MAX_ARC, ring_layout, seal_svg
from certificates.services import certificate_issue_completion
from tests.certificates.helpers import pdftotext


def _layout_context(snapshot):
    return snapshots.layout_context(snapshot, number="JY1", code="A" * 20, verify_url="http://testserver/verify/x/")


@pytest.mark.django_db
def test_a_signature_line_without_a_name_is_left_out(completed_enrolment, settings):
    settings.CERTIFICATE_SIGNATORIES = [{"role": "发证机构负责人", "name": ""}]
    certificate = certificate_issue_completion(enrolment=completed_enrolment)
    assert certificate.snapshot["signatories"] == []
    with certificate.pdf.open("rb") as handle:
        assert "发证机构负责人" not in pdftotext(handle.read())


@pytest.mark.django_db
def test_the_signature_line_carries_the_configured_name(completed_enrolment, settings):
    settings.CERTIFICATE_SIGNATORIES = [{"role": "发证机构负责人", "name": "王建国"}]
    certificate = certificate_issue_completion(enrolment=completed_enrolment)
    with certificate.pdf.open("rb") as handle:
        text = " ".join(pdftotext(handle.read()).split())
    assert re.search(r"发证机构负责人：\s*王建国", text)


def test_a_snapshot_frozen_with_a_blank_line_renders_without_it():
    snapshot = {
        "kind": "completion",
        "title": "结业证书",
        "holder": {"name": "张三", "id_number_masked": ""},
        "achievement": "课程",
        "description": "",
        "issued_on": timezone.now().date().isoformat(),
        "issuer": "平台",
        "signatories": [{"role": "发证机构负责人", "name": ""}, {"role": "校长", "name": "李四"}],
    }
    assert _layout_context(snapshot)["signatories"] == [{"role": "校长", "name": "李四"}]


@pytest.mark.parametrize("count", range(2, 25))
def test_the_ring_text_never_crowds_and_stays_on_the_upper_arc(count):
    font, radius, step = ring_layout(count)
    gap = math.radians(step) * radius - font  # between two neighbouring glyphs, along the ring
    assert gap >= 0.24 * font, (count, font, step)
    assert (count - 1) * step <= RING_MAX_ARC + 0.01
    assert radius + font / 2 <= RING_INNER + 0.01
    assert font >= 10


def test_short_names_spread_and_long_ones_shrink_to_fit():
    assert ring_layout(5)[0] == 24 and 4 * ring_layout(5)[2] >= 140
    assert ring_layout(18)[0] < ring_layout(12)[0]


def test_the_seal_places_every_character_symmetrically():
    svg = seal_svg("工业和信息化技术技能人才网上学习平台")
    angles = [float(a) for a in re.findall(r"rotate\((-?[\d.]+) 100 100\)", svg)]
    assert len(angles) == 18
    assert angles[0] == pytest.approx(-angles[-1]) and angles == sorted(angles)
