"""check_schema.py - contrib/pocdir-origin.schema.json as an editor applies
it: every shipped and test origin file passes (first line "valid N"), and a
file with an unknown key and an unknown role does not (second line: the
messages). Run by tests/t_contrib.sh with the source tree as argument."""

import datetime
import glob
import json
import sys

import jsonschema
import yaml

top = sys.argv[1]
schema = json.load(open(f"{top}/contrib/pocdir-origin.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)


def plain(x):
    """YAML dates and times as the text they were written as."""
    if isinstance(x, dict):
        return {k: plain(w) for k, w in x.items()}
    if isinstance(x, list):
        return [plain(w) for w in x]
    if isinstance(x, (datetime.date, datetime.datetime)):
        return x.isoformat().replace("+00:00", "Z")
    return x


# The hostile and mistaken test files are meant to be wrong; the others are valid.
files = sorted(f for f in glob.glob(f"{top}/directory/origins/*.yaml") +
               glob.glob(f"{top}/tests/cli/*/origins/*.yaml") if "/hostile/" not in f and "/mistakes/" not in f)
bad = [(f, e.message) for f in files for e in v.iter_errors(plain(yaml.safe_load(open(f))))]
print(f"valid {len(files)}" if not bad else f"invalid: {bad}")
doc = plain(yaml.safe_load(open(f"{top}/tests/cli/data/origins/kr.yaml")))
doc["entries"][0]["telephone"] = ["+82 2 0000 0001"]
doc["entries"][0]["roles"] = ["tech"]
print(sorted(e.message[:80] for e in v.iter_errors(doc)))
