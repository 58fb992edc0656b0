"""Reads an Ace by DAISY report.json and prints one line:

    OUTCOME critical=N serious=N moderate=N minor=N

followed by one line per violation (impact, rule, document, description).
Exit status 0 when the outcome is "pass" and there are no violations."""
import json
import sys

IMPACTS = ("critical", "serious", "moderate", "minor")


def main(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    outcome = report.get("earl:result", {}).get("earl:outcome", "missing")
    counts = dict.fromkeys(IMPACTS, 0)
    lines = []
    for subject in report.get("assertions", []):
        url = subject.get("earl:testSubject", {}).get("url", "?")
        for a in subject.get("assertions", []):
            if a.get("earl:result", {}).get("earl:outcome") == "pass":
                continue
            test = a.get("earl:test", {})
            impact = test.get("earl:impact", "unknown")
            counts[impact] = counts.get(impact, 0) + 1
            desc = a.get("earl:result", {}).get("dct:description", "").split("\n")[0]
            lines.append("  %s %s %s: %s" % (impact, test.get("dct:title", "?"), url, desc[:200]))
    print(outcome + " " + " ".join("%s=%d" % (k, v) for k, v in counts.items()))
    for line in lines:
        print(line)
    return 0 if outcome == "pass" and not lines else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
