# Prometheus text exposition on stdin, parsed by the reference parser (prometheus_client, Debian's
# python3-prometheus-client); prints the families as JSON on stdout. A value is printed as repr(float) ('inf', 'nan'),
# which JSON numbers cannot hold. Exits 1 with the parser's message on stderr when the text does not parse.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    families = [
        {
            "name": f.name,
            "type": f.type,
            "help": f.documentation,
            "samples": [{"name": s.name, "labels": s.labels, "value": repr(float(s.value))} for s in f.samples],
        }
        for f in text_string_to_metric_families(sys.stdin.read())
    ]
except ValueError as e:
    print(f"prometheus_client could not parse the exposition: {e}", file=sys.stderr)
    sys.exit(1)
json.dump(families, sys.stdout)
