import pytest

from organisations.models import Industry, Region
from organisations.reference import industries_data, reference_load, regions_data

pytestmark = pytest.mark.django_db


def test_34_provincial_divisions_including_hong_kong_macao_and_taiwan():
    provinces = Region.objects.filter(level=Region.Level.PROVINCE)
    assert provinces.count() == 34
    assert {"71", "81", "82", "11", "65"} <= set(provinces.values_list("code", flat=True))


def test_every_city_sits_in_an_existing_province_by_its_code():
    for city in Region.objects.filter(level=Region.Level.CITY):
        assert city.province_id == city.code[:2]
        assert city.province.level == Region.Level.PROVINCE
        assert len(city.code) in (4, 6)
    assert Region.objects.filter(level=Region.Level.CITY).count() == len(regions_data()["cities"])


def test_municipalities_list_their_districts_and_placeholders_are_gone():
    assert Region.objects.get(pk="110108").name == "海淀区"
    assert Region.objects.filter(province_id="50").count() > 30  # 重庆: districts and counties
    assert not Region.objects.filter(name__in=["市辖区", "县", "省直辖县级行政区划"]).exists()
    assert Region.objects.get(pk="3205").name == "苏州市"


def test_20_sections_and_97_divisions_each_in_its_section():
    assert Industry.objects.filter(level=Industry.Level.SECTION).count() == 20
    divisions = Industry.objects.filter(level=Industry.Level.DIVISION)
    assert divisions.count() == 97
    assert sorted(divisions.values_list("code", flat=True)) == [f"{n:02d}" for n in range(1, 98)]
    assert Industry.objects.get(pk="39").section_id == "C"
    assert Industry.objects.get(pk="65").section_id == "I"
    assert Industry.objects.get(pk="83").section_id == "P"
    assert set(divisions.values_list("section_id", flat=True)) == {chr(c) for c in range(ord("A"), ord("T") + 1)}


def test_loading_again_writes_nothing_and_restores_a_renamed_row():
    assert reference_load(Region, Industry) == 0
    Region.objects.filter(pk="32").update(name="改名")
    assert reference_load(Region, Industry) == 1
    assert Region.objects.get(pk="32").name == "江苏省"
    assert len(industries_data()["divisions"]) == 97
