"""Field driver: pendulum's dates, durations and locales (the package defines functions named like its modules)."""

import pendulum

start = pendulum.datetime(2024, 3, 10, 12, tz="Europe/Paris")
print(start, start.add(months=1, days=3).to_iso8601_string(), start.in_timezone("UTC"))
print(pendulum.duration(days=3, hours=2).in_words(locale="de"))
print(start.format("dddd D MMMM YYYY", locale="fr"), (start - start.subtract(days=400)).in_words())
