#!/usr/bin/env python3
"""A web service's log: LINES lines, 1% errors, 0.5% timeouts, the rest access lines."""
import random
import sys

random.seed(1)
n = int(sys.argv[1])
paths = ["/api/users", "/api/orders/12345", "/static/app.js", "/health", "/login"]
out = sys.stdout
for i in range(n):
    r = random.random()
    s, ms = i % 60, i % 1000
    if r < 0.01:
        out.write("2026-12-02T12:00:%02d.%03dZ ERROR db: connection refused to "
                  "10.0.0.%d:5432 (attempt %d)\n" % (s, ms, i % 255, i % 7))
    elif r < 0.015:
        out.write("2026-12-02T12:00:%02d.%03dZ WARN worker %d: request timed out "
                  "after 30s\n" % (s, ms, i % 64))
    else:
        out.write('2026-12-02T12:00:%02d.%03dZ INFO 10.1.%d.%d "GET %s HTTP/1.1" %d '
                  '%d %dms\n' % (s, ms, i % 255, i % 200, random.choice(paths),
                                 random.choice([200, 200, 200, 304, 404, 503]),
                                 random.randint(100, 50000), random.randint(1, 900)))
