"""The JSON document's schema (docs/correlate.schema.json, draft 2020-12):
validate(doc) returns a list of error strings, empty when doc conforms.

Uses the `jsonschema` package (Debian: python3-jsonschema).  When the
python3 that runs the tests does not have it (a pyenv python first on PATH),
Debian's /usr/lib/python3/dist-packages is tried; if it is still missing,
importing this module fails with a clear error: validation is never skipped.

Stricter than plain JSON Schema in one way: an "integer" must be a JSON
integer.  JSON Schema counts 1024.0 as an integer; correlate writes byte
counts as exact integer text, so a float there is a bug."""

import json
import os
import sys

DIST_PACKAGES = "/usr/lib/python3/dist-packages"
SCHEMA_PATH = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                 "correlate.schema.json"))


def _import_jsonschema():
    try:
        import jsonschema
        return jsonschema
    except ImportError:
        pass
    if os.path.isdir(DIST_PACKAGES) and DIST_PACKAGES not in sys.path:
        sys.path.append(DIST_PACKAGES)
        try:
            import jsonschema
            return jsonschema
        except ImportError:
            pass
    raise ImportError(
        f"the jsonschema package is needed to validate correlate's JSON against "
        f"{SCHEMA_PATH}, and {sys.executable} cannot import it (also tried "
        f"{DIST_PACKAGES}): install it with `apt-get install python3-jsonschema`")


jsonschema = _import_jsonschema()
_base = jsonschema.Draft202012Validator


def _strict_integer(checker, instance):
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = jsonschema.validators.extend(
    _base, type_checker=_base.TYPE_CHECKER.redefine("integer", _strict_integer))

with open(SCHEMA_PATH) as _f:
    SCHEMA = json.load(_f)
_base.check_schema(SCHEMA)
_validator = _Validator(SCHEMA)

# correlate scan --json: its own document, whose reports are each a
# document of the schema above (docs/correlate-scan.schema.json says so).
SCAN_SCHEMA_PATH = os.path.join(os.path.dirname(SCHEMA_PATH), "correlate-scan.schema.json")
with open(SCAN_SCHEMA_PATH) as _f:
    SCAN_SCHEMA = json.load(_f)
_base.check_schema(SCAN_SCHEMA)
_scan_validator = _Validator(SCAN_SCHEMA)


def _where(path):
    return "/" + "/".join(str(p) for p in path)


def validate(doc):
    """Errors of doc (a parsed document) against the schema: a list of
    strings "/json/pointer: message", empty when it conforms.  correlate
    scan's document is held to docs/correlate-scan.schema.json, and each of
    its reports to the single report's schema."""
    if isinstance(doc, dict) and doc.get("kind") == "scan":
        errors = _validate(_scan_validator, doc)
        for i, r in enumerate(doc.get("reports") or []):
            errors += [f"/reports/{i}{e}" for e in _validate(_validator, r)]
        return errors
    # issue 14: watch's summary and diff's document are $defs of the same schema.
    if isinstance(doc, dict) and doc.get("kind") in ("summary", "diff"):
        return _validate(_kind_validators[doc["kind"]], doc)
    return _validate(_validator, doc)


_kind_validators = {k: _Validator({"$ref": f"#/$defs/{k}", "$defs": SCHEMA["$defs"]})
                    for k in ("summary", "diff")}


def _validate(validator, doc):
    errors = []
    for e in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.path]):
        msg = e.message
        if e.context:  # oneOf/anyOf: say what failed in the branch that came closest
            best = jsonschema.exceptions.best_match(e.context)
            if best is not None:
                msg += f" ({_where(list(e.path) + list(best.path))}: {best.message})"
        if len(msg) > 400:
            msg = msg[:400] + "..."
        errors.append(f"{_where(e.path)}: {msg}")
    return errors


def main(argv):
    """schema.py FILE...: validate documents from files ("-": stdin)."""
    rc = 0
    for name in argv or ["-"]:
        text = sys.stdin.read() if name == "-" else open(name).read()
        errs = validate(json.loads(text))
        for err in errs:
            print(f"{name}: {err}")
        rc |= bool(errs)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
