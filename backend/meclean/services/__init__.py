"""The app's rules, one module per domain, between the store (db) and the web (api).

A route parses its input, calls a service function and shapes the answer; a service reads
and writes through db, computes through ml and data, and refuses with the errors of
``services.errors``, which the API answers as 409 and 422. Services never commit:
the request (or the command) that called them does."""
