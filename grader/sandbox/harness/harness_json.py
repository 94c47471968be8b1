"""JSON for the harness without the `json` package, which imports `re` (~7 ms of every
sandbox start): its C half, `_json`, does the work; the package is the fallback where that
half is not the one this was written for."""


class JsonContext:
    """What `_json.make_scanner` reads from a `json.JSONDecoder`."""

    strict = True
    object_hook = object_pairs_hook = None
    parse_float, parse_int, parse_constant = float, int, float


def json_codec():
    """(dumps, loads) from the C half of `json`; the package itself where that half differs."""
    try:
        from _json import encode_basestring, make_encoder, make_scanner

        encoder = make_encoder(None, None, encode_basestring, None, ": ", ", ", False, False,
                               True)
        scanner = make_scanner(JsonContext)

        def dumps(value) -> str:
            return "".join(encoder(value, 0))

        def loads(text: str):
            try:
                value, end = scanner(text, 0)
            except Exception:  # StopIteration; SystemError where _json wants json.decoder
                raise ValueError("not JSON") from None
            if text[end:].strip():
                raise ValueError("extra data after the JSON value")
            return value

        if loads(dumps({"a": [1.5, None, True, "é"]})) == {"a": [1.5, None, True, "é"]}:
            for malformed in ('{"a": "b', '{"a": "\x01"}', "[1 2]", "", "nul"):
                try:
                    loads(malformed)
                except ValueError:
                    continue
                raise ValueError("accepted malformed JSON")
            return dumps, loads
    except (ImportError, TypeError, ValueError):
        pass
    import json

    return (lambda value: json.dumps(value, ensure_ascii=False)), json.loads


dumps, loads = json_codec()
