"""Run Grammalecte on texts read as JSON from stdin; write its errors as JSON to stdout.

Run by Debian's Python (/usr/bin/python3), where the python3-grammalecte
package installs the `grammalecte` module; sitecheck/grammar.py starts it once
per gate run. It uses only the standard library and Grammalecte, and knows
nothing of the site.

Input: {"options_off": [option, ...], "rules_off": [rule id, ...], "texts": [text, ...]}
Output: {"version": "2.1.2", "unknown_options": [...], "unknown_rules": [...],
         "errors": [[{"start", "end", "rule", "option", "message", "suggestions"}, ...], ...]}
with one list of errors per text, in the order of the texts. Spelling is not checked.
"""

import json
import sys


def main() -> None:
    request = json.load(sys.stdin)
    try:
        import grammalecte  # type: ignore[import-not-found]  # Debian's, not the project's
    except ImportError:
        sys.exit("the grammalecte module is missing: apt-get install python3-grammalecte")
    engine = grammalecte.GrammarChecker("fr").getGCEngine()
    options = engine.getOptions()
    rules = {rule_id for _kind, _option, _line, rule_id in engine.listRules()}
    options_off = request.get("options_off", [])
    rules_off = request.get("rules_off", [])
    engine.setOptions({option: False for option in options_off if option in options})
    for rule_id in rules_off:
        engine.ignoreRule(rule_id)
    errors = []
    for text in request.get("texts", []):
        errors.append(
            [
                {
                    "start": error["nStart"],
                    "end": error["nEnd"],
                    "rule": error["sRuleId"],
                    "option": error["sType"],
                    "message": error["sMessage"],
                    "suggestions": list(error["aSuggestions"]),
                }
                for error in engine.parse(text, "FR")
            ]
        )
    json.dump(
        {
            "version": engine.version,
            "unknown_options": sorted(set(options_off) - set(options)),
            "unknown_rules": sorted(set(rules_off) - rules),
            "errors": errors,
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main()
