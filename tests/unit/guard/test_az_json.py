"""The guard's json.loads without the json module (guard/az_json.py) gives what json.loads gives."""
import json

import pytest

from azext_tokenguard.guard import az_json

DOCUMENTS = ['{}', '[]', ' {"a": [1, 2.5, -3e2, true, false, null, "x\\u00e9\\n"]}\n', '"text"', '17', '-0.0',
             '{"nested": {"deep": [[[{"k": "v"}]]]}, "dup": 1, "dup": 2}', '[NaN, Infinity, -Infinity]',
             '\t\r\n [ 1 ,\n 2 ] \n', '{"unicode": "caf\u00e9 \u2603"}']
BAD = ['', '   ', '{', '{"a": 1,}', '[1] x', '{"a" 1}', "{'a': 1}", '"unterminated', '\ufeff{}', 'nul', '[1,]']


@pytest.mark.parametrize("text", DOCUMENTS)
def test_loads_as_json_does(text):
    expected = json.loads(text)
    assert repr(az_json.loads(text)) == repr(expected)
    assert repr(az_json.loads(text.encode("utf-8"))) == repr(expected)


@pytest.mark.parametrize("text", BAD)
def test_refuses_what_json_refuses_with_a_value_error(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        az_json.loads(text)


@pytest.mark.parametrize("data", [t.encode("utf-8") for t in BAD + DOCUMENTS] + [
    b"\xef\xbb\xbf{}", b"\xef\xbb\xbf\xef\xbb\xbf{}", "{}".encode("utf-16"), b"\xff{}", b'"\xc3"'])
def test_bytes_are_read_as_utf_8_with_or_without_a_bom(data):
    try:
        expected = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        with pytest.raises(ValueError):
            az_json.loads(data)
    else:
        assert repr(az_json.loads(data)) == repr(expected)


@pytest.mark.parametrize("value", ["account show", "", "a\"b", "back\\slash", "caf\u00e9", "tab\there", {"a": [1]}])
def test_dumps_as_json_does(value):
    assert az_json.dumps(value) == json.dumps(value)
    assert az_json.dumps(value, indent=2) == json.dumps(value, indent=2)
