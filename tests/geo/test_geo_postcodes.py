import pytest

from brokerage.geo.postcodes import (
    PostcodeError,
    inward_code,
    is_full_postcode,
    is_valid,
    normalise,
    outward_code,
    split_postcode,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" me14 1xx", "ME14 1XX"),
        ("ME141XX", "ME14 1XX"),
        ("me14   1xx  ", "ME14 1XX"),
        ("m e 1 4 1 x x", "ME14 1XX"),
        ("tn23\t7aa", "TN23 7AA"),
        ("ct1 2ab", "CT1 2AB"),
        ("sw1a1aa", "SW1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("gir0aa", "GIR 0AA"),
        ("ME4\u00a04AA", "ME4 4AA"),  # non-breaking space pasted from a web page
    ],
)
def test_normalises_full_postcodes(raw, expected):
    assert normalise(raw) == expected
    assert is_valid(raw)
    assert is_full_postcode(raw)


@pytest.mark.parametrize("raw, expected", [("me14", "ME14"), (" tn23 ", "TN23"), ("sw1a", "SW1A"), ("ct1", "CT1")])
def test_outward_only_when_allowed(raw, expected):
    assert normalise(raw, allow_outward_only=True) == expected
    assert not is_full_postcode(raw)


def test_outward_only_rejected_by_default_with_a_clear_message():
    with pytest.raises(PostcodeError) as exc:
        normalise("ME99")
    assert exc.value.message == "“ME99” is not a full UK postcode — it should look like ME14 1XX."
    assert isinstance(exc.value, ValueError)
    assert str(exc.value) == exc.value.message


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        12345,
        "hello",
        "ME14 1XXX",
        "1ME4 1XX",
        "ME14 XX1",
        "QE1 1AA",
        "ME14 1CI",
        "ME14-1XX",
        "!!",
        "A",
        "ME14 1X",
        "X" * 200,
        "ZZ99 9ZZ",
    ],
)
def test_rejects_garbage(raw):
    with pytest.raises(PostcodeError) as exc:
        normalise(raw)
    msg = exc.value.message
    assert msg and (msg[0].isupper() or msg[0] == "“") and msg.endswith(".")
    assert "ME14 1XX" in msg  # always shows what a postcode looks like
    assert len(msg) < 200  # long input is abbreviated
    assert not is_valid(raw)


def test_messages_are_specific():
    with pytest.raises(PostcodeError) as exc:
        normalise("")
    assert exc.value.message.startswith("Please enter a postcode")
    with pytest.raises(PostcodeError) as exc:
        normalise("ME14 1CI")
    assert "C, I, K, M, O or V" in exc.value.message
    with pytest.raises(PostcodeError) as exc:
        normalise("banana", allow_outward_only=True)
    assert exc.value.message == "“banana” is not a UK postcode — it should look like ME14 1XX or ME14."


def test_outward_and_inward_parts():
    assert outward_code("me14 1xx") == "ME14"
    assert outward_code("tn23") == "TN23"
    assert inward_code("me141xx") == "1XX"
    assert inward_code("TN23") is None
    assert split_postcode("ct11 9aa") == ("CT11", "9AA")
    with pytest.raises(PostcodeError):
        outward_code("not a postcode")
