"""Field driver: jsonschema validates with a format checker and lists the formats it checks."""

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

schema = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 0}, "when": {"type": "string", "format": "date"}},
    "required": ["n"],
}
validator = Draft202012Validator(schema, format_checker=FormatChecker())
for error in sorted(validator.iter_errors({"n": -3, "when": "2024-02-30"}), key=lambda e: e.message):
    print(error.message)
print(jsonschema.validators.validator_for({"$schema": "http://json-schema.org/draft-07/schema#"}).__name__)
# the formats depend on which optional packages imported (`with suppress(ImportError)`)
print(sorted(FormatChecker.checkers))
